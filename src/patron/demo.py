"""Demo data (placeholder until the demo loader lands)."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "patron-demo-2026"


@dataclass(frozen=True)
class DemoResult:
    created: bool
    cases: int
    customers: int
    logins: list[tuple[str, str]]


def load_demo(*, cases: int = 2400, progress: bool = True) -> DemoResult:
    return DemoResult(created=False, cases=0, customers=0, logins=[])
