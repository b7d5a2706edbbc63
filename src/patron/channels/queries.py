"""Reads about what arrived on the channels."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime
from typing import NamedTuple

from django.db.models import QuerySet

from patron.cases.models import Case, Message
from patron.channels.models import InboundEmail, InboundStatus, Mailbox, OutboundEmail
from patron.db import PreparedQuery
from patron.errors import NotFound


def find_inbound_by_hash(*, sha256: str) -> InboundEmail | None:
    return InboundEmail.objects.filter(sha256=sha256).defer("raw").first()


class EarlierEmail(NamedTuple):
    pk: int
    case_id: int | None


def find_processed_with_message_id(*, message_id: str, other_than: int) -> EarlierEmail | None:
    """The email already processed under this Message-ID, if any (not the one asked about)."""
    found = _PROCESSED_WITH_MESSAGE_ID(message_id=message_id, other_than=other_than)
    return EarlierEmail(found[0].pk, found[0].case_id) if found else None


# Every email taken in asks it, to tell a copy from a first arrival.
_PROCESSED_WITH_MESSAGE_ID = PreparedQuery(
    lambda message_id, other_than: (
        InboundEmail.objects.filter(message_id=message_id, status=InboundStatus.PROCESSED)
        .exclude(pk=other_than)
        .order_by("id")
        .only("id", "case_id")[:1]
    )
)


def case_ids_for_message_ids(*, message_ids: Sequence[str]) -> dict[str, int]:
    """For each Message-ID Patron sent from a case or received into one, that case's id."""
    if not message_ids:
        return {}
    rows = (
        InboundEmail.objects.filter(message_id__in=list(message_ids), case__isnull=False)
        .order_by("id")
        .values_list("message_id", "case_id")
    )
    found: dict[str, int] = dict(
        OutboundEmail.objects.filter(message_id__in=list(message_ids)).values_list("message_id", "case_id")
    )
    for message_id, case_id in rows:
        if message_id is not None and case_id is not None:
            found.setdefault(message_id, case_id)
    return found


def list_unprocessed_emails(*, received_before: datetime | None = None) -> QuerySet[InboundEmail]:
    """Emails stored but never processed (the process stopped part-way), oldest first."""
    emails = InboundEmail.objects.filter(status=InboundStatus.STORED)
    if received_before is not None:
        emails = emails.filter(received_at__lt=received_before)
    return emails.order_by("received_at", "id")


def list_quarantined_emails() -> QuerySet[InboundEmail]:
    return InboundEmail.objects.filter(status=InboundStatus.QUARANTINED).defer("raw").order_by("-received_at", "-id")


def find_case(*, case_id: int) -> Case | None:
    """The case an email threads to; None when it does not exist (a mistyped reference)."""
    found = _CASE_WITH_CUSTOMER(case_id=case_id)
    return found[0] if found else None


# Every reply that arrives asks it.
_CASE_WITH_CUSTOMER = PreparedQuery(
    lambda case_id: Case.objects.filter(pk=case_id).select_related("customer").order_by("pk")[:1]
)


def quarantined_email_by_id(email_id: int) -> InboundEmail:
    email = InboundEmail.objects.filter(pk=email_id, status=InboundStatus.QUARANTINED).first()
    if email is None:
        raise NotFound("There is no quarantined email with that number.")
    return email


_known_mailboxes: ContextVar[dict[str, Mailbox] | None] = ContextVar("known_mailboxes", default=None)


@contextmanager
def mailboxes_read_once() -> Iterator[None]:
    """Read the mailboxes once for a run of emails (an archive import) instead of per email."""
    active = Mailbox.objects.filter(is_active=True).select_related("team")
    token = _known_mailboxes.set({mailbox.address.lower(): mailbox for mailbox in active})
    try:
        yield
    finally:
        _known_mailboxes.reset(token)


def mailbox_for_addresses(*, addresses: Sequence[str]) -> Mailbox | None:
    """The active mailbox among these addresses, the earliest listed first; None if none is.
    A desk has a handful of mailboxes: reading them all beats asking the database to compare
    lower-cased addresses."""
    if not addresses:
        return None
    found = _known_mailboxes.get()
    if found is None:
        active = Mailbox.objects.filter(is_active=True).select_related("team")
        found = {mailbox.address.lower(): mailbox for mailbox in active}
    return next((found[address.lower()] for address in addresses if address.lower() in found), None)


@dataclass(frozen=True)
class CaseEmail:
    """One email of a case's conversation, either way, for the API and the case page."""

    id: str
    direction: str
    message_id: str | None
    in_reply_to: str
    case_message_id: int | None
    sender: str
    to: str
    subject: str
    at: datetime
    status: str
    attempts: int
    last_error: str
    kind: str
    # What the case shows of it: the reply without quoted history (the message's text), or
    # for Patron's own emails the text sent.
    text: str = ""


def emails_of(case: Case) -> list[CaseEmail]:
    """Every email received into the case and sent from it, oldest first. Ids are `in-<n>` and
    `out-<n>`, as the two kinds are kept apart."""
    received = [
        CaseEmail(
            id=f"in-{email.pk}",
            direction="inbound",
            message_id=email.message_id,
            in_reply_to="",
            case_message_id=email.case_message_id,
            sender=email.sender,
            to="",
            subject=email.subject,
            at=email.received_at,
            status=email.status,
            attempts=0,
            last_error="",
            kind=email.automated_kind or "customer",
        )
        for email in InboundEmail.objects.filter(case=case).defer("raw").order_by("received_at", "id")
    ]
    sent = [
        CaseEmail(
            id=f"out-{email.pk}",
            direction="outbound",
            message_id=email.message_id,
            in_reply_to=email.in_reply_to,
            case_message_id=email.case_message_id,
            sender=email.from_address,
            to=email.to_address,
            subject=email.subject,
            at=email.created_at,
            status=email.status,
            attempts=email.attempts,
            last_error=email.last_error,
            kind=email.kind,
            text=email.body_text,
        )
        for email in OutboundEmail.objects.filter(case=case).order_by("created_at", "id")
    ]
    shown = dict(
        Message.objects.filter(
            case=case, pk__in=[e.case_message_id for e in received if e.case_message_id]
        ).values_list("pk", "body_text")
    )
    received = [replace(email, text=shown.get(email.case_message_id or 0, "")) for email in received]
    return sorted([*received, *sent], key=lambda email: email.at)


def inbound_email_of(case: Case, email_id: int) -> InboundEmail:
    email = InboundEmail.objects.filter(case=case, pk=email_id).first()
    if email is None:
        raise NotFound("This case has no such email.")
    if email.raw_removed_at is not None:
        raise NotFound(
            f"The email as it arrived was removed on {email.raw_removed_at:%d %B %Y} under the retention schedule; "
            "the case keeps what it said."
        )
    return email


def outbound_email_of(case: Case, email_id: int) -> OutboundEmail:
    email = OutboundEmail.objects.filter(case=case, pk=email_id).select_related("case").first()
    if email is None:
        raise NotFound("This case has no such email.")
    return email


# Every case page reads these: prepared once.
_SENT_AS = PreparedQuery(
    lambda case_id: OutboundEmail.objects.filter(case_id=case_id, case_message__isnull=False).defer(
        "body_text", "body_html", "references"
    )
)
_ARRIVED_IN = PreparedQuery(
    lambda case_id: InboundEmail.objects.filter(case_id=case_id, case_message__isnull=False).only(
        "id", "case_message_id"
    )
)


def outbound_emails_by_message(case: Case) -> dict[int, OutboundEmail]:
    """The email each reply on the case went out as, by message id (for the case page)."""
    return {email.case_message_id: email for email in _SENT_AS(case_id=case.pk) if email.case_message_id is not None}


def inbound_emails_by_message(case: Case) -> dict[int, int]:
    """The email each of the case's messages arrived in, by message id (for the case page)."""
    emails = _ARRIVED_IN(case_id=case.pk)
    return {email.case_message_id: email.pk for email in emails if email.case_message_id is not None}
