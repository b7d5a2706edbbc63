"""Complaint clocks and Consumer Rights Act remedies, at their date boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from patron.complaints.regimes import ENERGY, FCA_DISP, GENERAL, TELECOMS, add_business_days, deadlines
from patron.complaints.remedies import LegalRegion, Purchase, PurchaseType, remedies_on
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


# --- Consumer Rights Act -------------------------------------------------------------------------


def _goods(**changes: object) -> Purchase:
    values: dict[str, object] = {
        "type": PurchaseType.GOODS,
        "purchased_on": date(2026, 3, 1),
        "delivered_on": date(2026, 3, 1),
    }
    values.update(changes)
    return Purchase(**values)  # type: ignore[arg-type]


def _by_code(purchase: Purchase, as_of: date) -> dict[str, tuple[bool, date | None]]:
    return {remedy.code: (remedy.available, remedy.until) for remedy in remedies_on(purchase, as_of)}


def test_goods_right_to_reject_runs_30_days_from_the_day_after_delivery() -> None:
    # Delivered 1 March: the 30 days are 2 to 31 March.
    assert _by_code(_goods(), date(2026, 3, 31))["short_term_reject"] == (True, date(2026, 3, 31))
    assert _by_code(_goods(), date(2026, 4, 1))["short_term_reject"] == (False, date(2026, 3, 31))


def test_goods_clock_starts_at_the_later_of_purchase_and_delivery() -> None:
    late = _goods(purchased_on=date(2026, 3, 1), delivered_on=date(2026, 3, 10))
    assert _by_code(late, date(2026, 4, 9))["short_term_reject"] == (True, date(2026, 4, 9))


def test_the_six_month_presumption_and_who_must_prove_the_fault() -> None:
    goods = _goods(delivered_on=date(2026, 8, 31), purchased_on=date(2026, 8, 31))
    on_last_day = {remedy.code: remedy.reason for remedy in remedies_on(goods, date(2027, 2, 28))}
    day_after = {remedy.code: remedy.reason for remedy in remedies_on(goods, date(2027, 3, 1))}
    assert "is presumed to have been there at delivery" in on_last_day["repair_or_replace"]
    assert "28 February 2027" in on_last_day["repair_or_replace"]
    assert "the customer must show the fault was there at delivery" in day_after["repair_or_replace"]


def test_price_reduction_or_final_rejection_only_after_one_failed_fix() -> None:
    before = _by_code(_goods(), date(2026, 5, 1))
    after = _by_code(_goods(first_fix_failed=True), date(2026, 5, 1))
    assert before["price_reduction_or_final_reject"] == (False, None)
    assert after["price_reduction_or_final_reject"] == (True, date(2032, 3, 1))
    reason = next(
        r.reason for r in remedies_on(_goods(first_fix_failed=True), date(2026, 5, 1)) if r.code.startswith("price")
    )
    assert "No deduction for use if they reject by 1 September 2026." in reason


def test_claims_are_limited_to_six_years_or_five_in_scotland() -> None:
    assert _by_code(_goods(), date(2032, 3, 1))["repair_or_replace"] == (True, date(2032, 3, 1))
    assert _by_code(_goods(), date(2032, 3, 2)) == {"none": (False, date(2032, 3, 1))}
    scottish = _goods(region=LegalRegion.SCOTLAND)
    assert _by_code(scottish, date(2031, 3, 2)) == {"none": (False, date(2031, 3, 1))}


def test_services_repeat_performance_then_price_reduction() -> None:
    service = Purchase(type=PurchaseType.SERVICE, purchased_on=date(2026, 6, 1))
    assert _by_code(service, date(2026, 7, 1)) == {
        "repeat_performance": (True, date(2032, 6, 1)),
        "price_reduction": (False, None),
    }
    failed = Purchase(type=PurchaseType.SERVICE, purchased_on=date(2026, 6, 1), first_fix_failed=True)
    assert _by_code(failed, date(2026, 7, 1))["price_reduction"] == (True, date(2032, 6, 1))


def test_digital_content_has_no_30_day_rejection() -> None:
    download = Purchase(type=PurchaseType.DIGITAL, purchased_on=date(2026, 6, 1))
    assert set(_by_code(download, date(2026, 6, 2))) == {"repair_or_replace", "price_reduction"}
