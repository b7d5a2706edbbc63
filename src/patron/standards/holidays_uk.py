"""The UK's bank holidays per nation, from the `holidays` package."""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    """The three divisions of the official GOV.UK bank-holiday feed; they differ (Scotland has
    2 January and St Andrew's Day and no Easter Monday; Northern Ireland has St Patrick's Day
    and the Battle of the Boyne)."""

    ENGLAND_AND_WALES = "england-and-wales", _("England and Wales")
    SCOTLAND = "scotland", _("Scotland")
    NORTHERN_IRELAND = "northern-ireland", _("Northern Ireland")
    NONE = "none", _("No public holidays")


_SUBDIVISION = {Region.ENGLAND_AND_WALES: "ENG", Region.SCOTLAND: "SCT", Region.NORTHERN_IRELAND: "NIR"}


@cache
def bank_holidays(region: str) -> holidays.HolidayBase | frozenset[date]:
    """The days off of a region, expanding to any year asked about. Includes the nominal date of
    a holiday that falls on a weekend as well as its substitute weekday."""
    subdivision = _SUBDIVISION.get(Region(region))
    if subdivision is None:
        return frozenset()
    return holidays.country_holidays("GB", subdiv=subdivision)
