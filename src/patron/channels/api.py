"""Email in the API: a case's emails both ways (with the originals and sending again what
failed), and quarantined email for administrators (list, download, try again, discard)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja import Status as Created

from patron.accounts.queries import acting_agent
from patron.cases.api import case_for_request
from patron.channels import outbound, queries, services
from patron.channels.models import InboundEmail
from patron.errors import NotAllowed, NotFound
from patron.privacy import audit

router = Router(tags=["email"])


class QuarantinedOut(Schema):
    id: int
    received_at: datetime
    source: str
    sender: str
    subject: str
    message_id: str | None
    size: int
    reason: str

    @staticmethod
    def resolve_reason(email: InboundEmail) -> str:
        return email.quarantine_reason


class ReprocessOut(Schema):
    outcome: str
    reason: str
    case: str | None


def _require_admin(request: HttpRequest) -> None:
    if not acting_agent(request.user).is_admin:
        raise NotAllowed("Only an administrator can see quarantined email.")


@router.get("/quarantine", response=list[QuarantinedOut])
def list_quarantine(request: HttpRequest) -> list[InboundEmail]:
    """Email that could not be taken in, newest first, each with the reason."""
    _require_admin(request)
    return list(queries.list_quarantined_emails()[:500])


@router.get("/quarantine/{email_id}/original")
def download_original(request: HttpRequest, email_id: int) -> HttpResponse:
    """The email exactly as it arrived (message/rfc822)."""
    _require_admin(request)
    email = queries.quarantined_email_by_id(email_id)
    response = HttpResponse(bytes(email.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="quarantined-{email.pk}.eml"'
    return response


@router.post("/quarantine/{email_id}/reprocess", response=ReprocessOut)
def reprocess(request: HttpRequest, email_id: int) -> dict[str, object]:
    """Try the email again; it lands on its case, or back in quarantine with the reason."""
    _require_admin(request)
    result = services.reprocess_quarantined_email(
        inbound=queries.quarantined_email_by_id(email_id), by=acting_agent(request.user)
    )
    return {"outcome": str(result.outcome), "reason": result.reason, "case": result.case_reference}


class DiscardIn(Schema):
    reason: str


@router.post("/quarantine/{email_id}/discard", response={204: None})
def discard(request: HttpRequest, email_id: int, body: DiscardIn) -> Created[None]:
    """Set the email aside for good, with the reason; its original is kept."""
    _require_admin(request)
    services.discard_quarantined_email(
        inbound=queries.quarantined_email_by_id(email_id), by=acting_agent(request.user), reason=body.reason
    )
    return Created(204, None)


class CaseEmailOut(Schema):
    id: str = Field(description="`in-<n>` for an email received, `out-<n>` for one sent.")
    direction: str = Field(description="`inbound` or `outbound`.")
    message_id: str | None = Field(description="The RFC 5322 Message-ID, without angle brackets.")
    in_reply_to: str
    case_message_id: int | None = Field(description="The case message it became, or was sent as.")
    sender: str
    to: str
    subject: str
    at: datetime
    status: str
    attempts: int
    last_error: str
    kind: str
    text: str = Field(description="What the case shows: a reply without its quoted history, or the text sent.")
    original: str = Field(description="Where to download the whole email as it was received or sent.")


def _email_id(value: str) -> tuple[str, int]:
    direction, _, number = value.partition("-")
    if direction not in ("in", "out") or not (number.isascii() and number.isdigit()):
        raise NotFound("This case has no such email.")
    return direction, int(number)


@router.get("/cases/{reference}/emails", response=list[CaseEmailOut])
def list_case_emails(request: HttpRequest, reference: str) -> list[dict[str, object]]:
    """The case's emails both ways, oldest first: Message-IDs, delivery status and the original."""
    case = case_for_request(request, reference)
    return [
        {**asdict(email), "original": f"/api/v1/cases/{case.reference}/emails/{email.id}/original"}
        for email in queries.emails_of(case)
    ]


@router.get("/cases/{reference}/emails/{email_id}/original")
def download_case_email(request: HttpRequest, reference: str, email_id: str) -> HttpResponse:
    """The whole email (message/rfc822): as it arrived, quoted history and all, or as sent."""
    agent = acting_agent(request.user)
    case = case_for_request(request, reference)
    direction, number = _email_id(email_id)
    if direction == "in":
        raw = bytes(queries.inbound_email_of(case, number).raw)
    else:
        raw = outbound.original_bytes(queries.outbound_email_of(case, number))
    audit.record(actor=agent, action="download_email", object_type="case", object_id=case.pk, data={"email": email_id})
    response = HttpResponse(raw, content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-{email_id}.eml"'
    return response


@router.post("/cases/{reference}/emails/{email_id}/retry", response=CaseEmailOut)
def retry_case_email(request: HttpRequest, reference: str, email_id: str) -> dict[str, object]:
    """Send again an email that could not be sent."""
    agent = acting_agent(request.user)
    case = case_for_request(request, reference)
    direction, number = _email_id(email_id)
    if direction != "out":
        raise NotFound("This case has no such email.")
    outbound.retry_outbound_email(outbound=queries.outbound_email_of(case, number), by=agent)
    [email] = [email for email in queries.emails_of(case) if email.id == email_id]
    return {**asdict(email), "original": f"/api/v1/cases/{case.reference}/emails/{email.id}/original"}
