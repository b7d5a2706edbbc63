"""Every write about email Patron sends: replies agents write and the acknowledgement of a new
case. An email is queued in the transaction that wrote the reply, sent by the worker outside
any transaction (an SMTP conversation must not hold the database), and tried again with
growing pauses when the server refuses or cannot be reached. Once attempts run out it stays on
the case, marked as not sent, until someone tries again: a reply is never silently lost."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr
from string import Formatter
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format

from patron.accounts.models import Agent
from patron.cases.models import Case, Channel, Direction, EventKind, Message
from patron.cases.services import record_event
from patron.channels.email.composing import compose, new_message_id, references_for, reply_subject
from patron.channels.models import (
    InboundEmail,
    Mailbox,
    OutboundEmail,
    OutboundKind,
    OutboundStatus,
)
from patron.customers.models import Adjustment, ContactKind, ContactPoint
from patron.customers.queries import processing_refusal
from patron.db import enqueue_on_commit
from patron.errors import Conflict
from patron.privacy import audit

logger = logging.getLogger(__name__)

# Channels whose replies reach the customer by email: email itself, and web forms (the
# customer gave their address on the form and reads the answer in their inbox).
EMAILED_CHANNELS = (Channel.EMAIL, Channel.WEB)
# Pauses between attempts: a minute, then doubling, capped at six hours (about a day for 8).
_FIRST_PAUSE = timedelta(minutes=1)
_LONGEST_PAUSE = timedelta(hours=6)
# An email claimed for sending this long ago, by a worker that has since stopped, is sent again.
STALLED_AFTER = timedelta(minutes=10)

STANDARD_ACKNOWLEDGEMENT = (
    "Dear {customer_name},\n\n"
    "Thank you for getting in touch. We have received your message and opened case {reference} "
    "for it. If you write to us again about it, please keep {reference} in the subject.\n\n"
    "{reply_promise}\n\n"
    "{team_name}"
)
_PLACEHOLDERS = ("customer_name", "reference", "subject", "reply_promise", "team_name")


@dataclass(frozen=True)
class Sender:
    name: str
    address: str


def queue_reply_email(message: Message) -> OutboundEmail | None:
    """Queue a reply for sending when its channel reaches the customer by email. Called inside
    the transaction that wrote the reply."""
    if message.direction != Direction.OUTBOUND or message.channel not in EMAILED_CHANNELS:
        return None
    case = message.case
    outbound = _queue(
        case,
        kind=OutboundKind.REPLY,
        subject=reply_subject(case.subject, reference=case.reference),
        body_text=message.body_text,
        body_html=message.body_html,
        case_message=message,
    )
    return outbound


def acknowledge_new_case(
    *, case: Case, mailbox: Mailbox, sent_by: str, replying_to: str | None = None
) -> OutboundEmail | None:
    """Tell the customer their case reference and when to expect a reply: the acknowledgement
    step of the service cycle. Never sent to one of Patron's own mailboxes, so two desks cannot
    keep acknowledging each other."""
    if not mailbox.send_acknowledgement or _is_own_address(sent_by):
        return None
    if processing_refusal(case.customer):
        # Their email is stored and the case opened; telling them so is processing they stopped.
        return None
    text = fill_acknowledgement(
        mailbox.acknowledgement_text or STANDARD_ACKNOWLEDGEMENT,
        values={
            "customer_name": case.customer.name,
            "reference": case.reference,
            "subject": case.subject,
            "reply_promise": " ".join(filter(None, [reply_promise(case), call_back_promise(case)])),
            "team_name": mailbox.name or (case.team.name if case.team else "The service desk"),
        },
    )
    outbound = _queue(
        case,
        kind=OutboundKind.ACKNOWLEDGEMENT,
        subject=reply_subject(case.subject, reference=case.reference),
        body_text=text,
        body_html="",
        to_address=sent_by,
        replying_to=replying_to,
    )
    record_event(
        case=case,
        kind=EventKind.ACKNOWLEDGED,
        at=outbound.created_at,
        data={"outbound_email": outbound.pk, "to": outbound.to_address},
    )
    return outbound


def queue_survey_email(*, case: Case, subject: str, body_text: str) -> OutboundEmail | None:
    """Queue a survey invitation to the customer's email address, threaded with the case; None
    when they have no address to send it to."""
    if not _customer_address(case):
        return None
    return _queue(
        case,
        kind=OutboundKind.SURVEY,
        subject=f"{subject} [{case.reference}]",
        body_text=body_text,
        body_html="",
    )


def fill_acknowledgement(template: str, *, values: dict[str, str]) -> str:
    """The template with its placeholders filled in. An unknown or malformed placeholder is
    left as written: an administrator's typo must not stop acknowledgements going out."""
    try:
        fields = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
        if not fields <= set(_PLACEHOLDERS):
            raise ValueError("unknown placeholder")
        return template.format_map(values)
    except (ValueError, IndexError, KeyError):
        filled = template
        for name in _PLACEHOLDERS:
            filled = filled.replace("{" + name + "}", values[name])
        return filled


def call_back_promise(case: Case) -> str:
    """For a customer who asked to be called back (a reasonable adjustment): that we will, and on
    which number; "" for everyone else."""
    if Adjustment.CALL_BACK not in case.customer.adjustments:
        return ""
    phone = (
        ContactPoint.objects.filter(customer_id=case.customer_id, kind=ContactKind.PHONE)
        .order_by("-is_primary", "id")
        .values_list("value", flat=True)
        .first()
    )
    if phone:
        return f"You asked us to call you back, so we will phone you on {phone}."
    return "You asked us to call you back: please reply with the number to call, as we do not have one for you."


def reply_promise(case: Case) -> str:
    """When the customer can expect an answer, from the case's first-response target."""
    from patron.standards.queries import service_levels_of

    due = next(
        (clock.due_at for clock in service_levels_of(case.pk) if clock.target == "first_response" and clock.due_at),
        None,
    )
    if due is None:
        return "We will reply as soon as we can."
    when = timezone.localtime(due)
    return f"We aim to reply by {date_format(when, 'l j F')} at {date_format(when, 'H:i')}."


def send_outbound_email(*, outbound_id: int, now: datetime | None = None) -> OutboundEmail | None:
    """Send one queued email (the worker's task). Claimed first, so two workers never send the
    same email; sending twice after a crash is harmless, as clients merge equal Message-IDs."""
    now = now or timezone.now()
    claimed = OutboundEmail.objects.filter(
        Q(status__in=(OutboundStatus.QUEUED, OutboundStatus.RETRYING))
        | Q(status=OutboundStatus.SENDING, updated_at__lt=now - STALLED_AFTER),
        pk=outbound_id,
    ).update(status=OutboundStatus.SENDING, attempts=F("attempts") + 1, updated_at=now)
    if not claimed:
        return None
    outbound = OutboundEmail.objects.select_related("case__customer").get(pk=outbound_id)
    refusal = processing_refusal(outbound.case.customer)
    if refusal:
        return _hold(outbound, refusal, now=now)
    if not outbound.to_address:
        return _give_up(outbound, "The customer has no email address to send to.", now=now)
    try:
        _smtp_send(outbound)
    except (smtplib.SMTPException, OSError, UnicodeError) as error:
        if _is_permanent(error):
            return _give_up(outbound, _describe(error), now=now)
        return _failed_attempt(outbound, _describe(error), now=now)
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        status=OutboundStatus.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None
    )
    outbound.refresh_from_db()
    return outbound


def retry_outbound_email(*, outbound: OutboundEmail, by: Agent) -> OutboundEmail:
    """Try again an email that could not be sent (after the address or the server was fixed), or
    that was held back while the customer's processing was restricted (once it is lifted)."""
    with transaction.atomic():
        current = OutboundEmail.objects.select_for_update().select_related("case__customer").get(pk=outbound.pk)
        if current.status not in (OutboundStatus.FAILED, OutboundStatus.HELD):
            raise Conflict("Only an email that could not be sent can be tried again.")
        refusal = processing_refusal(current.case.customer)
        if refusal:
            raise Conflict(refusal)
        current.status = OutboundStatus.QUEUED
        current.next_attempt_at = None
        current.to_address = current.to_address or _customer_address(current.case)
        current.save(update_fields=["status", "next_attempt_at", "to_address", "updated_at"])
        audit.record(actor=by, action="retry_email", object_type="outbound_email", object_id=current.pk)
        _enqueue(current)
    return current


def requeue_unsent_emails(*, now: datetime | None = None) -> int:
    """Queue again every email not yet sent whose turn has come: after the worker was stopped
    (a queued task lost with it, or a send cut off half-way). Run when the worker starts."""
    now = now or timezone.now()
    due = OutboundEmail.objects.filter(
        Q(status=OutboundStatus.QUEUED)
        | Q(status=OutboundStatus.RETRYING, next_attempt_at__lte=now)
        | Q(status=OutboundStatus.SENDING, updated_at__lt=now - STALLED_AFTER)
    ).values_list("pk", flat=True)
    ids = list(due)
    for outbound_id in ids:
        _send_task().enqueue(outbound_id=outbound_id)
    return len(ids)


def _queue(
    case: Case,
    *,
    kind: str,
    subject: str,
    body_text: str,
    body_html: str,
    case_message: Message | None = None,
    to_address: str | None = None,
    replying_to: str | None = None,
) -> OutboundEmail:
    """`replying_to`: the Message-ID answered, when its email is not yet on the case."""
    sender = sender_for(case)
    in_reply_to, earlier = _conversation(case)
    if replying_to:
        in_reply_to, earlier = replying_to, [*earlier, replying_to]
    outbound = OutboundEmail.objects.create(
        case=case,
        case_message=case_message,
        kind=kind,
        message_id=new_message_id(reference=case.reference, domain=sender.address.rpartition("@")[2]),
        in_reply_to=in_reply_to,
        references=" ".join(references_for(earlier)),
        from_address=_formatted(sender),
        to_address=to_address if to_address is not None else _customer_address(case),
        subject=subject[:300],
        body_text=body_text,
        body_html=body_html,
    )
    _enqueue(outbound)
    return outbound


def _enqueue(outbound: OutboundEmail) -> None:
    enqueue_on_commit(_send_task(), outbound_id=outbound.pk)


def _send_task() -> Any:
    from patron.channels.tasks import send_email

    return send_email


def sender_for(case: Case) -> Sender:
    """Who an email on this case comes from: the team's mailbox, else the team's address, else
    the desk's default address."""
    if case.team_id is not None:
        mailbox = Mailbox.objects.filter(team_id=case.team_id, is_active=True).order_by("address").first()
        if mailbox is not None:
            return Sender(name=mailbox.name or mailbox.team.name, address=mailbox.address)
        if case.team is not None and case.team.email:
            return Sender(name=case.team.name, address=case.team.email)
    return Sender(name="", address=settings.DEFAULT_FROM_EMAIL)


def _formatted(sender: Sender) -> str:
    return formataddr((sender.name, sender.address)) if sender.name else sender.address


def _conversation(case: Case) -> tuple[str, list[str]]:
    """What a new email on the case replies to (the customer's latest email, else Patron's
    latest), and every Message-ID of the conversation so far, oldest first."""
    received = [
        (at, message_id)
        for at, message_id in InboundEmail.objects.filter(case=case, message_id__isnull=False).values_list(
            "received_at", "message_id"
        )
        if message_id
    ]
    sent = list(OutboundEmail.objects.filter(case=case).values_list("created_at", "message_id"))
    conversation = sorted([*received, *sent], key=lambda row: row[0])
    latest_received = max(received, key=lambda row: row[0])[1] if received else ""
    latest = latest_received or (conversation[-1][1] if conversation else "")
    return latest, [message_id for _, message_id in conversation]


def _customer_address(case: Case) -> str:
    point = (
        ContactPoint.objects.filter(customer_id=case.customer_id, kind=ContactKind.EMAIL)
        .order_by("-is_primary", "id")
        .first()
    )
    return point.value if point is not None else ""


def _is_own_address(address: str) -> bool:
    return Mailbox.objects.filter(address__iexact=address).exists()


def _smtp_send(outbound: OutboundEmail) -> None:
    _composed(outbound).send(fail_silently=False)


def _composed(outbound: OutboundEmail) -> EmailMultiAlternatives:
    from_name, from_address = parseaddr(outbound.from_address)
    return compose(
        message_id=outbound.message_id,
        from_name=from_name,
        from_address=from_address,
        to_address=outbound.to_address or "undisclosed-recipients:;",
        subject=outbound.subject,
        body_text=outbound.body_text,
        body_html=outbound.body_html,
        in_reply_to=outbound.in_reply_to,
        references=outbound.references.split(),
        automatic=outbound.kind == OutboundKind.ACKNOWLEDGEMENT,
        large_print=Adjustment.LARGE_PRINT in outbound.case.customer.adjustments,
    )


def _failed_attempt(outbound: OutboundEmail, error: str, *, now: datetime) -> OutboundEmail:
    if outbound.attempts >= settings.PATRON_EMAIL_ATTEMPTS:
        return _give_up(outbound, error, now=now)
    pause = min(_FIRST_PAUSE * 2 ** (outbound.attempts - 1), _LONGEST_PAUSE)
    outbound.status = OutboundStatus.RETRYING
    outbound.last_error = error[:500]
    outbound.next_attempt_at = now + pause
    outbound.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
    _send_task().using(run_after=outbound.next_attempt_at).enqueue(outbound_id=outbound.pk)
    logger.warning("Email %s not sent (attempt %s): %s", outbound.pk, outbound.attempts, error)
    return outbound


def _give_up(outbound: OutboundEmail, error: str, *, now: datetime) -> OutboundEmail:
    with transaction.atomic():
        outbound.status = OutboundStatus.FAILED
        outbound.last_error = error[:500]
        outbound.next_attempt_at = None
        outbound.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
        record_event(
            case=outbound.case,
            kind=EventKind.EMAIL_FAILED,
            at=now,
            data={"outbound_email": outbound.pk, "error": outbound.last_error, "attempts": outbound.attempts},
        )
    return outbound


def _hold(outbound: OutboundEmail, reason: str, *, now: datetime) -> OutboundEmail:
    """Keep an email the customer may no longer be sent, saying why; no attempt was made."""
    with transaction.atomic():
        outbound.status = OutboundStatus.HELD
        outbound.attempts = max(outbound.attempts - 1, 0)
        outbound.last_error = reason[:500]
        outbound.next_attempt_at = None
        outbound.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "updated_at"])
        record_event(
            case=outbound.case,
            kind=EventKind.EMAIL_HELD,
            at=now,
            data={"outbound_email": outbound.pk, "reason": outbound.last_error},
        )
    return outbound


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refusals = "; ".join(
            f"{address}: {code} {reply.decode(errors='replace')}" for address, (code, reply) in error.recipients.items()
        )
        return f"The mail server refused the address ({refusals})."
    if isinstance(error, smtplib.SMTPResponseException):
        answer = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"The mail server answered {error.smtp_code}: {answer}"
    if isinstance(error, OSError):
        return f"The mail server could not be reached ({error.strerror or error})."
    return f"The email could not be sent ({type(error).__name__}: {error})."


def _is_permanent(error: Exception) -> bool:
    """A 5xx answer about the message or its address will be the same next time."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return (
        isinstance(error, smtplib.SMTPResponseException)
        and error.smtp_code >= 500
        and not isinstance(error, smtplib.SMTPAuthenticationError)
    )


def original_bytes(outbound: OutboundEmail) -> bytes:
    """The email exactly as Patron sends it (RFC 5322), for download."""
    return _composed(outbound).message().as_bytes()
