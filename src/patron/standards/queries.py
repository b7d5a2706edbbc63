"""Reads of calendars, and the `Schedule` the arithmetic runs on."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet

from patron.db import PreparedQuery
from patron.errors import NotFound
from patron.standards.business_time import Schedule, parse_weekly_hours
from patron.standards.holidays_uk import bank_holidays
from patron.standards.models import BusinessCalendar, Closure, ServiceAlert, SlaClock, SlaPolicy

# Schedules by (calendar id, version, last change): building one parses hours and closures, so it is kept
# while the calendar is unchanged; a change bumps the version and so a new schedule is built.
_schedules: dict[tuple[int, int, str], Schedule] = {}


def list_calendars() -> QuerySet[BusinessCalendar]:
    return BusinessCalendar.objects.prefetch_related(
        Prefetch("closures", queryset=Closure.objects.order_by("starts_at"))
    ).order_by("name")


def calendar_by_id(calendar_id: int) -> BusinessCalendar:
    calendar = list_calendars().filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound("There is no calendar with that number.")
    return calendar


def schedule_of(calendar: BusinessCalendar) -> Schedule:
    key = (calendar.pk, calendar.version, calendar.updated_at.isoformat())
    schedule = _schedules.get(key)
    if schedule is None:
        schedule = build_schedule(calendar)
        if len(_schedules) > 1000:
            _schedules.clear()
        _schedules[key] = schedule
    return schedule


def build_schedule(calendar: BusinessCalendar) -> Schedule:
    return Schedule(
        zone=ZoneInfo(calendar.time_zone),
        weekly=parse_weekly_hours(calendar.weekly_hours),
        closed_dates=bank_holidays(calendar.region),
        closures=tuple((closure.starts_at, closure.ends_at) for closure in calendar.closures.all()),
    )


def list_policies() -> QuerySet[SlaPolicy]:
    return SlaPolicy.objects.order_by("position", "id")


def policy_by_id(policy_id: int) -> SlaPolicy:
    policy = SlaPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise NotFound("There is no service level policy with that number.")
    return policy


# Every case page reads it: prepared once.
_CLOCKS_OF_CASE = PreparedQuery(lambda case_id: SlaClock.objects.filter(case_id=case_id).select_related("policy"))


def service_levels_of(case_id: int) -> list[SlaClock]:
    """A case's target clocks in the order of the service cycle, with their policy."""
    order = {"first_response": 0, "next_response": 1, "resolution": 2}
    clocks = _CLOCKS_OF_CASE(case_id=case_id)
    return sorted(clocks, key=lambda clock: order.get(clock.target, 9))


ALERTS_SHOWN = 5
# Every inbox page reads it: prepared once.
_UNREAD_ALERTS = PreparedQuery(
    lambda agent_id: ServiceAlert.objects.filter(agent_id=agent_id, read_at=None).order_by("-created_at", "-id")[
        :ALERTS_SHOWN
    ]
)


def unread_alerts(agent_id: int) -> list[ServiceAlert]:
    """The newest alerts an agent has not dealt with yet, as many as the inbox shows."""
    return _UNREAD_ALERTS(agent_id=agent_id)


def alerts_of(agent_id: int, *, unread_only: bool = True, limit: int = 200) -> list[ServiceAlert]:
    alerts = ServiceAlert.objects.filter(agent_id=agent_id)
    if unread_only:
        alerts = alerts.filter(read_at=None)
    return list(alerts.order_by("-created_at", "-id")[:limit])
