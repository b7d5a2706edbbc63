"""Quarantined email in the API, for administrators: list, download the original, try again."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja import Status as Created

from patron.accounts.queries import acting_agent
from patron.channels import queries, services
from patron.channels.models import InboundEmail
from patron.errors import NotAllowed

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
    result = services.reprocess_quarantined_email(
        inbound=queries.quarantined_email_by_id(email_id), by=acting_agent(request.user)
    )
    return {"outcome": str(result.outcome), "reason": result.reason, "case": result.case_reference}


class DiscardIn(Schema):
    reason: str


@router.post("/quarantine/{email_id}/discard", response={204: None})
def discard(request: HttpRequest, email_id: int, body: DiscardIn) -> Created[None]:
    """Set the email aside for good, with the reason; its original is kept."""
    services.discard_quarantined_email(
        inbound=queries.quarantined_email_by_id(email_id), by=acting_agent(request.user), reason=body.reason
    )
    return Created(204, None)
