"""Keeping each case's service-level clocks: read from its events, stored, attainment recorded,
checks scheduled for the soonest due time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from patron.cases.models import Case, CaseEvent, EventKind
from patron.cases.services import DerivedEvent, clear_due_times, record_events, set_due_times
from patron.customers.models import Adjustment
from patron.db import (
    PreparedInsert,
    PreparedQuery,
    PreparedRows,
    PreparedSave,
    PreparedSQL,
    enqueue_on_commit,
    hold_advisory_lock,
    remember_related_of,
)
from patron.standards import configuration
from patron.standards.business_time import Schedule
from patron.standards.clocks import CALENDAR_TIME, CaseHistory, ClockReading, Target, readings
from patron.standards.models import CaseWake, RuleFiring, ScheduledCheck, SlaClock, SlaPolicy
from patron.standards.queries import schedule_of
from patron.standards.services.rules import DueFiring, due_rule_moments, fire, fired_rules


@dataclass(frozen=True)
class _Plan:
    """A new case's clocks as read before it was written, and the standards they were read under."""

    config: configuration.Configuration
    now: datetime
    policy: SlaPolicy | None
    schedule: Schedule
    readings: list[ClockReading]


_PLAN = "_service_level_plan"


def plan_service_levels(cases: Sequence[Case]) -> None:
    """Before new cases are written: read each one's clocks and give it its due time, so the
    case is stored with it rather than written again. The readings stay with the case (as it
    is in memory) for `sync_service_levels`, which stores the clocks once the case has a key."""
    config = configuration.current()
    now = timezone.now()
    for case in cases:
        policy: SlaPolicy | None = None
        schedule, readings = CALENDAR_TIME, []
        if config.policies:
            facts = _facts_in_memory(case)
            policy = matching_policy(config.policies, facts)
            schedule = _schedule_for(policy, facts, config.team_schedules)
            readings = _readings_for(policy, CaseHistory(opened_at=case.created_at), schedule, now)
            case.due_at = _soonest_running_due(readings)
        vars(case)[_PLAN] = _Plan(config, now, policy, schedule, readings)


def _plans_of(cases: Sequence[Case]) -> dict[int, _Plan]:
    """The plans read before these cases were written, taken from them (each is used once)."""
    plans = {case.pk: vars(case).pop(_PLAN, None) for case in cases}
    return {case_id: plan for case_id, plan in plans.items() if isinstance(plan, _Plan)}


def _soonest_running_due(readings: Sequence[ClockReading]) -> datetime | None:
    # The case shows its soonest due time, overdue ones included, so the most urgent sort first.
    return min((r.due_at for r in readings if r.running and r.due_at), default=None)


def sync_service_levels(cases: Sequence[Case], *, now: datetime | None = None, opened: bool = False) -> list[SlaClock]:
    """Recompute the clocks of these cases from their events and store the readings: the policy
    that applies now, due times, pauses, and each target met or breached, recorded once as a
    case event; then fire the escalation rules that are due and note when each case must be read
    again. Safe to run any number of times. Returns the stored clocks.

    With `opened`, the cases were all just opened (in memory, with their customer): they have no
    history, clocks or firings yet, so none is read, and the readings `plan_service_levels` took
    before they were written are stored as they are."""
    if not cases:
        return []
    case_ids = [case.pk for case in cases]
    plans = _plans_of(cases) if opened else {}
    first_plan = next(iter(plans.values()), None)
    # Cases read just before they were written, in this transaction, are stored as read then,
    # under the standards of then: a change of standards since reaches them as it reaches every
    # running case (`read_open_cases_again`, in the background).
    config = first_plan.config if first_plan else configuration.current()
    now = now or (first_plan.now if first_plan else timezone.now())
    policies, rules, team_calendars = config.policies, config.rules, config.team_schedules
    if not policies and not rules:
        # A desk without standards: a new case has no clocks, due time or wake-up time, and a
        # changed one keeps none it had from standards since removed.
        if not opened or len(plans) != len(cases):
            _forget_service_levels(case_ids)
        for case in cases:
            case.due_at = None
        remember_related_of("sla_clocks", [(case, []) for case in cases])
        return []
    if opened:
        facts = {case.pk: _facts_in_memory(case) for case in cases}
        histories = {case.pk: CaseHistory(opened_at=case.created_at) for case in cases}
        fired: set[tuple[int, int, str]] = set()
        existing: dict[tuple[int, str], SlaClock] = {}
    elif len(case_ids) == 1:
        # One case changed (an agent's reply, note or change): the same reads, prepared.
        facts, histories, fired, existing = _read_one_case(case_ids[0], with_firings=bool(rules))
    else:
        facts = {row["id"]: row for row in Case.objects.filter(pk__in=case_ids).values(*_FACTS)}
        histories = case_histories(facts)
        fired = fired_rules(case_ids) if rules else set()
        existing = {(clock.case_id, clock.target): clock for clock in SlaClock.objects.filter(case_id__in=case_ids)}
    to_create: list[SlaClock] = []
    to_update: list[SlaClock] = []
    unchanged: list[SlaClock] = []
    keep: set[tuple[int, str]] = set()
    due_by_case: dict[int, datetime | None] = {}
    wake_by_case: dict[int, datetime] = {}
    firings: list[DueFiring] = []
    attainments: list[DerivedEvent] = []
    for case_id, row in facts.items():
        plan = plans.get(case_id)
        if plan is not None and plan.config is config:
            policy, schedule, readings = plan.policy, plan.schedule, plan.readings
        else:
            policy = matching_policy(policies, row)
            schedule = _schedule_for(policy, row, team_calendars)
            readings = _readings_for(policy, histories[case_id], schedule, now)
        due_by_case[case_id] = _soonest_running_due(readings)
        # Only the due times still to run out need waking for.
        due_times = [r.due_at for r in readings if r.running and r.breached_at is None and r.due_at]
        rule_moments = due_rule_moments(
            rules,
            policy,
            readings,
            histories[case_id],
            schedule,
            now,
            extra_time=Adjustment.EXTRA_TIME in (row["customer__adjustments"] or ()),
        )
        firings.extend(
            DueFiring(rule, case_id, moment.cycle)
            for rule, moment in rule_moments
            if moment.at <= now and (rule.pk, case_id, moment.cycle) not in fired
        )
        upcoming = due_times + [
            moment.at
            for rule, moment in rule_moments
            if moment.at > now and (rule.pk, case_id, moment.cycle) not in fired
        ]
        if upcoming:
            wake_by_case[case_id] = min(upcoming)
        for reading in readings:
            key = (case_id, reading.target)
            keep.add(key)
            stored = existing.get(key)
            attained = _attainment(case_id, reading, stored, policy)
            if attained is not None:
                attainments.append(attained)
            clock = stored or SlaClock(case_id=case_id, target=reading.target)
            before = _clock_values(clock) if stored else None
            _fill(clock, reading, policy, now)
            if stored is None:
                to_create.append(clock)
            elif _clock_values(clock) != before:
                to_update.append(clock)
            else:
                unchanged.append(clock)
    with transaction.atomic(savepoint=False):
        record_events(attainments)
        _INSERT_CLOCKS(to_create)
        # One prepared UPDATE a clock: `bulk_update`'s single UPDATE, with a CASE over every row
        # for each column, took five times as long for 60 clocks on SQLite.
        _SAVE_CLOCKS(to_update)
        stale = [clock.pk for key, clock in existing.items() if key not in keep]
        if stale:
            SlaClock.objects.filter(pk__in=stale).delete()
        set_due_times(due_by_case={k: v for k, v in due_by_case.items() if v != facts[k]["due_at"]})
        clocks_by_case: dict[int, list[SlaClock]] = {case_id: [] for case_id in case_ids}
        for clock in to_create + to_update + unchanged:
            clocks_by_case[clock.case_id].append(clock)
        for case in cases:
            case.due_at = due_by_case.get(case.pk)
        if opened:
            # A fresh case's clocks are all here: whoever shows it next needs no query for them.
            remember_related_of("sla_clocks", [(case, clocks_by_case[case.pk]) for case in cases])
        _store_wake_times(case_ids, wake_by_case, replace=not opened)
        fire(firings, now=now)
    return to_create + to_update + unchanged


def _forget_service_levels(case_ids: Sequence[int]) -> None:
    """No standards apply: the cases keep no clocks, due time or wake-up time. Three indexed
    statements that nearly always find nothing, rather than reading each case's history."""
    SlaClock.objects.filter(case_id__in=case_ids).delete()
    CaseWake.objects.filter(case_id__in=case_ids).delete()
    clear_due_times(case_ids)


def _clock_values(clock: SlaClock) -> tuple[Any, ...]:
    """What a reading stores, except when it was read: a clock whose values are all the same
    (stopped, paused or met) is not written again."""
    return tuple(
        getattr(clock, f"{name}_id" if name == "policy" else name) for name in _CLOCK_FIELDS if name != "read_at"
    )


_FACTS = (
    "id",
    "due_at",
    "kind",
    "priority",
    "channel",
    "category",
    "team_id",
    "status",
    "created_at",
    "customer__kind",
    "customer__organisation_id",
    "customer__adjustments",
)


def _facts_in_memory(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "due_at": case.due_at,
        "kind": case.kind,
        "priority": case.priority,
        "channel": case.channel,
        "category": case.category,
        "team_id": case.team_id,
        "status": case.status,
        "created_at": case.created_at,
        "customer__kind": case.customer.kind,
        "customer__organisation_id": case.customer.organisation_id,
        "customer__adjustments": case.customer.adjustments,
    }


def _store_wake_times(case_ids: Sequence[int], wake_by_case: Mapping[int, datetime], *, replace: bool) -> None:
    if replace and len(case_ids) == 1:
        # One changed case (an agent's every action): one prepared statement, not the ORM's two.
        (case_id,) = case_ids
        wake_at = wake_by_case.get(case_id)
        if wake_at is None:
            _FORGET_WAKE.run(case_id)
        else:
            _SET_WAKE.run(case_id, connection.ops.adapt_datetimefield_value(wake_at))
    else:
        if replace:
            CaseWake.objects.filter(case_id__in=case_ids).delete()
        _INSERT_WAKES([CaseWake(case_id=case_id, wake_at=at) for case_id, at in wake_by_case.items()])
    if wake_by_case:
        ensure_check_by(min(wake_by_case.values()))


_WAKES, _WAKE_CASE, _WAKE_AT = (
    CaseWake._meta.db_table,
    CaseWake._meta.get_field("case").column,
    CaseWake._meta.get_field("wake_at").column,
)
# The case's one wake-up time, set or moved (its case column is unique).
_SET_WAKE = PreparedSQL(
    f"INSERT INTO {_WAKES} ({_WAKE_CASE}, {_WAKE_AT}) VALUES (%s, %s) "  # noqa: S608 - names from the model
    f"ON CONFLICT ({_WAKE_CASE}) DO UPDATE SET {_WAKE_AT} = excluded.{_WAKE_AT}"
)
_FORGET_WAKE = PreparedSQL(f"DELETE FROM {_WAKES} WHERE {_WAKE_CASE} = %s")  # noqa: S608 - names from the model


# Every case opened on a desk with service levels makes its clocks and its wake-up time.
_INSERT_CLOCKS = PreparedInsert(SlaClock)
_INSERT_WAKES = PreparedInsert(CaseWake)

_CLOCK_FIELDS = [
    "policy",
    "target_minutes",
    "cycle_started_at",
    "used_seconds",
    "running",
    "due_at",
    "met_at",
    "breached_at",
    "read_at",
]
_SAVE_CLOCKS = PreparedSave(SlaClock, _CLOCK_FIELDS)

_HISTORY_EVENTS = (
    EventKind.OPENED,
    EventKind.STATUS_CHANGED,
    EventKind.REOPENED,
    EventKind.REPLIED,
    EventKind.MESSAGE_RECEIVED,
    EventKind.CONTACT_LOGGED,
)


def case_histories(facts: Mapping[int, Mapping[str, Any]]) -> dict[int, CaseHistory]:
    """Each case's history as the clocks read it, from its events: one query for all."""
    # Ordered by case first, so the database walks its (case, time) index rather than sorting.
    rows = (
        CaseEvent.objects.filter(case_id__in=list(facts), kind__in=_HISTORY_EVENTS)
        .order_by("case_id", "created_at", "id")
        .values_list("case_id", "kind", "created_at", "data")
    )
    return _histories(facts, rows)


def _histories(
    facts: Mapping[int, Mapping[str, Any]], rows: Iterable[tuple[int, str, datetime, dict[str, Any]]]
) -> dict[int, CaseHistory]:
    changes: dict[int, list[tuple[datetime, str]]] = {case_id: [] for case_id in facts}
    responses: dict[int, list[datetime]] = {case_id: [] for case_id in facts}
    messages: dict[int, list[datetime]] = {case_id: [] for case_id in facts}
    for case_id, kind, at, data in rows:
        if kind in (EventKind.STATUS_CHANGED, EventKind.REOPENED):
            changes[case_id].append((at, data.get("after", "")))
        elif kind == EventKind.REPLIED or (kind == EventKind.CONTACT_LOGGED and data.get("outbound")):
            responses[case_id].append(at)
        elif kind in (EventKind.MESSAGE_RECEIVED, EventKind.CONTACT_LOGGED):
            messages[case_id].append(at)
    return {
        case_id: CaseHistory(
            opened_at=row["created_at"],
            status_changes=tuple(changes[case_id]),
            responses=tuple(responses[case_id]),
            customer_messages=tuple(messages[case_id]),
        )
        for case_id, row in facts.items()
    }


def _read_one_case(
    case_id: int, *, with_firings: bool
) -> tuple[
    dict[int, dict[str, Any]], dict[int, CaseHistory], set[tuple[int, int, str]], dict[tuple[int, str], SlaClock]
]:
    """A changed case's facts, history, rules fired and clocks, as `sync_service_levels` reads
    them for many cases, with statements prepared once."""
    facts = {row[0]: dict(zip(_FACTS, row, strict=True)) for row in _FACTS_OF(case_id=case_id)}
    histories = _histories(facts, _HISTORY_OF(case_id=case_id))
    fired = {(rule_id, case_id, cycle) for rule_id, cycle in _FIRED_OF(case_id=case_id)} if with_firings else set()
    existing = {(clock.case_id, clock.target): clock for clock in _CLOCKS_OF(case_id=case_id)}
    return facts, histories, fired, existing


_FACTS_OF = PreparedRows(lambda case_id: Case.objects.filter(pk=case_id).values_list(*_FACTS))
_HISTORY_OF = PreparedRows(
    lambda case_id: (
        CaseEvent.objects.filter(case_id=case_id, kind__in=_HISTORY_EVENTS)
        .order_by("created_at", "id")
        .values_list("case_id", "kind", "created_at", "data")
    )
)
_FIRED_OF = PreparedRows(lambda case_id: RuleFiring.objects.filter(case_id=case_id).values_list("rule_id", "cycle"))
_CLOCKS_OF = PreparedQuery(lambda case_id: SlaClock.objects.filter(case_id=case_id).order_by())


def matching_policy(policies: Sequence[SlaPolicy], facts: Mapping[str, Any]) -> SlaPolicy | None:
    """The first policy, in order, whose every condition the case meets."""
    for policy in policies:
        if (
            (not policy.kinds or facts["kind"] in policy.kinds)
            and (not policy.priorities or facts["priority"] in policy.priorities)
            and (not policy.channels or facts["channel"] in policy.channels)
            and (not policy.customer_kinds or facts["customer__kind"] in policy.customer_kinds)
            and (not policy.organisation_ids or facts["customer__organisation_id"] in policy.organisation_ids)
            and (not policy.categories or facts["category"] in policy.categories)
        ):
            return policy
    return None


def _schedule_for(
    policy: SlaPolicy | None, facts: Mapping[str, Any], team_calendars: Mapping[int, Schedule]
) -> Schedule:
    """The team's calendar; else the policy's calendar for teams without one; else every hour
    counts. A policy in calendar time counts every hour whatever the team."""
    if policy is not None and not policy.business_hours:
        return CALENDAR_TIME
    team_schedule = team_calendars.get(facts["team_id"])
    if team_schedule is not None:
        return team_schedule
    if policy is not None and policy.fallback_calendar is not None:
        return schedule_of(policy.fallback_calendar)
    return CALENDAR_TIME


def _readings_for(
    policy: SlaPolicy | None, history: CaseHistory, schedule: Schedule, now: datetime
) -> list[ClockReading]:
    if policy is None:
        return []
    targets = [
        (target, timedelta(minutes=minutes))
        for target, minutes in (
            (Target.FIRST_RESPONSE, policy.first_response_minutes),
            (Target.NEXT_RESPONSE, policy.next_response_minutes),
            (Target.RESOLUTION, policy.resolution_minutes),
        )
        if minutes
    ]
    return readings(targets=targets, history=history, schedule=schedule, now=now)


def _attainment(
    case_id: int, reading: ClockReading, stored: SlaClock | None, policy: SlaPolicy | None
) -> DerivedEvent | None:
    """The event to record for this reading, if any: one per outcome of each cycle of a target,
    breached when it ran out, met when it was answered or resolved in time."""
    same_cycle = stored is not None and stored.cycle_started_at == reading.cycle_started_at
    if reading.breached_at is not None and not (same_cycle and stored and stored.breached_at is not None):
        kind, at = EventKind.TARGET_BREACHED, reading.breached_at
    elif reading.met_at is not None and reading.breached_at is None and not (same_cycle and stored and stored.met_at):
        kind, at = EventKind.TARGET_MET, reading.met_at
    else:
        # Most readings: a clock still running.
        return None
    data = {
        "target": reading.target,
        "policy": policy.name if policy else None,
        "cycle_started_at": reading.cycle_started_at.isoformat(),
        "target_minutes": reading.target_time.total_seconds() / 60,
        "used_minutes": round(reading.used.total_seconds() / 60, 2),
    }
    return DerivedEvent(case=Case(pk=case_id), kind=kind, at=at, data=data)


def _fill(clock: SlaClock, reading: ClockReading, policy: SlaPolicy | None, now: datetime) -> None:
    clock.policy = policy
    clock.target_minutes = int(reading.target_time.total_seconds() // 60)
    clock.cycle_started_at = reading.cycle_started_at
    clock.used_seconds = reading.used.total_seconds()
    clock.running = reading.running
    clock.due_at = reading.due_at
    clock.met_at = reading.met_at
    clock.breached_at = reading.breached_at
    clock.read_at = now


def ensure_check_by(moment: datetime) -> None:
    """Keep the rule: a check is scheduled at or before the soonest due time. A second added
    to the due time makes sure the target has run out when the check looks. Call it in the
    transaction that stored the wake-up time."""
    run_at = moment + timedelta(seconds=1)
    _take_turns_with_the_check(exclusive=False)
    if _check_scheduled_by(run_at):
        return
    _, created = ScheduledCheck.objects.get_or_create(run_at=run_at)
    if created:
        from patron.standards.tasks import check_due_clocks

        enqueue_on_commit(check_due_clocks.using(run_after=run_at), run_at=run_at.isoformat())


def _check_scheduled_by(moment: datetime) -> bool:
    # Asked for every case whose clocks run, nearly always answered yes: one indexed statement,
    # not the ORM's building of it.
    return bool(_SCHEDULED_BY.rows(connection.ops.adapt_datetimefield_value(moment)))


_SCHEDULED_BY = PreparedSQL(
    f"SELECT 1 FROM {ScheduledCheck._meta.db_table} "  # noqa: S608 - names from the model, not input
    f"WHERE {ScheduledCheck._meta.get_field('run_at').column} <= %s LIMIT 1"
)


def check_due_clocks_now(*, now: datetime | None = None, batch: int = 500) -> int:
    """Read again every case whose wake-up time has passed (what the scheduled check runs): due
    times that ran out, rules due to fire. Then schedule the next check. Returns how many cases
    were read."""
    now = now or timezone.now()
    ScheduledCheck.objects.filter(run_at__lte=now).delete()
    due_cases = list(
        CaseWake.objects.filter(wake_at__lte=now).order_by("wake_at").values_list("case_id", flat=True)[:batch]
    )
    sync_service_levels([Case(pk=case_id) for case_id in due_cases], now=now)
    with transaction.atomic():
        _take_turns_with_the_check(exclusive=True)
        upcoming = now if len(due_cases) == batch else CaseWake.objects.aggregate(soonest=Min("wake_at"))["soonest"]
        if upcoming is not None:
            ensure_check_by(upcoming)
    return len(due_cases)


# Any fixed number: the advisory lock by which the check and the writers of wake-up times take
# turns on PostgreSQL.
_SCHEDULE_LOCK = 7_270_102


def _take_turns_with_the_check(*, exclusive: bool) -> None:
    """Until the transaction ends, keep the check from looking for the next wake-up time while a
    writer is between storing one and committing (PostgreSQL; SQLite runs one writer at a time).
    Otherwise a writer could find the check about to be removed still scheduled and add none,
    while the check, not yet seeing the writer's wake-up time, scheduled no check for it. Writers
    share the lock among themselves; only the check waits for them, and they for it."""
    hold_advisory_lock(_SCHEDULE_LOCK, shared=not exclusive)


def read_open_cases_again(*, batch: int = 500) -> int:
    """Read every open case's service levels again, a batch at a time: after calendars,
    policies or rules change, running clocks follow the new standards without waiting for each
    case to change. Returns how many cases were read."""
    read = 0
    last_id = 0
    open_cases = Case.objects.exclude(status__in=["resolved", "closed"]).order_by("id")
    while True:
        ids = list(open_cases.filter(id__gt=last_id).values_list("id", flat=True)[:batch])
        if not ids:
            return read
        with transaction.atomic():
            sync_service_levels([Case(pk=case_id) for case_id in ids])
        read += len(ids)
        last_id = ids[-1]
