"""Template helpers of the agent UI: times shown in the desk's time zone."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

FORMATS = {
    "full": "j M Y, H:i",
    "date": "j M Y",
}


@register.simple_tag
def local_time(value: datetime | None, style: str = "full") -> SafeString | str:
    """A <time> element: machine-readable with its offset, shown in the desk's time zone
    (Europe/London unless PATRON_TIME_ZONE says otherwise)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>',
        local.isoformat(timespec="seconds"),
        format_date(local, FORMATS.get(style, FORMATS["full"])),
    )


@register.filter
def duration_words(value: timedelta | None) -> str:
    """A wait as people say it: “1 hour”, “30 minutes”."""
    if value is None:
        return _("a while")
    minutes = max(1, round(value.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
