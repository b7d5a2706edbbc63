"""Complaint regimes: the clocks a regulator or a scheme sets for answering a complaint, as data.

A regime says how soon a complaint is acknowledged, by when a final response is due (in
business days or in weeks), whether a complaint resolved quickly may close with a summary
resolution (FCA DISP 1.5), and how long the customer then has to go to the ombudsman. The
arithmetic here is pure: it is given a test of which days are business days (the team's
calendar, with its region's bank holidays) and returns dates.

Sources: DOMAIN.md §4.2 (FCA DISP 1.5, 1.6, 2.8.2R) and §4.3 (energy, telecoms)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from patron.dates import add_months

IsBusinessDay = Callable[[date], bool]


@dataclass(frozen=True)
class Regime:
    code: str
    name: str
    acknowledge_business_days: int
    final_response_business_days: int | None = None
    final_response_weeks: int | None = None
    # DISP 1.5: resolved by close of business on the 3rd business day after receipt.
    summary_resolution_business_days: int | None = None
    referral_body: str = ""
    referral_months: int | None = None


GENERAL = Regime(
    code="general",
    name="General",
    acknowledge_business_days=2,
    final_response_business_days=20,
)
FCA_DISP = Regime(
    code="fca_disp",
    name="FCA DISP (financial services)",
    acknowledge_business_days=2,  # DISP 1.6: "prompt"; two business days is the desk's standard
    final_response_weeks=8,
    summary_resolution_business_days=3,
    referral_body="the Financial Ombudsman Service",
    referral_months=6,
)
ENERGY = Regime(
    code="energy",
    name="Energy (Energy Ombudsman)",
    acknowledge_business_days=2,
    final_response_weeks=8,
    referral_body="the Energy Ombudsman",
    referral_months=12,
)
TELECOMS = Regime(
    code="telecoms",
    name="Telecoms (Communications Ombudsman or CISAS)",
    acknowledge_business_days=2,
    final_response_weeks=6,  # Ofcom: 8 weeks cut to 6 from April 2026
    referral_body="the Communications Ombudsman or CISAS",
)
BUILT_IN = {regime.code: regime for regime in (GENERAL, FCA_DISP, ENERGY, TELECOMS)}


@dataclass(frozen=True)
class Deadlines:
    acknowledge_by: date
    final_response_by: date
    summary_resolution_by: date | None = None
    referral_until: date | None = None


def deadlines(
    regime: Regime, *, received_on: date, is_business_day: IsBusinessDay, final_response_on: date | None = None
) -> Deadlines:
    """The dates a complaint received on `received_on` must be answered by. Business-day limits
    count the business days after the day of receipt (the day itself does not count); week
    limits end on the same weekday that many weeks later. Once a final response is sent, the
    customer's window to go to the ombudsman runs from it."""
    return Deadlines(
        acknowledge_by=add_business_days(received_on, regime.acknowledge_business_days, is_business_day),
        final_response_by=_final_response_by(regime, received_on, is_business_day),
        summary_resolution_by=(
            add_business_days(received_on, regime.summary_resolution_business_days, is_business_day)
            if regime.summary_resolution_business_days is not None
            else None
        ),
        referral_until=(
            add_months(final_response_on, regime.referral_months)
            if final_response_on is not None and regime.referral_months is not None
            else None
        ),
    )


def _final_response_by(regime: Regime, received_on: date, is_business_day: IsBusinessDay) -> date:
    if regime.final_response_business_days is not None:
        return add_business_days(received_on, regime.final_response_business_days, is_business_day)
    if regime.final_response_weeks is not None:
        return received_on + timedelta(weeks=regime.final_response_weeks)
    raise ValueError(f"The regime {regime.code} sets no final response limit.")


def add_business_days(start: date, days: int, is_business_day: IsBusinessDay) -> date:
    """The `days`-th business day after `start` (`start` itself not counted)."""
    if days < 0:
        raise ValueError("A number of business days cannot be negative.")
    current, counted = start, 0
    for _ in range(days * 7 + 60):  # bounded: a calendar with no business days must not loop forever
        if counted == days:
            return current
        current += timedelta(days=1)
        if is_business_day(current):
            counted += 1
    raise ValueError("The calendar has no business days in the weeks after this date.")
