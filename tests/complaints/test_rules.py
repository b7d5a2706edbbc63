"""Complaint clocks at their date boundaries (the Consumer Rights Act remedies: test_remedies.py)."""

from __future__ import annotations

from datetime import date

import pytest

from patron.complaints.regimes import ENERGY, FCA_DISP, GENERAL, TELECOMS, add_business_days, deadlines
from patron.dates import add_months
from patron.standards.holidays_uk import bank_holidays

ENGLAND = bank_holidays("england-and-wales")
SCOTLAND = bank_holidays("scotland")


def england(day: date) -> bool:
    return day.weekday() < 5 and day not in ENGLAND


def scotland(day: date) -> bool:
    return day.weekday() < 5 and day not in SCOTLAND


# --- business days -------------------------------------------------------------------------------


def test_business_days_skip_weekends_and_bank_holidays() -> None:
    # Thursday 24 December 2026: Friday 25 (Christmas) and Monday 28 (Boxing Day substitute) are closed.
    assert add_business_days(date(2026, 12, 24), 1, england) == date(2026, 12, 29)
    assert add_business_days(date(2026, 12, 24), 3, england) == date(2026, 12, 31)
    assert add_business_days(date(2026, 11, 20), 0, england) == date(2026, 11, 20)


def test_the_region_decides_the_bank_holidays() -> None:
    # 30 November 2026 (St Andrew's Day) is a bank holiday in Scotland only.
    assert add_business_days(date(2026, 11, 27), 1, england) == date(2026, 11, 30)
    assert add_business_days(date(2026, 11, 27), 1, scotland) == date(2026, 12, 1)


def test_a_calendar_without_business_days_is_refused() -> None:
    with pytest.raises(ValueError, match="no business days"):
        add_business_days(date(2026, 1, 1), 2, lambda day: False)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 3, 3), 6, date(2026, 9, 3)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_months_end_on_the_last_day_when_shorter(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


# --- regimes -------------------------------------------------------------------------------------


def test_general_regime_two_and_twenty_business_days() -> None:
    # Received Monday 23 November 2026.
    found = deadlines(GENERAL, received_on=date(2026, 11, 23), is_business_day=england)
    assert (found.acknowledge_by, found.final_response_by) == (date(2026, 11, 25), date(2026, 12, 21))
    assert (found.summary_resolution_by, found.referral_until) == (None, None)


def test_fca_disp_three_business_days_eight_weeks_and_six_months_to_refer() -> None:
    # Received Wednesday 23 December 2026: the 3rd business day after skips Christmas and Boxing Day.
    found = deadlines(FCA_DISP, received_on=date(2026, 12, 23), is_business_day=england)
    assert found.summary_resolution_by == date(2026, 12, 30)
    assert found.final_response_by == date(2027, 2, 17)  # 8 weeks, same weekday
    assert found.referral_until is None
    answered = deadlines(
        FCA_DISP, received_on=date(2026, 12, 23), is_business_day=england, final_response_on=date(2027, 8, 31)
    )
    assert answered.referral_until == date(2028, 2, 29)  # six months, to the month's last day


@pytest.mark.parametrize(("regime", "weeks"), [(ENERGY, 8), (TELECOMS, 6)])
def test_ombudsman_schemes_count_weeks(regime: object, weeks: int) -> None:
    found = deadlines(regime, received_on=date(2026, 11, 2), is_business_day=england)  # type: ignore[arg-type]
    assert (found.final_response_by - date(2026, 11, 2)).days == weeks * 7
