"""Business-time arithmetic: adding and measuring time that only runs while a desk is open.

Pure functions over a `Schedule` (no database), exact to the microsecond across clock
changes, bank holidays, weekends, closures and split opening hours. Opening hours are local
wall-clock times in the schedule's zone, turned into UTC instants one day at a time, so a
day the clocks go forward is an hour shorter and the day they go back an hour longer.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A calendar with no open time at all would make `add_business_time` search for ever.
SEARCH_LIMIT_DAYS = 366 * 10
ZERO = timedelta(0)

Interval = tuple[datetime, datetime]
# Opening hours of one weekday: (start, end) local times; end None means midnight at the day's end.
DayHours = tuple[tuple[time, time | None], ...]


class NoOpenTime(ValueError):
    """The schedule is never open in the period searched."""


@dataclass(frozen=True, eq=False)
class Schedule:
    """When a desk is open. `weekly[0]` is Monday. `closed_dates` are whole local days off (bank
    holidays); `closures` are extra closed periods as aware datetimes, e.g. an afternoon."""

    zone: ZoneInfo
    weekly: tuple[DayHours, ...]
    closed_dates: Container[date] = frozenset()
    closures: tuple[Interval, ...] = ()
    _days: dict[date, tuple[Interval, ...]] = field(default_factory=dict, repr=False)
    # Running totals of open time, one per day from `_anchor`: prefix[i] is the open time from the
    # start of day `_anchor + i` back to the start of `_anchor`. They turn measuring into a
    # subtraction and adding into a binary search, whatever the distance.
    _prefix: list[timedelta] = field(default_factory=list, repr=False)
    _anchor: list[date] = field(default_factory=list, repr=False)
    # Open time before recent moments: a case's clocks measure from its opening and up to now
    # for each target, and add from the same two moments. Valid until the anchor moves back.
    _before: dict[datetime, timedelta] = field(default_factory=dict, repr=False)
    # One schedule serves every thread of a server: moving the anchor back renumbers the totals,
    # and nothing may read them half renumbered, or remember a figure from before.
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("A week has seven days of opening hours, Monday first.")
        merged = _merge(sorted((start.astimezone(UTC), end.astimezone(UTC)) for start, end in self.closures))
        object.__setattr__(self, "closures", tuple(merged))

    def open_intervals(self, day: date) -> tuple[Interval, ...]:
        """The open periods of one local day, as UTC instants, in order, closures removed."""
        cached = self._days.get(day)
        if cached is None:
            cached = self._compute_day(day)
            if len(self._days) > 20_000:
                self._days.clear()
            self._days[day] = cached
        return cached

    def day_total(self, day: date) -> timedelta:
        return sum((end - start for start, end in self.open_intervals(day)), ZERO)

    def open_time_before(self, moment: datetime) -> timedelta:
        """Open time from the schedule's anchor day up to `moment` (may be negative before it)."""
        with self._lock:
            known = self._before.get(moment)
            if known is not None:
                return known
            day = moment.astimezone(self.zone).date()
            index = self._index(day)
            within = ZERO
            for start, end in self.open_intervals(day):
                if start >= moment:
                    break
                within += min(end, moment) - start
            if len(self._before) > 4_096:
                self._before.clear()
            before = self._before[moment] = self._prefix[index] + within
            return before

    def open_time_between(self, earlier: datetime, later: datetime) -> timedelta:
        """Open time from `earlier` to `later`, both read against the same running totals."""
        with self._lock:
            # The earlier moment first: reaching back may move the anchor day, which would make a
            # figure taken before it incomparable.
            before_earlier = self.open_time_before(earlier)
            return self.open_time_before(later) - before_earlier

    def moment_after(self, start: datetime, duration: timedelta) -> datetime:
        """The moment when the open time since the anchor reaches open_time_before(start) + duration."""
        with self._lock:
            goal = self.open_time_before(start) + duration
            first = self._index(start.astimezone(self.zone).date())
            limit = first + SEARCH_LIMIT_DAYS
            while self._prefix[-1] < goal:
                if len(self._prefix) > limit + 1:
                    raise NoOpenTime(
                        f"The calendar is not open at all in the {SEARCH_LIMIT_DAYS} days after {start.isoformat()}."
                    )
                self._extend_forward(64)
            day_index = bisect_left(self._prefix, goal, lo=first + 1) - 1
            remaining = goal - self._prefix[day_index]
            day = self._anchor[0] + timedelta(days=day_index)
        for opens, closes in self.open_intervals(day):
            length = closes - opens
            if remaining <= length:
                return opens + remaining
            remaining -= length
        raise AssertionError("running totals and open periods disagree")  # pragma: no cover

    def _index(self, day: date) -> int:
        if not self._anchor:
            self._anchor.append(day)
            self._prefix.append(ZERO)
        while day < self._anchor[0]:
            self._extend_backward(64)
        index = (day - self._anchor[0]).days
        while len(self._prefix) <= index + 1:
            self._extend_forward(max(64, index + 2 - len(self._prefix)))
        return index

    def _extend_forward(self, days: int) -> None:
        day = self._anchor[0] + timedelta(days=len(self._prefix) - 1)
        for _ in range(days):
            self._prefix.append(self._prefix[-1] + self.day_total(day))
            day += timedelta(days=1)

    def _extend_backward(self, days: int) -> None:
        new_anchor = self._anchor[0] - timedelta(days=days)
        totals = [self.day_total(new_anchor + timedelta(days=n)) for n in range(days)]
        earlier = [ZERO]
        for total in totals:
            earlier.append(earlier[-1] + total)
        shift = earlier[-1]
        self._prefix[:] = earlier[:-1] + [value + shift for value in self._prefix]
        self._anchor[0] = new_anchor
        self._before.clear()

    def is_open(self, moment: datetime) -> bool:
        local_day = moment.astimezone(self.zone).date()
        return any(start <= moment < end for start, end in self.open_intervals(local_day))

    def _compute_day(self, day: date) -> tuple[Interval, ...]:
        if day in self.closed_dates:
            return ()
        intervals: list[Interval] = []
        for opens, closes in self.weekly[day.weekday()]:
            wall_start = datetime.combine(day, opens)  # noqa: DTZ001 - a wall-clock time, placed by _wall_to_utc
            wall_end = datetime.combine(day + timedelta(days=1) if closes is None else day, closes or time(0))  # noqa: DTZ001
            for start, end in _wall_to_utc(wall_start, wall_end, self.zone):
                intervals.extend(_subtract(start, end, self.closures))
        return tuple(_merge(intervals))

    def intervals_from(self, moment: datetime, *, until_day: date | None = None) -> Iterator[Interval]:
        """Open periods at or after `moment` (clipped to start there), in order."""
        day = moment.astimezone(self.zone).date()
        last = until_day or day + timedelta(days=SEARCH_LIMIT_DAYS)
        while day <= last:
            for start, end in self.open_intervals(day):
                if end > moment:
                    yield (max(start, moment), end)
            day += timedelta(days=1)


def add_business_time(start: datetime, duration: timedelta, schedule: Schedule) -> datetime:
    """The moment `duration` of open time after `start`. A result at the very end of an open
    period is the closing time itself (due at 17:00), never the next opening."""
    _require_aware(start)
    if duration < ZERO:
        raise ValueError("A duration to add cannot be negative.")
    if duration == ZERO:
        return start
    return schedule.moment_after(_in_utc(start), duration)


def business_time_between(start: datetime, end: datetime, schedule: Schedule) -> timedelta:
    """Open time from `start` to `end`; negative when `end` is before `start`."""
    _require_aware(start)
    _require_aware(end)
    earlier, later = _in_utc(start), _in_utc(end)
    if later < earlier:
        earlier, later = later, earlier
    measured = schedule.open_time_between(earlier, later)
    return measured if end >= start else -measured


def parse_weekly_hours(hours: dict[str, Sequence[Sequence[str]]]) -> tuple[DayHours, ...]:
    """Weekly hours as people write them, `{"mon": [["09:00", "17:00"]], …}`, checked: times as
    HH:MM, "24:00" for midnight at the end of the day, each period starting before it ends and
    none overlapping. A day left out is closed."""
    unknown = sorted(set(hours) - set(WEEKDAYS))
    if unknown:
        raise ValueError(f"Unknown day {', '.join(unknown)}; use {', '.join(WEEKDAYS)}.")
    week: list[DayHours] = []
    for name in WEEKDAYS:
        periods: list[tuple[time, time | None]] = []
        for period in hours.get(name, []):
            if len(period) != 2:
                raise ValueError(f'Each period on {name} needs a start and an end, like ["09:00", "17:00"].')
            opens = _parse_time(period[0], name)
            closes = None if period[1] == "24:00" else _parse_time(period[1], name)
            if closes is not None and closes <= opens:
                raise ValueError(f"On {name}, {period[0]}–{period[1]} ends before it starts.")
            periods.append((opens, closes))
        periods.sort(key=lambda item: item[0])
        for (_, first_end), (second_start, _) in zip(periods, periods[1:], strict=False):
            if first_end is None or first_end > second_start:
                raise ValueError(f"The opening periods on {name} overlap.")
        week.append(tuple(periods))
    return tuple(week)


def format_weekly_hours(week: Sequence[DayHours]) -> dict[str, list[list[str]]]:
    return {
        name: [
            [opens.strftime("%H:%M"), "24:00" if closes is None else closes.strftime("%H:%M")] for opens, closes in day
        ]
        for name, day in zip(WEEKDAYS, week, strict=True)
        if day
    }


def _parse_time(text: str, day: str) -> time:
    try:
        parsed = datetime.strptime(text, "%H:%M").time()  # noqa: DTZ007 - a wall-clock time, no date
    except (TypeError, ValueError) as error:
        raise ValueError(f"“{text}” on {day} is not a time like 09:00.") from error
    return parsed


def _wall_to_utc(wall_start: datetime, wall_end: datetime, zone: ZoneInfo) -> list[Interval]:
    """The instants at which a wall clock in `zone` reads from `wall_start` up to `wall_end`.
    Usually one period; when the clocks go forward, times in the skipped hour never happen, and
    when they go back, the repeated hour happens twice: open is whenever the clock on the wall
    says so."""
    pieces: list[Interval] = []
    for segment_start, segment_end, offset in _offset_segments(wall_start.date(), zone):
        low = max(segment_start, (wall_start - offset).replace(tzinfo=UTC))
        high = min(segment_end, (wall_end - offset).replace(tzinfo=UTC))
        if low < high:
            pieces.append((low, high))
    return _merge(pieces)


@lru_cache(maxsize=8192)
def _offset_segments(day: date, zone: ZoneInfo) -> tuple[tuple[datetime, datetime, timedelta], ...]:
    """Periods of constant UTC offset covering the day before `day` to the day after it."""
    window_start = datetime.combine(day - timedelta(days=1), time(0), tzinfo=UTC)
    window_end = window_start + timedelta(days=3)
    changes: list[datetime] = []
    previous = window_start
    while previous < window_end:
        following = min(previous + timedelta(hours=1), window_end)
        if _offset(previous, zone) != _offset(following, zone):
            changes.append(_first_instant_with_offset(previous, following, _offset(following, zone), zone))
        previous = following
    bounds = [window_start, *changes, window_end]
    return tuple((begin, end, _offset(begin, zone)) for begin, end in zip(bounds, bounds[1:], strict=False))


def _offset(moment: datetime, zone: ZoneInfo) -> timedelta:
    offset = moment.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _first_instant_with_offset(low: datetime, high: datetime, offset: timedelta, zone: ZoneInfo) -> datetime:
    """Binary search, to the second, for when the offset changes between `low` and `high`."""
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if _offset(middle, zone) == offset:
            high = middle
        else:
            low = middle
    return high


def _in_utc(moment: datetime) -> datetime:
    """The moment in UTC. Most arrive in it already (from the database) and need no conversion,
    which the clocks of every case would otherwise pay for several times."""
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is UTC:
        return
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Business-time arithmetic needs aware datetimes (with a time zone).")


def _merge(intervals: Sequence[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in intervals:
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(start: datetime, end: datetime, closures: Sequence[Interval]) -> list[Interval]:
    pieces = [(start, end)]
    for closed_from, closed_to in closures:
        if closed_from >= end:
            break
        if closed_to <= start:
            continue
        next_pieces: list[Interval] = []
        for piece_start, piece_end in pieces:
            if closed_to <= piece_start or closed_from >= piece_end:
                next_pieces.append((piece_start, piece_end))
                continue
            if piece_start < closed_from:
                next_pieces.append((piece_start, closed_from))
            if closed_to < piece_end:
                next_pieces.append((closed_to, piece_end))
        pieces = next_pieces
    return pieces
