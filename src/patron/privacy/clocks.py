"""The statutory clocks of data protection, as pure date arithmetic.

- A subject request (access, rectification, erasure, restriction, portability, objection) is
  answered within one calendar month of receipt: the same date next month, or the last day of
  that month when it has no such date (received 31 January: due the last day of February); a
  due date on a weekend or bank holiday moves to the next working day. Extended for a complex
  request: three months from receipt, counted the same way. (DOMAIN.md §1.1, ICO guidance.)
- When identity evidence or a fee is reasonably asked for, the month runs from its receipt
  instead: until it arrives the clock has not started.
- While the controller waits for clarification of the request ("stop the clock", Data (Use and
  Access) Act 2025), the clock is paused; on the reply the due date moves on by the calendar
  days it was paused. The law does not settle whether it moves by the paused days or restarts a
  full month after the reply, so the restarted date is given beside it.
- A breach that is reportable is reported to the ICO within 72 hours of becoming aware of it:
  calendar hours, weekends included. (DOMAIN.md §1.5, UK GDPR art. 33.)"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from patron.dates import add_months

IsWorkingDay = Callable[[date], bool]
# Why a day is not a working day ("a Saturday", "Christmas Day, a bank holiday"), or None.
WhyClosed = Callable[[date], str | None]

BREACH_REPORT_WITHIN = timedelta(hours=72)
# Long enough to cross any run of weekends and bank holidays.
_ROLL_LIMIT = 30


def request_due_on(received_on: date, *, is_working_day: IsWorkingDay, months: int = 1) -> date:
    due = add_months(received_on, months)
    for _ in range(_ROLL_LIMIT):
        if is_working_day(due):
            return due
        due += timedelta(days=1)
    return due


def extended_due_on(received_on: date, *, is_working_day: IsWorkingDay) -> date:
    """Two more months for a complex request: three months from receipt."""
    return request_due_on(received_on, is_working_day=is_working_day, months=3)


@dataclass(frozen=True)
class StartWait:
    """Something reasonably asked for before the clock starts (identity evidence, a fee)."""

    what: str
    received_on: date | None


@dataclass(frozen=True)
class Pause:
    """The clock stopped while clarification was sought: from the day it was asked for to the
    day the reply came (None while still waited for)."""

    asked_on: date
    answered_on: date | None


@dataclass(frozen=True)
class RequestClock:
    started_on: date | None
    due_on: date | None
    paused_days: int
    paused_since: date | None
    # The other reading of "stop the clock": a full period again from the last reply.
    due_if_restarted: date | None
    rule: str


def request_clock(
    *,
    received_on: date,
    waits: Sequence[StartWait] = (),
    pauses: Sequence[Pause] = (),
    months: int = 1,
    why_closed: WhyClosed,
) -> RequestClock:
    """The clock of one request, with the rule applied in words."""
    period = "One calendar month" if months == 1 else f"{_number(months)} calendar months (extended)"
    outstanding = [wait.what for wait in waits if wait.received_on is None]
    if outstanding:
        rule = f"The clock has not started: waiting for {' and '.join(outstanding)}."
        return RequestClock(None, None, 0, None, None, rule)
    started_on, start_reason = received_on, "receipt of the request"
    for wait in waits:
        if wait.received_on is not None and wait.received_on > started_on:
            started_on, start_reason = wait.received_on, f"receipt of {wait.what}"
    counted = sorted((pause for pause in pauses if pause.asked_on >= started_on), key=lambda pause: pause.asked_on)
    paused_days = sum(((pause.answered_on - pause.asked_on).days for pause in counted if pause.answered_on), 0)
    opened = next((pause.asked_on for pause in counted if pause.answered_on is None), None)
    same_date = add_months(started_on, months)
    first = f"{period} from {_day(started_on)} ({start_reason}) is {_day(same_date)}"
    if same_date.day != started_on.day:
        month = calendar.month_name[same_date.month]
        first += f", the last day of {month}, which has no {_ordinal(started_on.day)}"
    parts = [first]
    if opened is not None:
        parts.append(f"the clock is stopped since {_day(opened)}, waiting for clarification")
        return RequestClock(started_on, None, paused_days, opened, None, _sentence(parts))
    shifted = same_date + timedelta(days=paused_days)
    if paused_days:
        parts.append(f"plus {_days(paused_days)} stopped for clarification, {_day(shifted)}")
    due, roll = _next_working_day(shifted, why_closed)
    if roll:
        parts.append(roll)
    restarted = None
    answered = [pause.answered_on for pause in counted if pause.answered_on is not None]
    if answered:
        restarted, _ = _next_working_day(add_months(max(answered), months), why_closed)
    return RequestClock(started_on, due, paused_days, None, restarted, _sentence(parts))


def _next_working_day(day: date, why_closed: WhyClosed) -> tuple[date, str]:
    """The day itself if it is a working day, else the next one, and the reason in words."""
    first_reason = why_closed(day)
    if first_reason is None:
        return day, ""
    due = day
    for _ in range(_ROLL_LIMIT):
        due += timedelta(days=1)
        if why_closed(due) is None:
            break
    return due, f"that is {first_reason}, so the next working day, {_day(due)}"


def _sentence(parts: list[str]) -> str:
    return "; ".join(parts) + "."


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _number(count: int) -> str:
    return {2: "Two", 3: "Three"}.get(count, str(count))


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def breach_report_by(aware_at: datetime) -> datetime:
    # Added in UTC: in a zone with a clock change, adding to the wall clock would be an hour out.
    return aware_at.astimezone(UTC) + BREACH_REPORT_WITHIN


def breach_report_rule(aware_at: datetime, *, local: Callable[[datetime], datetime]) -> str:
    """The 72-hour rule in words, with times shown by `local` (the desk's time zone). The hours
    are added to the instant, not to the wall clock: across a clock change the times shown
    differ by an hour."""
    due = breach_report_by(aware_at)
    return (
        f"72 hours from becoming aware at {_moment(local(aware_at))}: {_moment(local(due))}, counted in calendar "
        "hours (nights, weekends and bank holidays included)."
    )


def _moment(at: datetime) -> str:
    return f"{at:%H:%M} on {_day(at.date())}"
