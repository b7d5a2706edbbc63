"""Every write to business calendars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction

from patron.accounts.models import Agent, Team
from patron.errors import Conflict, NotAllowed, ValidationFailed
from patron.privacy import audit
from patron.standards.business_time import format_weekly_hours, parse_weekly_hours
from patron.standards.holidays_uk import Region
from patron.standards.models import BusinessCalendar, Closure, TeamCalendar
from patron.text import clean_text


@dataclass(frozen=True)
class ClosureIn:
    starts_at: datetime
    ends_at: datetime
    reason: str = ""


@dataclass(frozen=True)
class CalendarDetails:
    """A calendar's settings; None leaves a field as it is on update."""

    name: str | None = None
    time_zone: str | None = None
    region: str | None = None
    weekly_hours: Mapping[str, Sequence[Sequence[str]]] | None = None
    closures: Sequence[ClosureIn] | None = None


def create_calendar(*, details: CalendarDetails, by: Agent) -> BusinessCalendar:
    require_manager(by)
    calendar = BusinessCalendar()
    with transaction.atomic():
        _apply(calendar, details, creating=True)
        calendar.save()
        if details.closures is not None:
            _replace_closures(calendar, details.closures)
        audit.record(actor=by, action="calendar_created", object_type="calendar", object_id=calendar.pk)
    return calendar


def update_calendar(
    *, calendar: BusinessCalendar, details: CalendarDetails, by: Agent, expected_version: int | None = None
) -> BusinessCalendar:
    require_manager(by)
    with transaction.atomic():
        current = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict("Someone else changed this calendar since you read it. Reload it and try again.")
        _apply(current, details, creating=False)
        current.version += 1
        current.save()
        if details.closures is not None:
            _replace_closures(current, details.closures)
        audit.record(actor=by, action="calendar_changed", object_type="calendar", object_id=current.pk)
    return current


def set_team_calendar(*, team: Team, calendar: BusinessCalendar, by: Agent) -> TeamCalendar:
    require_manager(by)
    link, _ = TeamCalendar.objects.update_or_create(team=team, defaults={"calendar": calendar})
    audit.record(
        actor=by, action="team_calendar_set", object_type="team", object_id=team.pk, data={"calendar": calendar.pk}
    )
    return link


def _apply(calendar: BusinessCalendar, details: CalendarDetails, *, creating: bool) -> None:
    if details.name is not None or creating:
        name = " ".join(clean_text(details.name or "").split())
        if not name:
            raise ValidationFailed("A calendar needs a name.", fields={"name": "Enter a name."})
        clash = BusinessCalendar.objects.filter(name=name).exclude(pk=calendar.pk).exists()
        if clash:
            raise ValidationFailed(f"A calendar called “{name}” already exists.", fields={"name": "Choose another."})
        calendar.name = name[:100]
    if details.time_zone is not None:
        try:
            ZoneInfo(details.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValidationFailed(
                f"“{details.time_zone}” is not a time zone, e.g. Europe/London.",
                fields={"time_zone": "Use a name from the time zone database."},
            ) from error
        calendar.time_zone = details.time_zone
    if details.region is not None:
        if details.region not in Region.values:
            raise ValidationFailed(
                f"“{details.region}” is not a region. Choose one of: {', '.join(Region.values)}.",
                fields={"region": "Not one of the choices."},
            )
        calendar.region = details.region
    if details.weekly_hours is not None:
        try:
            week = parse_weekly_hours(dict(details.weekly_hours))
        except ValueError as error:
            raise ValidationFailed(str(error), fields={"weekly_hours": str(error)}) from error
        calendar.weekly_hours = format_weekly_hours(week)


def _replace_closures(calendar: BusinessCalendar, closures: Sequence[ClosureIn]) -> None:
    rows: list[Closure] = []
    for closure in closures:
        for moment in (closure.starts_at, closure.ends_at):
            if moment.tzinfo is None:
                raise ValidationFailed("Give closure times with their time zone.", fields={"closures": "Add a zone."})
        if closure.ends_at <= closure.starts_at:
            raise ValidationFailed("A closure must end after it starts.", fields={"closures": "Check the times."})
        rows.append(
            Closure(
                calendar=calendar,
                starts_at=closure.starts_at,
                ends_at=closure.ends_at,
                reason=clean_text(closure.reason).strip()[:200],
            )
        )
    calendar.closures.all().delete()
    Closure.objects.bulk_create(rows)


def require_manager(by: Agent) -> None:
    if not (by.is_admin or by.role == "service_manager"):
        raise NotAllowed("Only a service manager or an administrator can change calendars.")
