"""Reads about what arrived on the channels."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import QuerySet
from django.db.models.functions import Lower

from patron.cases.models import Case
from patron.channels.models import InboundEmail, InboundStatus, Mailbox
from patron.errors import NotFound


def find_inbound_by_hash(*, sha256: str) -> InboundEmail | None:
    return InboundEmail.objects.filter(sha256=sha256).first()


def find_processed_with_message_id(*, message_id: str, other_than: int) -> InboundEmail | None:
    """The email already processed under this Message-ID, if any (not the one asked about)."""
    return (
        InboundEmail.objects.filter(message_id=message_id, status=InboundStatus.PROCESSED)
        .exclude(pk=other_than)
        .order_by("id")
        .first()
    )


def case_ids_for_message_ids(*, message_ids: Sequence[str]) -> dict[str, int]:
    """For each Message-ID Patron received into a case, that case's id."""
    if not message_ids:
        return {}
    rows = (
        InboundEmail.objects.filter(message_id__in=list(message_ids), case__isnull=False)
        .order_by("id")
        .values_list("message_id", "case_id")
    )
    found: dict[str, int] = {}
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
    return Case.objects.filter(pk=case_id).select_related("customer").first()


def quarantined_email_by_id(email_id: int) -> InboundEmail:
    email = InboundEmail.objects.filter(pk=email_id, status=InboundStatus.QUARANTINED).first()
    if email is None:
        raise NotFound("There is no quarantined email with that number.")
    return email


def mailbox_for_addresses(*, addresses: Sequence[str]) -> Mailbox | None:
    """The active mailbox among these addresses, the earliest listed first; None if none is."""
    if not addresses:
        return None
    wanted = [address.lower() for address in addresses]
    mailboxes = Mailbox.objects.annotate(address_lower=Lower("address")).filter(
        address_lower__in=wanted, is_active=True
    )
    found = {mailbox.address.lower(): mailbox for mailbox in mailboxes.select_related("team")}
    return next((found[address] for address in wanted if address in found), None)
