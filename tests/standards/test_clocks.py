from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from patron.standards.business_time import Schedule, parse_weekly_hours
from patron.standards.clocks import CALENDAR_TIME, CaseHistory, Target, read_clock
from patron.standards.holidays_uk import Region, bank_holidays

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
H = timedelta(hours=1)
OFFICE = Schedule(
    zone=ZoneInfo("Europe/London"),
    weekly=parse_weekly_hours({d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}),
    closed_dates=bank_holidays(Region.ENGLAND_AND_WALES),
)


def read(
    target: str, history: CaseHistory, now: datetime, target_time: timedelta = 4 * H, schedule: Schedule = CALENDAR_TIME
):  # type: ignore[no-untyped-def]
    return read_clock(target=target, target_time=target_time, history=history, schedule=schedule, now=now)


def test_first_response_running_then_met() -> None:
    history = CaseHistory(opened_at=T0)
    running = read(Target.FIRST_RESPONSE, history, T0 + H)
    assert (running.running, running.used, running.due_at, running.met_at) == (True, H, T0 + 4 * H, None)
    answered = CaseHistory(opened_at=T0, responses=(T0 + 2 * H,), status_changes=((T0 + 2 * H, "open"),))
    met = read(Target.FIRST_RESPONSE, answered, T0 + 10 * H)
    assert (met.running, met.used, met.met_at, met.breached_at) == (False, 2 * H, T0 + 2 * H, None)


def test_breach_moment_is_when_the_target_ran_out() -> None:
    reading = read(Target.FIRST_RESPONSE, CaseHistory(opened_at=T0), T0 + 6 * H)
    assert (reading.breached_at, reading.due_at, reading.used) == (T0 + 4 * H, T0 + 4 * H, 6 * H)


def test_clock_pauses_while_awaiting_the_customer() -> None:
    history = CaseHistory(
        opened_at=T0, responses=(T0 + H,), status_changes=((T0 + H, "awaiting_customer"), (T0 + 5 * H, "open"))
    )
    paused = read(Target.RESOLUTION, history, T0 + 3 * H)
    assert (paused.running, paused.paused, paused.used, paused.due_at) == (False, True, H, None)
    resumed = read(Target.RESOLUTION, history, T0 + 6 * H)
    assert (resumed.running, resumed.used, resumed.due_at) == (True, 2 * H, T0 + 8 * H)


def test_resolution_met_when_resolved_and_resumes_on_reopen() -> None:
    resolved = CaseHistory(
        opened_at=T0, status_changes=((T0 + H, "open"), (T0 + 3 * H, "resolved"), (T0 + 4 * H, "closed"))
    )
    reading = read(Target.RESOLUTION, resolved, T0 + 9 * H)
    assert (reading.met_at, reading.used, reading.running) == (T0 + 3 * H, 3 * H, False)
    reopened = CaseHistory(opened_at=T0, status_changes=(*resolved.status_changes, (T0 + 8 * H, "open")))
    again = read(Target.RESOLUTION, reopened, T0 + 9 * H)
    assert (again.met_at, again.used, again.running, again.due_at) == (None, 4 * H, True, T0 + 9 * H)


def test_next_response_cycle_from_first_unanswered_message() -> None:
    history = CaseHistory(
        opened_at=T0, responses=(T0 + H, T0 + 5 * H), customer_messages=(T0 + 2 * H, T0 + 3 * H, T0 + 6 * H)
    )
    reading = read(Target.NEXT_RESPONSE, history, T0 + 7 * H)
    assert (reading.cycle_started_at, reading.used, reading.running) == (T0 + 6 * H, H, True)
    answered = CaseHistory(opened_at=T0, responses=(T0 + H, T0 + 5 * H), customer_messages=(T0 + 2 * H, T0 + 3 * H))
    done = read(Target.NEXT_RESPONSE, answered, T0 + 7 * H)
    assert (done.cycle_started_at, done.met_at, done.used) == (T0 + 2 * H, T0 + 5 * H, 3 * H)
    assert read(Target.NEXT_RESPONSE, CaseHistory(opened_at=T0), T0 + H) is None


def test_business_hours_clock_stops_overnight_and_at_weekends() -> None:
    friday_afternoon = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)
    reading = read(
        Target.FIRST_RESPONSE, CaseHistory(opened_at=friday_afternoon), friday_afternoon + H, schedule=OFFICE
    )
    assert reading.due_at == datetime(2026, 3, 9, 11, 0, tzinfo=UTC)
    weekend = read(
        Target.FIRST_RESPONSE,
        CaseHistory(opened_at=friday_afternoon),
        datetime(2026, 3, 8, 12, 0, tzinfo=UTC),
        schedule=OFFICE,
    )
    assert (weekend.used, weekend.due_at) == (2 * H, datetime(2026, 3, 9, 11, 0, tzinfo=UTC))


statuses = st.sampled_from(["open", "awaiting_customer", "awaiting_third_party", "resolved", "closed"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(min_value=1, max_value=600), statuses), max_size=8),
    st.integers(min_value=1, max_value=900),
    st.integers(min_value=30, max_value=600),
)
def test_reading_twice_or_later_is_consistent(changes: list[tuple[int, str]], now_minutes: int, target: int) -> None:
    """Recomputing gives the same reading, the clock never uses more than has elapsed, and a
    running clock's due time is exactly the remaining target away (or when it was breached)."""
    ordered = tuple(sorted((T0 + timedelta(minutes=m), s) for m, s in changes))
    history = CaseHistory(opened_at=T0, status_changes=ordered)
    now = T0 + timedelta(minutes=now_minutes)
    target_time = timedelta(minutes=target)
    first = read(Target.RESOLUTION, history, now, target_time)
    assert first == read(Target.RESOLUTION, history, now, target_time)
    assert ZERO_OR_MORE(first.used)
    assert first.used <= now - T0
    if first.running:
        assert first.due_at == (first.breached_at or now + (target_time - first.used))
    if first.breached_at is not None:
        assert first.used > target_time
    later = read(Target.RESOLUTION, history, now + H, target_time)
    assert later.used >= first.used


def ZERO_OR_MORE(value: timedelta) -> bool:  # noqa: N802
    return value >= timedelta(0)
