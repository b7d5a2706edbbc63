"""Every write about data subject requests and breaches, for privacy officers and
administrators: a request with its statutory clock, its extension with the reason, and the
breach register with the 72-hour clock. Each action is on the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from patron.accounts.models import Agent, Role
from patron.customers.models import Customer
from patron.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from patron.privacy import audit
from patron.privacy.clocks import breach_report_by, extended_due_on, request_due_on
from patron.privacy.models import Breach, RequestStatus, RequestType, SubjectRequest
from patron.standards.holidays_uk import Region, bank_holidays

PRIVACY_ROLES = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})


def require_privacy_role(agent: Agent) -> None:
    if agent.role not in PRIVACY_ROLES and not agent.is_superuser:
        raise NotAllowed("Only a privacy officer or an administrator can handle subject requests and breaches.")


def is_working_day(day: date) -> bool:
    """A weekday that is not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in bank_holidays(Region.ENGLAND_AND_WALES)


def record_subject_request(*, customer: Customer, type: str, received_on: date, by: Agent) -> SubjectRequest:
    """A request received (verbally or in writing, on any channel), due one month from receipt."""
    require_privacy_role(by)
    if type not in RequestType.values:
        raise ValidationFailed(
            f"“{type[:30]}” is not a right. Choose one of: {', '.join(RequestType.values)}.",
            fields={"type": "Unknown."},
        )
    if received_on > timezone.localdate():
        raise ValidationFailed("A request cannot be received in the future.", fields={"received_on": "Check the date."})
    with transaction.atomic():
        request = SubjectRequest.objects.create(
            customer=customer,
            type=type,
            received_on=received_on,
            due_on=request_due_on(received_on, is_working_day=is_working_day),
            recorded_by=by,
            created_at=timezone.now(),
        )
        audit.record(
            actor=by,
            action="subject_request_recorded",
            object_type="customer",
            object_id=customer.pk,
            data={"request": request.pk, "type": type, "received_on": received_on.isoformat()},
        )
    return request


def extend_subject_request(*, request: SubjectRequest, reason: str, by: Agent) -> SubjectRequest:
    """Two more months for a complex request. The person must be told within the first month,
    so the extension is refused once the first month has passed, and it is given once."""
    require_privacy_role(by)
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise ValidationFailed("Say why the request needs more time.", fields={"reason": "Enter a reason."})
    if request.extended:
        raise Conflict("This request was already extended; it can be extended once.")
    if request.status != RequestStatus.OPEN:
        raise Conflict("Only an open request can be extended.")
    if timezone.localdate() > request.due_on:
        raise Conflict("The first month has passed: an extension had to be decided and told within it.")
    with transaction.atomic():
        request.extended = True
        request.extension_reason = reason
        request.due_on = extended_due_on(request.received_on, is_working_day=is_working_day)
        request.save(update_fields=["extended", "extension_reason", "due_on"])
        audit.record(
            actor=by,
            action="subject_request_extended",
            object_type="customer",
            object_id=request.customer_id,
            data={"request": request.pk, "reason": reason, "due_on": request.due_on.isoformat()},
        )
    return request


def list_subject_requests(*, agent: Agent, status: str = RequestStatus.OPEN) -> QuerySet[SubjectRequest]:
    require_privacy_role(agent)
    return SubjectRequest.objects.filter(status=status).select_related("customer").order_by("due_on", "id")


def subject_request_by_id(*, agent: Agent, request_id: int) -> SubjectRequest:
    require_privacy_role(agent)
    found = SubjectRequest.objects.filter(pk=request_id).select_related("customer").first()
    if found is None:
        raise NotFound("There is no subject request with that number.")
    return found


@dataclass(frozen=True)
class BreachDetails:
    summary: str
    aware_at: datetime
    what_happened: str = ""
    occurred_at: datetime | None = None
    data_categories: str = ""
    people_affected: int | None = None
    records_affected: int | None = None
    likely_consequences: str = ""
    measures_taken: str = ""
    reportable: bool | None = None
    reportable_reason: str = ""


def record_breach(*, details: BreachDetails, by: Agent) -> Breach:
    """Every breach goes in the register, reportable or not; a reportable one is due at the ICO
    within 72 hours of becoming aware of it."""
    require_privacy_role(by)
    summary = " ".join(details.summary.split())[:300]
    if not summary:
        raise ValidationFailed("Say in a sentence what happened.", fields={"summary": "Enter a summary."})
    now = timezone.now()
    if details.aware_at > now + timedelta(minutes=5):
        raise ValidationFailed("Becoming aware of a breach cannot be in the future.", fields={"aware_at": "Check."})
    if details.occurred_at is not None and details.occurred_at > details.aware_at:
        raise ValidationFailed("A breach cannot happen after it was known about.", fields={"occurred_at": "Check."})
    if details.reportable is not None and not details.reportable_reason.strip():
        raise ValidationFailed(
            "Give the reason for deciding whether to report it to the ICO.", fields={"reportable_reason": "Enter it."}
        )
    values = {field.name: getattr(details, field.name) for field in fields(details)}
    with transaction.atomic():
        breach = Breach.objects.create(**{**values, "summary": summary}, recorded_by=by, created_at=now)
        audit.record(actor=by, action="breach_recorded", object_type="breach", object_id=breach.pk, data={})
    return breach


def report_by(breach: Breach) -> datetime:
    return breach_report_by(breach.aware_at)


def list_breaches(*, agent: Agent) -> QuerySet[Breach]:
    require_privacy_role(agent)
    return Breach.objects.order_by("-aware_at", "-id")
