"""Every write to a case. Each function validates, runs in one transaction and writes the
CaseEvent rows that timelines, journeys, audit and KPIs are read from."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from patron.accounts.models import Agent, Team
from patron.accounts.queries import team_ids_of
from patron.cases.files import store_content
from patron.cases.models import (
    Attachment,
    Case,
    CaseAccess,
    CaseEvent,
    CaseKind,
    Channel,
    Direction,
    EventKind,
    Message,
    Priority,
    Status,
    Tag,
)
from patron.cases.observers import check_resolution, notify_case_changes, notify_reply, prepare_case_openings
from patron.cases.queries import can_see_case, may_open_restricted
from patron.cases.transitions import can_move, is_reopening
from patron.customers.models import Adjustment, Customer, CustomerAccess, CustomerKind, ProcessingException
from patron.customers.queries import processing_refusal
from patron.customers.services import find_or_create_customer, merge_customer_records
from patron.db import PreparedInsert, PreparedQuery, PreparedSave, remember_related_of
from patron.errors import Conflict, NotAllowed, ValidationFailed
from patron.privacy import audit
from patron.privacy.pii import mask_pii, masked_kinds
from patron.sentinels import UNSET, Unset
from patron.text import clean_text, sanitise_html

MAX_SUBJECT = 250
MAX_BODY = 200_000
MAX_TAGS = 20
# Clocks differ; a time up to this far ahead is taken as now rather than refused.
CLOCK_SKEW = timedelta(minutes=5)
LOGGED_CHANNELS = (Channel.PHONE, Channel.FACE_TO_FACE)


@dataclass(frozen=True)
class NewCase:
    """What it takes to open a case, from any channel."""

    customer: Customer
    subject: str
    body: str
    channel: str
    kind: str = CaseKind.ENQUIRY
    priority: int = Priority.NORMAL
    team: Team | None = None
    assignee: Agent | None = None
    category: str = ""
    tags: Sequence[str] = ()
    received_at: datetime | None = None
    body_html: str = ""


@dataclass(frozen=True)
class CaseChanges:
    """Changes to a case's own fields; UNSET leaves a field as it is."""

    status: Any = UNSET
    priority: Any = UNSET
    kind: Any = UNSET
    subject: Any = UNSET
    category: Any = UNSET
    team: Any = UNSET
    assignee: Any = UNSET
    tags: Any = UNSET
    # Why, when a check asks for one (resolving a complaint with a handling step missing).
    reason: str = ""
    # Which exception allows the change while the customer has restricted processing.
    exception: str = ""


# --- opening cases ------------------------------------------------------------------------------


def open_case(
    *,
    customer: Customer,
    subject: str,
    body: str,
    channel: str,
    by: Agent | None,
    kind: str = CaseKind.ENQUIRY,
    priority: int = Priority.NORMAL,
    team: Team | None = None,
    assignee: Agent | None = None,
    category: str = "",
    tags: Sequence[str] = (),
    received_at: datetime | None = None,
    body_html: str = "",
) -> Case:
    """Open a case with the customer's first message. `received_at` keeps the real time of a
    contact logged after the fact or imported from elsewhere."""
    new = NewCase(
        customer=customer,
        subject=subject,
        body=body,
        channel=channel,
        kind=kind,
        priority=priority,
        team=team,
        assignee=assignee,
        category=category,
        tags=tags,
        received_at=received_at,
        body_html=body_html,
    )
    return open_cases(new_cases=[new], by=by)[0]


def _name_on_restricted(cases: Sequence[Case], now: datetime) -> None:
    """A case opened for a restricted customer is seen by the people named on the customer."""
    if not cases:
        return
    grants = CustomerAccess.objects.filter(customer_id__in={case.customer_id for case in cases})
    named: dict[int, list[CustomerAccess]] = {}
    for grant in grants:
        named.setdefault(grant.customer_id, []).append(grant)
    CaseAccess.objects.bulk_create(
        CaseAccess(case=case, agent_id=grant.agent_id, granted_by_id=grant.granted_by_id, granted_at=now)
        for case in cases
        for grant in named.get(case.customer_id, [])
    )


@dataclass(frozen=True)
class ContactCase:
    """A case to open for `customer`, or for whoever this email address or phone number belongs
    to (a new customer when nobody has it yet)."""

    subject: str
    body: str
    channel: str
    customer: Customer | None = None
    email: str | None = None
    phone: str | None = None
    name: str | None = None
    customer_kind: str = CustomerKind.EXTERNAL
    kind: str = CaseKind.ENQUIRY
    priority: int = Priority.NORMAL
    team: Team | None = None
    category: str = ""
    tags: Sequence[str] = ()
    received_at: datetime | None = None


MAX_CASES_AT_ONCE = 100


def open_case_for_contact(contact: ContactCase, *, by: Agent | None) -> Case:
    """Open a case for the contact's customer, making the customer if they are new: one
    transaction, so a refused case leaves no customer behind."""
    return open_cases_for_contacts(contacts=[contact], by=by)[0]


def open_cases_for_contacts(*, contacts: Sequence[ContactCase], by: Agent | None) -> list[Case]:
    """Open many cases for their contacts at once (an integration's import, a batch through the
    API): customers are found or made, then every case is opened, in one transaction. If any is
    refused, nothing is kept, no new customer either, and the refusal names which it was."""
    if not contacts:
        raise ValidationFailed("Send at least one case.", fields={"cases": "Add a case."})
    if len(contacts) > MAX_CASES_AT_ONCE:
        raise ValidationFailed(
            f"Send at most {MAX_CASES_AT_ONCE} cases at once; this had {len(contacts)}.",
            fields={"cases": "Split them into smaller batches."},
        )
    numbered = len(contacts) > 1
    with transaction.atomic():
        new_cases = [
            _for_its_customer(contact, by, position if numbered else None) for position, contact in enumerate(contacts)
        ]
        return open_cases(new_cases=new_cases, by=by)


def numbered_refusal(refusal: ValidationFailed, position: int) -> ValidationFailed:
    """The refusal of one case among several sent together, naming which, counting from 1."""
    return ValidationFailed(f"{refusal.message} (case {position + 1})", fields=refusal.fields)


def _for_its_customer(contact: ContactCase, by: Agent | None, position: int | None) -> NewCase:
    customer = contact.customer
    if customer is None:
        try:
            customer = find_or_create_customer(
                email=contact.email, phone=contact.phone, name=contact.name, kind=contact.customer_kind, by=by
            )
        except ValidationFailed as refusal:
            if position is None:
                raise
            raise numbered_refusal(refusal, position) from refusal
    return NewCase(
        customer=customer,
        subject=contact.subject,
        body=contact.body,
        channel=contact.channel,
        kind=contact.kind,
        priority=contact.priority,
        team=contact.team,
        category=contact.category,
        tags=contact.tags,
        received_at=contact.received_at,
    )


# Every new case, from every channel, takes these three inserts.
_INSERT_CASES = PreparedInsert(Case)
_INSERT_MESSAGES = PreparedInsert(Message)
_INSERT_EVENTS = PreparedInsert(CaseEvent)
_INSERT_TAGGINGS = PreparedInsert(Case.tags.through)


def open_cases(*, new_cases: Sequence[NewCase], by: Agent | None) -> list[Case]:
    """Open many cases in one transaction (imports, demo data): every one is validated first,
    and if any is refused, none is opened."""
    now = timezone.now()
    numbered = len(new_cases) > 1
    checked = [
        _checked_new_case(new, now=now, by=by, position=index if numbered else None)
        for index, new in enumerate(new_cases)
    ]
    with transaction.atomic(savepoint=False):
        unsaved = [
            Case(
                subject=new.subject,
                kind=new.kind,
                channel=new.channel,
                priority=new.priority,
                customer=new.customer,
                team=new.team,
                assignee=new.assignee,
                category=new.category,
                is_restricted=new.customer.is_restricted,
                created_at=new.received_at or now,
                updated_at=new.received_at or now,
            )
            for new in checked
        ]
        prepare_case_openings(unsaved)
        cases = _INSERT_CASES(unsaved)
        _name_on_restricted([case for case in cases if case.is_restricted], now)
        messages = _INSERT_MESSAGES(
            [
                Message(
                    case=case,
                    direction=Direction.INBOUND,
                    channel=new.channel,
                    author_customer=new.customer,
                    body_text=new.body,
                    body_html=new.body_html,
                    created_at=new.received_at or now,
                )
                for case, new in zip(cases, checked, strict=True)
            ]
        )
        _INSERT_EVENTS(
            [
                CaseEvent(
                    case=case,
                    kind=EventKind.OPENED,
                    actor=by,
                    message=message,
                    created_at=new.received_at or now,
                    data=_opened_data(new, by),
                )
                for case, message, new in zip(cases, messages, checked, strict=True)
            ]
        )
        tagged = [(case, new.tags) for case, new in zip(cases, checked, strict=True) if new.tags]
        tags_by_name = _tags_named({name for _, names in tagged for name in names}) if tagged else {}
        for case, message in zip(cases, messages, strict=True):
            case.opening_message = message
        # Known already: whoever shows the new case needs no query for its tags.
        remember_related_of(
            "tags",
            [(case, [tags_by_name[name] for name in new.tags]) for case, new in zip(cases, checked, strict=True)],
        )
        if tagged:
            _INSERT_TAGGINGS(
                [
                    Case.tags.through(case_id=case.pk, tag_id=tags_by_name[name].pk)
                    for case, names in tagged
                    for name in names
                ]
            )
        notify_case_changes(cases, opened=True)
    return cases


def _opened_data(new: NewCase, by: Agent | None) -> dict[str, Any]:
    data: dict[str, Any] = {"channel": new.channel, "kind": new.kind, "priority": new.priority}
    if new.team is not None:
        data["team"] = _team_ref(new.team)
    if new.assignee is not None:
        data["assignee"] = _agent_ref(new.assignee)
    if by is not None and new.channel in LOGGED_CHANNELS:
        data["logged_by"] = _agent_ref(by)
    return data


def _checked_new_case(new: NewCase, *, now: datetime, by: Agent | None, position: int | None) -> NewCase:
    where = f" (case {position + 1})" if position is not None else ""
    subject = _clean_subject(new.subject, where)
    body = _clean_body(new.body, where)
    _require_choice(new.kind, _KINDS, "kind", "kind of case")
    _require_choice(new.channel, _CHANNELS, "channel", "channel")
    _require_choice(new.priority, _PRIORITIES, "priority", "priority")
    if new.customer.pk is None:
        raise ValidationFailed("The customer must be saved before a case is opened for them.")
    if new.customer.merged_into_id is not None:
        raise ValidationFailed("That customer record was merged into another; open the case for that one.")
    received_at = _received_at(new.received_at, now)
    if new.assignee is not None:
        _check_assignee(new.assignee, new.team, by)
    return replace(
        new,
        subject=subject,
        body=body,
        received_at=received_at,
        body_html=sanitise_html(new.body_html) if new.body_html else "",
        category=clean_text(new.category).strip()[:100],
        tags=_clean_tag_names(new.tags),
    )


# --- messages -----------------------------------------------------------------------------------


def receive_message(
    *,
    case: Case,
    customer: Customer | None,
    body: str,
    channel: str,
    body_html: str = "",
    received_at: datetime | None = None,
) -> Message:
    """Append what the customer sent. A case waiting on the customer opens again; a resolved or
    closed one is reopened, because the customer still needs something."""
    _require_choice(channel, _CHANNELS, "channel", "channel")
    body = _clean_body(body)
    at = _received_at(received_at, timezone.now())
    with transaction.atomic():
        current = _locked(case)
        message = Message.objects.create(
            case=current,
            direction=Direction.INBOUND,
            channel=channel,
            author_customer=customer or current.customer,
            body_text=body,
            body_html=sanitise_html(body_html) if body_html else "",
            created_at=at,
        )
        _record(current, EventKind.MESSAGE_RECEIVED, None, at, message=message, data={"channel": channel})
        if current.status in (Status.AWAITING_CUSTOMER, Status.RESOLVED, Status.CLOSED):
            _move_status(current, Status.OPEN, None, at)
            current.version += 1
        current.updated_at = max(current.updated_at, at)
        _SAVE_AFTER_MESSAGE([current])
        notify_case_changes([current])
    return message


def reply(
    *,
    case: Case,
    by: Agent,
    body: str,
    body_html: str = "",
    status: str | None = None,
    channel: str | None = None,
    reason: str = "",
) -> Message:
    """Send a reply to the customer. The first reply is the case's first response; a new case
    becomes open unless the agent chooses another status (e.g. awaiting the customer). A reply
    that resolves the case carries `reason` for the checks on resolving (why a complaint is
    resolved with handling steps not recorded)."""
    _require_visible(case, by)
    body = _clean_body(body)
    now = timezone.now()
    with transaction.atomic():
        current = _locked(case)
        if current.status == Status.CLOSED:
            raise Conflict("This case is closed. Reopen it before replying.")
        _require_processing_allowed(current.customer)
        message = Message.objects.create(
            case=current,
            direction=Direction.OUTBOUND,
            channel=channel or _reply_channel(current),
            author_agent=by,
            body_text=body,
            body_html=sanitise_html(body_html) if body_html else "",
            created_at=now,
        )
        _record(current, EventKind.REPLIED, by, now, message=message)
        notify_reply(message)
        if current.first_response_at is None:
            current.first_response_at = now
        target = status or (Status.OPEN if current.status == Status.NEW else None)
        if target and target != current.status:
            if not can_move(current.status, target):
                raise ValidationFailed(_transition_refusal(current.status, target))
            if target in (Status.RESOLVED, Status.CLOSED):
                # Resolving with a reply is resolving: the same checks apply.
                check_resolution(current, target, " ".join(clean_text(reason).split())[:500], now)
            _move_status(current, target, by, now)
            current.version += 1
        current.updated_at = now
        _SAVE_AFTER_MESSAGE([current])
        notify_case_changes([current])
    return message


@dataclass(frozen=True)
class NewAttachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False


def attach_files(*, message: Message, files: Sequence[NewAttachment]) -> list[Attachment]:
    """Keep the files that came with a message. One larger than PATRON_MAX_ATTACHMENT_BYTES is
    listed but not kept apart (it stays in the original it came in); past PATRON_MAX_ATTACHMENTS
    the rest are likewise left in the original."""
    limit: int = settings.PATRON_MAX_ATTACHMENT_BYTES
    rows = [
        Attachment(
            message=message,
            filename=clean_filename(new.filename),
            content_type=(clean_text(new.content_type).strip().lower() or "application/octet-stream")[:100],
            size=len(new.content),
            sha256=store_content(new.content) if len(new.content) <= limit else "",
            content_id=clean_text(new.content_id).strip("<> ")[:250],
            is_inline=new.inline,
        )
        for new in files[: settings.PATRON_MAX_ATTACHMENTS]
    ]
    return Attachment.objects.bulk_create(rows)


def clean_filename(name: str) -> str:
    """A file name safe to show and to offer for download: no folders, no control characters,
    at most 255 characters with its extension kept."""
    base = re.split(r"[/\\]", clean_text(name))[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip(" .") or "attachment"
    if len(base) > 255:
        stem, dot, extension = base.rpartition(".")
        base = (stem[: 254 - len(extension)] + dot + extension) if dot and len(extension) <= 20 else base[:255]
    return base


def add_note(*, case: Case, by: Agent, body: str, exception: str = "") -> Message:
    """An internal note: seen by colleagues, never sent to the customer. While the customer has
    restricted processing, only under one of its exceptions."""
    _require_visible(case, by)
    body = _clean_body(body)
    now = timezone.now()
    with transaction.atomic():
        current = _locked(case)
        require_exception_if_restricted(current, by, exception, what="note_added")
        message = Message.objects.create(
            case=current,
            direction=Direction.NOTE,
            channel=Channel.INTERNAL,
            author_agent=by,
            body_text=body,
            created_at=now,
        )
        _record(current, EventKind.NOTE_ADDED, by, now, message=message)
        current.updated_at = now
        _SAVE_ACTIVITY([current])
        notify_case_changes([current])
    return message


def log_contact(
    *,
    by: Agent,
    channel: str,
    customer: Customer,
    summary: str,
    case: Case | None = None,
    outbound: bool = False,
    occurred_at: datetime | None = None,
    subject: str = "",
    kind: str = CaseKind.ENQUIRY,
    priority: int = Priority.NORMAL,
    team: Team | None = None,
) -> Message:
    """Record a phone call or a face-to-face conversation: who, when and what was said, on a
    new case or on an existing one. A call the agent made counts as a response."""
    if channel not in LOGGED_CHANNELS:
        raise ValidationFailed(
            "Only phone calls and face-to-face conversations are logged by hand.",
            fields={"channel": "Choose phone or face to face."},
        )
    if case is None:
        if outbound:
            raise ValidationFailed("A call you made belongs on the case it was about; choose the case.")
        opened = open_case(
            customer=customer,
            subject=subject or _subject_from(summary),
            body=summary,
            channel=channel,
            by=by,
            kind=kind,
            priority=priority,
            team=team,
            received_at=occurred_at,
        )
        return opened.messages.get()
    _require_visible(case, by)
    body = _clean_body(summary)
    at = _received_at(occurred_at, timezone.now())
    with transaction.atomic():
        current = _locked(case)
        if outbound:
            _require_processing_allowed(current.customer)
            _require_spoken_contact_allowed(current.customer)
        message = Message.objects.create(
            case=current,
            direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
            channel=channel,
            author_agent=by if outbound else None,
            author_customer=None if outbound else customer,
            body_text=body,
            created_at=at,
        )
        _record(
            current, EventKind.CONTACT_LOGGED, by, at, message=message, data={"channel": channel, "outbound": outbound}
        )
        if outbound and current.first_response_at is None:
            current.first_response_at = at
        if not outbound and current.status in (Status.AWAITING_CUSTOMER, Status.RESOLVED, Status.CLOSED):
            _move_status(current, Status.OPEN, by, at)
            current.version += 1
        current.updated_at = max(current.updated_at, at)
        _SAVE_AFTER_MESSAGE([current])
        notify_case_changes([current])
    return message


# --- restricted cases --------------------------------------------------------------------------


def set_restriction(*, case: Case, by: Agent, restricted: bool, people: Sequence[Agent] = (), reason: str) -> Case:
    """Restrict a case to the people named (whoever restricts it is always among them), change
    who they are, or lift the restriction. Who, when, whom and why go on the timeline and the
    audit trail."""
    if not (by.can_assign or may_open_restricted(by)):
        raise NotAllowed("Only team leads, service managers, privacy officers and administrators can restrict a case.")
    _require_visible(case, by)
    reason = " ".join(clean_text(reason).split())[:500]
    if not reason:
        raise ValidationFailed("Say why access to this case changes.", fields={"reason": "Enter a reason."})
    inactive = [person.display_name for person in people if not person.is_active]
    if inactive:
        raise ValidationFailed(f"{', '.join(inactive)} can no longer sign in, so cannot be named.")
    now = timezone.now()
    with transaction.atomic():
        current = _locked(case)
        named = {person.pk: person for person in [*people, by]} if restricted else {}
        _apply_restriction(current, by=by, restricted=restricted, named=named, reason=reason, now=now)
    return current


def _apply_restriction(
    current: Case, *, by: Agent, restricted: bool, named: dict[int, Agent], reason: str, now: datetime
) -> None:
    CaseAccess.objects.filter(case=current).exclude(agent_id__in=list(named)).delete()
    already = set(CaseAccess.objects.filter(case=current).values_list("agent_id", flat=True))
    CaseAccess.objects.bulk_create(
        [
            CaseAccess(case=current, agent=person, granted_by=by, granted_at=now)
            for pk, person in named.items()
            if pk not in already
        ]
    )
    current.is_restricted = restricted
    current.version += 1
    current.updated_at = now
    current.save(update_fields=["is_restricted", "version", "updated_at"])
    people_refs = [_agent_ref(person) for person in sorted(named.values(), key=lambda agent: agent.display_name)]
    _record(
        current,
        EventKind.RESTRICTION_CHANGED,
        by,
        now,
        data={"restricted": restricted, "people": people_refs, "reason": reason},
    )
    audit.record(
        actor=by,
        action="case_restricted" if restricted else "case_restriction_lifted",
        object_type="case",
        object_id=current.pk,
        data={"people": sorted(named)},
        personal={"reason": reason},
    )
    notify_case_changes([current])


def set_customer_restriction(
    *, customer: Customer, by: Agent, restricted: bool, people: Sequence[Agent] = (), reason: str
) -> Customer:
    """Restrict a customer to the people named (whoever restricts them among them): only they,
    and privacy officers and administrators, see the record. Every case of theirs is restricted
    too, the people named added to any already named on it, and so is every case opened for
    them later. Lifting it leaves their cases' own restrictions as they are, to be lifted case
    by case."""
    if not (by.sees_all_cases or may_open_restricted(by)):
        raise NotAllowed("Only service managers, privacy officers and administrators can restrict a customer's record.")
    reason = " ".join(clean_text(reason).split())[:500]
    if not reason:
        raise ValidationFailed("Say why access to this customer changes.", fields={"reason": "Enter a reason."})
    inactive = [person.display_name for person in people if not person.is_active]
    if inactive:
        raise ValidationFailed(f"{', '.join(inactive)} can no longer sign in, so cannot be named.")
    now = timezone.now()
    named = {person.pk: person for person in [*people, by]} if restricted else {}
    with transaction.atomic():
        current = Customer.objects.select_for_update().get(pk=customer.pk)
        CustomerAccess.objects.filter(customer=current).exclude(agent_id__in=list(named)).delete()
        already = set(CustomerAccess.objects.filter(customer=current).values_list("agent_id", flat=True))
        CustomerAccess.objects.bulk_create(
            CustomerAccess(customer=current, agent=person, granted_by=by, granted_at=now)
            for pk, person in named.items()
            if pk not in already
        )
        current.is_restricted = customer.is_restricted = restricted
        current.version += 1
        customer.version = current.version
        current.save(update_fields=["is_restricted", "version", "updated_at"])
        audit.record(
            actor=by,
            action="customer_restricted" if restricted else "customer_restriction_lifted",
            object_type="customer",
            object_id=current.pk,
            data={"people": sorted(named)},
            personal={"reason": reason},
        )
        if restricted:
            cases = Case.objects.select_for_update(of=("self",)).filter(customer=current).order_by("pk")
            for case in cases.prefetch_related("access_grants__agent"):
                on_case = (
                    {grant.agent_id: grant.agent for grant in case.access_grants.all()} if case.is_restricted else {}
                )
                _apply_restriction(case, by=by, restricted=True, named={**on_case, **named}, reason=reason, now=now)
    return current


def record_restricted_opening(*, case: Case, by: Agent, reason: str) -> None:
    """Whoever opens a restricted case says why; the reason is kept on the audit trail."""
    if not case.is_restricted:
        return
    if not can_see_case(by, case):
        raise NotAllowed("You do not have access to this case.")
    reason = " ".join(clean_text(reason).split())[:500]
    if not reason:
        raise ValidationFailed(
            "This case is restricted. Say why you are opening it; the reason is recorded.",
            fields={"reason": "Enter a reason."},
        )
    audit.record(
        actor=by, action="restricted_case_opened", object_type="case", object_id=case.pk, personal={"reason": reason}
    )


# --- changing a case ----------------------------------------------------------------------------


def update_case(*, case: Case, by: Agent, expected_version: int, changes: CaseChanges) -> Case:
    """Change a case's fields. Refused with Conflict when the case changed since the caller read
    `expected_version`, so two agents never silently overwrite each other."""
    _require_visible(case, by)
    now = timezone.now()
    with transaction.atomic():
        current = _locked(case)
        if current.version != expected_version:
            raise Conflict(
                "Someone else changed this case since you opened it. Reload it to see their change, "
                "then make yours again.",
                fields={"version": str(current.version)},
            )
        if changes != CaseChanges(reason=changes.reason, exception=changes.exception):
            require_exception_if_restricted(current, by, changes.exception, what="case_changed")
        changed = _apply_changes(current, changes, by, now)
        if changed:
            current.version += 1
            current.updated_at = now
            _SAVE_CASE([current])
            notify_case_changes([current])
    return current


def assign(
    *, case: Case, by: Agent, assignee: Agent | None, expected_version: int, team: Team | None | Unset = UNSET
) -> Case:
    return update_case(
        case=case, by=by, expected_version=expected_version, changes=CaseChanges(assignee=assignee, team=team)
    )


def set_status(*, case: Case, by: Agent, status: str, expected_version: int) -> Case:
    return update_case(case=case, by=by, expected_version=expected_version, changes=CaseChanges(status=status))


def _apply_changes(case: Case, changes: CaseChanges, by: Agent, now: datetime) -> bool:
    changed = False
    if changes.subject is not UNSET and _clean_subject(changes.subject) != case.subject:
        subject = _clean_subject(changes.subject)
        _record(case, EventKind.SUBJECT_CHANGED, by, now, data={"before": case.subject, "after": subject})
        case.subject, changed = subject, True
    if changes.kind is not UNSET and changes.kind != case.kind:
        _require_choice(changes.kind, _KINDS, "kind", "kind of case")
        _record(case, EventKind.KIND_CHANGED, by, now, data={"before": case.kind, "after": changes.kind})
        case.kind, changed = changes.kind, True
    if changes.priority is not UNSET and changes.priority != case.priority:
        _require_choice(changes.priority, _PRIORITIES, "priority", "priority")
        _record(case, EventKind.PRIORITY_CHANGED, by, now, data={"before": case.priority, "after": changes.priority})
        case.priority, changed = changes.priority, True
    if changes.category is not UNSET:
        category = clean_text(changes.category or "").strip()[:100]
        if category != case.category:
            _record(case, EventKind.CATEGORY_CHANGED, by, now, data={"before": case.category, "after": category})
            case.category, changed = category, True
    changed = _apply_routing(case, changes, by, now) or changed
    if changes.tags is not UNSET:
        changed = _apply_tags(case, changes.tags, by, now) or changed
    if changes.status is not UNSET and changes.status != case.status:
        _require_choice(changes.status, _STATUSES, "status", "status")
        if not can_move(case.status, changes.status):
            raise ValidationFailed(_transition_refusal(case.status, changes.status), fields={"status": "Not allowed."})
        if changes.status in (Status.RESOLVED, Status.CLOSED):
            check_resolution(case, changes.status, " ".join(clean_text(changes.reason).split())[:500], now)
        _move_status(case, changes.status, by, now)
        changed = True
    return changed


def _apply_routing(case: Case, changes: CaseChanges, by: Agent, now: datetime) -> bool:
    changed = False
    team = case.team if changes.team is UNSET else changes.team
    if changes.team is not UNSET and (team.pk if team else None) != case.team_id:
        _record(
            case,
            EventKind.TEAM_CHANGED,
            by,
            now,
            data={"before": _team_ref(case.team) if case.team_id else None, "after": _team_ref(team)},
        )
        case.team, changed = team, True
    if changes.assignee is not UNSET and (changes.assignee.pk if changes.assignee else None) != case.assignee_id:
        new_assignee: Agent | None = changes.assignee
        touches_other = (new_assignee is not None and new_assignee.pk != by.pk) or (
            new_assignee is None and case.assignee_id not in (None, by.pk)
        )
        if touches_other and not by.can_assign:
            raise NotAllowed("Only a team lead or manager can assign a case to someone else.")
        if new_assignee is not None:
            _check_assignee(new_assignee, team, by)
        _record(
            case,
            EventKind.ASSIGNED,
            by,
            now,
            data={"before": _agent_ref(case.assignee) if case.assignee_id else None, "after": _agent_ref(new_assignee)},
        )
        case.assignee, changed = new_assignee, True
    return changed


def _apply_tags(case: Case, names: Iterable[str], by: Agent, now: datetime) -> bool:
    wanted = _clean_tag_names(names)
    current = sorted(case.tags.values_list("name", flat=True))
    if wanted == current:
        return False
    case.tags.set(list(_tags_named(set(wanted)).values()))
    _record(case, EventKind.TAGS_CHANGED, by, now, data={"before": current, "after": wanted})
    return True


# What adding a message may change on its case. Naming them keeps the subject out of the UPDATE,
# so the search index (kept by a trigger on the subject) is not rewritten for every message.
_MESSAGE_FIELDS = ["status", "resolved_at", "closed_at", "first_response_at", "version", "updated_at"]
# A case changed by a message (a reply, a note, the customer writing), or by its fields.
_SAVE_AFTER_MESSAGE = PreparedSave(Case, _MESSAGE_FIELDS)
_SAVE_ACTIVITY = PreparedSave(Case, ["updated_at"])
_SAVE_CASE = PreparedSave(Case)


def _move_status(case: Case, status: str, by: Agent | None, at: datetime) -> None:
    before = case.status
    kind = EventKind.REOPENED if is_reopening(before, status) else EventKind.STATUS_CHANGED
    _record(case, kind, by, at, data={"before": before, "after": status})
    case.status = status
    if status == Status.RESOLVED:
        case.resolved_at = at
    elif status == Status.CLOSED:
        case.closed_at = at
        case.resolved_at = case.resolved_at or at
    elif is_reopening(before, status):
        case.resolved_at = None
        case.closed_at = None


# --- customers ----------------------------------------------------------------------------------


def merge_customers(*, source: Customer, target: Customer, by: Agent) -> Customer:
    """Merge a duplicate customer into another without losing anything: every contact point,
    case and message moves to `target`, each moved case records the change, and `source`
    remains only as a pointer to where it went. It lives here because it moves cases."""
    if not by.can_assign:
        raise NotAllowed("Only a team lead or manager can merge customer records.")
    now = timezone.now()
    with transaction.atomic():
        source = Customer.objects.select_for_update().get(pk=source.pk)
        target = Customer.objects.select_for_update().get(pk=target.pk)
        merge_customer_records(source=source, target=target, by=by)
        moved_cases = list(Case.objects.filter(customer=source).values_list("id", flat=True))
        Case.objects.filter(pk__in=moved_cases).update(customer=target, version=_version_plus_one())
        Message.objects.filter(author_customer=source).update(author_customer=target)
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    case_id=case_id,
                    kind=EventKind.CUSTOMER_CHANGED,
                    actor=by,
                    created_at=now,
                    data={
                        "before": {"id": source.pk, "name": source.name},
                        "after": {"id": target.pk, "name": target.name},
                        "reason": "merged",
                    },
                )
                for case_id in moved_cases
            ]
        )
        notify_case_changes(list(Case.objects.filter(pk__in=moved_cases)))
    return target


def _version_plus_one() -> Any:
    return F("version") + 1


# --- for the apps above: events and due times they derive --------------------------------------


def record_event(*, case: Case, kind: str, at: datetime, data: dict[str, Any], by: Agent | None = None) -> CaseEvent:
    """Add an event another app derived from the case (a service target met or breached)."""
    _require_choice(kind, _EVENT_KINDS, "kind", "kind of event")
    return _record(case, kind, by, at, data=data)


@dataclass(frozen=True)
class DerivedEvent:
    case: Case
    kind: str
    at: datetime
    data: dict[str, Any]


def record_events(events: Sequence[DerivedEvent]) -> list[CaseEvent]:
    """Add many derived events in one statement, as `record_event` adds one: for the cases a
    bulk opening or import brings in at once."""
    for event in events:
        _require_choice(event.kind, _EVENT_KINDS, "kind", "kind of event")
    return _INSERT_EVENTS(
        [CaseEvent(case=event.case, kind=event.kind, data=event.data, created_at=event.at) for event in events]
    )


def set_due_times(*, due_by_case: dict[int, datetime | None]) -> None:
    """Store each case's soonest due time, for the inbox. Not a change agents make, so the
    version and last activity stay as they are."""
    if not due_by_case:
        return
    # One prepared statement run for each case: far cheaper than a bulk CASE expression.
    table, column = Case._meta.db_table, Case._meta.get_field("due_at").column
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608 - names from the model, not input
            [(connection.ops.adapt_datetimefield_value(due_at), case_id) for case_id, due_at in due_by_case.items()],
        )


def clear_due_times(case_ids: Sequence[int]) -> None:
    """No due time for these cases any more (no standards apply to them)."""
    Case.objects.filter(pk__in=case_ids, due_at__isnull=False).update(due_at=None)


# --- rules shared by the functions above --------------------------------------------------------


def _record(
    case: Case,
    kind: str,
    by: Agent | None,
    at: datetime,
    *,
    message: Message | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    event = CaseEvent(case=case, kind=kind, actor=by, message=message, data=data or {}, created_at=at)
    return _INSERT_EVENTS([event])[0]


def _locked(case: Case) -> Case:
    found = _LOCKED_CASE(case_id=case.pk)
    if not found:
        raise Case.DoesNotExist(f"Case {case.pk} does not exist.")
    return found[0]


# Every change to a case starts with it; prepared inside the transaction its lock needs.
_LOCKED_CASE = PreparedQuery(
    lambda case_id: (
        Case.objects.select_for_update(of=("self",)).select_related("team", "assignee", "customer").filter(pk=case_id)
    )
)


def record_case_viewed(*, case: Case, by: Agent, what: str = "case") -> None:
    """Who looked at a case (what its customer said, and what was said to them), and when, for
    the audit trail (UK GDPR art. 5(2)), as a look at the customer's record is."""
    audit.record(actor=by, action="case_viewed", object_type="case", object_id=case.pk, data={"viewed": what})


def _require_spoken_contact_allowed(customer: Customer) -> None:
    """A customer who asked for written contact only (a reasonable adjustment) is not called or
    visited: the desk writes to them instead. A call they make is logged as usual."""
    if Adjustment.WRITTEN_ONLY in customer.adjustments:
        raise Conflict(
            f"{customer.name} asked for written contact only: reply in writing instead of calling. If they have "
            "asked to be called this time, change their adjustments first."
        )


def _require_processing_allowed(customer: Customer) -> None:
    """What a customer sends is always stored; contacting them is not allowed while they have
    restricted processing of their data, or after it was erased."""
    refusal = processing_refusal(customer)
    if refusal:
        raise Conflict(refusal)


def require_exception_if_restricted(case: Case, by: Agent, exception: str, *, what: str) -> None:
    """Working on the case of a customer who restricted processing is refused, unless one of the
    exceptions the law keeps applies; the agent names it and it goes on the audit trail. What
    the customer sends is stored regardless (`receive_message`)."""
    customer = case.customer
    if customer.processing_restricted_since is None:
        return
    if not exception:
        choices = "; ".join(f"{code} ({label})" for code, label in ProcessingException.choices)
        raise Conflict(
            "The customer has restricted the processing of their data "
            f"(since {customer.processing_restricted_since:%d %B %Y}): the case is kept as it is. To work on it "
            f"anyway, say which exception applies: {choices}.",
            fields={"exception": "Choose the exception that applies."},
        )
    _require_choice(exception, _EXCEPTIONS, "exception", "recognised exception to a restriction")
    audit.record(
        actor=by,
        action="restricted_processing",
        object_type="case",
        object_id=case.pk,
        data={"customer": customer.pk, "exception": exception, "done": what},
    )


def _require_visible(case: Case, by: Agent) -> None:
    if not can_see_case(by, case):
        raise NotAllowed("You do not have access to this case.")


def _check_assignee(assignee: Agent, team: Team | None, by: Agent | None) -> None:
    if not assignee.is_active:
        raise ValidationFailed(f"{assignee.display_name} can no longer sign in, so cannot be assigned cases.")
    if team is not None and not assignee.sees_all_cases and team.pk not in team_ids_of(assignee):
        raise ValidationFailed(
            f"{assignee.display_name} is not in the {team.name} team.",
            fields={"assignee": "Choose someone in the case's team, or change the team."},
        )


# Each checked for every case and event opened: a choices class builds its list of values anew
# on each reading.
_KINDS = tuple(CaseKind.values)
_CHANNELS = tuple(Channel.values)
_PRIORITIES = tuple(Priority.values)
_STATUSES = tuple(Status.values)
_EVENT_KINDS = tuple(EventKind.values)
_EXCEPTIONS = tuple(ProcessingException.values)


def _require_choice(value: object, allowed: Sequence[object], field: str, what: str) -> None:
    if value not in allowed:
        raise ValidationFailed(
            f"“{value}” is not a {what}. Choose one of: {', '.join(map(str, allowed))}.",
            fields={field: "Not one of the choices."},
        )


def _masked(text: str) -> str:
    """Card numbers, bank details, NI and passport numbers hidden before anything is stored
    (PATRON_MASK_PERSONAL_DATA): nobody at the desk needs them in full, and a record that does
    not hold them cannot leak them. The original email, kept apart, still has them."""
    kinds = masked_kinds(settings.PATRON_MASK_PERSONAL_DATA)
    return mask_pii(text, kinds=kinds) if kinds else text


def _clean_subject(value: str, where: str = "") -> str:
    subject = _masked(" ".join(clean_text(value or "").split()))
    if not subject:
        raise ValidationFailed(f"A case needs a subject{where}.", fields={"subject": "Enter a subject."})
    if len(subject) > MAX_SUBJECT:
        raise ValidationFailed(
            f"A subject can be at most {MAX_SUBJECT} characters long{where}.",
            fields={"subject": "Shorten the subject."},
        )
    return subject


def _clean_body(value: str, where: str = "") -> str:
    body = _masked(clean_text(value or "").strip())
    if not body:
        raise ValidationFailed(f"The message is empty{where}.", fields={"body": "Enter the message."})
    if len(body) > MAX_BODY:
        raise ValidationFailed(
            f"A message can be at most {MAX_BODY:,} characters long{where}.",
            fields={"body": "Shorten the message or attach it as a file."},
        )
    return body


def _clean_tag_names(names: Iterable[str]) -> list[str]:
    cleaned = sorted({" ".join(clean_text(name).split()).lower() for name in names} - {""})
    if len(cleaned) > MAX_TAGS:
        raise ValidationFailed(f"A case can have at most {MAX_TAGS} tags.", fields={"tags": "Remove some tags."})
    too_long = [name for name in cleaned if len(name) > 50]
    if too_long:
        raise ValidationFailed("A tag can be at most 50 characters long.", fields={"tags": "Shorten the tag."})
    return cleaned


def _tags_named(names: set[str]) -> dict[str, Tag]:
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=name) for name in sorted(names - existing.keys())]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    return existing


def _received_at(value: datetime | None, now: datetime) -> datetime:
    if value is None:
        return now
    if timezone.is_naive(value):
        raise ValidationFailed(
            "Give the time with its time zone (for example 2026-03-01T09:30:00+00:00).",
            fields={"received_at": "Add a time zone."},
        )
    if value > now + CLOCK_SKEW:
        raise ValidationFailed(
            "The time a contact was received cannot be in the future.",
            fields={"received_at": "Enter a time in the past."},
        )
    return min(value, now)


def _reply_channel(case: Case) -> str:
    return (
        case.channel
        if case.channel in (Channel.EMAIL, Channel.WEB, Channel.API, Channel.CHAT, Channel.SOCIAL)
        else Channel.EMAIL
    )


def _subject_from(summary: str) -> str:
    first_line = clean_text(summary).strip().split("\n", 1)[0]
    return first_line[:80] + ("…" if len(first_line) > 80 else "")


def _transition_refusal(before: str, after: str) -> str:
    return f"A case cannot go from {Status(before).label.lower()} to {Status(after).label.lower()}."


def _team_ref(team: Team | None) -> dict[str, Any] | None:
    return None if team is None else {"id": team.pk, "name": team.name}


def _agent_ref(agent: Agent | None) -> dict[str, Any] | None:
    return None if agent is None else {"id": agent.pk, "name": agent.display_name}
