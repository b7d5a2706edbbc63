"""Reads of complaints: the record of a case, its deadlines on the team's calendar, and the
remedies the Consumer Rights Act gives on a day."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from patron.cases.models import Case
from patron.complaints.models import Complaint, Purchase
from patron.complaints.regimes import Deadlines, IsBusinessDay, deadlines
from patron.complaints.remedies import LegalRegion, PurchaseType, Remedy, remedies_on
from patron.complaints.remedies import Purchase as PurchaseFacts
from patron.errors import NotFound
from patron.standards.holidays_uk import Region, bank_holidays


def complaint_of(case: Case) -> Complaint:
    found = (
        Complaint.objects.filter(case=case)
        .select_related("regime", "case", "case__team")
        .prefetch_related("steps", "steps__by")
        .first()
    )
    if found is None:
        raise NotFound("This case is not a complaint. Change its kind to complaint first.")
    return found


def business_days_of(case: Case) -> IsBusinessDay:
    """The team's business calendar when it has one; else weekdays that are not bank holidays
    in England and Wales (the FCA's definition of a business day)."""
    from patron.standards.configuration import current

    schedule = current().team_schedules.get(case.team_id) if case.team_id is not None else None
    if schedule is not None:
        return lambda day: schedule.day_total(day) > timedelta(0)
    holidays = bank_holidays(Region.ENGLAND_AND_WALES)
    return lambda day: day.weekday() < 5 and day not in holidays


def deadlines_of(complaint: Complaint) -> Deadlines:
    return deadlines(
        complaint.regime.as_rules(),
        received_on=timezone.localdate(complaint.received_at),
        is_business_day=business_days_of(complaint.case),
        final_response_on=timezone.localdate(complaint.final_response_at) if complaint.final_response_at else None,
    )


def purchase_of(complaint: Complaint) -> Purchase | None:
    return Purchase.objects.filter(complaint=complaint).first()


def remedies_for(complaint: Complaint, *, as_of: date) -> list[Remedy]:
    purchase = purchase_of(complaint)
    if purchase is None:
        raise NotFound("Record what the customer bought first (goods, a service or digital content).")
    facts = PurchaseFacts(
        type=PurchaseType(purchase.type),
        purchased_on=purchase.purchased_on,
        delivered_on=purchase.delivered_on,
        price=purchase.price,
        description=purchase.description,
        region=LegalRegion(purchase.region),
        first_fix_failed=purchase.first_fix_failed,
    )
    return remedies_on(facts, as_of)
