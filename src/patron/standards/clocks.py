"""Service-level clocks, read from a case's history: how much of each target is used, when it
falls due, and whether it was met or breached.

Pure functions over the facts of one case (no database), so the same history always gives the
same reading: recomputing is safe at any time, twice is the same as once, and a change of
policy (say the priority went up) is a recomputation with other targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.standards.business_time import Schedule, add_business_time, business_time_between, parse_weekly_hours

ZERO = timedelta(0)
# While waiting on the customer or a third party the clocks stand still; once resolved or closed
# nothing more is owed until the case is reopened.
PAUSING_STATUSES = frozenset({"awaiting_customer", "awaiting_third_party"})
STOPPING_STATUSES = frozenset({"resolved", "closed"})

CALENDAR_TIME = Schedule(
    zone=ZoneInfo("UTC"),
    weekly=parse_weekly_hours({day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}),
)


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


@dataclass(frozen=True)
class CaseHistory:
    """What the clocks need to know about a case, in time order."""

    opened_at: datetime
    status_changes: tuple[tuple[datetime, str], ...] = ()
    responses: tuple[datetime, ...] = ()
    customer_messages: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class ClockReading:
    target: str
    target_time: timedelta
    cycle_started_at: datetime
    used: timedelta
    running: bool
    due_at: datetime | None
    met_at: datetime | None
    breached_at: datetime | None

    @property
    def paused(self) -> bool:
        return not self.running and self.met_at is None

    @property
    def used_fraction(self) -> float:
        return self.used / self.target_time if self.target_time else 0.0


def read_clock(
    *, target: str, target_time: timedelta, history: CaseHistory, schedule: Schedule, now: datetime
) -> ClockReading | None:
    """The reading of one target's clock at `now`; None when the target does not apply (no
    customer message is waiting for a next response). Only what happened by `now` counts."""
    return _read(target, target_time, _as_of(history, now), schedule, now)


def _read(
    target: str, target_time: timedelta, history: CaseHistory, schedule: Schedule, now: datetime
) -> ClockReading | None:
    if target == Target.FIRST_RESPONSE:
        met_at = history.responses[0] if history.responses else None
        return _measure(target, target_time, history.opened_at, met_at, history, schedule, now)
    if target == Target.RESOLUTION:
        current = status_at(history, now)
        met_at = entered_status_at(history, STOPPING_STATUSES) if current in STOPPING_STATUSES else None
        return _measure(target, target_time, history.opened_at, met_at, history, schedule, now)
    if target == Target.NEXT_RESPONSE:
        cycle = _next_response_cycle(history)
        if cycle is None:
            return None
        started, met_at = cycle
        return _measure(target, target_time, started, met_at, history, schedule, now)
    raise ValueError(f"Unknown target {target}.")


def _measure(
    target: str,
    target_time: timedelta,
    start: datetime,
    met_at: datetime | None,
    history: CaseHistory,
    schedule: Schedule,
    now: datetime,
) -> ClockReading:
    end = met_at or now
    used = ZERO
    breached_at: datetime | None = None
    running_since: datetime | None = None
    for segment_start, segment_end, status in _segments(history, start, end):
        if status in PAUSING_STATUSES or status in STOPPING_STATUSES:
            running_since = None
            continue
        length = business_time_between(segment_start, segment_end, schedule)
        if breached_at is None and used + length > target_time:
            breached_at = add_business_time(segment_start, target_time - used, schedule)
        used += length
        running_since = segment_start
    running = (
        met_at is None
        and running_since is not None
        and status_at(history, now) not in (PAUSING_STATUSES | STOPPING_STATUSES)
    )
    due_at: datetime | None = None
    if running:
        due_at = breached_at or add_business_time(now, target_time - used, schedule)
    return ClockReading(
        target=target,
        target_time=target_time,
        cycle_started_at=start,
        used=used,
        running=running,
        due_at=due_at,
        met_at=met_at,
        breached_at=breached_at,
    )


def _as_of(history: CaseHistory, now: datetime) -> CaseHistory:
    latest = max(
        (
            *history.status_changes[-1:],
            *((at, "") for at in history.responses[-1:]),
            *((at, "") for at in history.customer_messages[-1:]),
        ),
        default=None,
    )
    if latest is None or latest[0] <= now:
        return history
    return CaseHistory(
        opened_at=history.opened_at,
        status_changes=tuple(change for change in history.status_changes if change[0] <= now),
        responses=tuple(at for at in history.responses if at <= now),
        customer_messages=tuple(at for at in history.customer_messages if at <= now),
    )


def _segments(history: CaseHistory, start: datetime, end: datetime) -> list[tuple[datetime, datetime, str]]:
    """The periods from `start` to `end` with the status the case had in each."""
    status = "new"
    points: list[tuple[datetime, str]] = []
    for at, new_status in history.status_changes:
        if at <= start:
            status = new_status
        elif at < end:
            points.append((at, new_status))
    segments = []
    cursor = start
    for at, new_status in points:
        if at > cursor:
            segments.append((cursor, at, status))
        cursor, status = max(cursor, at), new_status
    if end > cursor:
        segments.append((cursor, end, status))
    return segments


def status_at(history: CaseHistory, moment: datetime) -> str:
    status = "new"
    for at, new_status in history.status_changes:
        if at <= moment:
            status = new_status
    return status


def entered_status_at(history: CaseHistory, statuses: frozenset[str]) -> datetime | None:
    """When the case last entered one of `statuses` and has stayed in them since."""
    entered: datetime | None = None
    for at, new_status in history.status_changes:
        if new_status not in statuses:
            entered = None
        elif entered is None:
            entered = at
    return entered


def _next_response_cycle(history: CaseHistory) -> tuple[datetime, datetime | None] | None:
    """The latest customer message after the first response, with the response that answered
    it (None while it waits). Messages sent before an answer form one cycle, from the first."""
    if not history.responses:
        return None
    first_response = min(history.responses)
    moments = sorted(
        [(at, 0) for at in history.customer_messages if at > first_response]
        + [(at, 1) for at in history.responses if at > first_response]
    )
    cycle: tuple[datetime, datetime | None] | None = None
    waiting_since: datetime | None = None
    for at, is_response in moments:
        if not is_response:
            waiting_since = waiting_since or at
            cycle = (waiting_since, None)
        elif waiting_since is not None:
            cycle = (waiting_since, at)
            waiting_since = None
    return cycle


def readings(
    *, targets: Sequence[tuple[str, timedelta]], history: CaseHistory, schedule: Schedule, now: datetime
) -> list[ClockReading]:
    current = _as_of(history, now)
    found = [_read(t, d, current, schedule, now) for t, d in targets]
    return [reading for reading in found if reading is not None]
