from __future__ import annotations

import json
import random
import sys
import threading
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from patron.standards.business_time import (
    NoOpenTime,
    Schedule,
    add_business_time,
    business_time_between,
    format_weekly_hours,
    parse_weekly_hours,
)
from patron.standards.holidays_uk import Region, bank_holidays

LONDON = ZoneInfo("Europe/London")
GOVUK = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "uk-calendar"
    / "govuk"
    / ("bank-holidays_2012-2027_merged.json")
)

OFFICE = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
SPLIT = {
    "mon": [["08:00", "12:30"], ["13:30", "18:00"]],
    "tue": [["08:00", "12:30"], ["13:30", "18:00"]],
    "wed": [["10:00", "16:00"]],
    "thu": [["08:00", "18:00"]],
    "fri": [["08:00", "16:30"]],
    "sat": [["09:00", "13:00"]],
}
ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
NIGHT = {"mon": [["00:30", "02:30"], ["22:00", "24:00"]], "sun": [["01:00", "01:45"]]}


def schedule(
    hours: dict[str, list[list[str]]] = OFFICE,
    region: str = Region.ENGLAND_AND_WALES,
    closures: tuple[tuple[datetime, datetime], ...] = (),
) -> Schedule:
    return Schedule(
        zone=LONDON, weekly=parse_weekly_hours(hours), closed_dates=bank_holidays(region), closures=closures
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


# --- hand-checked cases -------------------------------------------------------------------------


def test_adding_within_a_day_and_over_a_weekend() -> None:
    office = schedule()
    assert add_business_time(at("2025-06-11 10:00"), timedelta(hours=2), office) == at("2025-06-11 12:00")
    assert add_business_time(at("2025-06-13 16:00"), timedelta(hours=2), office) == at("2025-06-16 10:00")
    assert add_business_time(at("2025-06-14 11:00"), timedelta(hours=1), office) == at("2025-06-16 10:00")


def test_due_exactly_at_closing_time_is_closing_time() -> None:
    assert add_business_time(at("2025-06-11 09:00"), timedelta(hours=8), schedule()) == at("2025-06-11 17:00")


def test_easter_good_friday_and_monday_closed_in_england_but_monday_open_in_scotland() -> None:
    # Easter 2025: Good Friday 18 April, Easter Monday 21 April.
    start = at("2025-04-17 16:00")
    assert add_business_time(start, timedelta(hours=2), schedule()) == at("2025-04-22 10:00")
    assert add_business_time(start, timedelta(hours=2), schedule(region=Region.SCOTLAND)) == at("2025-04-21 10:00")


def test_christmas_on_a_weekend_uses_substitute_days() -> None:
    # 2022: Christmas Sunday and Boxing Day Monday → bank holidays Mon 26 and Tue 27 December.
    due = add_business_time(at("2022-12-23 16:00"), timedelta(hours=2), schedule())
    assert due == at("2022-12-28 10:00")
    # 2021: Christmas Saturday, Boxing Day Sunday → Mon 27 and Tue 28.
    assert add_business_time(at("2021-12-24 16:30"), timedelta(hours=1), schedule()) == at("2021-12-29 09:30")


def test_scottish_second_of_january_and_st_andrews_day() -> None:
    scotland = schedule(region=Region.SCOTLAND)
    # 2025: 1 Jan Wednesday and 2 Jan Thursday are both off in Scotland; only the 1st in England.
    assert add_business_time(at("2024-12-31 16:00"), timedelta(hours=2), scotland) == at("2025-01-03 10:00")
    assert add_business_time(at("2024-12-31 16:00"), timedelta(hours=2), schedule()) == at("2025-01-02 10:00")
    # St Andrew's Day 2025 is Sunday 30 November → Monday 1 December off in Scotland.
    assert add_business_time(at("2025-11-28 16:00"), timedelta(hours=2), scotland) == at("2025-12-02 10:00")
    assert add_business_time(at("2025-11-28 16:00"), timedelta(hours=2), schedule()) == at("2025-12-01 10:00")


def test_northern_ireland_st_patricks_day_and_the_twelfth() -> None:
    ni = schedule(region=Region.NORTHERN_IRELAND)
    assert add_business_time(at("2025-03-14 16:00"), timedelta(hours=2), ni) == at("2025-03-18 10:00")
    assert add_business_time(at("2025-07-11 16:00"), timedelta(hours=2), ni) == at("2025-07-15 10:00")


def test_clock_change_days_are_23_and_25_hours_long() -> None:
    always = schedule(ALWAYS, region=Region.NONE)
    # 30 March 2025: clocks go forward at 01:00 GMT; 26 October 2025: back at 02:00 BST.
    assert business_time_between(at("2025-03-30 00:00"), at("2025-03-31 00:00"), always) == timedelta(hours=23)
    assert business_time_between(at("2025-10-26 00:00"), at("2025-10-27 00:00"), always) == timedelta(hours=25)
    assert add_business_time(at("2025-03-30 00:30"), timedelta(hours=1), always) == datetime(
        2025, 3, 30, 1, 30, tzinfo=UTC
    )


def test_office_hours_keep_their_wall_clock_across_the_change() -> None:
    office = schedule()
    # Friday 24 October 2025 (BST) 16:00 + 2h → Monday 27 October (GMT) 10:00 local.
    due = add_business_time(at("2025-10-24 16:00"), timedelta(hours=2), office)
    assert due == at("2025-10-27 10:00")
    assert due.astimezone(UTC).hour == 10


def test_split_hours_skip_the_lunch_break() -> None:
    split = schedule(SPLIT)
    assert add_business_time(at("2025-06-09 12:00"), timedelta(hours=1), split) == at("2025-06-09 14:00")
    assert business_time_between(at("2025-06-09 12:00"), at("2025-06-09 14:00"), split) == timedelta(hours=1)


def test_extra_closure_such_as_christmas_eve_afternoon() -> None:
    eve = (at("2025-12-24 12:30"), at("2025-12-24 17:00"))
    office = schedule(closures=(eve,))
    assert add_business_time(at("2025-12-24 11:30"), timedelta(hours=2), office) == at("2025-12-29 10:00")


def test_between_is_negative_when_reversed() -> None:
    office = schedule()
    assert business_time_between(at("2025-06-11 12:00"), at("2025-06-11 10:00"), office) == timedelta(hours=-2)


def test_measures_stay_right_when_an_earlier_moment_moves_the_running_totals_back() -> None:
    """Open time before a moment is remembered; reaching months further back renumbers the
    running totals, and what was remembered must not be used against the new numbers."""
    calendar = schedule()
    monday, friday = at("2025-06-02 09:00"), at("2025-06-06 17:00")
    assert business_time_between(monday, friday, calendar) == timedelta(hours=40)
    new_year = at("2025-01-02 09:00")

    assert business_time_between(new_year, friday, calendar) == (
        business_time_between(new_year, monday, calendar) + timedelta(hours=40)
    )
    assert business_time_between(monday, friday, calendar) == timedelta(hours=40)
    assert add_business_time(monday, timedelta(hours=40), calendar) == friday


def test_threads_sharing_one_schedule_get_the_answers_one_thread_would() -> None:
    """A server's threads share each calendar's schedule, and reaching further back renumbers its
    running totals while others read them. Threads are switched as often as possible here."""
    rng = random.Random(5)
    starts = [
        at("2025-12-01 09:00") - timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1440)) for _ in range(400)
    ]
    spans = [timedelta(minutes=rng.randint(1, 60 * 24 * 30)) for _ in starts]
    expected = [
        (business_time_between(a, a + d, schedule()), add_business_time(a, d, schedule()))
        for a, d in zip(starts, spans, strict=True)
    ]
    shared = schedule()
    answers: dict[int, tuple[timedelta, datetime]] = {}

    failures: list[Exception] = []

    def work(offset: int) -> None:
        try:
            for index in range(offset, len(starts), 4):
                start, span = starts[index], spans[index]
                answers[index] = (
                    business_time_between(start, start + span, shared),
                    add_business_time(start, span, shared),
                )
        except Exception as failure:  # noqa: BLE001 - reported below, beside the answers
            failures.append(failure)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(offset,)) for offset in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == []
    assert [answers[index] for index in range(len(starts))] == expected


def test_naive_datetimes_and_negative_durations_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_business_time(datetime(2025, 1, 1, 9), timedelta(hours=1), schedule())  # noqa: DTZ001
    with pytest.raises(ValueError, match="negative"):
        add_business_time(at("2025-01-06 09:00"), timedelta(hours=-1), schedule())


def test_a_calendar_never_open_is_reported() -> None:
    with pytest.raises(NoOpenTime):
        add_business_time(at("2025-01-06 09:00"), timedelta(minutes=1), schedule({}))


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"mon": [["17:00", "09:00"]]}, "ends before it starts"),
        ({"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}, "overlap"),
        ({"mon": [["9am", "5pm"]]}, "not a time like 09:00"),
        ({"funday": [["09:00", "17:00"]]}, "Unknown day funday"),
        ({"mon": [["09:00"]]}, "needs a start and an end"),
    ],
)
def test_bad_weekly_hours_are_refused_clearly(hours: dict[str, list[list[str]]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_weekly_hours(hours)


def test_weekly_hours_round_trip() -> None:
    assert format_weekly_hours(parse_weekly_hours(SPLIT)) == SPLIT
    assert format_weekly_hours(parse_weekly_hours(ALWAYS)) == ALWAYS


# --- the official GOV.UK feed -------------------------------------------------------------------

KNOWN_DIFFERENCES = {
    # Proclaimed after the pinned GOV.UK file was published (see shared/data/uk-calendar/README.md).
    ("scotland", date(2026, 6, 15)),
}


@pytest.mark.parametrize("region", [Region.ENGLAND_AND_WALES, Region.SCOTLAND, Region.NORTHERN_IRELAND])
def test_weekday_closures_match_the_govuk_feed_2012_to_2027(region: str) -> None:
    feed = json.loads(GOVUK.read_text())
    official = {date.fromisoformat(event["date"]) for event in feed[region]["events"]}
    office = schedule(region=region)
    ours = {
        day
        for day in (date(2012, 1, 1) + timedelta(days=n) for n in range((date(2027, 12, 31) - date(2012, 1, 1)).days))
        if day.weekday() < 5 and not office.open_intervals(day)
    }
    assert official <= ours | {d for r, d in KNOWN_DIFFERENCES if r == region}
    assert ours - official == {d for r, d in KNOWN_DIFFERENCES if r == region}


# --- laws ---------------------------------------------------------------------------------------

CALENDARS = {
    "office": schedule(),
    "split_scotland": schedule(SPLIT, region=Region.SCOTLAND),
    "always": schedule(ALWAYS, region=Region.NONE),
    "night_ni": schedule(NIGHT, region=Region.NORTHERN_IRELAND),
    "closures": schedule(
        closures=((at("2025-03-28 12:00"), at("2025-04-02 10:00")), (at("2025-10-24 15:00"), at("2025-10-27 11:15")))
    ),
}
moments = st.datetimes(
    min_value=datetime(2024, 12, 20),  # noqa: DTZ001
    max_value=datetime(2026, 1, 10),  # noqa: DTZ001
    timezones=st.just(UTC),
).map(lambda moment: moment.replace(microsecond=0))
durations = st.integers(min_value=1, max_value=60 * 24 * 20).map(lambda minutes: timedelta(minutes=minutes))
calendars = st.sampled_from(sorted(CALENDARS))


@settings(max_examples=300, deadline=None)
@given(calendars, moments, durations)
def test_adding_then_measuring_gives_back_the_duration(name: str, start: datetime, duration: timedelta) -> None:
    calendar = CALENDARS[name]
    due = add_business_time(start, duration, calendar)
    assert business_time_between(start, due, calendar) == duration


@settings(max_examples=300, deadline=None)
@given(calendars, moments, durations)
def test_a_due_time_never_falls_in_closed_time(name: str, start: datetime, duration: timedelta) -> None:
    calendar = CALENDARS[name]
    due = add_business_time(start, duration, calendar)
    local_days = [due.astimezone(LONDON).date() + timedelta(days=offset) for offset in (-1, 0)]
    assert any(opens < due <= closes for day in local_days for opens, closes in calendar.open_intervals(day))


@settings(max_examples=200, deadline=None)
@given(calendars, moments, durations, durations)
def test_adding_more_never_ends_earlier(name: str, start: datetime, first: timedelta, second: timedelta) -> None:
    calendar = CALENDARS[name]
    shorter, longer = sorted((first, second))
    assert add_business_time(start, shorter, calendar) <= add_business_time(start, longer, calendar)


@settings(max_examples=200, deadline=None)
@given(calendars, moments, moments, durations)
def test_starting_later_never_ends_earlier(name: str, one: datetime, two: datetime, duration: timedelta) -> None:
    calendar = CALENDARS[name]
    earlier, later = sorted((one, two))
    assert add_business_time(earlier, duration, calendar) <= add_business_time(later, duration, calendar)


@settings(max_examples=200, deadline=None)
@given(calendars, moments, moments, moments)
def test_measuring_adds_up_over_consecutive_periods(name: str, a: datetime, b: datetime, c: datetime) -> None:
    calendar = CALENDARS[name]
    first, middle, last = sorted((a, b, c))
    assert business_time_between(first, middle, calendar) + business_time_between(middle, last, calendar) == (
        business_time_between(first, last, calendar)
    )


def _open_by_rule(moment: datetime, hours: dict[str, list[list[str]]], region: str) -> bool:
    """An independent oracle: is the desk open at this minute, by reading the rules directly."""
    local = moment.astimezone(LONDON)
    if local.date() in bank_holidays(region):
        return False
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[local.weekday()]
    clock = local.time()
    for opens, closes in hours.get(day, []):
        end = time(23, 59, 59, 999999) if closes == "24:00" else time.fromisoformat(closes)
        if time.fromisoformat(opens) <= clock and (clock < end or closes == "24:00"):
            return True
    return False


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(
        [
            ("office", OFFICE, Region.ENGLAND_AND_WALES),
            ("split", SPLIT, Region.SCOTLAND),
            ("night", NIGHT, Region.NORTHERN_IRELAND),
            ("always", ALWAYS, Region.NONE),
        ]
    ),
    moments.map(lambda moment: moment.replace(second=0)),
    st.integers(min_value=0, max_value=60 * 24 * 4),
)
def test_measuring_agrees_with_counting_minutes(
    calendar: tuple[str, dict[str, list[list[str]]], str], start: datetime, minutes: int
) -> None:
    _, hours, region = calendar
    assume(start.year >= 2025)
    measured = business_time_between(start, start + timedelta(minutes=minutes), schedule(hours, region=region))
    counted = sum(_open_by_rule(start + timedelta(minutes=n), hours, region) for n in range(minutes))
    assert measured == timedelta(minutes=counted)
