"""The Consumer Rights Act remedy path as a state machine, at its date boundaries: the 30 days
(day 30 against day 31) and their pause for a repair, the six months counted to the day the
fault was reported, the one repair or replacement, the limitation periods, the steps refused
and the amounts checked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest

from patron.complaints.remedies import (
    LegalRegion,
    PathStep,
    Purchase,
    PurchaseType,
    RemedyState,
    StepKind,
    check_step,
    next_steps,
    remedies_on,
    state_of,
    with_default_amount,
)
from patron.errors import Conflict, ValidationFailed

K = StepKind
TODAY = date(2040, 1, 1)


def _goods(**changes: object) -> Purchase:
    values: dict[str, object] = {
        "type": PurchaseType.GOODS,
        "purchased_on": date(2026, 3, 1),
        "delivered_on": date(2026, 3, 1),
        "price": Decimal("200.00"),
    }
    values.update(changes)
    return Purchase(**values)  # type: ignore[arg-type]


def _walk(purchase: Purchase, *steps: tuple[StepKind, date] | tuple[StepKind, date, str]) -> list[PathStep]:
    """Record the steps one by one, as the service does: each checked against the path so far."""
    path: list[PathStep] = []
    for kind, on, *amount in steps:
        step = with_default_amount(purchase, PathStep(kind, on, Decimal(amount[0]) if amount else None))
        check_step(purchase, path, step, today=TODAY)
        path.append(step)
    return path


def _walk_from(purchase: Purchase, path: list[PathStep], *steps: tuple[StepKind, date]) -> list[PathStep]:
    """More steps after a path already taken."""
    taken: list[PathStep] = []
    for kind, on in steps:
        step = with_default_amount(purchase, PathStep(kind, on))
        check_step(purchase, [*path, *taken], step, today=TODAY)
        taken.append(step)
    return taken


def _by_code(purchase: Purchase, as_of: date, path: Sequence[PathStep] = ()) -> dict[str, tuple[bool, date | None]]:
    return {remedy.code: (remedy.available, remedy.until) for remedy in remedies_on(purchase, as_of, path)}


def _reasons(purchase: Purchase, as_of: date, path: Sequence[PathStep] = ()) -> dict[str, str]:
    return {remedy.code: remedy.reason for remedy in remedies_on(purchase, as_of, path)}


# --- the short-term right to reject ---------------------------------------------------------------


def test_goods_right_to_reject_runs_30_days_from_the_day_after_delivery() -> None:
    # Delivered 1 March: the 30 days are 2 to 31 March.
    assert _by_code(_goods(), date(2026, 3, 31))["short_term_reject"] == (True, date(2026, 3, 31))
    assert _by_code(_goods(), date(2026, 4, 1))["short_term_reject"] == (False, date(2026, 3, 31))
    assert K.SHORT_TERM_REJECT in next_steps(_goods(), [], date(2026, 3, 31))
    assert K.SHORT_TERM_REJECT not in next_steps(_goods(), [], date(2026, 4, 1))


def test_rejecting_on_day_30_is_recorded_and_on_day_31_refused() -> None:
    path = _walk(_goods(), (K.SHORT_TERM_REJECT, date(2026, 3, 31)))
    assert state_of(_goods(), path) == RemedyState.REJECTED
    assert path[0].amount == Decimal("200.00")  # a full refund unless said otherwise
    with pytest.raises(Conflict, match="The short-term right to reject ended on 31 March 2026"):
        _walk(_goods(), (K.SHORT_TERM_REJECT, date(2026, 4, 1)))


def test_goods_clock_starts_at_the_later_of_purchase_and_delivery() -> None:
    late = _goods(purchased_on=date(2026, 3, 1), delivered_on=date(2026, 3, 10))
    assert _by_code(late, date(2026, 4, 9))["short_term_reject"] == (True, date(2026, 4, 9))


def test_the_30_days_stop_while_a_repair_is_done_and_resume_with_what_was_left() -> None:
    # Requested on 11 March, with 21 of the 30 days left (11 to 31 March); back on 20 March.
    goods = _goods()
    away = _walk(goods, (K.REPAIR_REQUESTED, date(2026, 3, 11)))
    paused = remedies_on(goods, date(2026, 4, 5), away)[0]
    assert (paused.available, paused.until) == (False, None)
    assert "Paused since 11 March 2026" in paused.reason
    assert "21 of the 30 days were left" in paused.reason
    back = _walk(goods, (K.REPAIR_REQUESTED, date(2026, 3, 11)), (K.GOODS_RETURNED, date(2026, 3, 20)))
    assert _by_code(goods, date(2026, 4, 10), back)["short_term_reject"] == (True, date(2026, 4, 10))
    assert _by_code(goods, date(2026, 4, 11), back)["short_term_reject"] == (False, date(2026, 4, 10))
    assert "21 days were left" in _reasons(goods, date(2026, 4, 10), back)["short_term_reject"]
    # Still faulty: the customer may still reject on the last day of the resumed days, not the day after.
    failed = [*back, *_walk_from(goods, back, (K.FIX_FAILED, date(2026, 4, 2)))]
    rejected = _walk_from(goods, failed, (K.SHORT_TERM_REJECT, date(2026, 4, 10)))
    assert state_of(goods, [*failed, *rejected]) == RemedyState.REJECTED
    with pytest.raises(Conflict, match="ended on 10 April 2026"):
        _walk_from(goods, failed, (K.SHORT_TERM_REJECT, date(2026, 4, 11)))


def test_at_least_7_days_after_the_goods_come_back() -> None:
    # Requested on 29 March with 3 days left; back on 10 April: 7 days, to 17 April.
    goods = _goods()
    back = _walk(goods, (K.REPLACEMENT_REQUESTED, date(2026, 3, 29)), (K.GOODS_RETURNED, date(2026, 4, 10)))
    assert _by_code(goods, date(2026, 4, 17), back)["short_term_reject"] == (True, date(2026, 4, 17))
    assert _by_code(goods, date(2026, 4, 18), back)["short_term_reject"] == (False, date(2026, 4, 17))


def test_a_repair_asked_for_after_the_30_days_does_not_bring_them_back() -> None:
    goods = _goods()
    back = _walk(goods, (K.REPAIR_REQUESTED, date(2026, 4, 1)), (K.GOODS_RETURNED, date(2026, 4, 3)))
    assert _by_code(goods, date(2026, 4, 3), back)["short_term_reject"] == (False, date(2026, 3, 31))


def test_perishable_goods_can_be_rejected_for_their_expected_life() -> None:
    flowers = _goods(perishable_days=7)
    assert _by_code(flowers, date(2026, 3, 8))["short_term_reject"] == (True, date(2026, 3, 8))
    assert _by_code(flowers, date(2026, 3, 9))["short_term_reject"] == (False, date(2026, 3, 8))
    assert "7 days (their expected life)" in _reasons(flowers, date(2026, 3, 8))["short_term_reject"]


# --- who must prove the fault: six months, to the day it was reported ------------------------------


def test_the_six_month_presumption_counts_to_the_day_the_fault_was_reported() -> None:
    # Delivered 31 August: the six months end on 28 February.
    on_time = _goods(
        delivered_on=date(2026, 8, 31), purchased_on=date(2026, 8, 31), fault_reported_on=date(2027, 2, 28)
    )
    late = _goods(delivered_on=date(2026, 8, 31), purchased_on=date(2026, 8, 31), fault_reported_on=date(2027, 3, 1))
    # Looked at long afterwards, the answer is the same: it depends on the report, not on today.
    for as_of in (date(2027, 3, 1), date(2029, 6, 1)):
        assert "is presumed to have been there at delivery" in _reasons(on_time, as_of)["repair_or_replace"]
        assert "the customer must show the fault was there at delivery" in _reasons(late, as_of)["repair_or_replace"]
    assert "reported on 28 February 2027, within six months" in _reasons(on_time, date(2029, 6, 1))["repair_or_replace"]


# --- one repair or replacement, then price reduction or final rejection ---------------------------


def test_after_one_failed_repair_goods_offer_a_price_reduction_or_final_rejection_not_another_repair() -> None:
    goods = _goods()
    path = _walk(
        goods,
        (K.REPAIR_REQUESTED, date(2026, 5, 1)),
        (K.GOODS_RETURNED, date(2026, 5, 10)),
        (K.FIX_FAILED, date(2026, 5, 12)),
    )
    assert state_of(goods, path) == RemedyState.FINAL_REMEDY_DUE
    found = _by_code(goods, date(2026, 5, 12), path)
    assert found["repair_or_replace"] == (False, None)
    assert found["price_reduction_or_final_reject"] == (True, date(2032, 3, 1))
    assert (
        "No deduction for use if they reject by 1 September 2026."
        in (_reasons(goods, date(2026, 5, 12), path)["price_reduction_or_final_reject"])
    )
    assert "the Act does not require another" in _reasons(goods, date(2026, 5, 12), path)["repair_or_replace"]
    with pytest.raises(Conflict, match="“Replacement requested” cannot be recorded now"):
        _walk_from(goods, path, (K.REPLACEMENT_REQUESTED, date(2026, 5, 13)))
    assert K.REPAIR_REQUESTED not in next_steps(goods, path, date(2026, 5, 12))


def test_before_any_repair_the_final_remedies_are_not_open() -> None:
    assert _by_code(_goods(), date(2026, 5, 1))["price_reduction_or_final_reject"] == (False, None)
    with pytest.raises(Conflict, match="nothing has been recorded yet"):
        _walk(_goods(), (K.PRICE_REDUCED, date(2026, 5, 1), "20.00"))


def test_a_repair_found_impossible_goes_straight_to_the_final_remedies() -> None:
    goods = _goods()
    path = _walk(goods, (K.FIX_IMPOSSIBLE, date(2026, 5, 1)), (K.PRICE_REDUCED, date(2026, 5, 2), "50.00"))
    assert state_of(goods, path) == RemedyState.PRICE_REDUCED
    refund = remedies_on(goods, date(2026, 5, 16), path)[-1]
    assert (refund.code, refund.available, refund.until) == ("refund", True, date(2026, 5, 16))
    assert refund.name == "Refund of £50.00"
    assert "It is 1 days late." in remedies_on(goods, date(2026, 5, 17), path)[-1].reason
    paid = [*path, *_walk_from(goods, path, (K.REFUNDED, date(2026, 5, 10)))]
    assert state_of(goods, paid) == RemedyState.REFUNDED
    assert remedies_on(goods, date(2026, 5, 17), paid)[-1].available is False
    assert next_steps(goods, paid, date(2026, 5, 17)) == []


@pytest.mark.parametrize(
    ("purchase", "step"),
    [
        (_goods(), K.CONFORMS),  # nothing has been repaired yet
        (_goods(), K.GOODS_RETURNED),
        (_goods(), K.FINAL_REJECT),
        (_goods(), K.REFUNDED),
        (_goods(), K.REPEAT_PERFORMANCE_REQUESTED),  # services only
        (_goods(type=PurchaseType.SERVICE), K.SHORT_TERM_REJECT),
        (_goods(type=PurchaseType.SERVICE), K.REPAIR_REQUESTED),
        (_goods(type=PurchaseType.DIGITAL), K.SHORT_TERM_REJECT),  # a download
        (_goods(type=PurchaseType.DIGITAL), K.FINAL_REJECT),
    ],
)
def test_steps_the_path_does_not_allow_are_refused(purchase: Purchase, step: StepKind) -> None:
    with pytest.raises(Conflict, match="cannot be recorded now"):
        _walk(purchase, (step, date(2026, 3, 2)))


def test_a_rejected_purchase_cannot_also_be_repaired() -> None:
    goods = _goods()
    path = _walk(goods, (K.SHORT_TERM_REJECT, date(2026, 3, 5)))
    with pytest.raises(Conflict):
        _walk_from(goods, path, (K.REPAIR_REQUESTED, date(2026, 3, 6)))
    assert _reasons(goods, date(2026, 3, 6), path)["short_term_reject"].startswith("Not open: the last step was")


def test_goods_must_come_back_before_they_are_found_fixed_or_still_faulty() -> None:
    goods = _goods()
    path = _walk(goods, (K.REPAIR_REQUESTED, date(2026, 5, 1)))
    with pytest.raises(Conflict):
        _walk_from(goods, path, (K.FIX_FAILED, date(2026, 5, 2)))
    fixed = [*path, *_walk_from(goods, path, (K.GOODS_RETURNED, date(2026, 5, 3)), (K.CONFORMS, date(2026, 5, 4)))]
    assert state_of(goods, fixed) == RemedyState.CONFORMS


# --- services and digital content -----------------------------------------------------------------


def test_services_repeat_performance_then_price_reduction() -> None:
    service = _goods(type=PurchaseType.SERVICE, purchased_on=date(2026, 6, 1), delivered_on=None)
    assert _by_code(service, date(2026, 7, 1)) == {
        "repeat_performance": (True, date(2032, 6, 1)),
        "price_reduction": (False, None),
    }
    path = _walk(service, (K.REPEAT_PERFORMANCE_REQUESTED, date(2026, 7, 1)), (K.FIX_FAILED, date(2026, 7, 8)))
    assert _by_code(service, date(2026, 7, 8), path) == {
        "repeat_performance": (False, None),
        "price_reduction": (True, date(2032, 6, 1)),
    }


def test_digital_content_repair_then_price_reduction_and_no_30_days_for_a_download() -> None:
    download = _goods(type=PurchaseType.DIGITAL, purchased_on=date(2026, 6, 1), delivered_on=None)
    assert set(_by_code(download, date(2026, 6, 2))) == {"repair_or_replace", "price_reduction"}
    path = _walk(download, (K.REPAIR_REQUESTED, date(2026, 6, 2)), (K.FIX_FAILED, date(2026, 6, 9)))
    assert _by_code(download, date(2026, 6, 9), path)["price_reduction"] == (True, date(2032, 6, 1))
    assert _by_code(download, date(2026, 6, 9), path)["repair_or_replace"] == (False, None)


def test_digital_content_on_a_disc_has_the_30_days() -> None:
    disc = _goods(type=PurchaseType.DIGITAL, tangible_medium=True)
    assert _by_code(disc, date(2026, 3, 31))["short_term_reject"] == (True, date(2026, 3, 31))
    assert state_of(disc, _walk(disc, (K.SHORT_TERM_REJECT, date(2026, 3, 31)))) == RemedyState.REJECTED


# --- who and what the Act covers ------------------------------------------------------------------


def test_a_business_customer_has_no_consumer_rights_remedy() -> None:
    business = _goods(consumer=False)
    assert _by_code(business, date(2026, 3, 5)) == {"none": (False, None)}
    assert "applies only to a consumer" in _reasons(business, date(2026, 3, 5))["none"]
    assert next_steps(business, [], date(2026, 3, 5)) == []
    with pytest.raises(Conflict, match="applies only to a consumer"):
        _walk(business, (K.REPAIR_REQUESTED, date(2026, 3, 5)))


def test_the_act_covers_contracts_from_1_october_2015() -> None:
    older = _goods(purchased_on=date(2015, 9, 30), delivered_on=date(2015, 9, 30))
    assert "applies to contracts made from 1 October 2015" in _reasons(older, date(2015, 10, 5))["none"]
    covered = _goods(purchased_on=date(2015, 10, 1), delivered_on=date(2015, 10, 1))
    assert _by_code(covered, date(2015, 10, 5))["short_term_reject"] == (True, date(2015, 10, 31))


# --- amounts and dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("purchase", "steps", "message"),
    [
        (_goods(), [(K.FIX_IMPOSSIBLE, date(2026, 5, 1)), (K.PRICE_REDUCED, date(2026, 5, 1), "-1.00")], "negative"),
        (_goods(), [(K.FIX_IMPOSSIBLE, date(2026, 5, 1)), (K.PRICE_REDUCED, date(2026, 5, 1), "200.01")], "more than"),
        (_goods(), [(K.FIX_IMPOSSIBLE, date(2026, 5, 1)), (K.PRICE_REDUCED, date(2026, 5, 1), "0")], "more than £0"),
        (_goods(), [(K.FIX_IMPOSSIBLE, date(2026, 5, 1)), (K.PRICE_REDUCED, date(2026, 5, 1), "1.005")], "pence"),
        (_goods(), [(K.FIX_IMPOSSIBLE, date(2026, 5, 1)), (K.PRICE_REDUCED, date(2026, 5, 1))], "Give the amount"),
        (_goods(), [(K.SHORT_TERM_REJECT, date(2026, 3, 5), "150.00")], "full refund, with no deduction: £200.00"),
        (_goods(price=None), [(K.SHORT_TERM_REJECT, date(2026, 3, 5), "1e30")], "over £1,000,000"),
        (_goods(), [(K.REPAIR_REQUESTED, date(2026, 3, 5), "10.00")], "Only a rejection or a price reduction"),
        (_goods(price=None), [(K.SHORT_TERM_REJECT, date(2026, 3, 5))], "Give the amount"),
        # Within six months of delivery a final rejection refunds the whole price.
        (
            _goods(),
            [(K.FIX_IMPOSSIBLE, date(2026, 9, 1)), (K.FINAL_REJECT, date(2026, 9, 1), "150.00")],
            "No deduction",
        ),
    ],
)
def test_bad_amounts_are_refused(purchase: Purchase, steps: list[tuple[StepKind, date, str]], message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        _walk(purchase, *steps)


def test_a_deduction_for_use_after_six_months_or_for_a_motor_vehicle() -> None:
    after = _walk(_goods(), (K.FIX_IMPOSSIBLE, date(2026, 9, 2)), (K.FINAL_REJECT, date(2026, 9, 2), "150.00"))
    assert after[-1].amount == Decimal("150.00")
    car = _goods(motor_vehicle=True)
    early = _walk(car, (K.FIX_IMPOSSIBLE, date(2026, 5, 1)), (K.FINAL_REJECT, date(2026, 5, 1), "150.00"))
    assert state_of(car, early) == RemedyState.FINAL_REJECTED


def test_steps_are_dated_in_order_and_never_in_the_future() -> None:
    goods = _goods()
    path = _walk(goods, (K.REPAIR_REQUESTED, date(2026, 5, 10)))
    with pytest.raises(ValidationFailed, match="before the last one recorded, on 10 May 2026"):
        _walk_from(goods, path, (K.GOODS_RETURNED, date(2026, 5, 9)))
    with pytest.raises(ValidationFailed, match="before the purchase"):
        _walk(goods, (K.REPAIR_REQUESTED, date(2026, 2, 28)))
    with pytest.raises(ValidationFailed, match="in the future"):
        check_step(goods, [], PathStep(K.REPAIR_REQUESTED, date(2026, 5, 2)), today=date(2026, 5, 1))


# --- limitation: 6 years, or 5 in Scotland from when the fault came to light ---------------------


def test_claims_are_limited_to_six_years_from_delivery_in_england_wales_and_northern_ireland() -> None:
    assert _by_code(_goods(), date(2032, 3, 1))["repair_or_replace"] == (True, date(2032, 3, 1))
    assert _by_code(_goods(), date(2032, 3, 2)) == {"none": (False, date(2032, 3, 1))}
    irish = _goods(region=LegalRegion.NORTHERN_IRELAND)
    assert _by_code(irish, date(2032, 3, 2)) == {"none": (False, date(2032, 3, 1))}


def test_in_scotland_five_years_from_when_the_fault_came_to_light() -> None:
    scottish = _goods(region=LegalRegion.SCOTLAND, fault_reported_on=date(2027, 6, 1))
    assert _by_code(scottish, date(2032, 6, 1))["repair_or_replace"] == (True, date(2032, 6, 1))
    assert _by_code(scottish, date(2032, 6, 2)) == {"none": (False, date(2032, 6, 1))}
    unknown = _goods(region=LegalRegion.SCOTLAND)
    assert _by_code(unknown, date(2031, 3, 2)) == {"none": (False, date(2031, 3, 1))}


def test_every_reason_says_which_limitation_applies_today() -> None:
    english = _reasons(_goods(), date(2026, 3, 2))
    assert all(
        "Under the law of England and Wales claims are limited to 6 years from delivery: until 1 March 2032." in reason
        for reason in english.values()
    )
    scottish = _reasons(_goods(region=LegalRegion.SCOTLAND, fault_reported_on=date(2026, 4, 1)), date(2026, 3, 2))
    assert all("In Scotland claims are limited to 5 years" in reason for reason in scottish.values())
    assert "until 1 April 2031" in scottish["repair_or_replace"]
    expired = _reasons(_goods(), date(2032, 3, 2))["none"]
    assert "that ran out on 1 March 2032" in expired
