"""What the Consumer Rights Act 2015 entitles a customer to, on a given day: for goods, the
short-term right to reject, then repair or replacement, then a price reduction or the final
right to reject; for services, repeat performance then a price reduction; for digital content,
repair or replacement then a price reduction. Each remedy comes with the date it runs out and
the reason, in words an agent can read to the customer. Pure: dates in, remedies out.

Sources: DOMAIN.md §2.1 (ss.19–24, limitation), §2.2 (ss.49–57), §2.3 (ss.33–47), §2.4."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from patron.dates import add_months


class PurchaseType(StrEnum):
    GOODS = "goods"
    SERVICE = "service"
    DIGITAL = "digital"


class LegalRegion(StrEnum):
    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"


@dataclass(frozen=True)
class Purchase:
    type: PurchaseType
    purchased_on: date
    delivered_on: date | None = None
    price: Decimal | None = None
    description: str = ""
    region: LegalRegion = LegalRegion.ENGLAND_AND_WALES
    # Set once the trader has made one repair or replacement (goods, digital content) or
    # repeated the service, and it did not put things right; or it is impossible.
    first_fix_failed: bool = False


@dataclass(frozen=True)
class Remedy:
    code: str
    name: str
    available: bool
    until: date | None
    reason: str


STRR_DAYS = 30
PRESUMPTION_MONTHS = 6


def remedies_on(purchase: Purchase, as_of: date) -> list[Remedy]:
    """The statutory remedies for this purchase on `as_of`, in the order the Act offers them."""
    limitation_end = limitation_ends(purchase)
    if as_of > limitation_end:
        years = 5 if purchase.region == LegalRegion.SCOTLAND else 6
        reason = f"Claims are limited to {years} years; that ran out on {_day(limitation_end)}."
        return [Remedy("none", "No statutory remedy", False, limitation_end, reason)]
    if purchase.type == PurchaseType.GOODS:
        return _goods(purchase, as_of, limitation_end)
    if purchase.type == PurchaseType.SERVICE:
        return _service(purchase, limitation_end)
    return _digital(purchase, limitation_end)


def short_term_rejection_ends(purchase: Purchase) -> date:
    """The last day of the 30 days beginning with the day after delivery (or ownership, if
    later): s.22. Delivered on 1 March, the last day is 31 March."""
    return _anchor(purchase) + timedelta(days=STRR_DAYS)


def presumption_ends(purchase: Purchase) -> date:
    """Six months after delivery: until then a fault is presumed present at delivery (s.19(14))."""
    return add_months(_anchor(purchase), PRESUMPTION_MONTHS)


def limitation_ends(purchase: Purchase) -> date:
    """Six years (Limitation Act 1980) in England, Wales and Northern Ireland; five in Scotland."""
    years = 5 if purchase.region == LegalRegion.SCOTLAND else 6
    return add_months(_anchor(purchase), 12 * years)


def _anchor(purchase: Purchase) -> date:
    if purchase.delivered_on is None:
        return purchase.purchased_on
    return max(purchase.purchased_on, purchase.delivered_on)


def _goods(purchase: Purchase, as_of: date, limitation_end: date) -> list[Remedy]:
    strr_end = short_term_rejection_ends(purchase)
    presumed_until = presumption_ends(purchase)
    within_strr = as_of <= strr_end
    strr = Remedy(
        "short_term_reject",
        "Reject the goods for a full refund",
        within_strr,
        strr_end,
        (
            f"Within 30 days of delivery (until {_day(strr_end)}): the customer may reject the goods for a full "
            "refund, due within 14 days of agreeing it."
            if within_strr
            else f"The 30-day short-term right to reject ended on {_day(strr_end)}."
        ),
    )
    burden = (
        f"A fault appearing by {_day(presumed_until)} (six months from delivery) is presumed to have been there at "
        "delivery, unless the trader proves otherwise."
        if as_of <= presumed_until
        else "More than six months after delivery, the customer must show the fault was there at delivery."
    )
    repair = Remedy(
        "repair_or_replace",
        "Repair or replacement",
        True,
        limitation_end,
        f"The customer chooses repair or replacement, at the trader's cost and within a reasonable time. {burden}",
    )
    deduction = (
        f"No deduction for use if they reject by {_day(presumed_until)}."
        if as_of <= presumed_until
        else "A deduction for use may be made."
    )
    final = Remedy(
        "price_reduction_or_final_reject",
        "Price reduction or final right to reject",
        purchase.first_fix_failed,
        limitation_end if purchase.first_fix_failed else None,
        (
            f"One repair or replacement failed: the customer may keep the goods at a reduced price or reject "
            f"them for a refund. {deduction}"
            if purchase.first_fix_failed
            else "Only after one repair or replacement has failed, or if neither is possible."
        ),
    )
    return [strr, repair, final]


def _service(purchase: Purchase, limitation_end: date) -> list[Remedy]:
    repeat = Remedy(
        "repeat_performance",
        "Repeat performance",
        not purchase.first_fix_failed,
        limitation_end,
        "The trader does the work again, properly, at no cost and within a reasonable time."
        if not purchase.first_fix_failed
        else "Repeat performance failed or is impossible.",
    )
    reduction = Remedy(
        "price_reduction",
        "Price reduction (up to a full refund)",
        purchase.first_fix_failed,
        limitation_end if purchase.first_fix_failed else None,
        "Repeat performance failed or is impossible: the price is reduced, up to the full price."
        if purchase.first_fix_failed
        else "Only if repeat performance is impossible or not done in a reasonable time.",
    )
    return [repeat, reduction]


def _digital(purchase: Purchase, limitation_end: date) -> list[Remedy]:
    repair = Remedy(
        "repair_or_replace",
        "Repair or replacement",
        not purchase.first_fix_failed,
        limitation_end,
        "The trader repairs or replaces the content within a reasonable time, at no cost. (There is no "
        "30-day right to reject downloaded content.)",
    )
    reduction = Remedy(
        "price_reduction",
        "Price reduction (up to a full refund)",
        purchase.first_fix_failed,
        limitation_end if purchase.first_fix_failed else None,
        "Repair or replacement failed or is impossible: the price is reduced, up to the full price."
        if purchase.first_fix_failed
        else "Only after repair or replacement has failed, or if neither is possible.",
    )
    return [repair, reduction]


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"
