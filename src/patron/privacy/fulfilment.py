"""Answering a data subject request: building the copy for an access or portability request,
erasing, restricting, recording a rectification or an objection, or refusing with reasons.
Only privacy officers and administrators do this, and each step is on the audit trail.

Erasure is refused, with the reason, while something requires the records to be kept: a legal
hold, a case still being worked on (an open complaint must be answered), or a finished complaint
still inside the retention schedule's period for legal claims. The request stays open, so it can
be fulfilled once the reason has gone or closed as refused with `refuse_request`."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from patron.accounts.models import Agent
from patron.cases.models import Case, CaseKind, Status
from patron.customers.models import Customer
from patron.errors import Conflict, ValidationFailed
from patron.privacy import audit
from patron.privacy.bundle import build_bundle
from patron.privacy.erasure import anonymise_customer
from patron.privacy.models import ConsentRecord, LegalHold, Purpose, RequestStatus, RequestType, SubjectRequest
from patron.privacy.retention import complaint_kept_until
from patron.privacy.rights import require_privacy_role

FINISHED = (Status.RESOLVED, Status.CLOSED)
# An objection stops these uses; serving the customer's own cases goes on.
OBJECTABLE_PURPOSES = (Purpose.MARKETING, Purpose.SURVEYS, Purpose.RESEARCH)


def reasons_to_keep(customer: Customer, *, today: date | None = None) -> list[str]:
    """Why this customer's records may not be erased today; empty when they may."""
    today = today or timezone.localdate()
    reasons = [
        f"A legal hold applies: {hold.reason}"
        for hold in LegalHold.objects.filter(customer=customer, lifted_at__isnull=True)
    ]
    for case in Case.objects.filter(customer=customer).order_by("pk"):
        if case.status not in FINISHED:
            what = "an open complaint, which must be answered" if case.kind == CaseKind.COMPLAINT else "still open"
            reasons.append(f"{case.reference} is {what}; resolve or close it first.")
        elif case.kind == CaseKind.COMPLAINT:
            until = complaint_kept_until(case)
            if until is not None and until > today:
                reasons.append(
                    f"The complaint {case.reference} is kept until {until:%d %B %Y} under the retention schedule, "
                    "for legal claims."
                )
    return reasons


def fulfil_request(*, request: SubjectRequest, by: Agent, outcome: str = "") -> SubjectRequest:
    require_privacy_role(by)
    if request.status != RequestStatus.OPEN:
        raise Conflict(f"This request is already {request.get_status_display().lower()}.")
    customer = request.customer
    if customer.erased_at is not None and request.type != RequestType.ERASURE:
        raise Conflict("This customer's data was erased; there is nothing left to act on.")
    outcome = " ".join(outcome.split())[:2000]
    with transaction.atomic():
        locked = SubjectRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != RequestStatus.OPEN:
            raise Conflict(f"This request is already {locked.get_status_display().lower()}.")
        locked.outcome = _carry_out(locked, by=by, outcome=outcome)
        locked.status = RequestStatus.FULFILLED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["outcome", "status", "closed_at", "bundle"])
        audit.record(
            actor=by,
            action="subject_request_fulfilled",
            object_type="customer",
            object_id=customer.pk,
            data={"request": locked.pk, "type": locked.type},
        )
    return locked


def _carry_out(request: SubjectRequest, *, by: Agent, outcome: str) -> str:
    customer = request.customer
    now = timezone.now()
    if request.type in (RequestType.ACCESS, RequestType.PORTABILITY):
        request.bundle = build_bundle(request)
        return outcome or "The copy was built; release it once the items for review are checked."
    if request.type == RequestType.ERASURE:
        if customer.erased_at is not None:
            return outcome or "Already erased."
        reasons = reasons_to_keep(customer)
        if reasons:
            raise Conflict("The records cannot be erased: " + " ".join(reasons))
        done = anonymise_customer(customer, by=by, at=now, why=f"erasure request {request.pk}")
        return outcome or (
            f"Erased: the customer record, {done.cases} cases, {done.messages} messages, "
            f"{done.attachments} attachments and {done.emails} emails. Counts and dates are kept, anonymously."
        )
    if request.type == RequestType.RESTRICTION:
        restrict_processing(customer=customer, by=by, reason=f"restriction request {request.pk}")
        return outcome or "Processing is restricted: their data is stored but not used until the restriction is lifted."
    if request.type == RequestType.OBJECTION:
        withdrawn = ConsentRecord.objects.filter(
            customer=customer, purpose__in=OBJECTABLE_PURPOSES, withdrawn_at__isnull=True
        ).update(withdrawn_at=now)
        return outcome or f"Objection upheld: {withdrawn} uses for marketing, surveys or research stopped."
    if not outcome:
        raise ValidationFailed(
            "Say what was corrected, so the answer to the person can tell them.", fields={"outcome": "Enter it."}
        )
    return outcome


def refuse_request(*, request: SubjectRequest, by: Agent, reason: str) -> SubjectRequest:
    """Close a request as refused. The reason is what the person is told, with their right to
    complain to the ICO."""
    require_privacy_role(by)
    reason = " ".join(reason.split())[:2000]
    if not reason:
        raise ValidationFailed("Give the reason the person will be told.", fields={"reason": "Enter a reason."})
    with transaction.atomic():
        locked = SubjectRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != RequestStatus.OPEN:
            raise Conflict(f"This request is already {locked.get_status_display().lower()}.")
        locked.status = RequestStatus.REFUSED
        locked.outcome = reason
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "outcome", "closed_at"])
        audit.record(
            actor=by,
            action="subject_request_refused",
            object_type="customer",
            object_id=locked.customer_id,
            data={"request": locked.pk},
            personal={"reason": reason},
        )
    return locked


def restrict_processing(*, customer: Customer, by: Agent, reason: str) -> Customer:
    require_privacy_role(by)
    if customer.processing_restricted_since is not None:
        return customer
    now = timezone.now()
    with transaction.atomic():
        Customer.objects.filter(pk=customer.pk).update(processing_restricted_since=now, updated_at=now)
        customer.processing_restricted_since = now
        audit.record(
            actor=by,
            action="processing_restricted",
            object_type="customer",
            object_id=customer.pk,
            personal={"reason": reason},
        )
    return customer


def lift_restriction(*, customer: Customer, by: Agent, reason: str) -> Customer:
    """The person must have been told before a restriction is lifted (UK GDPR art. 18(3))."""
    require_privacy_role(by)
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise ValidationFailed(
            "Say why the restriction ends and when the person was told.", fields={"reason": "Enter a reason."}
        )
    if customer.processing_restricted_since is None:
        raise Conflict("Processing of this customer's data is not restricted.")
    with transaction.atomic():
        Customer.objects.filter(pk=customer.pk).update(processing_restricted_since=None, updated_at=timezone.now())
        customer.processing_restricted_since = None
        audit.record(
            actor=by,
            action="restriction_lifted",
            object_type="customer",
            object_id=customer.pk,
            personal={"reason": reason},
        )
    return customer


def place_legal_hold(*, customer: Customer, by: Agent, reason: str) -> LegalHold:
    require_privacy_role(by)
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise ValidationFailed("Say why the records must be kept.", fields={"reason": "Enter a reason."})
    with transaction.atomic():
        hold = LegalHold.objects.create(customer=customer, reason=reason, placed_at=timezone.now(), placed_by=by)
        audit.record(
            actor=by, action="legal_hold_placed", object_type="customer", object_id=customer.pk, data={"hold": hold.pk}
        )
    return hold


def lift_legal_hold(*, hold: LegalHold, by: Agent) -> LegalHold:
    require_privacy_role(by)
    if hold.lifted_at is not None:
        raise Conflict("This hold was already lifted.")
    with transaction.atomic():
        hold.lifted_at = timezone.now()
        hold.save(update_fields=["lifted_at"])
        audit.record(
            actor=by,
            action="legal_hold_lifted",
            object_type="customer",
            object_id=hold.customer_id,
            data={"hold": hold.pk},
        )
    return hold
