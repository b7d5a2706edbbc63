"""Every write about what arrives on the channels. Email: the raw bytes are stored first, in a
transaction of their own, then read and turned into a case or a message on one; an email that
cannot be read is quarantined with the reason, never lost and never fatal to a run."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from patron.accounts.models import Agent
from patron.cases.models import Channel, Message, format_reference
from patron.cases.observers import deferred_case_changes
from patron.cases.services import MAX_BODY, MAX_SUBJECT, NewAttachment, attach_files, open_case, receive_message
from patron.channels.email.parsing import ReadEmail, UnreadableEmail, read_email
from patron.channels.email.threading import find_thread
from patron.channels.models import AutomatedKind, InboundEmail, InboundSource, InboundStatus, Mailbox
from patron.channels.outbound import acknowledge_new_case
from patron.channels.queries import (
    find_case,
    find_inbound_by_hash,
    find_processed_with_message_id,
    list_unprocessed_emails,
    mailbox_for_addresses,
    mailboxes_read_once,
)
from patron.customers.models import Customer
from patron.customers.services import (
    find_or_create_customer,
    mark_deliverable,
    mark_undeliverable,
)
from patron.db import PreparedQuery
from patron.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from patron.privacy import audit

logger = logging.getLogger(__name__)

NO_SUBJECT = "(no subject)"
NO_TEXT = "(This email has no text.)"
SHORTENED = "\n\n[Shortened: the whole email is kept as it was received.]"
# What reading an email fills in; the original itself is never written again.
_READ_FIELDS = [
    "message_id",
    "sender",
    "subject",
    "automated_kind",
    "automated",
    "processed_at",
    "status",
    "case",
    "case_message",
    "mailbox",
]
# Archives are imported history: their own dates are kept. Mail delivered now is dated now.
_ARCHIVE_SOURCES = (InboundSource.MAILDIR, InboundSource.MBOX)


class IngestOutcome(StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


@dataclass(frozen=True)
class IngestResult:
    """What became of one email: newly stored (and processed), a duplicate of one already
    received, or quarantined with the reason. `case_reference` names the case it joined."""

    outcome: IngestOutcome
    reason: str = ""
    case_reference: str | None = None
    inbound_id: int | None = None


class _Quarantine(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def ingest_email(raw: bytes, *, source: str, mailbox: Mailbox | None = None) -> IngestResult:
    """Take in one raw email. The bytes are saved before they are parsed; the same bytes again
    (or an email whose Message-ID was already processed) are a duplicate and add nothing; an
    email stored earlier but never processed (the run was stopped) is processed now.
    `mailbox` is where it was collected from, when known; otherwise its recipients tell."""
    if source not in InboundSource.values:
        raise ValidationFailed(
            f"“{source}” is not a source of email. Choose one of: {', '.join(InboundSource.values)}."
        )
    inbound, created = _store(raw, source=source, mailbox=mailbox)
    if not created and inbound.status != InboundStatus.STORED:
        return IngestResult(
            outcome=IngestOutcome.DUPLICATE,
            reason="The same email was received before.",
            case_reference=_reference(inbound.case_id),
            inbound_id=inbound.pk,
        )
    return process_inbound_email(inbound=inbound)


ARCHIVE_BATCH = 100


def ingest_archive(emails: Iterable[bytes], *, source: str) -> Iterator[IngestResult]:
    """Take in the emails of an archive (a Maildir or mbox being imported), a hundred to a
    transaction, their cases' service levels read once per hundred. A run stopped part-way
    leaves the last hundred uncommitted; the archive still has them, and running the import
    again takes them in (and recognises every email it already has)."""
    batch: list[bytes] = []
    for raw in emails:
        batch.append(raw)
        if len(batch) == ARCHIVE_BATCH:
            yield from _ingest_batch(batch, source=source)
            batch = []
    if batch:
        yield from _ingest_batch(batch, source=source)


def _ingest_batch(batch: Sequence[bytes], *, source: str) -> list[IngestResult]:
    with transaction.atomic(), deferred_case_changes(), mailboxes_read_once():
        return [ingest_email(raw, source=source) for raw in batch]


def process_unprocessed_emails(*, received_before: datetime | None = None) -> list[IngestResult]:
    """Process every email stored but not yet processed (a run was stopped part-way), oldest
    first. `received_before` leaves alone emails another run may be processing right now."""
    return [
        process_inbound_email(inbound=inbound) for inbound in list_unprocessed_emails(received_before=received_before)
    ]


def process_inbound_email(*, inbound: InboundEmail) -> IngestResult:
    """Read a stored email and put it on its case (or open one). Whatever goes wrong, the email
    ends up quarantined with the reason rather than stopping the run."""
    try:
        return _process(inbound)
    except _Quarantine as refusal:
        return _quarantine(inbound, refusal.reason)
    except DomainError as error:
        return _quarantine(inbound, error.message)
    except Exception as error:
        logger.exception("Inbound email %s could not be processed.", inbound.pk)
        return _quarantine(inbound, f"The email could not be processed ({type(error).__name__}: {error}).")


def _store(raw: bytes, *, source: str, mailbox: Mailbox | None) -> tuple[InboundEmail, bool]:
    digest = hashlib.sha256(raw).hexdigest()
    try:
        # Straight to the insert: the same bytes twice is the exception, and the unique digest
        # refuses them (also when two processes receive them at the same moment).
        with transaction.atomic():
            inbound = InboundEmail.objects.create(
                raw=raw, sha256=digest, size=len(raw), received_at=timezone.now(), source=source, mailbox=mailbox
            )
    except IntegrityError:
        found = find_inbound_by_hash(sha256=digest)
        if found is None:
            raise
        return found, False
    return inbound, True


def _process(inbound: InboundEmail) -> IngestResult:
    limit: int = settings.PATRON_MAX_EMAIL_BYTES
    if inbound.size > limit:
        raise _Quarantine(f"The email is too large: {inbound.size:,} bytes, more than the limit of {limit:,}.")
    try:
        read = read_email(bytes(inbound.raw))
    except UnreadableEmail as error:
        raise _Quarantine(error.reason) from error
    except Exception as error:  # any failure to parse is a reason to quarantine
        raise _Quarantine(f"The email could not be read ({type(error).__name__}: {error}).") from error
    with transaction.atomic():
        # The original is already in hand (in `read`): reading or writing it again is waste.
        locked = _LOCKED_WITHOUT_RAW(pk=inbound.pk)
        if not locked:
            raise InboundEmail.DoesNotExist(f"Email {inbound.pk} is no longer stored.")
        current = locked[0]
        if current.status != InboundStatus.STORED:
            return IngestResult(
                outcome=IngestOutcome.DUPLICATE,
                reason="The same email was processed at the same time by another run.",
                case_reference=_reference(current.case_id),
                inbound_id=current.pk,
            )
        current.message_id = read.message_id
        current.sender = read.sender_address[:320]
        current.subject = read.subject[:MAX_SUBJECT]
        current.automated_kind = read.automated_kind
        current.automated = bool(read.automated_kind)
        current.processed_at = timezone.now()
        earlier = (
            find_processed_with_message_id(message_id=read.message_id, other_than=current.pk)
            if read.message_id
            else None
        )
        if earlier is not None:
            current.status = InboundStatus.DUPLICATE
            current.case_id = earlier.case_id
            current.save(update_fields=_READ_FIELDS)
            return IngestResult(
                outcome=IngestOutcome.DUPLICATE,
                reason=f"An email with the same Message-ID was received before (email {earlier.pk}).",
                case_reference=_reference(earlier.case_id),
                inbound_id=current.pk,
            )
        reason = _file(current, read, received_at=_received_at(read, current))
        current.status = InboundStatus.PROCESSED
        current.save(update_fields=_READ_FIELDS)
    return IngestResult(
        outcome=IngestOutcome.STORED, reason=reason, case_reference=_reference(current.case_id), inbound_id=current.pk
    )


# Every email taken in is locked once while it is filed, prepared once (inside a transaction,
# as its lock requires on PostgreSQL).
_LOCKED_WITHOUT_RAW = PreparedQuery(lambda pk: InboundEmail.objects.select_for_update().defer("raw").filter(pk=pk))


def _file(inbound: InboundEmail, read: ReadEmail, *, received_at: datetime) -> str:
    """Put the email on the case it continues, or open a case for it. Automated mail joins the
    case it belongs to without reopening it, and never opens a case of its own."""
    thread = find_thread(in_reply_to=read.in_reply_to, references=read.references, subject=read.subject)
    if thread is None and (read.original_subject or read.original_message_id):
        original_ids = (read.original_message_id,) if read.original_message_id else ()
        thread = find_thread(in_reply_to=original_ids, references=(), subject=read.original_subject)
    case = find_case(case_id=thread.case_id) if thread is not None else None
    if read.failed_recipients:
        mark_undeliverable(
            emails=read.failed_recipients, reason=f"A delivery report said so: {read.subject}"[:300], at=received_at
        )
    if read.automated_kind:
        if case is None:
            return f"Ignored: automated ({AutomatedKind(read.automated_kind).label.lower()})."
        # An out-of-office or a bounce tells the agent something; it is no new need, so the
        # case keeps its status.
        inbound.case = case
        return f"Attached to {case.reference}: automated ({AutomatedKind(read.automated_kind).label.lower()})."
    mark_deliverable(email=read.sender_address)
    if case is not None:
        message = receive_message(
            case=case,
            customer=_sender_customer(read),
            # A reply shows what is new; the quoted history is in the original, kept whole.
            body=_body(read, reply=True),
            body_html=read.body_html,
            channel=Channel.EMAIL,
            received_at=received_at,
        )
        inbound.case, inbound.case_message = case, message
        _keep_attachments(message, read)
        return f"Added to {case.reference}."
    if not read.sender_address:
        raise _Quarantine("The email has no sender address, so there is nobody to answer.")
    if inbound.mailbox is None:
        inbound.mailbox = mailbox_for_addresses(addresses=read.recipients)
    customer = find_or_create_customer(email=read.sender_address, name=read.sender_name[:200] or None)
    opened = open_case(
        team=inbound.mailbox.team if inbound.mailbox is not None else None,
        customer=customer,
        subject=_subject(read),
        body=_body(read),
        body_html=read.body_html,
        channel=Channel.EMAIL,
        by=None,
        received_at=received_at,
    )
    inbound.case = opened
    inbound.case_message = opened.opening_message or opened.messages.get()
    _keep_attachments(inbound.case_message, read)
    if inbound.mailbox is not None and inbound.source not in _ARCHIVE_SOURCES:
        # Imported history is not acknowledged: those customers were answered long ago.
        acknowledge_new_case(
            case=opened, mailbox=inbound.mailbox, sent_by=read.sender_address, replying_to=read.message_id
        )
    return f"Opened {opened.reference}."


def _keep_attachments(message: Message, read: ReadEmail) -> None:
    if read.attachments:
        attach_files(
            message=message,
            files=[
                NewAttachment(
                    filename=found.filename,
                    content_type=found.content_type,
                    content=found.content,
                    content_id=found.content_id,
                    inline=found.inline,
                )
                for found in read.attachments
            ],
        )


def _sender_customer(read: ReadEmail) -> Customer | None:
    """Whoever wrote the reply; None (the case's customer) when the address is unusable."""
    if not read.sender_address:
        return None
    try:
        return find_or_create_customer(email=read.sender_address, name=read.sender_name[:200] or None)
    except ValidationFailed:
        return None


def _subject(read: ReadEmail) -> str:
    subject = read.subject.strip()
    return subject[:MAX_SUBJECT] if subject else NO_SUBJECT


def _body(read: ReadEmail, *, reply: bool = False) -> str:
    body = (read.reply_text if reply and read.reply_text else read.body_text).strip()
    if not body:
        return NO_TEXT
    if len(body) > MAX_BODY:
        return body[: MAX_BODY - len(SHORTENED)] + SHORTENED
    return body


def _received_at(read: ReadEmail, inbound: InboundEmail) -> datetime:
    if inbound.source in _ARCHIVE_SOURCES and read.sent_at is not None and read.sent_at <= inbound.received_at:
        return read.sent_at
    return inbound.received_at


def _quarantine(inbound: InboundEmail, reason: str) -> IngestResult:
    InboundEmail.objects.filter(pk=inbound.pk, status=InboundStatus.STORED).update(
        status=InboundStatus.QUARANTINED, quarantine_reason=reason[:500], processed_at=timezone.now()
    )
    return IngestResult(outcome=IngestOutcome.QUARANTINED, reason=reason, inbound_id=inbound.pk)


def _reference(case_id: int | None) -> str | None:
    return None if case_id is None else format_reference(case_id)


def reprocess_quarantined_email(*, inbound: InboundEmail, by: Agent) -> IngestResult:
    """Try a quarantined email again (after a fix, or a larger size limit): it goes back to
    stored and through the pipeline, and lands on its case or back in quarantine with the
    reason. Administrators only: quarantined mail may hold anything."""
    if not by.is_admin:
        raise NotAllowed("Only an administrator can re-process quarantined email.")
    if inbound.status != InboundStatus.QUARANTINED:
        raise Conflict("This email is not in quarantine.")
    with transaction.atomic():
        InboundEmail.objects.filter(pk=inbound.pk, status=InboundStatus.QUARANTINED).update(
            status=InboundStatus.STORED, quarantine_reason="", processed_at=None
        )
        audit.record(
            actor=by, action="quarantined_email_reprocessed", object_type="inbound_email", object_id=inbound.pk
        )
    inbound.refresh_from_db()
    return process_inbound_email(inbound=inbound)


def discard_quarantined_email(*, inbound: InboundEmail, by: Agent, reason: str) -> InboundEmail:
    """Set a quarantined email aside for good (spam, a loop): it leaves the quarantine but its
    original is kept, and who discarded it and why is on the audit trail."""
    if not by.is_admin:
        raise NotAllowed("Only an administrator can discard quarantined email.")
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationFailed("Say why the email is discarded.", fields={"reason": "Enter a reason."})
    with transaction.atomic():
        changed = InboundEmail.objects.filter(pk=inbound.pk, status=InboundStatus.QUARANTINED).update(
            status=InboundStatus.DISCARDED
        )
        if not changed:
            raise Conflict("This email is not in quarantine.")
        audit.record(
            actor=by,
            action="quarantined_email_discarded",
            object_type="inbound_email",
            object_id=inbound.pk,
            personal={"reason": reason[:500]},
        )
    inbound.refresh_from_db()
    return inbound
