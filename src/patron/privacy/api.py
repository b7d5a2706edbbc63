"""The audit trail in the API, for privacy officers and administrators."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja import Status as Created

from patron.accounts.queries import acting_agent
from patron.customers.queries import customer_by_id
from patron.errors import NotFound, ValidationFailed
from patron.privacy import audit, queries, rights
from patron.privacy.models import Breach, SubjectRequest
from patron.privacy.schemas import AuditPage, ChainCheckOut

router = Router(tags=["privacy"])


class AuditQuery(Schema):
    object_type: str = ""
    object_id: str = ""
    actor_id: int | None = None
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None
    limit: int = 50


@router.get("/audit", response=AuditPage)
def search_audit(request: HttpRequest, params: Query[AuditQuery]) -> dict[str, object]:
    """Who viewed, changed, merged or erased what, newest first; pass `next_before_id` back as
    `before_id` for the next page."""
    limit = max(1, min(params.limit, 200))
    filters = queries.AuditFilters(
        object_type=params.object_type,
        object_id=params.object_id,
        actor_id=params.actor_id,
        action=params.action,
        since=params.since,
        until=params.until,
    )
    items = queries.search_audit(
        agent=acting_agent(request.user), filters=filters, before_id=params.before_id, limit=limit + 1
    )
    more = len(items) > limit
    return {"items": items[:limit], "next_before_id": items[limit - 1].pk if more else None}


@router.get("/audit/verify", response=ChainCheckOut)
def verify_audit(request: HttpRequest) -> dict[str, object]:
    """Check the whole hash chain; names the first entry that was altered, removed or inserted."""
    queries.require_audit_reader(acting_agent(request.user))
    check = audit.verify_chain()
    return {
        "intact": check.intact,
        "entries": check.entries,
        "first_broken": check.first_broken,
        "reason": check.reason,
    }


class SubjectRequestIn(Schema):
    customer: int
    type: str
    received_on: date


class SubjectRequestOut(Schema):
    id: int
    customer: int = Field(alias="customer_id")
    type: str
    received_on: date
    due_on: date
    extended: bool
    extension_reason: str
    status: str
    days_left: int

    @staticmethod
    def resolve_days_left(request: SubjectRequest) -> int:
        return (request.due_on - timezone.localdate()).days


class ExtendIn(Schema):
    reason: str


class BreachIn(Schema):
    summary: str
    aware_at: datetime
    what_happened: str = ""
    occurred_at: datetime | None = None
    data_categories: str = ""
    people_affected: int | None = Field(default=None, ge=0)
    records_affected: int | None = Field(default=None, ge=0)
    likely_consequences: str = ""
    measures_taken: str = ""
    reportable: bool | None = None
    reportable_reason: str = ""


class BreachOut(BreachIn):
    id: int
    report_by: datetime = Field(description="When the ICO must have been told, if it is reportable: 72 hours on.")
    reported_to_ico_at: datetime | None

    @staticmethod
    def resolve_report_by(breach: Breach) -> datetime:
        return rights.report_by(breach)


@router.post("/privacy/requests", response={201: SubjectRequestOut})
def record_subject_request(request: HttpRequest, body: SubjectRequestIn) -> Created[SubjectRequest]:
    """A data subject request received; `due_on` is one month from receipt (next working day
    when that falls on a weekend or bank holiday)."""
    agent = acting_agent(request.user)
    rights.require_privacy_role(agent)
    try:
        customer = customer_by_id(body.customer, agent=agent)
    except NotFound as error:
        raise ValidationFailed(
            f"There is no customer with id {body.customer}.", fields={"customer": "Unknown."}
        ) from error
    made = rights.record_subject_request(customer=customer, type=body.type, received_on=body.received_on, by=agent)
    return Created(201, made)


@router.get("/privacy/requests", response=list[SubjectRequestOut])
def list_subject_requests(request: HttpRequest, status: str = "open") -> list[SubjectRequest]:
    """Subject requests by status (open unless asked), the soonest due first."""
    return list(rights.list_subject_requests(agent=acting_agent(request.user), status=status)[:500])


@router.post("/privacy/requests/{request_id}/extend", response=SubjectRequestOut)
def extend_subject_request(request: HttpRequest, request_id: int, body: ExtendIn) -> SubjectRequest:
    """Two more months for a complex request, with the reason: three months from receipt."""
    agent = acting_agent(request.user)
    found = rights.subject_request_by_id(agent=agent, request_id=request_id)
    return rights.extend_subject_request(request=found, reason=body.reason, by=agent)


@router.post("/privacy/breaches", response={201: BreachOut})
def record_breach(request: HttpRequest, body: BreachIn) -> Created[Breach]:
    """A personal data breach for the register; `report_by` is 72 hours after becoming aware."""
    details = rights.BreachDetails(**body.dict())
    return Created(201, rights.record_breach(details=details, by=acting_agent(request.user)))


@router.get("/privacy/breaches", response=list[BreachOut])
def list_breaches(request: HttpRequest) -> list[Breach]:
    """The breach register, newest first."""
    return list(rights.list_breaches(agent=acting_agent(request.user))[:500])
