"""Every write about data subject requests and breaches, for privacy officers and
administrators: a request with its statutory clock, its extension with the reason, and the
breach register with the 72-hour clock. Each action is on the audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from holidays import HolidayBase

from patron.accounts.models import Agent, Role
from patron.customers.models import Customer
from patron.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from patron.privacy import audit
from patron.privacy.clocks import (
    Pause,
    RequestClock,
    StartWait,
    breach_report_by,
    breach_report_rule,
    request_clock,
)
from patron.privacy.models import Breach, ClockPause, RequestStatus, RequestType, SubjectRequest
from patron.standards.holidays_uk import Region, bank_holidays

PRIVACY_ROLES = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})


def require_privacy_role(agent: Agent) -> None:
    if agent.role not in PRIVACY_ROLES and not agent.is_superuser:
        raise NotAllowed("Only a privacy officer or an administrator can handle subject requests and breaches.")


def bank_holiday_division() -> Region:
    """The organisation's division of the UK bank holidays (setting PATRON_BANK_HOLIDAYS)."""
    configured = getattr(settings, "PATRON_BANK_HOLIDAYS", Region.ENGLAND_AND_WALES)
    if configured not in Region.values:
        raise ImproperlyConfigured(f"PATRON_BANK_HOLIDAYS is “{configured}”; use one of: {', '.join(Region.values)}.")
    return Region(configured)


def why_not_working(day: date, division: str | None = None) -> str | None:
    """Why a day is not a working day in the division, in words; None when it is one."""
    region = Region(division) if division is not None else bank_holiday_division()
    if day.weekday() >= 5:
        return f"a {day:%A}"
    holidays = bank_holidays(region)
    if day not in holidays:
        return None
    name = holidays.get(day) if isinstance(holidays, HolidayBase) else None
    return f"{name}, a bank holiday in {region.label}" if name else f"a bank holiday in {region.label}"


def is_working_day(day: date, division: str | None = None) -> bool:
    """A weekday that is not a bank holiday in the division (the organisation's unless named)."""
    return why_not_working(day, division) is None


def record_subject_request(*, customer: Customer, type: str, received_on: date, by: Agent) -> SubjectRequest:
    """A request received (verbally or in writing, on any channel), due one month from receipt."""
    require_privacy_role(by)
    if type not in RequestType.values:
        raise ValidationFailed(
            f"“{type[:30]}” is not a right. Choose one of: {', '.join(RequestType.values)}.",
            fields={"type": "Unknown."},
        )
    if received_on > timezone.localdate():
        raise ValidationFailed("A request cannot be received in the future.", fields={"received_on": "Check the date."})
    request = SubjectRequest(customer=customer, type=type, received_on=received_on, recorded_by=by)
    _set_clock(request, pauses=[])
    with transaction.atomic():
        request.created_at = timezone.now()
        request.save()
        audit.record(
            actor=by,
            action="subject_request_recorded",
            object_type="customer",
            object_id=customer.pk,
            data={"request": request.pk, "type": type, "received_on": received_on.isoformat()},
        )
    return request


def clock_of(request: SubjectRequest, *, pauses: list[Pause] | None = None, months: int | None = None) -> RequestClock:
    """The request's clock as the rules count it today, from what is recorded on it."""
    waits = []
    if request.identity_requested_on is not None:
        waits.append(StartWait("the identity evidence asked for", request.identity_received_on))
    if request.fee_requested_on is not None:
        waits.append(StartWait("the fee asked for", request.fee_received_on))
    if pauses is None:
        pauses = [Pause(pause.asked_on, pause.answered_on) for pause in request.pauses.all()]
    return request_clock(
        received_on=request.received_on,
        waits=waits,
        pauses=pauses,
        months=months if months is not None else (3 if request.extended else 1),
        why_closed=why_not_working,
    )


def _set_clock(request: SubjectRequest, *, pauses: list[Pause] | None = None) -> None:
    clock = clock_of(request, pauses=pauses)
    request.clock_started_on = clock.started_on
    request.due_on = clock.due_on
    request.due_if_restarted = clock.due_if_restarted
    request.due_rule = clock.rule
    if request.due_override_on is not None and clock.due_on is not None:
        request.due_on = request.due_override_on
        request.due_rule = (
            f"{clock.rule} Set instead to {request.due_override_on.day} {request.due_override_on:%b %Y} "
            f"by the privacy officer: {request.due_override_reason}"
        )[:600]


def clock_state(request: SubjectRequest) -> str:
    """running, not_started (identity evidence or a fee awaited) or paused (clarification)."""
    if request.clock_started_on is None:
        return "not_started"
    return "paused" if request.due_on is None else "running"


CLOCK_FIELDS = ["clock_started_on", "due_on", "due_if_restarted", "due_rule"]


def _save_on_clock(
    locked: SubjectRequest,
    by: Agent,
    step: str,
    changes: Mapping[str, object],
    *,
    tell_due: bool = False,
    **details: object,
) -> SubjectRequest:
    """Make the step's changes, count the clock again from them, save both and audit the step;
    with `tell_due`, the audit entry carries the due date the step led to."""
    for name, value in changes.items():
        setattr(locked, name, value)
    _set_clock(locked)
    locked.save(update_fields=[*changes, *CLOCK_FIELDS])
    _audit(locked, by, step, **details, **({"due_on": locked.due_on} if tell_due else {}))
    return locked


def override_due_date(*, request: SubjectRequest, due_on: date | None, reason: str, by: Agent) -> SubjectRequest:
    """The privacy officer sets the due date over the computed one (the law leaves some
    counting open), with the reason; None goes back to the computed date. It applies while
    the clock runs."""
    require_privacy_role(by)
    reason = _one_line(reason, 300)
    if not reason:
        raise ValidationFailed("Say why the due date is set by hand.", fields={"reason": "Enter a reason."})
    with transaction.atomic():
        locked = _locked_open(request, doing="changed")
        clock = clock_of(locked)
        if clock.due_on is None:
            raise Conflict("The clock is stopped: there is no due date to set until it runs again.")
        if due_on is not None and clock.started_on is not None and due_on <= clock.started_on:
            raise ValidationFailed(
                f"The clock started on {clock.started_on:%d %B %Y}; the due date must be after it.",
                fields={"due_on": "Check the date."},
            )
        changes = {"due_override_on": due_on, "due_override_reason": reason if due_on is not None else ""}
        return _save_on_clock(locked, by, "due_date_set", changes, due_on=due_on, computed=clock.due_on, reason=reason)


def extend_subject_request(*, request: SubjectRequest, reason: str, by: Agent) -> SubjectRequest:
    """Two more months for a complex request. The person must be told within the first month,
    so the extension is refused once the first month has passed, and it is given once."""
    require_privacy_role(by)
    reason = _one_line(reason, 500)
    if not reason:
        raise ValidationFailed("Say why the request needs more time.", fields={"reason": "Enter a reason."})
    with transaction.atomic():
        locked = _locked_open(request, doing="extended")
        if locked.extended:
            raise Conflict("This request was already extended; it can be extended once.")
        first_month = clock_of(locked, months=1)
        if first_month.started_on is None:
            raise Conflict(
                "The clock has not started: an extension is not a reason to wait for identity evidence or a fee."
            )
        if first_month.due_on is not None and timezone.localdate() > first_month.due_on:
            raise Conflict("The first month has passed: an extension had to be decided and told within it.")
        changes = {"extended": True, "extension_reason": reason}
        return _save_on_clock(locked, by, "extended", changes, tell_due=True, reason=reason)


def request_identity(*, request: SubjectRequest, requested_on: date, what: str, by: Agent) -> SubjectRequest:
    """Identity evidence reasonably asked for: the month runs from its receipt, not before."""
    require_privacy_role(by)
    what = _one_line(what, 500)
    if not what:
        raise ValidationFailed("Say what evidence of identity was asked for.", fields={"what": "Enter it."})
    _check_asked_on(request, requested_on, field="requested_on")
    with transaction.atomic():
        locked = _locked_open(request, doing="changed")
        if locked.identity_verified_at is not None:
            raise Conflict("Their identity is already verified.")
        if locked.identity_requested_on is not None:
            raise Conflict("Identity evidence was already asked for; record it when it arrives.")
        changes = {"identity_requested_on": requested_on, "identity_asked_for": what}
        return _save_on_clock(locked, by, "identity_requested", changes, requested_on=requested_on, what=what)


def verify_identity(*, request: SubjectRequest, received_on: date, method: str, by: Agent) -> SubjectRequest:
    """The requester's identity checked, by whom, when and how. When evidence was asked for,
    the month starts on the day it arrived (or on receipt of the request, if it came first)."""
    require_privacy_role(by)
    method = _one_line(method, 500)
    if not method:
        raise ValidationFailed(
            "Say how their identity was checked (e.g. passport seen, security questions on the account).",
            fields={"method": "Enter it."},
        )
    if received_on > timezone.localdate():
        raise ValidationFailed("Evidence cannot arrive in the future.", fields={"received_on": "Check the date."})
    with transaction.atomic():
        locked = _locked_open(request, doing="changed")
        if locked.identity_verified_at is not None:
            raise Conflict("Their identity is already verified.")
        changes = {
            "identity_received_on": received_on,
            "identity_verified_at": timezone.now(),
            "identity_verified_by": by,
            "identity_method": method,
        }
        return _save_on_clock(
            locked, by, "identity_verified", changes, tell_due=True, received_on=received_on, method=method
        )


def request_fee(*, request: SubjectRequest, requested_on: date, reason: str, by: Agent) -> SubjectRequest:
    """A fee asked for, only where the request is manifestly unfounded or excessive: the month
    runs from its receipt."""
    require_privacy_role(by)
    reason = _one_line(reason, 500)
    if not reason:
        raise ValidationFailed(
            "Say why the request is manifestly unfounded or excessive: only then may a fee be charged.",
            fields={"reason": "Enter it."},
        )
    _check_asked_on(request, requested_on, field="requested_on")
    with transaction.atomic():
        locked = _locked_open(request, doing="changed")
        if locked.fee_requested_on is not None:
            raise Conflict("A fee was already asked for.")
        changes = {"fee_requested_on": requested_on, "fee_reason": reason}
        return _save_on_clock(locked, by, "fee_requested", changes, requested_on=requested_on, reason=reason)


def receive_fee(*, request: SubjectRequest, received_on: date, by: Agent) -> SubjectRequest:
    require_privacy_role(by)
    with transaction.atomic():
        locked = _locked_open(request, doing="changed")
        if locked.fee_requested_on is None:
            raise Conflict("No fee was asked for.")
        if locked.fee_received_on is not None:
            raise Conflict("The fee was already received.")
        _check_answer_on(received_on, asked_on=locked.fee_requested_on, field="received_on")
        changes = {"fee_received_on": received_on}
        return _save_on_clock(locked, by, "fee_received", changes, tell_due=True, received_on=received_on)


def request_clarification(*, request: SubjectRequest, asked_on: date, what: str, by: Agent) -> SubjectRequest:
    """Stop the clock while the scope of the request is clarified."""
    require_privacy_role(by)
    what = _one_line(what, 500)
    if not what:
        raise ValidationFailed("Say what was asked, to clarify the request.", fields={"what": "Enter it."})
    _check_asked_on(request, asked_on, field="asked_on")
    with transaction.atomic():
        locked = _locked_open(request, doing="changed")
        clock = clock_of(locked)
        if clock.started_on is None:
            raise Conflict("The clock has not started yet: it waits for the identity evidence or fee asked for.")
        if clock.paused_since is not None:
            raise Conflict("Clarification was already asked for; record the reply first.")
        if asked_on < clock.started_on:
            raise ValidationFailed(
                f"The clock started on {clock.started_on:%d %B %Y}; it cannot be stopped before that.",
                fields={"asked_on": "Check the date."},
            )
        last_answer = max((p.answered_on for p in locked.pauses.all() if p.answered_on), default=None)
        if last_answer is not None and asked_on < last_answer:
            raise ValidationFailed(
                "The last clarification was answered after that day.", fields={"asked_on": "Check the date."}
            )
        if clock.due_on is not None and asked_on > clock.due_on:
            raise Conflict("The request was already due on that day: the clock cannot be stopped after it ran out.")
        ClockPause.objects.create(request=locked, asked_on=asked_on, what=what, asked_by=by)
        return _save_on_clock(locked, by, "clarification_requested", {}, asked_on=asked_on, what=what)


def receive_clarification(*, request: SubjectRequest, received_on: date, by: Agent) -> SubjectRequest:
    """The reply came: the clock runs again, and the due date moves on by the days it stood."""
    require_privacy_role(by)
    with transaction.atomic():
        locked = _locked_open(request, doing="changed")
        waiting = locked.pauses.filter(answered_on__isnull=True).order_by("-asked_on", "-id").first()
        if waiting is None:
            raise Conflict("No clarification is waited for.")
        _check_answer_on(received_on, asked_on=waiting.asked_on, field="received_on")
        waiting.answered_on = received_on
        waiting.save(update_fields=["answered_on"])
        return _save_on_clock(locked, by, "clarification_received", {}, tell_due=True, received_on=received_on)


def _locked_open(request: SubjectRequest, *, doing: str) -> SubjectRequest:
    locked = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != RequestStatus.OPEN:
        raise Conflict(f"Only an open request can be {doing}; this one is {locked.get_status_display().lower()}.")
    return locked


def _check_asked_on(request: SubjectRequest, day: date, *, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationFailed("That day is in the future.", fields={field: "Check the date."})
    if day < request.received_on:
        raise ValidationFailed(
            f"The request was received on {request.received_on:%d %B %Y}; that day is before it.",
            fields={field: "Check the date."},
        )


def _check_answer_on(day: date, *, asked_on: date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationFailed("That day is in the future.", fields={field: "Check the date."})
    if day < asked_on:
        raise ValidationFailed(
            f"It was asked for on {asked_on:%d %B %Y}; the answer cannot come before.",
            fields={field: "Check the date."},
        )


# What the officer wrote in their own words about the request, which erasing the person blanks.
_FREE_TEXT = frozenset({"reason", "what", "method"})


def _audit(request: SubjectRequest, by: Agent, step: str, **data: object) -> None:
    audit.record(
        actor=by,
        action=f"subject_request_{step}",
        object_type="customer",
        object_id=request.customer_id,
        data={
            "request": request.pk,
            **{key: _as_data(value) for key, value in data.items() if key not in _FREE_TEXT},
        },
        personal={key: value for key, value in data.items() if key in _FREE_TEXT},
    )


def _as_data(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _one_line(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]


def list_subject_requests(*, agent: Agent, status: str = RequestStatus.OPEN) -> QuerySet[SubjectRequest]:
    require_privacy_role(agent)
    # A stopped clock has no due date; those requests come after the dated ones.
    return (
        SubjectRequest.objects.filter(status=status)
        .select_related("customer")
        .prefetch_related("pauses")
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )


def subject_request_by_id(*, agent: Agent, request_id: int) -> SubjectRequest:
    require_privacy_role(agent)
    found = SubjectRequest.objects.filter(pk=request_id).select_related("customer").prefetch_related("pauses").first()
    if found is None:
        raise NotFound("There is no subject request with that number.")
    return found


@dataclass(frozen=True)
class BreachDetails:
    summary: str
    aware_at: datetime
    what_happened: str = ""
    occurred_at: datetime | None = None
    data_categories: str = ""
    people_affected: int | None = None
    records_affected: int | None = None
    likely_consequences: str = ""
    measures_taken: str = ""
    reportable: bool | None = None
    reportable_reason: str = ""


def record_breach(*, details: BreachDetails, by: Agent) -> Breach:
    """Every breach goes in the register, reportable or not; a reportable one is due at the ICO
    within 72 hours of becoming aware of it."""
    require_privacy_role(by)
    summary = " ".join(details.summary.split())[:300]
    if not summary:
        raise ValidationFailed("Say in a sentence what happened.", fields={"summary": "Enter a summary."})
    now = timezone.now()
    if details.aware_at > now + timedelta(minutes=5):
        raise ValidationFailed("Becoming aware of a breach cannot be in the future.", fields={"aware_at": "Check."})
    if details.occurred_at is not None and details.occurred_at > details.aware_at:
        raise ValidationFailed("A breach cannot happen after it was known about.", fields={"occurred_at": "Check."})
    if details.reportable is not None and not details.reportable_reason.strip():
        raise ValidationFailed(
            "Give the reason for deciding whether to report it to the ICO.", fields={"reportable_reason": "Enter it."}
        )
    values = {field.name: getattr(details, field.name) for field in fields(details)}
    with transaction.atomic():
        breach = Breach.objects.create(**{**values, "summary": summary}, recorded_by=by, created_at=now)
        audit.record(actor=by, action="breach_recorded", object_type="breach", object_id=breach.pk, data={})
    return breach


def report_by(breach: Breach) -> datetime:
    return breach_report_by(breach.aware_at)


def report_by_rule(breach: Breach) -> str:
    return breach_report_rule(breach.aware_at, local=timezone.localtime)


def list_breaches(*, agent: Agent) -> QuerySet[Breach]:
    require_privacy_role(agent)
    return Breach.objects.order_by("-aware_at", "-id")


# What can be updated on a breach as facts arrive and decisions are made (not when the
# organisation became aware: the 72 hours run from that).
BREACH_UPDATABLE = frozenset(
    {
        "summary",
        "what_happened",
        "occurred_at",
        "data_categories",
        "people_affected",
        "records_affected",
        "likely_consequences",
        "measures_taken",
        "reportable",
        "reportable_reason",
        "reported_to_ico_at",
        "ico_reference",
        "report_delay_reason",
        "people_told_at",
        "people_told_how",
    }
)
_BREACH_TEXT_LIMITS = {"summary": 300, "data_categories": 500, "ico_reference": 100}


def update_breach(*, breach: Breach, changes: Mapping[str, Any], by: Agent) -> Breach:
    """New facts or decisions about a breach: whether it is reportable (with the reason), when
    it was reported to the ICO and the ICO's reference (with the reason for any delay past the
    72 hours), when and how the people affected were told, measures, consequences, numbers."""
    require_privacy_role(by)
    unknown = sorted(set(changes) - BREACH_UPDATABLE)
    if unknown:
        raise ValidationFailed(f"These cannot be changed on a breach: {', '.join(unknown)}.")
    cleaned = {name: _clean_breach_value(name, value) for name, value in changes.items()}
    with transaction.atomic():
        locked = Breach.objects.select_for_update().get(pk=breach.pk)
        changed = {name: value for name, value in cleaned.items() if getattr(locked, name) != value}
        if not changed:
            return locked
        _check_breach_decision(locked, changed)
        for name, value in changed.items():
            setattr(locked, name, value)
        _check_breach_record(locked)
        locked.save(update_fields=sorted(changed))
        audit.record(
            actor=by,
            action="breach_updated",
            object_type="breach",
            object_id=locked.pk,
            data={"fields": sorted(changed), "reportable": locked.reportable, "late": reported_late(locked)},
        )
    return locked


_BREACH_TEXT = frozenset(
    {
        "summary",
        "what_happened",
        "data_categories",
        "likely_consequences",
        "measures_taken",
        "reportable_reason",
        "ico_reference",
        "report_delay_reason",
        "people_told_how",
    }
)


def _clean_breach_value(name: str, value: Any) -> Any:
    if name in _BREACH_TEXT and value is None:
        # Text is emptied, never null.
        value = ""
    if isinstance(value, str):
        value = value.strip()
        limit = _BREACH_TEXT_LIMITS.get(name)
        return " ".join(value.split())[:limit] if limit else value
    if name in ("people_affected", "records_affected") and value is not None and value < 0:
        raise ValidationFailed("A number of people or records cannot be negative.", fields={name: "Check it."})
    return value


def _check_breach_decision(breach: Breach, changed: Mapping[str, Any]) -> None:
    if "reportable" not in changed:
        return
    if changed["reportable"] is None:
        raise ValidationFailed(
            "A decision on reporting can be changed, with its reason, but not undone.", fields={"reportable": "Choose."}
        )
    if "reportable_reason" not in changed:
        raise ValidationFailed(
            "Give the reason for deciding whether to report it to the ICO.", fields={"reportable_reason": "Enter it."}
        )


def _check_breach_record(breach: Breach) -> None:
    """The rules the record as a whole must keep after the change."""
    now = timezone.now()
    if not breach.summary:
        raise ValidationFailed("Say in a sentence what happened.", fields={"summary": "Enter a summary."})
    if breach.occurred_at is not None and breach.occurred_at > breach.aware_at:
        raise ValidationFailed("A breach cannot happen after it was known about.", fields={"occurred_at": "Check."})
    if breach.reportable is not None and not breach.reportable_reason:
        raise ValidationFailed(
            "Give the reason for deciding whether to report it to the ICO.", fields={"reportable_reason": "Enter it."}
        )
    if breach.reported_to_ico_at is not None:
        if breach.reportable is not True:
            raise ValidationFailed(
                "Record the decision that it is reportable, with the reason, before the report to the ICO.",
                fields={"reportable": "Choose."},
            )
        if breach.reported_to_ico_at < breach.aware_at or breach.reported_to_ico_at > now + timedelta(minutes=5):
            raise ValidationFailed(
                "The report to the ICO must be after becoming aware of the breach, and not in the future.",
                fields={"reported_to_ico_at": "Check."},
            )
        if not breach.ico_reference:
            raise ValidationFailed("Give the reference the ICO gave the report.", fields={"ico_reference": "Enter it."})
        if reported_late(breach) and not breach.report_delay_reason:
            raise ValidationFailed(
                "The report was made more than 72 hours after becoming aware: give the reasons for the delay.",
                fields={"report_delay_reason": "Enter them."},
            )
    if breach.people_told_at is not None:
        if breach.people_told_at < breach.aware_at or breach.people_told_at > now + timedelta(minutes=5):
            raise ValidationFailed(
                "The people affected are told after becoming aware of the breach, and not in the future.",
                fields={"people_told_at": "Check."},
            )
        if not breach.people_told_how:
            raise ValidationFailed(
                "Say how the people affected were told (e.g. letter, email, public notice).",
                fields={"people_told_how": "Enter it."},
            )


def reported_late(breach: Breach) -> bool:
    return breach.reported_to_ico_at is not None and breach.reported_to_ico_at > report_by(breach)


def breach_by_id(*, agent: Agent, breach_id: int) -> Breach:
    require_privacy_role(agent)
    found = Breach.objects.filter(pk=breach_id).first()
    if found is None:
        raise NotFound("There is no breach with that number.")
    return found
