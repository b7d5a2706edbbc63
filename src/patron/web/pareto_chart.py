"""The Pareto chart of complaints by root cause, laid out for an inline SVG drawn on the server:
bars for the counts, most common first, against the left axis, and the running percentage as a
line against the right axis (0 to 100%). No script draws it, so it prints and reads the same
everywhere; the numbers are also given as a table beside it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from patron.complaints.register import Pareto

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 48, 56, 16, 72
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
BASELINE = TOP + PLOT_HEIGHT


@dataclass(frozen=True)
class ChartBar:
    label: str
    complaints: int
    percent: Decimal
    cumulative_percent: Decimal
    x: float
    y: float
    width: float
    height: float
    centre: float
    line_y: float


@dataclass(frozen=True)
class ParetoChart:
    bars: list[ChartBar]
    line_points: str
    most: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    baseline: int = BASELINE
    middle: float = TOP + PLOT_HEIGHT / 2
    label_y: int = BASELINE + 20


def pareto_chart(pareto: Pareto) -> ParetoChart:
    most = max((bar.complaints for bar in pareto.bars), default=0)
    slot = PLOT_WIDTH / len(pareto.bars) if pareto.bars else PLOT_WIDTH
    bars = []
    for index, bar in enumerate(pareto.bars):
        height = PLOT_HEIGHT * bar.complaints / most if most else 0
        centre = LEFT + slot * (index + 0.5)
        bars.append(
            ChartBar(
                label=bar.root_cause,
                complaints=bar.complaints,
                percent=bar.percent,
                cumulative_percent=bar.cumulative_percent,
                x=round(centre - slot * 0.3, 1),
                y=round(BASELINE - height, 1),
                width=round(slot * 0.6, 1),
                height=round(height, 1),
                centre=round(centre, 1),
                line_y=round(BASELINE - PLOT_HEIGHT * float(bar.cumulative_percent) / 100, 1),
            )
        )
    points = " ".join(f"{bar.centre},{bar.line_y}" for bar in bars)
    return ParetoChart(bars=bars, line_points=points, most=most)
