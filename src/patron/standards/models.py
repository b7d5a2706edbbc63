"""Business calendars: when a team is open, in its time zone, with its nation's bank holidays
and its own closures."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.accounts.models import Team
from patron.db import TimestampedModel
from patron.standards.holidays_uk import Region


def office_hours() -> dict[str, list[list[str]]]:
    return {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


class BusinessCalendar(TimestampedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/London")
    region = models.CharField(
        _("bank holidays of"), max_length=20, choices=Region.choices, default=Region.ENGLAND_AND_WALES
    )
    weekly_hours = models.JSONField(_("weekly opening hours"), default=office_hours)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Closure(models.Model):
    """A period the desk is closed beyond its weekly hours and bank holidays: Christmas Eve
    afternoon, a staff training day."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="closures")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="closure_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.calendar}: {self.reason or 'closed'}"


class TeamCalendar(models.Model):
    """The calendar a team's service standards are measured in."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="calendar_link")
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="team_links")

    def __str__(self) -> str:
        return f"{self.team} uses {self.calendar}"
