"""What the Consumer Rights Act 2015 entitles a customer to, as a state machine: the path of
remedy steps taken so far (a repair requested, the goods back, still faulty, the price
reduced...) decides which steps may come next, and what is open on a given day. For goods,
the short-term right to reject, then one repair or replacement, then a price reduction or the
final right to reject; for services, repeat performance then a price reduction; for digital
content, repair or replacement then a price reduction. Each remedy comes with the date it runs
out and the reason, in words an agent can read to the customer. Pure: dates in, remedies out.

Sources: DOMAIN.md §2.1 (ss.19–24, limitation), §2.2 (ss.49–57), §2.3 (ss.33–47), §2.4."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from patron.dates import add_months
from patron.errors import Conflict, ValidationFailed


class PurchaseType(StrEnum):
    GOODS = "goods"
    SERVICE = "service"
    DIGITAL = "digital"


class LegalRegion(StrEnum):
    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"


REGION_NAMES = {
    LegalRegion.ENGLAND_AND_WALES: "England and Wales",
    LegalRegion.SCOTLAND: "Scotland",
    LegalRegion.NORTHERN_IRELAND: "Northern Ireland",
}


@dataclass(frozen=True)
class Purchase:
    type: PurchaseType
    purchased_on: date
    delivered_on: date | None = None
    price: Decimal | None = None
    description: str = ""
    region: LegalRegion = LegalRegion.ENGLAND_AND_WALES
    # The day the customer reported the fault: it decides who must prove the fault was there at
    # delivery (s.19(14)), and, in Scotland, when the five years start.
    fault_reported_on: date | None = None
    # Perishable goods: the right to reject lasts as long as they could be expected to last, if shorter.
    perishable_days: int | None = None
    # A deduction for use is allowed on a final rejection of a motor vehicle even within six months.
    motor_vehicle: bool = False
    # Digital content on a disc or inside goods has the 30-day right to reject; a download has not.
    tangible_medium: bool = False
    # The Act protects an individual buying wholly or mainly outside their trade, not a business.
    consumer: bool = True


class RemedyState(StrEnum):
    REPORTED = "reported"
    FIX_IN_PROGRESS = "fix_in_progress"
    RETURNED = "returned"
    CONFORMS = "conforms"
    FINAL_REMEDY_DUE = "final_remedy_due"
    REJECTED = "rejected"
    FINAL_REJECTED = "final_rejected"
    PRICE_REDUCED = "price_reduced"
    REFUNDED = "refunded"


STATE_NAMES = {
    RemedyState.REPORTED: "Fault reported",
    RemedyState.FIX_IN_PROGRESS: "Being put right",
    RemedyState.RETURNED: "Back with the customer",
    RemedyState.CONFORMS: "Put right",
    RemedyState.FINAL_REMEDY_DUE: "Price reduction or final rejection due",
    RemedyState.REJECTED: "Rejected: refund due",
    RemedyState.FINAL_REJECTED: "Finally rejected: refund due",
    RemedyState.PRICE_REDUCED: "Price reduced: refund due",
    RemedyState.REFUNDED: "Refunded",
}


class StepKind(StrEnum):
    SHORT_TERM_REJECT = "short_term_reject"
    REPAIR_REQUESTED = "repair_requested"
    REPLACEMENT_REQUESTED = "replacement_requested"
    REPEAT_PERFORMANCE_REQUESTED = "repeat_performance_requested"
    GOODS_RETURNED = "goods_returned"
    CONFORMS = "conforms"
    FIX_FAILED = "fix_failed"
    FIX_IMPOSSIBLE = "fix_impossible"
    PRICE_REDUCED = "price_reduced"
    FINAL_REJECT = "final_reject"
    REFUNDED = "refunded"


STEP_NAMES = {
    StepKind.SHORT_TERM_REJECT: "Rejected within the short-term right to reject",
    StepKind.REPAIR_REQUESTED: "Repair requested",
    StepKind.REPLACEMENT_REQUESTED: "Replacement requested",
    StepKind.REPEAT_PERFORMANCE_REQUESTED: "Repeat performance requested",
    StepKind.GOODS_RETURNED: "Repaired or replaced goods received back",
    StepKind.CONFORMS: "Now as it should be",
    StepKind.FIX_FAILED: "Still faulty after the repair, replacement or repeat",
    StepKind.FIX_IMPOSSIBLE: "Putting it right is impossible, or not done in a reasonable time",
    StepKind.PRICE_REDUCED: "Price reduction agreed",
    StepKind.FINAL_REJECT: "Final rejection agreed",
    StepKind.REFUNDED: "Refund paid",
}


@dataclass(frozen=True)
class PathStep:
    """One step on the remedy path: what happened, on which day, and the money agreed (a
    refund or a price reduction) where the step is one that agrees money."""

    kind: StepKind
    on: date
    amount: Decimal | None = None


@dataclass(frozen=True)
class Remedy:
    code: str
    name: str
    available: bool
    until: date | None
    reason: str


@dataclass(frozen=True)
class RejectionWindow:
    """The short-term right to reject: its end without any pause (`first_end`) and with the
    pause for a repair or replacement (`ends`, None while the goods are still away)."""

    first_end: date
    ends: date | None
    paused_from: date | None = None
    resumed_on: date | None = None
    days_left: int | None = None


# The Act applies to contracts made from this day (DOMAIN.md §2).
IN_FORCE_FROM = date(2015, 10, 1)
STRR_DAYS = 30
STRR_MINIMUM_AFTER_PAUSE_DAYS = 7
PRESUMPTION_MONTHS = 6
REFUND_DAYS = 14
# A bound on an amount when no price is recorded, so a slip of the keyboard is caught.
MAX_AMOUNT = Decimal("1000000.00")

FIX_REQUESTS = frozenset(
    {StepKind.REPAIR_REQUESTED, StepKind.REPLACEMENT_REQUESTED, StepKind.REPEAT_PERFORMANCE_REQUESTED}
)
MONEY_STEPS = frozenset({StepKind.SHORT_TERM_REJECT, StepKind.FINAL_REJECT, StepKind.PRICE_REDUCED})
REJECTIONS = frozenset({StepKind.SHORT_TERM_REJECT, StepKind.FINAL_REJECT})
# The steps that end the wait for a repair or replacement: the goods are back, or it is given up.
PAUSE_ENDS = frozenset({StepKind.GOODS_RETURNED, StepKind.CONFORMS, StepKind.FIX_FAILED, StepKind.FIX_IMPOSSIBLE})
# States in which the short-term right to reject can still be used, if its days have not run out.
STRR_OPEN = frozenset({RemedyState.REPORTED, RemedyState.RETURNED, RemedyState.FINAL_REMEDY_DUE})

S = RemedyState
K = StepKind
_COMMON: dict[tuple[RemedyState, StepKind], RemedyState] = {
    (S.REPORTED, K.FIX_IMPOSSIBLE): S.FINAL_REMEDY_DUE,
    (S.FIX_IN_PROGRESS, K.FIX_IMPOSSIBLE): S.FINAL_REMEDY_DUE,
    (S.FINAL_REMEDY_DUE, K.PRICE_REDUCED): S.PRICE_REDUCED,
    (S.PRICE_REDUCED, K.REFUNDED): S.REFUNDED,
}
_SHORT_TERM_REJECTION: dict[tuple[RemedyState, StepKind], RemedyState] = {
    (S.REPORTED, K.SHORT_TERM_REJECT): S.REJECTED,
    (S.RETURNED, K.SHORT_TERM_REJECT): S.REJECTED,
    (S.FINAL_REMEDY_DUE, K.SHORT_TERM_REJECT): S.REJECTED,
    (S.REJECTED, K.REFUNDED): S.REFUNDED,
}
# Goods come back from a repair or replacement before anyone can say whether it worked; the
# one attempt is all the Act requires, so nothing leads back to REPORTED.
_GOODS: dict[tuple[RemedyState, StepKind], RemedyState] = {
    (S.REPORTED, K.REPAIR_REQUESTED): S.FIX_IN_PROGRESS,
    (S.REPORTED, K.REPLACEMENT_REQUESTED): S.FIX_IN_PROGRESS,
    (S.FIX_IN_PROGRESS, K.GOODS_RETURNED): S.RETURNED,
    (S.RETURNED, K.CONFORMS): S.CONFORMS,
    (S.RETURNED, K.FIX_FAILED): S.FINAL_REMEDY_DUE,
    (S.FINAL_REMEDY_DUE, K.FINAL_REJECT): S.FINAL_REJECTED,
    (S.FINAL_REJECTED, K.REFUNDED): S.REFUNDED,
}
_SERVICE: dict[tuple[RemedyState, StepKind], RemedyState] = {
    (S.REPORTED, K.REPEAT_PERFORMANCE_REQUESTED): S.FIX_IN_PROGRESS,
    (S.FIX_IN_PROGRESS, K.CONFORMS): S.CONFORMS,
    (S.FIX_IN_PROGRESS, K.FIX_FAILED): S.FINAL_REMEDY_DUE,
}
_DIGITAL: dict[tuple[RemedyState, StepKind], RemedyState] = {
    (S.REPORTED, K.REPAIR_REQUESTED): S.FIX_IN_PROGRESS,
    (S.REPORTED, K.REPLACEMENT_REQUESTED): S.FIX_IN_PROGRESS,
    (S.FIX_IN_PROGRESS, K.CONFORMS): S.CONFORMS,
    (S.FIX_IN_PROGRESS, K.FIX_FAILED): S.FINAL_REMEDY_DUE,
}
del S, K


def transitions(purchase: Purchase) -> dict[tuple[RemedyState, StepKind], RemedyState]:
    """Every step allowed from every state, for this kind of purchase."""
    own = {PurchaseType.GOODS: _GOODS, PurchaseType.SERVICE: _SERVICE, PurchaseType.DIGITAL: _DIGITAL}[purchase.type]
    table = {**_COMMON, **own}
    if has_short_term_right(purchase):
        table.update(_SHORT_TERM_REJECTION)
    return table


def not_applicable_because(purchase: Purchase) -> str | None:
    """Why the Act gives this purchase no remedy at all, if it does not apply."""
    if not purchase.consumer:
        return (
            "The Consumer Rights Act applies only to a consumer: an individual buying wholly or mainly outside "
            "their trade. A business customer's rights are those of their contract and other law."
        )
    if purchase.purchased_on < IN_FORCE_FROM:
        return (
            f"The Consumer Rights Act applies to contracts made from {_day(IN_FORCE_FROM)}; this one is older, "
            "so the law before it applies."
        )
    return None


def has_short_term_right(purchase: Purchase) -> bool:
    return purchase.type == PurchaseType.GOODS or (purchase.type == PurchaseType.DIGITAL and purchase.tangible_medium)


def state_of(purchase: Purchase, path: Sequence[PathStep]) -> RemedyState:
    """Where the path has got to. The path was checked step by step when it was recorded."""
    table = transitions(purchase)
    state = RemedyState.REPORTED
    for step in path:
        state = table.get((state, step.kind), state)
    return state


def next_steps(purchase: Purchase, path: Sequence[PathStep], as_of: date) -> list[StepKind]:
    """The steps that may be recorded next, in the order the Act offers them; the short-term
    rejection only while its days last."""
    if not_applicable_because(purchase) is not None:
        return []
    state = state_of(purchase, path)
    allowed = [kind for kind in StepKind if (state, kind) in transitions(purchase)]
    if StepKind.SHORT_TERM_REJECT in allowed:
        ends = rejection_window(purchase, path).ends
        if ends is None or as_of > ends:
            allowed.remove(StepKind.SHORT_TERM_REJECT)
    return allowed


def with_default_amount(purchase: Purchase, step: PathStep) -> PathStep:
    """A rejection refunds the price paid unless the agent says otherwise."""
    if step.amount is None and purchase.price is not None and step.kind in REJECTIONS:
        return replace(step, amount=purchase.price)
    return step


def check_step(purchase: Purchase, path: Sequence[PathStep], step: PathStep, *, today: date) -> RemedyState:
    """The state the step leads to, or the reason it cannot be recorded: a step the path does
    not allow from where it is (Conflict), a date or an amount that breaks a rule (ValidationFailed)."""
    outside = not_applicable_because(purchase)
    if outside is not None:
        raise Conflict(outside, fields={"step": "The Act does not apply."})
    state = state_of(purchase, path)
    after = transitions(purchase).get((state, step.kind))
    if after is None:
        possible = [STEP_NAMES[kind].lower() for kind in next_steps(purchase, path, today)]
        then = f" What can be recorded now: {'; '.join(possible)}." if possible else " The remedy path is complete."
        raise Conflict(
            f"“{STEP_NAMES[step.kind]}” cannot be recorded now: {_state_sentence(purchase, path, state)}.{then}",
            fields={"step": "Not allowed now."},
        )
    _check_date(purchase, path, step, today)
    if step.kind == StepKind.SHORT_TERM_REJECT:
        ends = rejection_window(purchase, path).ends
        if ends is None or step.on > ends:
            raise Conflict(
                f"The short-term right to reject ended on {_day(ends or purchase.purchased_on)}; it cannot be "
                "used on " + _day(step.on) + ".",
                fields={"on": "After the right to reject ended."},
            )
    _check_amount(purchase, step)
    return after


def _check_date(purchase: Purchase, path: Sequence[PathStep], step: PathStep, today: date) -> None:
    if step.on > today:
        raise ValidationFailed("A remedy step cannot be dated in the future.", fields={"on": "Check the date."})
    if step.on < purchase.purchased_on:
        raise ValidationFailed(
            f"A remedy step cannot come before the purchase, on {_day(purchase.purchased_on)}.",
            fields={"on": "Check the date."},
        )
    if path and step.on < path[-1].on:
        raise ValidationFailed(
            f"A remedy step cannot come before the last one recorded, on {_day(path[-1].on)}.",
            fields={"on": "Check the date."},
        )


def _check_amount(purchase: Purchase, step: PathStep) -> None:
    amount, price = step.amount, purchase.price
    if step.kind not in MONEY_STEPS:
        if amount is not None:
            raise ValidationFailed(
                "Only a rejection or a price reduction records an amount.", fields={"amount": "Leave empty."}
            )
        return
    if amount is None:
        raise ValidationFailed(
            "Give the amount agreed: the refund or the price reduction, in pounds.",
            fields={"amount": "Enter an amount."},
        )
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed("An amount cannot be negative.", fields={"amount": "Check the amount."})
    if price is not None and amount > price:
        raise ValidationFailed(
            f"The amount cannot be more than the price paid, {_money(price)}.", fields={"amount": "Check the amount."}
        )
    if amount > MAX_AMOUNT:
        raise ValidationFailed(
            "An amount over £1,000,000 cannot be recorded here; check it.", fields={"amount": "Check the amount."}
        )
    # Checked after the bound: a huge amount cannot be rounded to pence at all.
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed("Give the amount in pounds and pence.", fields={"amount": "Check the amount."})
    if step.kind == StepKind.PRICE_REDUCED and amount == 0:
        raise ValidationFailed("A price reduction is more than £0.00.", fields={"amount": "Check the amount."})
    if step.kind == StepKind.SHORT_TERM_REJECT and price is not None and amount != price:
        raise ValidationFailed(
            f"The short-term right to reject gives a full refund, with no deduction: {_money(price)}.",
            fields={"amount": "The full price."},
        )
    deducted = step.kind == StepKind.FINAL_REJECT and price is not None and amount < price
    if deducted and price is not None and not deduction_for_use_allowed(purchase, step.on):
        raise ValidationFailed(
            f"No deduction for use within six months of delivery (until {_day(presumption_ends(purchase))}): "
            f"the refund is the full price, {_money(price)}.",
            fields={"amount": "The full price."},
        )


def deduction_for_use_allowed(purchase: Purchase, on: date) -> bool:
    """A final rejection more than six months after delivery, or of a motor vehicle, may
    refund less than the price, for the use the customer had (s.24(8)–(11))."""
    return purchase.motor_vehicle or on > presumption_ends(purchase)


def rejection_window(purchase: Purchase, path: Sequence[PathStep] = ()) -> RejectionWindow:
    """The last day of the 30 days beginning with the day after delivery (or ownership, if
    later), s.22: delivered on 1 March, the last day is 31 March. Perishable goods: their
    expected life, if shorter. A repair or replacement requested within it stops the days from
    the request to the day the goods come back; then the customer has the days that were left,
    or 7 days, whichever is longer."""
    days = min(STRR_DAYS, purchase.perishable_days) if purchase.perishable_days else STRR_DAYS
    first_end = _anchor(purchase) + timedelta(days=days)
    request = next((step for step in path if step.kind in FIX_REQUESTS), None)
    if request is None or request.on > first_end:
        return RejectionWindow(first_end=first_end, ends=first_end)
    later = path[list(path).index(request) + 1 :]
    back = next((step for step in later if step.kind in PAUSE_ENDS), None)
    days_left = (first_end - request.on).days + 1
    if back is None:
        return RejectionWindow(first_end, None, paused_from=request.on, days_left=days_left)
    ends = back.on + timedelta(days=max(days_left, STRR_MINIMUM_AFTER_PAUSE_DAYS))
    return RejectionWindow(first_end, ends, paused_from=request.on, resumed_on=back.on, days_left=days_left)


def short_term_rejection_ends(purchase: Purchase, path: Sequence[PathStep] = ()) -> date | None:
    return rejection_window(purchase, path).ends


def presumption_ends(purchase: Purchase) -> date:
    """Six months after delivery: a fault reported by then is presumed present at delivery (s.19(14))."""
    return add_months(_anchor(purchase), PRESUMPTION_MONTHS)


def limitation_years(purchase: Purchase) -> int:
    return 5 if purchase.region == LegalRegion.SCOTLAND else 6


def limitation_ends(purchase: Purchase) -> date:
    """Six years from delivery (Limitation Act 1980) in England, Wales and Northern Ireland;
    five in Scotland, from when the fault came to light: the day it was reported, the latest
    it can have been discovered, or delivery when that is not recorded."""
    start = _anchor(purchase)
    if purchase.region == LegalRegion.SCOTLAND and purchase.fault_reported_on is not None:
        start = max(start, purchase.fault_reported_on)
    return add_months(start, 12 * limitation_years(purchase))


def limitation_sentence(purchase: Purchase, as_of: date) -> str:
    """Which limit applies, said every time: the six or five years, and until when."""
    end = limitation_ends(purchase)
    years, region = limitation_years(purchase), REGION_NAMES[purchase.region]
    if purchase.region == LegalRegion.SCOTLAND:
        basis = (
            f"from when the fault came to light (taken as the day it was reported, {_day(purchase.fault_reported_on)})"
            if purchase.fault_reported_on is not None
            else "from delivery (when the fault was reported is not recorded)"
        )
        limit = f"In Scotland claims are limited to {years} years {basis}"
    else:
        limit = f"Under the law of {region} claims are limited to {years} years from delivery"
    if as_of > end:
        return f"{limit}; that ran out on {_day(end)}."
    return f"{limit}: until {_day(end)}."


def remedies_on(purchase: Purchase, as_of: date, path: Sequence[PathStep] = ()) -> list[Remedy]:
    """The statutory remedies for this purchase on `as_of`, given the path taken so far, in the
    order the Act offers them; then the refund, once one is agreed."""
    outside = not_applicable_because(purchase)
    if outside is not None:
        return [Remedy("none", "No Consumer Rights Act remedy", False, None, outside)]
    state = state_of(purchase, path)
    limit = limitation_sentence(purchase, as_of)
    limitation_end = limitation_ends(purchase)
    if as_of > limitation_end and state == RemedyState.REPORTED:
        return [Remedy("none", "No statutory remedy", False, limitation_end, limit)]
    if purchase.type == PurchaseType.GOODS:
        found = _goods(purchase, path, state, as_of, limitation_end)
    elif purchase.type == PurchaseType.SERVICE:
        found = _service(purchase, path, state, limitation_end)
    else:
        found = _digital(purchase, path, state, as_of, limitation_end)
    refund = _refund(path, as_of)
    if refund is not None:
        found.append(refund)
    return [replace(remedy, reason=f"{remedy.reason} {limit}") for remedy in found]


def _anchor(purchase: Purchase) -> date:
    if purchase.delivered_on is None:
        return purchase.purchased_on
    return max(purchase.purchased_on, purchase.delivered_on)


def _short_term_rejection(
    purchase: Purchase, path: Sequence[PathStep], state: RemedyState, as_of: date, what: str
) -> Remedy:
    window = rejection_window(purchase, path)
    period = f"{purchase.perishable_days} days (their expected life)" if window_is_perishable(purchase) else "30 days"
    name = f"Reject the {what} for a full refund"
    code = "short_term_reject"
    if state == RemedyState.FIX_IN_PROGRESS and window.ends is None:
        left = window.days_left or 0
        reason = (
            f"Paused since {_day(window.paused_from or as_of)} while the {what} are repaired or replaced: {left} of "
            f"the {period} were left, so once they are back the customer has "
            f"{max(left, STRR_MINIMUM_AFTER_PAUSE_DAYS)} days to reject them."
        )
        return Remedy(code, name, False, None, reason)
    ends = window.ends or window.first_end
    if state not in STRR_OPEN and state != RemedyState.FIX_IN_PROGRESS:
        return Remedy(code, name, False, ends, f"Not open: {_state_sentence(purchase, path, state)}.")
    if as_of > ends or state == RemedyState.FIX_IN_PROGRESS:
        return Remedy(code, name, False, ends, f"The short-term right to reject ended on {_day(ends)}.")
    pause = ""
    if window.resumed_on is not None and window.paused_from is not None:
        pause = (
            f" The {period} stopped while the {what} were repaired or replaced ({_day(window.paused_from)} to "
            f"{_day(window.resumed_on)}): {window.days_left} days were left, so the customer has "
            f"{max(window.days_left or 0, STRR_MINIMUM_AFTER_PAUSE_DAYS)} days from getting them back."
        )
    reason = (
        f"Within {period} of delivery (until {_day(ends)}): the customer may reject the {what} for a full refund, "
        f"due within {REFUND_DAYS} days of agreeing it. For this right the customer must show the fault.{pause}"
    )
    return Remedy(code, name, True, ends, reason)


def window_is_perishable(purchase: Purchase) -> bool:
    return purchase.perishable_days is not None and purchase.perishable_days < STRR_DAYS


def _burden(purchase: Purchase) -> str:
    """Who must prove the fault was there at delivery: decided by the day it was reported."""
    until = presumption_ends(purchase)
    reported = purchase.fault_reported_on
    if reported is None:
        return (
            f"When the fault was reported is not recorded: a fault reported by {_day(until)} (six months from "
            "delivery) is presumed to have been there at delivery unless the trader proves otherwise; after that "
            "the customer must show it."
        )
    if reported <= until:
        return (
            f"The fault was reported on {_day(reported)}, within six months of delivery (by {_day(until)}): it is "
            "presumed to have been there at delivery unless the trader proves otherwise."
        )
    return (
        f"The fault was reported on {_day(reported)}, more than six months after delivery ({_day(until)}): the "
        "customer must show the fault was there at delivery."
    )


def _attempt(path: Sequence[PathStep]) -> PathStep | None:
    return next((step for step in path if step.kind in FIX_REQUESTS), None)


def _fix(
    purchase: Purchase, path: Sequence[PathStep], state: RemedyState, limitation_end: date, *, code: str, name: str
) -> Remedy:
    """The one attempt at putting things right: repair or replacement, or repeat performance."""
    attempt = _attempt(path)
    burden = f" {_burden(purchase)}" if purchase.type == PurchaseType.GOODS else ""
    if state == RemedyState.REPORTED:
        offer = {
            "repeat_performance": "The trader does the work again, properly, at no cost and within a reasonable time.",
        }.get(
            code,
            "The customer chooses repair or replacement, at the trader's cost, within a reasonable time and without "
            "significant inconvenience; the trader has one attempt.",
        )
        if purchase.type == PurchaseType.DIGITAL and not purchase.tangible_medium:
            offer += " (There is no 30-day right to reject downloaded content.)"
        return Remedy(code, name, True, limitation_end, offer + burden)
    if attempt is not None and state == RemedyState.FIX_IN_PROGRESS:
        reason = f"{STEP_NAMES[attempt.kind]} on {_day(attempt.on)}: the one attempt the trader has is under way."
        return Remedy(code, name, False, None, reason)
    if attempt is not None:
        reason = (
            f"The one attempt was made ({STEP_NAMES[attempt.kind].lower()} on {_day(attempt.on)}); the Act does "
            "not require another."
        )
        return Remedy(code, name, False, None, reason)
    return Remedy(code, name, False, None, f"Not open: {_state_sentence(purchase, path, state)}.")


def _final(
    purchase: Purchase,
    path: Sequence[PathStep],
    state: RemedyState,
    limitation_end: date,
    *,
    code: str,
    name: str,
    offer: str,
) -> Remedy:
    """Tier 3: once the one attempt failed, or putting things right is impossible or late."""
    if state == RemedyState.FINAL_REMEDY_DUE:
        why = (
            "The one attempt to put things right failed"
            if any(step.kind == StepKind.FIX_FAILED for step in path)
            else "Putting things right is impossible, or was not done in a reasonable time"
        )
        return Remedy(code, name, True, limitation_end, f"{why}: {offer}")
    if state in (RemedyState.REPORTED, RemedyState.FIX_IN_PROGRESS, RemedyState.RETURNED):
        first = "repeat performance" if purchase.type == PurchaseType.SERVICE else "one repair or replacement"
        return Remedy(
            code,
            name,
            False,
            None,
            f"Only after {first} has failed, or if it is impossible or not done in a reasonable time.",
        )
    return Remedy(code, name, False, None, f"Not open: {_state_sentence(purchase, path, state)}.")


def _goods(
    purchase: Purchase, path: Sequence[PathStep], state: RemedyState, as_of: date, limitation_end: date
) -> list[Remedy]:
    if purchase.motor_vehicle:
        deduction = "A deduction for use may be made from a refund for a motor vehicle."
    elif as_of <= presumption_ends(purchase):
        deduction = f"No deduction for use if they reject by {_day(presumption_ends(purchase))}."
    else:
        deduction = "More than six months after delivery, a deduction for use may be made from the refund."
    offer = (
        "the customer may keep the goods at a reduced price (up to the full price) or reject them for a refund; "
        f"one, not both. {deduction} {_burden(purchase)}"
    )
    return [
        _short_term_rejection(purchase, path, state, as_of, "goods"),
        _fix(purchase, path, state, limitation_end, code="repair_or_replace", name="Repair or replacement"),
        _final(
            purchase,
            path,
            state,
            limitation_end,
            code="price_reduction_or_final_reject",
            name="Price reduction or final right to reject",
            offer=offer,
        ),
    ]


def _service(purchase: Purchase, path: Sequence[PathStep], state: RemedyState, limitation_end: date) -> list[Remedy]:
    offer = "the price is reduced, up to the full price."
    return [
        _fix(purchase, path, state, limitation_end, code="repeat_performance", name="Repeat performance"),
        _reduction(purchase, path, state, limitation_end, offer),
    ]


def _digital(
    purchase: Purchase, path: Sequence[PathStep], state: RemedyState, as_of: date, limitation_end: date
) -> list[Remedy]:
    found = [
        _fix(purchase, path, state, limitation_end, code="repair_or_replace", name="Repair or replacement"),
        _reduction(purchase, path, state, limitation_end, "the price is reduced, up to the full price."),
    ]
    if purchase.tangible_medium:
        found.insert(0, _short_term_rejection(purchase, path, state, as_of, "content"))
    return found


def _reduction(
    purchase: Purchase, path: Sequence[PathStep], state: RemedyState, limitation_end: date, offer: str
) -> Remedy:
    return _final(
        purchase,
        path,
        state,
        limitation_end,
        code="price_reduction",
        name="Price reduction (up to a full refund)",
        offer=offer,
    )


def _refund(path: Sequence[PathStep], as_of: date) -> Remedy | None:
    """The money agreed by a rejection or price reduction: due within 14 days of agreeing it."""
    agreed = next((step for step in reversed(path) if step.kind in MONEY_STEPS), None)
    if agreed is None or agreed.amount is None:
        return None
    due = agreed.on + timedelta(days=REFUND_DAYS)
    name = f"Refund of {_money(agreed.amount)}"
    paid = next((step for step in path if step.kind == StepKind.REFUNDED), None)
    if paid is not None:
        return Remedy("refund", name, False, due, f"Refunded on {_day(paid.on)}.")
    late = f" It is {(as_of - due).days} days late." if as_of > due else ""
    reason = (
        f"Agreed on {_day(agreed.on)}: due within {REFUND_DAYS} days, by {_day(due)}, by the same means of payment "
        f"and with no fee.{late}"
    )
    return Remedy("refund", name, True, due, reason)


def _state_sentence(purchase: Purchase, path: Sequence[PathStep], state: RemedyState) -> str:
    last = path[-1] if path else None
    if last is None:
        return "nothing has been recorded yet"
    return f"the last step was “{STEP_NAMES[last.kind].lower()}” on {_day(last.on)} ({STATE_NAMES[state].lower()})"


def _money(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"
