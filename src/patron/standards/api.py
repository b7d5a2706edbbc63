"""The calendars API, with the business-time arithmetic for integrations."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpRequest
from ninja import Router
from ninja import Status as Created

from patron.accounts.queries import acting_agent, team_by_key
from patron.errors import NotFound, ValidationFailed
from patron.sentinels import UNSET
from patron.standards import queries, services
from patron.standards.business_time import NoOpenTime, add_business_time, business_time_between
from patron.standards.models import BusinessCalendar, ServiceAlert, SlaPolicy
from patron.standards.priorities import priority_values
from patron.standards.schemas import (
    AddIn,
    AlertOut,
    BetweenIn,
    CalendarIn,
    CalendarOut,
    CalendarPatch,
    DueOut,
    MinutesOut,
    PolicyIn,
    PolicyOrderIn,
    PolicyOut,
    PolicyPatch,
    TeamCalendarIn,
)

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


@router.put("/teams/{team}/calendar", response=CalendarOut)
def set_team_calendar(request: HttpRequest, team: str, body: TeamCalendarIn) -> BusinessCalendar:
    """Which calendar a team's service targets are measured in."""
    found = team_by_key(team)
    if found is None:
        raise ValidationFailed(f"There is no team “{team}”.")
    calendar = queries.calendar_by_id(body.calendar_id)
    services.set_team_calendar(team=found, calendar=calendar, by=acting_agent(request.user))
    return calendar


@router.get("/sla-policies", response=list[PolicyOut])
def list_policies(request: HttpRequest) -> list[SlaPolicy]:
    """Every policy in the order they are tried; the first that matches a case applies."""
    return list(queries.list_policies())


@router.post("/sla-policies", response={201: PolicyOut})
def create_policy(request: HttpRequest, body: PolicyIn) -> Created[SlaPolicy]:
    details = services.PolicyDetails(
        name=body.name,
        is_active=body.is_active,
        kinds=body.kinds,
        priorities=priority_values(body.priorities),
        channels=body.channels,
        customer_kinds=body.customer_kinds,
        organisation_ids=body.organisation_ids,
        categories=body.categories,
        first_response_minutes=body.first_response_minutes,
        next_response_minutes=body.next_response_minutes,
        resolution_minutes=body.resolution_minutes,
        business_hours=body.business_hours,
        fallback_calendar=_calendar_or_none(body.fallback_calendar_id),
    )
    return Created(201, services.create_policy(details=details, by=acting_agent(request.user)))


@router.post("/sla-policies/order", response=list[PolicyOut])
def order_policies(request: HttpRequest, body: PolicyOrderIn) -> list[SlaPolicy]:
    """Set the order policies are tried in: send every policy's id once."""
    return services.order_policies(policy_ids=body.ids, by=acting_agent(request.user))


@router.patch("/sla-policies/{policy_id}", response=PolicyOut)
def update_policy(request: HttpRequest, policy_id: int, body: PolicyPatch) -> SlaPolicy:
    sent = body.model_fields_set
    details = services.PolicyDetails(
        name=body.name,
        is_active=body.is_active,
        kinds=body.kinds,
        priorities=None if body.priorities is None else priority_values(body.priorities),
        channels=body.channels,
        customer_kinds=body.customer_kinds,
        organisation_ids=body.organisation_ids,
        categories=body.categories,
        first_response_minutes=body.first_response_minutes if "first_response_minutes" in sent else UNSET,
        next_response_minutes=body.next_response_minutes if "next_response_minutes" in sent else UNSET,
        resolution_minutes=body.resolution_minutes if "resolution_minutes" in sent else UNSET,
        business_hours=body.business_hours,
        fallback_calendar=_calendar_or_none(body.fallback_calendar_id) if "fallback_calendar_id" in sent else UNSET,
    )
    return services.update_policy(
        policy=queries.policy_by_id(policy_id),
        details=details,
        by=acting_agent(request.user),
        expected_version=body.version,
    )


def _calendar_or_none(calendar_id: int | None) -> BusinessCalendar | None:
    if calendar_id is None:
        return None
    try:
        return queries.calendar_by_id(calendar_id)
    except NotFound as error:
        raise ValidationFailed(f"There is no calendar with id {calendar_id}.") from error


@router.get("/alerts", response=list[AlertOut])
def list_alerts(request: HttpRequest, unread: bool = True) -> list[ServiceAlert]:
    """The service alerts sent to you by escalation rules, newest first (unread only unless
    `unread=false`)."""
    return queries.alerts_of(acting_agent(request.user).pk, unread_only=unread)
