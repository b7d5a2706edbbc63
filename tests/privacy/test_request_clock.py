"""The subject-request clock: it starts on receipt, or on receipt of the identity evidence or
fee reasonably asked for; it stops while clarification is sought and the due date moves on by
the days it stood; due dates on the organisation's bank holidays move to the next working day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from patron.privacy.clocks import Pause, StartWait, breach_report_by, request_clock
from patron.privacy.rights import bank_holiday_division, is_working_day, why_not_working


def test_received_31_january_is_due_the_last_day_of_february_then_the_next_working_day() -> None:
    clock = request_clock(received_on=date(2026, 1, 31), why_closed=why_not_working)
    assert (clock.started_on, clock.due_on) == (date(2026, 1, 31), date(2026, 3, 2))
    assert clock.rule == (
        "One calendar month from 31 Jan 2026 (receipt of the request) is 28 Feb 2026, the last day of February, "
        "which has no 31st; that is a Saturday, so the next working day, 2 Mar 2026."
    )


def test_identity_evidence_received_before_the_request_does_not_move_the_start() -> None:
    # The evidence came the day before the request itself: the month runs from the request.
    clock = request_clock(
        received_on=date(2026, 1, 31),
        waits=[StartWait("the identity evidence asked for", date(2026, 1, 30))],
        why_closed=why_not_working,
    )
    assert (clock.started_on, clock.due_on) == (date(2026, 1, 31), date(2026, 3, 2))
    assert "(receipt of the request)" in clock.rule


def test_identity_evidence_received_on_31_january_starts_the_month_then() -> None:
    waiting = request_clock(
        received_on=date(2025, 12, 30),
        waits=[StartWait("the identity evidence asked for", None)],
        why_closed=why_not_working,
    )
    assert (waiting.started_on, waiting.due_on) == (None, None)
    assert waiting.rule == "The clock has not started: waiting for the identity evidence asked for."

    arrived = request_clock(
        received_on=date(2025, 12, 30),
        waits=[StartWait("the identity evidence asked for", date(2026, 1, 31))],
        why_closed=why_not_working,
    )
    # Not 30 January (a month from the request): a full month from the evidence.
    assert (arrived.started_on, arrived.due_on) == (date(2026, 1, 31), date(2026, 3, 2))
    assert "from 31 Jan 2026 (receipt of the identity evidence asked for)" in arrived.rule


def test_the_latest_of_identity_and_fee_starts_the_clock() -> None:
    clock = request_clock(
        received_on=date(2026, 3, 2),
        waits=[StartWait("the identity evidence asked for", date(2026, 3, 9)), StartWait("the fee asked for", None)],
        why_closed=why_not_working,
    )
    assert clock.started_on is None
    assert clock.rule == "The clock has not started: waiting for the fee asked for."
    paid = request_clock(
        received_on=date(2026, 3, 2),
        waits=[
            StartWait("the identity evidence asked for", date(2026, 3, 9)),
            StartWait("the fee asked for", date(2026, 3, 5)),
        ],
        why_closed=why_not_working,
    )
    assert (paid.started_on, paid.due_on) == (date(2026, 3, 9), date(2026, 4, 9))


def test_a_pause_over_the_month_end_moves_the_due_date_by_the_paused_days() -> None:
    # Received 31 January: 28 February before any pause. Clarification asked on 26 February,
    # answered on 3 March: stopped 5 days, so 5 March. Restarting a full month from the reply
    # instead would give 3 April, Good Friday, then Easter Monday: Tuesday 7 April.
    pause = Pause(asked_on=date(2026, 2, 26), answered_on=date(2026, 3, 3))
    clock = request_clock(received_on=date(2026, 1, 31), pauses=[pause], why_closed=why_not_working)
    assert (clock.due_on, clock.paused_days, clock.due_if_restarted) == (date(2026, 3, 5), 5, date(2026, 4, 7))
    assert "plus 5 days stopped for clarification, 5 Mar 2026." in clock.rule


def test_while_clarification_is_awaited_there_is_no_due_date() -> None:
    clock = request_clock(
        received_on=date(2026, 1, 31),
        pauses=[Pause(date(2026, 2, 10), date(2026, 2, 12)), Pause(date(2026, 2, 20), None)],
        why_closed=why_not_working,
    )
    assert (clock.due_on, clock.paused_since, clock.paused_days) == (None, date(2026, 2, 20), 2)
    assert clock.rule.endswith("the clock is stopped since 20 Feb 2026, waiting for clarification.")


def test_pauses_before_the_clock_started_are_not_counted() -> None:
    clock = request_clock(
        received_on=date(2026, 3, 2),
        waits=[StartWait("the identity evidence asked for", date(2026, 3, 16))],
        pauses=[Pause(date(2026, 3, 3), date(2026, 3, 10))],
        why_closed=why_not_working,
    )
    assert (clock.due_on, clock.paused_days) == (date(2026, 4, 16), 0)


def test_an_extension_counts_three_months_from_the_start_plus_the_pauses() -> None:
    clock = request_clock(
        received_on=date(2026, 1, 31),
        pauses=[Pause(date(2026, 2, 2), date(2026, 2, 4))],
        months=3,
        why_closed=why_not_working,
    )
    # 30 April (no 31st) plus 2 days: Saturday 2 May, then the early May bank holiday is Monday 4th.
    assert clock.due_on == date(2026, 5, 5)
    assert clock.rule.startswith("Three calendar months (extended) from 31 Jan 2026")


@pytest.mark.parametrize(
    ("received", "division", "due", "why"),
    [
        # St Andrew's Day, Monday 30 November 2026: Scotland only.
        (date(2026, 10, 30), "england-and-wales", date(2026, 11, 30), None),
        (date(2026, 10, 30), "scotland", date(2026, 12, 1), "Saint Andrew's Day, a bank holiday in Scotland"),
        # St Patrick's Day, Tuesday 17 March 2026: Northern Ireland only.
        (date(2026, 2, 17), "england-and-wales", date(2026, 3, 17), None),
        (date(2026, 2, 17), "northern-ireland", date(2026, 3, 18), "Saint Patrick's Day"),
        # Easter Monday, 6 April 2026: not a bank holiday in Scotland.
        (date(2026, 3, 6), "england-and-wales", date(2026, 4, 7), "Easter Monday"),
        (date(2026, 3, 6), "scotland", date(2026, 4, 6), None),
        (date(2026, 3, 6), "none", date(2026, 4, 6), None),
    ],
)
def test_the_organisations_division_decides_the_working_days(
    received: date, division: str, due: date, why: str | None
) -> None:
    with override_settings(PATRON_BANK_HOLIDAYS=division):
        clock = request_clock(received_on=received, why_closed=why_not_working)
    assert clock.due_on == due
    if why is None:
        assert "next working day" not in clock.rule
    else:
        assert why in clock.rule


def test_is_working_day_follows_the_setting_unless_a_division_is_named() -> None:
    st_andrews = date(2026, 11, 30)
    with override_settings(PATRON_BANK_HOLIDAYS="scotland"):
        assert bank_holiday_division() == "scotland"
        assert not is_working_day(st_andrews)
        assert is_working_day(st_andrews, "england-and-wales")
    assert is_working_day(st_andrews)


def test_an_unknown_division_is_a_configuration_error() -> None:
    with override_settings(PATRON_BANK_HOLIDAYS="wales"), pytest.raises(ImproperlyConfigured, match="wales"):
        is_working_day(date(2026, 3, 17))


def test_72_hours_are_added_to_the_instant_not_the_wall_clock() -> None:
    london = ZoneInfo("Europe/London")
    # 10:15 BST on Friday 23 October 2026; the clocks go back early on Sunday 25th.
    aware = datetime(2026, 10, 23, 10, 15, tzinfo=london)
    assert breach_report_by(aware) == datetime(2026, 10, 26, 9, 15, tzinfo=london)
