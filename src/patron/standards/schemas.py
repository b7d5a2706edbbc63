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
