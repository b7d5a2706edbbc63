"""Anonymising personal data in place: what an erasure request and the retention schedule do.

A case that is anonymised keeps what the service's figures are made of (its kind, channel,
team, status, priority, dates, the events of its timeline and who worked on it) and loses what
was said: its subject, every message, attachment and email as it arrived, the details recorded
with complaint steps, and free text kept on its events. A customer who is erased keeps their
record, under a placeholder name, so that counts by customer stay right; their contact points,
notes, adjustments and consents go. Every anonymisation is marked on the case's timeline and,
for a customer, on the audit trail."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from patron.accounts.models import Agent
from patron.cases.files import remove_content
from patron.cases.models import Attachment, Case, CaseEvent, EventKind, Message
from patron.channels.models import InboundEmail, OutboundEmail
from patron.complaints.models import ComplaintStep, Purchase
from patron.customers.models import Customer
from patron.privacy import audit
from patron.privacy.models import ConsentRecord

ERASED = "[erased]"
# Free text an event may carry about the customer; everything else in an event (statuses,
# teams, dates) is what the figures are made of.
_EVENT_TEXT_KEYS = ("reason", "summary", "text", "details")
_EVENTS_WITH_TEXT_BEFORE_AFTER = (EventKind.SUBJECT_CHANGED,)


@dataclass(frozen=True)
class Anonymised:
    cases: int
    messages: int
    attachments: int
    emails: int

    def as_data(self) -> dict[str, int]:
        return {"cases": self.cases, "messages": self.messages, "attachments": self.attachments, "emails": self.emails}


def not_yet_anonymised(cases: QuerySet[Case]) -> QuerySet[Case]:
    erased = CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.PERSONAL_DATA_ERASED)
    return cases.filter(~Exists(erased))


def anonymise_cases(case_ids: Collection[int], *, by: Agent | None, at: datetime, why: str) -> Anonymised:
    """Remove what was said on these cases; run inside the caller's transaction."""
    ids = list(case_ids)
    if not ids:
        return Anonymised(0, 0, 0, 0)
    messages = Message.objects.filter(case_id__in=ids)
    attachments = Attachment.objects.filter(message__case_id__in=ids)
    contents = set(attachments.exclude(sha256="").values_list("sha256", flat=True))
    attachment_count = attachments.count()
    attachments.delete()
    message_count = messages.update(body_text=ERASED, body_html="")
    Case.objects.filter(pk__in=ids).update(subject=ERASED)
    inbound = InboundEmail.objects.filter(case_id__in=ids)
    email_count = inbound.update(raw=b"", sender="", subject=ERASED, raw_removed_at=at)
    email_count += OutboundEmail.objects.filter(case_id__in=ids).update(
        to_address="", subject=ERASED, body_text=ERASED, body_html=""
    )
    _scrub_events(ids)
    for step in ComplaintStep.objects.filter(complaint__case_id__in=ids).exclude(details={}):
        step.details = dict.fromkeys(step.details, ERASED)
        step.save(update_fields=["details"])
    Purchase.objects.filter(complaint__case_id__in=ids).update(description="")
    CaseEvent.objects.bulk_create(
        CaseEvent(case_id=case_id, kind=EventKind.PERSONAL_DATA_ERASED, actor=by, data={"why": why}, created_at=at)
        for case_id in ids
    )
    transaction.on_commit(lambda: _remove_unused_contents(contents))
    return Anonymised(len(ids), message_count, attachment_count, email_count)


def _scrub_events(case_ids: list[int]) -> None:
    wordy = Q(kind__in=_EVENTS_WITH_TEXT_BEFORE_AFTER)
    for key in _EVENT_TEXT_KEYS:
        wordy |= Q(data__has_key=key)
    for event in CaseEvent.objects.filter(wordy, case_id__in=case_ids):
        event.data = _scrubbed(event.kind, event.data)
        event.save(update_fields=["data"])


def _scrubbed(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(data)
    keys = [*_EVENT_TEXT_KEYS, *(("before", "after") if kind in _EVENTS_WITH_TEXT_BEFORE_AFTER else ())]
    for key in keys:
        if cleaned.get(key):
            cleaned[key] = ERASED
    return cleaned


def _remove_unused_contents(contents: set[str]) -> None:
    still_used = set(Attachment.objects.filter(sha256__in=contents).values_list("sha256", flat=True))
    for sha256 in contents - still_used:
        remove_content(sha256)


def anonymise_customer(customer: Customer, *, by: Agent | None, at: datetime, why: str) -> Anonymised:
    """Erase one customer everywhere: their record, and every case they are party to. Inside
    the caller's transaction; the caller has checked nothing must be kept."""
    case_ids = list(Case.objects.filter(customer=customer).values_list("pk", flat=True))
    done = anonymise_cases(case_ids, by=by, at=at, why=why)
    emails = list(customer.contact_points.filter(kind="email").values_list("normalised", flat=True))
    # Email that never reached a case (quarantined, or from a desk address) is theirs too.
    from_them = Q(pk__in=[])
    for email in emails:
        from_them |= Q(sender__iexact=email)
    stray = InboundEmail.objects.filter(from_them, case__isnull=True).update(
        raw=b"", sender="", subject=ERASED, raw_removed_at=at
    )
    customer.contact_points.all().delete()
    ConsentRecord.objects.filter(customer=customer).delete()
    Customer.objects.filter(pk=customer.pk).update(
        name=f"Erased customer {customer.pk}",
        job_title="",
        notes="",
        adjustments=[],
        adjustments_note="",
        preferred_language="",
        preferred_channel="",
        erased_at=at,
        updated_at=at,
        version=customer.version + 1,
    )
    audit.record(
        actor=by,
        action="customer_erased",
        object_type="customer",
        object_id=customer.pk,
        data={**done.as_data(), "stray_emails": stray, "why": why},
    )
    return Anonymised(done.cases, done.messages, done.attachments, done.emails + stray)
