"""The statutory clocks of data protection, as pure date arithmetic.

- A subject request (access, rectification, erasure, restriction, portability, objection) is
  answered within one calendar month of receipt: the same date next month, or the last day of
  that month when it has no such date (received 31 January: due the last day of February); a
  due date on a weekend or bank holiday moves to the next working day. Extended for a complex
  request: three months from receipt, counted the same way. (DOMAIN.md §1.1, ICO guidance.)
- A breach that is reportable is reported to the ICO within 72 hours of becoming aware of it:
  calendar hours, weekends included. (DOMAIN.md §1.5, UK GDPR art. 33.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from patron.dates import add_months

IsWorkingDay = Callable[[date], bool]

BREACH_REPORT_WITHIN = timedelta(hours=72)


def request_due_on(received_on: date, *, is_working_day: IsWorkingDay, months: int = 1) -> date:
    due = add_months(received_on, months)
    for _ in range(30):
        if is_working_day(due):
            return due
        due += timedelta(days=1)
    return due


def extended_due_on(received_on: date, *, is_working_day: IsWorkingDay) -> date:
    """Two more months for a complex request: three months from receipt."""
    return request_due_on(received_on, is_working_day=is_working_day, months=3)


def breach_report_by(aware_at: datetime) -> datetime:
    return aware_at + BREACH_REPORT_WITHIN
