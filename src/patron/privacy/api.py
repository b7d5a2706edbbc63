"""The audit trail in the API, for privacy officers and administrators."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja import Status as Created

from patron.accounts.queries import acting_agent
from patron.customers.queries import customer_by_id
from patron.errors import NotFound, ValidationFailed
from patron.privacy import audit, consent, fulfilment, queries, retention, rights
from patron.privacy.bundle import bundle_file
from patron.privacy.models import Breach, ClockPause, ConsentRecord, LegalHold, SubjectRequest
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
    """Check the whole hash chain and where it ends; names the first entry altered, removed or inserted."""
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


class ClockPauseOut(Schema):
    asked_on: date
    what: str
    answered_on: date | None


class SubjectRequestOut(Schema):
    id: int
    customer: int = Field(alias="customer_id")
    type: str
    received_on: date
    clock: str = Field(description="running, not_started (identity evidence or a fee awaited) or paused.")
    clock_started_on: date | None = Field(
        description="The day the month runs from: receipt, or receipt of identity evidence or a fee asked for."
    )
    due_on: date | None = Field(description="Empty while the clock is stopped.")
    due_rule: str = Field(description="How the due date was counted, in words.")
    due_if_restarted: date | None = Field(
        description="After a pause for clarification: the date if the period restarted in full from the reply."
    )
    pauses: list[ClockPauseOut]
    due_override_on: date | None = Field(description="A due date set by the privacy officer over the computed one.")
    due_override_reason: str
    extended: bool
    extension_reason: str
    identity_requested_on: date | None
    identity_asked_for: str
    identity_received_on: date | None
    identity_verified_at: datetime | None
    identity_verified_by: int | None = Field(alias="identity_verified_by_id")
    identity_method: str
    fee_requested_on: date | None
    fee_reason: str
    fee_received_on: date | None
    status: str
    days_left: int | None
    outcome: str = Field(description="What was done, or why it was refused: the answer the person is given.")
    closed_at: datetime | None
    for_review: int | None = Field(
        description="In a built access bundle: how many items need checking before it is released."
    )

    @staticmethod
    def resolve_clock(request: SubjectRequest) -> str:
        return rights.clock_state(request)

    @staticmethod
    def resolve_pauses(request: SubjectRequest) -> list[ClockPause]:
        return list(request.pauses.all())

    @staticmethod
    def resolve_days_left(request: SubjectRequest) -> int | None:
        return (request.due_on - timezone.localdate()).days if request.due_on is not None else None

    @staticmethod
    def resolve_for_review(request: SubjectRequest) -> int | None:
        return len(request.bundle.get("for_review", [])) if request.bundle else None


class FulfilIn(Schema):
    outcome: str = Field(
        default="", description="What was done; required for a rectification, optional for the others."
    )


class RefuseIn(Schema):
    reason: str


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
    ico_reference: str
    report_delay_reason: str
    report_by_rule: str = Field(description="How report_by was counted, in words.")
    reported_late: bool = Field(description="Reported to the ICO more than 72 hours after becoming aware.")
    people_told_at: datetime | None
    people_told_how: str

    @staticmethod
    def resolve_report_by(breach: Breach) -> datetime:
        return rights.report_by(breach)

    @staticmethod
    def resolve_report_by_rule(breach: Breach) -> str:
        return rights.report_by_rule(breach)

    @staticmethod
    def resolve_reported_late(breach: Breach) -> bool:
        return rights.reported_late(breach)


class BreachUpdateIn(Schema):
    """Only the fields sent are changed."""

    summary: str | None = None
    what_happened: str | None = None
    occurred_at: datetime | None = None
    data_categories: str | None = None
    people_affected: int | None = Field(default=None, ge=0, le=2**31 - 1)
    records_affected: int | None = Field(default=None, ge=0, le=2**31 - 1)
    likely_consequences: str | None = None
    measures_taken: str | None = None
    reportable: bool | None = Field(default=None, description="The decision; send reportable_reason with it.")
    reportable_reason: str | None = None
    reported_to_ico_at: datetime | None = None
    ico_reference: str | None = None
    report_delay_reason: str | None = Field(
        default=None, description="Required when the report to the ICO came more than 72 hours after awareness."
    )
    people_told_at: datetime | None = None
    people_told_how: str | None = None


class AskedIn(Schema):
    requested_on: date
    what: str = Field(description="What was asked for.")


class FeeAskedIn(Schema):
    requested_on: date
    reason: str = Field(description="Why the request is manifestly unfounded or excessive.")


class IdentityIn(Schema):
    received_on: date = Field(description="When the identity evidence arrived.")
    method: str = Field(description="How identity was checked.")


class ReceivedIn(Schema):
    received_on: date


class DueDateIn(Schema):
    due_on: date | None = Field(description="The date to apply; null to go back to the computed date.")
    reason: str


class ClarificationAskedIn(Schema):
    asked_on: date
    what: str = Field(description="What was asked, to clarify the request.")


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


def _record_step(
    request: HttpRequest, request_id: int, record: Callable[..., SubjectRequest], body: Schema
) -> SubjectRequest:
    """A step on a request's clock, recorded by its service with the fields of the body."""
    agent = acting_agent(request.user)
    found = rights.subject_request_by_id(agent=agent, request_id=request_id)
    return record(request=found, by=agent, **body.model_dump())


@router.post("/privacy/requests/{request_id}/extend", response=SubjectRequestOut)
def extend_subject_request(request: HttpRequest, request_id: int, body: ExtendIn) -> SubjectRequest:
    """Two more months for a complex request, with the reason: three months from receipt."""
    return _record_step(request, request_id, rights.extend_subject_request, body)


@router.post("/privacy/requests/{request_id}/identity/request", response=SubjectRequestOut)
def request_identity(request: HttpRequest, request_id: int, body: AskedIn) -> SubjectRequest:
    """Identity evidence reasonably asked for: the clock does not start until it arrives."""
    return _record_step(request, request_id, rights.request_identity, body)


@router.post("/privacy/requests/{request_id}/identity", response=SubjectRequestOut)
def verify_identity(request: HttpRequest, request_id: int, body: IdentityIn) -> SubjectRequest:
    """The requester's identity verified (the acting person, now, and how); when evidence was
    asked for, the month runs from the day it arrived."""
    return _record_step(request, request_id, rights.verify_identity, body)


@router.post("/privacy/requests/{request_id}/fee/request", response=SubjectRequestOut)
def request_fee(request: HttpRequest, request_id: int, body: FeeAskedIn) -> SubjectRequest:
    """A fee asked for a manifestly unfounded or excessive request: the clock waits for it."""
    return _record_step(request, request_id, rights.request_fee, body)


@router.post("/privacy/requests/{request_id}/fee", response=SubjectRequestOut)
def receive_fee(request: HttpRequest, request_id: int, body: ReceivedIn) -> SubjectRequest:
    return _record_step(request, request_id, rights.receive_fee, body)


@router.post("/privacy/requests/{request_id}/clarification/request", response=SubjectRequestOut)
def request_clarification(request: HttpRequest, request_id: int, body: ClarificationAskedIn) -> SubjectRequest:
    """Stop the clock while the scope of the request is clarified."""
    return _record_step(request, request_id, rights.request_clarification, body)


@router.post("/privacy/requests/{request_id}/clarification", response=SubjectRequestOut)
def receive_clarification(request: HttpRequest, request_id: int, body: ReceivedIn) -> SubjectRequest:
    """The clarification came: the clock runs again, the due date moved on by the days it stood."""
    return _record_step(request, request_id, rights.receive_clarification, body)


@router.post("/privacy/requests/{request_id}/due-date", response=SubjectRequestOut)
def override_due_date(request: HttpRequest, request_id: int, body: DueDateIn) -> SubjectRequest:
    """Set the due date by hand over the computed one, with the reason (the computed rule stays
    in `due_rule`); null goes back to the computed date."""
    return _record_step(request, request_id, rights.override_due_date, body)


@router.post("/privacy/breaches", response={201: BreachOut})
def record_breach(request: HttpRequest, body: BreachIn) -> Created[Breach]:
    """A personal data breach for the register; `report_by` is 72 hours after becoming aware."""
    details = rights.BreachDetails(**body.dict())
    return Created(201, rights.record_breach(details=details, by=acting_agent(request.user)))


@router.get("/privacy/breaches", response=list[BreachOut])
def list_breaches(request: HttpRequest) -> list[Breach]:
    """The breach register, newest first."""
    return list(rights.list_breaches(agent=acting_agent(request.user))[:500])


@router.patch("/privacy/breaches/{breach_id}", response=BreachOut)
def update_breach(request: HttpRequest, breach_id: int, body: BreachUpdateIn) -> Breach:
    """New facts or decisions: whether it is reportable (with the reason), the report to the
    ICO (time and reference; reasons for a delay past 72 hours), when and how the people
    affected were told, measures, consequences, numbers. Only the fields sent change."""
    agent = acting_agent(request.user)
    found = rights.breach_by_id(agent=agent, breach_id=breach_id)
    return rights.update_breach(breach=found, changes=body.dict(exclude_unset=True), by=agent)


@router.post("/privacy/requests/{request_id}/fulfil", response=SubjectRequestOut)
def fulfil_subject_request(request: HttpRequest, request_id: int, body: FulfilIn) -> SubjectRequest:
    """Carry the request out: build the copy (access, portability), erase (refused with 409 and
    the reasons while records must be kept), restrict, uphold an objection, or record a correction."""
    agent = acting_agent(request.user)
    found = rights.subject_request_by_id(agent=agent, request_id=request_id)
    return fulfilment.fulfil_request(request=found, by=agent, outcome=body.outcome)


@router.post("/privacy/requests/{request_id}/refuse", response=SubjectRequestOut)
def refuse_subject_request(request: HttpRequest, request_id: int, body: RefuseIn) -> SubjectRequest:
    """Close the request as refused, with the reason the person is told."""
    agent = acting_agent(request.user)
    found = rights.subject_request_by_id(agent=agent, request_id=request_id)
    return fulfilment.refuse_request(request=found, by=agent, reason=body.reason)


@router.get("/privacy/requests/{request_id}/bundle")
def download_bundle(request: HttpRequest, request_id: int, format: str = "json", release: bool = False) -> HttpResponse:
    """The copy built for an access or portability request: JSON (machine-readable), HTML
    (readable), CSV (the messages) or PDF (to post or hand over). The review copy (the default)
    lists the items to check before release; `release=true` gives what the customer is given,
    with those items withheld and each place marked. A PDF is always a release copy."""
    agent = acting_agent(request.user)
    found = rights.subject_request_by_id(agent=agent, request_id=request_id)
    if not found.bundle:
        raise NotFound("No copy has been built for this request; fulfil it first.")
    file = bundle_file(found, format=format, release=release)
    audit.record(
        actor=agent,
        action="bundle_downloaded",
        object_type="customer",
        object_id=found.customer_id,
        data={"request": found.pk, "format": format, "release": release or format == "pdf"},
    )
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ReasonsOut(Schema):
    may_erase: bool
    reasons: list[str]


@router.get("/privacy/customers/{customer_id}/erasure-check", response=ReasonsOut)
def erasure_check(request: HttpRequest, customer_id: int) -> dict[str, object]:
    """Whether the customer's records may be erased today, and if not, why."""
    agent = acting_agent(request.user)
    rights.require_privacy_role(agent)
    reasons = fulfilment.reasons_to_keep(customer_by_id(customer_id, agent=agent))
    return {"may_erase": not reasons, "reasons": reasons}


class ReasonIn(Schema):
    reason: str


class LegalHoldOut(Schema):
    id: int
    customer: int = Field(alias="customer_id")
    reason: str
    placed_at: datetime
    lifted_at: datetime | None


@router.post("/privacy/customers/{customer_id}/legal-holds", response={201: LegalHoldOut})
def place_legal_hold(request: HttpRequest, customer_id: int, body: ReasonIn) -> Created[LegalHold]:
    """Keep everything about this customer, whatever they or the retention schedule ask."""
    agent = acting_agent(request.user)
    rights.require_privacy_role(agent)
    customer = customer_by_id(customer_id, agent=agent)
    return Created(201, fulfilment.place_legal_hold(customer=customer, by=agent, reason=body.reason))


@router.post("/privacy/legal-holds/{hold_id}/lift", response=LegalHoldOut)
def lift_legal_hold(request: HttpRequest, hold_id: int) -> LegalHold:
    agent = acting_agent(request.user)
    rights.require_privacy_role(agent)
    hold = LegalHold.objects.filter(pk=hold_id).first()
    if hold is None:
        raise NotFound("There is no legal hold with that number.")
    return fulfilment.lift_legal_hold(hold=hold, by=agent)


class RestrictionOut(Schema):
    customer: int
    processing_restricted_since: datetime | None


@router.post("/privacy/customers/{customer_id}/restriction/lift", response=RestrictionOut)
def lift_restriction(request: HttpRequest, customer_id: int, body: ReasonIn) -> dict[str, object]:
    """End a restriction of processing; say when the person was told, as the law requires."""
    agent = acting_agent(request.user)
    rights.require_privacy_role(agent)
    customer = fulfilment.lift_restriction(
        customer=customer_by_id(customer_id, agent=agent), by=agent, reason=body.reason
    )
    return {"customer": customer.pk, "processing_restricted_since": customer.processing_restricted_since}


class ConsentIn(Schema):
    purpose: str = Field(description="surveys, marketing, research, recordings or protected_characteristic.")
    basis: str = Field(
        description="consent, contract, legal_obligation, vital_interests, public_task or legitimate_interests."
    )
    detail: str = Field(default="", description="What the customer was told and how they agreed (needed for consent).")
    special_condition: str = Field(
        default="",
        description="For protected_characteristic only, and then needed: the UK GDPR article 9 condition "
        "(explicit_consent, employment, vital_interests, legal_claims or substantial_public_interest). "
        "Recorded by privacy officers and administrators.",
    )


class ConsentOut(Schema):
    id: int
    customer: int = Field(alias="customer_id")
    purpose: str
    basis: str
    detail: str
    special_condition: str
    given_at: datetime
    withdrawn_at: datetime | None


@router.get("/customers/{customer_id}/consents", response=list[ConsentOut])
def list_consents(request: HttpRequest, customer_id: int) -> list[ConsentRecord]:
    """The customer's bases for each purpose, withdrawn ones included as history."""
    customer = customer_by_id(customer_id, agent=acting_agent(request.user))
    return list(consent.consents_of(customer))


@router.post("/customers/{customer_id}/consents", response={201: ConsentOut})
def record_consent(request: HttpRequest, customer_id: int, body: ConsentIn) -> Created[ConsentRecord]:
    """Record a basis for a purpose; it replaces the one before for the same purpose."""
    agent = acting_agent(request.user)
    customer = customer_by_id(customer_id, agent=agent)
    made = consent.record_consent(
        customer=customer,
        purpose=body.purpose,
        basis=body.basis,
        detail=body.detail,
        special_condition=body.special_condition,
        by=agent,
    )
    return Created(201, made)


@router.post("/customers/{customer_id}/consents/{consent_id}/withdraw", response=ConsentOut)
def withdraw_consent(request: HttpRequest, customer_id: int, consent_id: int) -> ConsentRecord:
    """The customer withdrew it: honoured at once, everywhere."""
    agent = acting_agent(request.user)
    customer = customer_by_id(customer_id, agent=agent)
    record = consent.consents_of(customer).filter(pk=consent_id).first()
    if record is None:
        raise NotFound("This customer has no such consent record.")
    return consent.withdraw_consent(record=record, by=agent)


class RetentionIn(Schema):
    dry_run: bool = True


class RetentionOut(Schema):
    category: str
    label: str
    action: str
    kept_until_before: date = Field(description="Data that stopped being needed before this day is due to go.")
    count: int
    examples: list[str]
    note: str


@router.post("/privacy/retention/run", response=list[RetentionOut])
def run_retention(request: HttpRequest, body: RetentionIn) -> list[retention.RetentionOutcome]:
    """Apply the retention schedule now, or (`dry_run`, the default) say what it would do."""
    agent = acting_agent(request.user)
    rights.require_privacy_role(agent)
    return retention.run_retention(dry_run=body.dry_run, by=agent)
