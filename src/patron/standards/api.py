"""The calendars API, with the business-time arithmetic for integrations."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpRequest
from ninja import Router
from ninja import Status as Created

from patron.accounts.queries import acting_agent
from patron.errors import ValidationFailed
from patron.standards import queries, services
from patron.standards.business_time import NoOpenTime, add_business_time, business_time_between
from patron.standards.models import BusinessCalendar
from patron.standards.schemas import AddIn, BetweenIn, CalendarIn, CalendarOut, CalendarPatch, DueOut, MinutesOut

router = Router(tags=["standards"])


@router.get("/calendars", response=list[CalendarOut])
def list_calendars(request: HttpRequest) -> list[BusinessCalendar]:
    return list(queries.list_calendars())


@router.post("/calendars", response={201: CalendarOut})
def create_calendar(request: HttpRequest, body: CalendarIn) -> Created[BusinessCalendar]:
    details = services.CalendarDetails(
        name=body.name,
        time_zone=body.time_zone,
        region=body.region,
        weekly_hours=body.weekly_hours,
        closures=[services.ClosureIn(c.starts_at, c.ends_at, c.reason) for c in body.closures],
    )
    calendar = services.create_calendar(details=details, by=acting_agent(request.user))
    return Created(201, queries.calendar_by_id(calendar.pk))


@router.get("/calendars/{calendar_id}", response=CalendarOut)
def get_calendar(request: HttpRequest, calendar_id: int) -> BusinessCalendar:
    return queries.calendar_by_id(calendar_id)


@router.patch("/calendars/{calendar_id}", response=CalendarOut)
def update_calendar(request: HttpRequest, calendar_id: int, body: CalendarPatch) -> BusinessCalendar:
    details = services.CalendarDetails(
        name=body.name,
        time_zone=body.time_zone,
        region=body.region,
        weekly_hours=body.weekly_hours,
        closures=None
        if body.closures is None
        else [services.ClosureIn(c.starts_at, c.ends_at, c.reason) for c in body.closures],
    )
    services.update_calendar(
        calendar=queries.calendar_by_id(calendar_id),
        details=details,
        by=acting_agent(request.user),
        expected_version=body.version,
    )
    return queries.calendar_by_id(calendar_id)


@router.post("/calendars/{calendar_id}/add", response=DueOut)
def add(request: HttpRequest, calendar_id: int, body: AddIn) -> dict[str, datetime]:
    """The moment `minutes` of open time after `start` (a due time)."""
    schedule = queries.schedule_of(queries.calendar_by_id(calendar_id))
    _require_aware(body.start)
    try:
        return {"due": add_business_time(body.start, timedelta(minutes=body.minutes), schedule)}
    except NoOpenTime as error:
        raise ValidationFailed(str(error)) from error


@router.post("/calendars/{calendar_id}/between", response=MinutesOut)
def between(request: HttpRequest, calendar_id: int, body: BetweenIn) -> dict[str, float]:
    """Minutes of open time from `start` to `end` (negative when `end` comes first)."""
    schedule = queries.schedule_of(queries.calendar_by_id(calendar_id))
    _require_aware(body.start)
    _require_aware(body.end)
    if abs(body.end - body.start) > timedelta(days=366 * 5):
        raise ValidationFailed("Measure at most five years at a time.")
    return {"minutes": business_time_between(body.start, body.end, schedule).total_seconds() / 60}


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValidationFailed("Give times with their time zone, e.g. 2026-03-02T09:00:00+00:00.")
