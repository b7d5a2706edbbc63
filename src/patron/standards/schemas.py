"""What the API takes and gives for business calendars."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from patron.standards.holidays_uk import Region

WeeklyHours = dict[str, list[list[str]]]


class ClosureSchema(Schema):
    starts_at: datetime
    ends_at: datetime
    reason: str = Field("", max_length=200)


class CalendarIn(Schema):
    name: str = Field(max_length=100)
    time_zone: str = Field("Europe/London", max_length=64)
    region: Region = Region.ENGLAND_AND_WALES
    weekly_hours: WeeklyHours = Field(
        description='Open periods per day, e.g. {"mon": [["08:00", "12:30"], ["13:30", "18:00"]]}; '
        '"24:00" is midnight at the end of the day; a day left out is closed.'
    )
    closures: list[ClosureSchema] = Field(default_factory=list, max_length=500)


class CalendarPatch(Schema):
    version: int | None = None
    name: str | None = Field(None, max_length=100)
    time_zone: str | None = Field(None, max_length=64)
    region: Region | None = None
    weekly_hours: WeeklyHours | None = None
    closures: list[ClosureSchema] | None = Field(None, max_length=500)


class CalendarOut(Schema):
    id: int
    name: str
    time_zone: str
    region: Region
    weekly_hours: WeeklyHours
    closures: list[ClosureSchema]
    version: int

    @staticmethod
    def resolve_closures(calendar: object) -> list[object]:
        return list(calendar.closures.all())  # type: ignore[attr-defined]


class AddIn(Schema):
    start: datetime
    minutes: float = Field(ge=0, le=60 * 24 * 366 * 5)


class DueOut(Schema):
    due: datetime


class BetweenIn(Schema):
    start: datetime
    end: datetime


class MinutesOut(Schema):
    minutes: float


class PolicyIn(Schema):
    name: str = Field(max_length=100)
    is_active: bool = True
    kinds: list[str] = Field(default_factory=list, description="Case kinds it covers; empty for any.")
    priorities: list[str] = Field(default_factory=list, description="low, normal, high, urgent; empty for any.")
    channels: list[str] = Field(default_factory=list)
    customer_kinds: list[str] = Field(default_factory=list, description="external, internal; empty for both.")
    organisation_ids: list[int] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    business_hours: bool = Field(True, description="Count the team calendar's open hours only.")
    fallback_calendar_id: int | None = None


class PolicyPatch(Schema):
    version: int | None = None
    name: str | None = Field(None, max_length=100)
    is_active: bool | None = None
    kinds: list[str] | None = None
    priorities: list[str] | None = None
    channels: list[str] | None = None
    customer_kinds: list[str] | None = None
    organisation_ids: list[int] | None = None
    categories: list[str] | None = None
    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    business_hours: bool | None = None
    fallback_calendar_id: int | None = None


class PolicyOut(Schema):
    id: int
    name: str
    position: int
    is_active: bool
    kinds: list[str]
    priorities: list[str]
    channels: list[str]
    customer_kinds: list[str]
    organisation_ids: list[int]
    categories: list[str]
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    business_hours: bool
    fallback_calendar_id: int | None
    version: int

    @staticmethod
    def resolve_priorities(policy: object) -> list[str]:
        from patron.standards.priorities import priority_names

        return priority_names(policy.priorities)  # type: ignore[attr-defined]


class PolicyOrderIn(Schema):
    ids: list[int]


class TeamCalendarIn(Schema):
    calendar_id: int


class AlertOut(Schema):
    id: int
    case_reference: str
    text: str
    created_at: datetime
    read_at: datetime | None
