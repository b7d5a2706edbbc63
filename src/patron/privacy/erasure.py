"""Anonymising personal data in place: what an erasure request and the retention schedule do.

A case that is anonymised keeps what the service's figures are made of (its kind, channel,
team, status, priority, dates, the events of its timeline and who worked on it) and loses what
was said: its subject, every message, attachment and email as it arrived, the details recorded
with complaint steps and the complaint's five whys, and free text kept on its events (reasons,
the address an acknowledgement went to, a delivery error). A customer who is erased keeps their
record, under a placeholder name, so that counts by customer stay right; their contact points,
notes, adjustments and consents go, and so do the records merged into theirs, what they wrote on
other customers' cases, the copies built for their earlier access requests, and any other mention
of their names, addresses or numbers in the timelines. Every anonymisation is marked on the
case's timeline and, for a customer, on the audit trail."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from patron.accounts.models import Agent
from patron.cases.files import remove_content
from patron.cases.models import Attachment, Case, CaseEvent, CaseKind, Channel, Direction, EventKind, Message, Status
from patron.channels.models import InboundEmail, OutboundEmail
from patron.complaints.models import Complaint, ComplaintStep, Purchase
from patron.customers.models import ContactKind, ContactPoint, Customer
from patron.feedback.services import anonymise_surveys
from patron.privacy import audit
from patron.privacy.models import ConsentRecord, LegalHold, RequestStatus, RequestType, SubjectRequest

ERASED = "[erased]"
# Free text an event may carry about the customer; everything else in an event (statuses,
# teams, dates) is what the figures are made of.
_EVENT_TEXT_KEYS = ("reason", "summary", "text", "details", "to", "error", "whys", "root_cause_statement")
_EVENTS_WITH_TEXT_BEFORE_AFTER = (EventKind.SUBJECT_CHANGED,)
# What a complaint step's event records besides the words: the step, regime, purchase type and
# date, root cause codes and the steps skipped.
_COMPLAINT_STEP_FACTS = frozenset(
    {
        "step",
        "regime",
        "purchase",
        "purchased_on",
        "fault_reported_on",
        "root_cause",
        "before",
        "resolved_without",
        "remedy_step",
        "on",
        "amount",
        "state",
        "redress_amount",
    }
)
# Words an event keeps because the timeline reads them, not because anyone typed them.
_CODED_REASONS: dict[str, set[str]] = {EventKind.CUSTOMER_CHANGED: {"merged"}}
# A phone number is recognised in text by its digits, however it was spaced; a name only whole,
# and only when long enough not to be an ordinary word.
_SHORTEST_NUMBER = 7
_SHORTEST_NAME = 3
# What the figures are made of is never taken for a mention, whatever the customer is called.
_CODES = frozenset(map(str, [*Status.values, *CaseKind.values, *Channel.values, *EventKind.values, *Direction.values]))


@dataclass(frozen=True)
class Anonymised:
    cases: int
    messages: int
    attachments: int
    emails: int

    def as_data(self) -> dict[str, int]:
        return {"cases": self.cases, "messages": self.messages, "attachments": self.attachments, "emails": self.emails}


@dataclass(frozen=True)
class Identifiers:
    """What identifies an erased customer in free text: their names, email addresses and phone
    numbers, in any case and (for numbers) any spacing."""

    words: frozenset[str]
    numbers: frozenset[str]

    def found_in(self, text: str) -> bool:
        if not text or text in _CODES:
            return False
        lowered = text.lower()
        if any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered) for word in self.words):
            return True
        digits = re.sub(r"\D", "", text)
        return bool(digits) and any(number in digits for number in self.numbers)


NOBODY = Identifiers(frozenset(), frozenset())


def not_yet_anonymised(cases: QuerySet[Case]) -> QuerySet[Case]:
    erased = CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.PERSONAL_DATA_ERASED)
    return cases.filter(~Exists(erased))


def anonymise_cases(
    case_ids: Collection[int], *, by: Agent | None, at: datetime, why: str, identifiers: Identifiers = NOBODY
) -> Anonymised:
    """Remove what was said on these cases; run inside the caller's transaction. With the
    `identifiers` of an erased customer, any other mention of them on the cases goes too."""
    ids = list(case_ids)
    if not ids:
        return Anonymised(0, 0, 0, 0)
    message_count, attachment_count = _erase_messages(Message.objects.filter(case_id__in=ids))
    Case.objects.filter(pk__in=ids).update(subject=ERASED)
    inbound = InboundEmail.objects.filter(case_id__in=ids)
    email_count = inbound.update(raw=b"", sender="", subject=ERASED, raw_removed_at=at)
    email_count += OutboundEmail.objects.filter(case_id__in=ids).update(
        to_address="", subject=ERASED, body_text=ERASED, body_html=""
    )
    _scrub_events(CaseEvent.objects.filter(case_id__in=ids), identifiers)
    for step in ComplaintStep.objects.filter(complaint__case_id__in=ids).exclude(details={}):
        step.details = dict.fromkeys(step.details, ERASED)
        step.save(update_fields=["details"])
    Purchase.objects.filter(complaint__case_id__in=ids).update(description="")
    # The root cause chosen from the desk's list stays: it is what the register counts by.
    for complaint in Complaint.objects.filter(case_id__in=ids).exclude(whys=[], root_cause_statement=""):
        complaint.whys = [ERASED for _ in complaint.whys]
        complaint.root_cause_statement = ERASED if complaint.root_cause_statement else ""
        complaint.save(update_fields=["whys", "root_cause_statement"])
    anonymise_surveys(case_ids=ids, at=at)
    audit.blank_personal_details(about={"case": ids})
    CaseEvent.objects.bulk_create(
        CaseEvent(case_id=case_id, kind=EventKind.PERSONAL_DATA_ERASED, actor=by, data={"why": why}, created_at=at)
        for case_id in ids
    )
    return Anonymised(len(ids), message_count, attachment_count, email_count)


def _erase_messages(messages: QuerySet[Message]) -> tuple[int, int]:
    """Blank the messages and remove their attachments; the files go once the transaction commits."""
    attachments = Attachment.objects.filter(message__in=messages)
    contents = set(attachments.exclude(sha256="").values_list("sha256", flat=True))
    attachment_count = attachments.count()
    attachments.delete()
    message_count = messages.update(body_text=ERASED, body_html="")
    if contents:
        transaction.on_commit(lambda: _remove_unused_contents(contents))
    return message_count, attachment_count


def _scrub_events(events: QuerySet[CaseEvent], identifiers: Identifiers) -> None:
    if identifiers == NOBODY:
        wordy = Q(kind__in=(*_EVENTS_WITH_TEXT_BEFORE_AFTER, EventKind.COMPLAINT_STEP))
        for key in _EVENT_TEXT_KEYS:
            wordy |= Q(data__has_key=key)
        events = events.filter(wordy)
    for event in events:
        cleaned = _scrubbed(event.kind, event.data, identifiers)
        if cleaned != event.data:
            event.data = cleaned
            event.save(update_fields=["data"])


def _scrubbed(kind: str, data: dict[str, Any], identifiers: Identifiers) -> dict[str, Any]:
    cleaned = {key: _without_mentions(value, identifiers) for key, value in data.items()}
    keys = [*_EVENT_TEXT_KEYS, *(("before", "after") if kind in _EVENTS_WITH_TEXT_BEFORE_AFTER else ())]
    if kind == EventKind.COMPLAINT_STEP:
        # A step carries whatever the agent recorded with it, under names of their choosing.
        keys = [key for key in cleaned if key not in _COMPLAINT_STEP_FACTS]
    for key in keys:
        value = cleaned.get(key)
        if kind == EventKind.COMPLAINT_STEP and not isinstance(value, str | list):
            continue  # a yes or no recorded with a step says nothing about who the person is
        if isinstance(value, list):
            cleaned[key] = [ERASED for _ in value]
        elif value and not (isinstance(value, str) and value in _CODED_REASONS.get(kind, set())):
            cleaned[key] = ERASED
    return cleaned


def _without_mentions(value: Any, identifiers: Identifiers) -> Any:
    """`value` with every string in it that mentions the customer replaced, however deep."""
    if isinstance(value, str):
        return ERASED if identifiers.found_in(value) else value
    if isinstance(value, dict):
        return {key: _without_mentions(item, identifiers) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_mentions(item, identifiers) for item in value]
    return value


def _remove_unused_contents(contents: set[str]) -> None:
    still_used = set(Attachment.objects.filter(sha256__in=contents).values_list("sha256", flat=True))
    for sha256 in contents - still_used:
        remove_content(sha256)


def identifiers_of(customers: Iterable[Customer]) -> Identifiers:
    words: set[str] = set()
    numbers: set[str] = set()
    for customer in customers:
        words.add(customer.name.strip().lower())
        for kind, value, normalised in customer.contact_points.values_list("kind", "value", "normalised"):
            if kind == ContactKind.PHONE:
                international = re.sub(r"\D", "", normalised)
                numbers.add(international)
                if normalised.startswith("+44"):
                    numbers.add("0" + international.removeprefix("44"))
            else:
                words.update({value.strip().lower(), normalised})
    return Identifiers(
        frozenset(word for word in words if len(word) >= _SHORTEST_NAME),
        frozenset(number for number in numbers if len(number) >= _SHORTEST_NUMBER),
    )


def _merged_into(customer: Customer) -> list[Customer]:
    """The customer and every record merged into theirs (a merge of a merge points here too)."""
    found = [customer]
    frontier = [customer.pk]
    while frontier:
        merged = list(Customer.objects.filter(merged_into_id__in=frontier).exclude(pk__in=[c.pk for c in found]))
        found.extend(merged)
        frontier = [record.pk for record in merged]
    return found


def _rename_in_moves(record_ids: list[int], identifiers: Identifiers) -> None:
    """A case that moved between customers names both; wherever it is now, the erased ones are
    named by their placeholder."""
    moves = CaseEvent.objects.filter(
        Q(data__before__id__in=record_ids) | Q(data__after__id__in=record_ids), kind=EventKind.CUSTOMER_CHANGED
    )
    for event in moves:
        data = _without_mentions(event.data, identifiers)
        for side in ("before", "after"):
            party = data.get(side)
            if isinstance(party, dict) and party.get("id") in record_ids:
                data[side] = {**party, "name": f"Erased customer {party['id']}"}
        if data != event.data:
            event.data = data
            event.save(update_fields=["data"])


def _scrub_requests(record_ids: list[int], identifiers: Identifiers) -> None:
    """What was written on their answered requests: a correction names the data corrected, so it
    goes whole; other outcomes and reasons go where they mention the customer."""
    for request in SubjectRequest.objects.filter(customer_id__in=record_ids).exclude(status=RequestStatus.OPEN):
        outcome = request.outcome
        if outcome and (request.type == RequestType.RECTIFICATION or identifiers.found_in(outcome)):
            outcome = ERASED
        reason = ERASED if identifiers.found_in(request.extension_reason) else request.extension_reason
        if (outcome, reason) != (request.outcome, request.extension_reason):
            SubjectRequest.objects.filter(pk=request.pk).update(outcome=outcome, extension_reason=reason)


def _scrub_admin_log(model: type[Customer] | type[ContactPoint], ids: list[int]) -> None:
    """The admin's own history names the objects it changed."""
    if ids:
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in ids]
        ).update(object_repr=ERASED, change_message="")


def anonymise_customer(customer: Customer, *, by: Agent | None, at: datetime, why: str) -> Anonymised:
    """Erase one customer everywhere: their record and the records merged into it, every case
    they are party to, what they wrote elsewhere and every mention of them in a timeline. Inside
    the caller's transaction; the caller has checked nothing must be kept."""
    records = _merged_into(customer)
    record_ids = [record.pk for record in records]
    identifiers = identifiers_of(records)
    case_ids = list(Case.objects.filter(customer_id__in=record_ids).values_list("pk", flat=True))
    done = anonymise_cases(case_ids, by=by, at=at, why=why, identifiers=identifiers)
    elsewhere, _ = _erase_messages(Message.objects.filter(author_customer_id__in=record_ids).exclude(body_text=ERASED))
    _rename_in_moves(record_ids, identifiers)
    points = ContactPoint.objects.filter(customer_id__in=record_ids)
    emails = list(points.filter(kind=ContactKind.EMAIL).values_list("normalised", flat=True))
    point_ids = list(points.values_list("pk", flat=True))
    _scrub_admin_log(Customer, record_ids)
    _scrub_admin_log(ContactPoint, point_ids)
    # Email that never reached one of their cases (quarantined, from a desk address, or on
    # someone else's case) is theirs too.
    from_them = Q(pk__in=[])
    to_them = Q(pk__in=[])
    for email in emails:
        from_them |= Q(sender__iexact=email)
        to_them |= Q(to_address__iexact=email)
    stray = (
        InboundEmail.objects.filter(from_them)
        .exclude(case_id__in=case_ids)
        .update(raw=b"", sender="", subject=ERASED, raw_removed_at=at)
    )
    OutboundEmail.objects.filter(to_them).update(to_address="")
    SubjectRequest.objects.filter(customer_id__in=record_ids).update(bundle=None)
    _scrub_requests(record_ids, identifiers)
    for hold in LegalHold.objects.filter(customer_id__in=record_ids):
        if identifiers.found_in(hold.reason):
            LegalHold.objects.filter(pk=hold.pk).update(reason=ERASED)
    ConsentRecord.objects.filter(customer_id__in=record_ids).delete()
    anonymise_surveys(customer_ids=record_ids, at=at)
    for record in records:
        record.contact_points.all().delete()
        Customer.objects.filter(pk=record.pk).update(
            name=f"Erased customer {record.pk}",
            job_title="",
            notes="",
            adjustments=[],
            adjustments_note="",
            preferred_language="",
            preferred_channel="",
            erased_at=at,
            updated_at=at,
            version=record.version + 1,
        )
    # The trail keeps who did what to the record, but not what was written about the person.
    blanked = audit.blank_personal_details(
        about={"customer": record_ids, "customers.customer": record_ids, "customers.contactpoint": point_ids},
        mentions=identifiers.found_in,
    )
    audit.record(
        actor=by,
        action="customer_erased",
        object_type="customer",
        object_id=customer.pk,
        data={
            **done.as_data(),
            "stray_emails": stray,
            "messages_elsewhere": elsewhere,
            "merged_records": record_ids[1:],
            "audit_details_blanked": blanked,
            "why": why,
        },
    )
    return Anonymised(done.cases, done.messages + elsewhere, done.attachments, done.emails + stray)
