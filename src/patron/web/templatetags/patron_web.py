"""Template helpers of the agent UI: times shown in the desk's time zone, and form fields."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django import template
from django.forms import BoundField
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import conditional_escape, format_html
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


# A running target with less than this left shows as due soon.
DUE_SOON = timedelta(hours=1)


@register.simple_tag
def due_badge(due_at: datetime | None) -> SafeString | str:
    """When a case is next due, with its state in words as well as colour: overdue, due soon
    or due."""
    if due_at is None:
        return ""
    now = timezone.now()
    if due_at <= now:
        state, label = "overdue", _("Overdue")
    elif due_at - now <= DUE_SOON:
        state, label = "due-soon", _("Due soon")
    else:
        state, label = "due", _("Due")
    return format_html('<span class="badge badge--{}">{}</span> {}', state, label, local_time(due_at))


TARGET_LABELS = {
    "first_response": _("First response"),
    "next_response": _("Next response"),
    "resolution": _("Resolution"),
}
STATE_LABELS = {"running": _("Running"), "paused": _("Paused"), "met": _("Met"), "breached": _("Breached")}


@register.filter
def target_label(target: str) -> str:
    return str(TARGET_LABELS.get(target, target))


@register.filter
def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


@register.filter
def minutes_words(minutes: float | int | None) -> str:
    """A target or time used as people say it: “4 hours”, “2 hours 30 minutes”, “3 days”
    (a day is 24 hours of the clock)."""
    if minutes is None:
        return ""
    total = round(float(minutes))
    days, rest = divmod(total, 60 * 24)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if mins or not parts:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", mins) % {"n": mins})
    return " ".join(parts)


@register.filter
def seconds_words(seconds: float | None) -> str:
    return minutes_words(None if seconds is None else float(seconds) / 60)


@register.filter
def item(mapping: Mapping[Any, Any] | None, key: object) -> Any:
    """`mapping[key]` in a template, or None when it is not there."""
    return mapping.get(key) if mapping is not None else None


@register.simple_tag
def field(bound: BoundField, inline: bool = False, **options: str) -> SafeString:
    """A form field with its label, hint and error, marked up for the desk's styles and for
    screen readers (the hint and error are tied to the input by id). Written in Python rather
    than as an included template: the case page draws dozens of fields, and each include cost
    more than the widget it wrapped."""
    if bound.is_hidden:
        return SafeString(str(bound))
    checkbox = bound.widget_type == "checkbox"
    classes = " ".join(
        name
        for name in (
            "field",
            "field--error" if bound.errors else "",
            "field--checkbox" if checkbox else "",
            options.get("class", ""),
        )
        if name
    )
    notes = _hint_and_error(bound)
    if bound.use_fieldset:
        described = bound.aria_describedby
        described_by = format_html(' aria-describedby="{}"', described) if described else ""
        inner = format_html(
            '<fieldset{}><legend>{}</legend>{}<div class="{}">{}</div></fieldset>',
            described_by,
            bound.label,
            notes,
            "choices choices--inline" if inline else "choices",
            str(bound),
        )
    elif checkbox:
        inner = format_html("{} {}{}", str(bound), bound.label_tag(), notes)
    else:
        inner = format_html("{}{}{}", bound.label_tag(), notes, str(bound))
    return format_html('<div class="{}">{}</div>', classes, inner)


def _hint_and_error(bound: BoundField) -> SafeString:
    parts = []
    if bound.help_text:
        parts.append(format_html('<p class="hint" id="{}_helptext">{}</p>', bound.auto_id, bound.help_text))
    if bound.errors:
        parts.append(
            format_html(
                '<p class="field-error" id="{}_error"><span class="visually-hidden">Error:</span> {}</p>',
                bound.auto_id,
                " ".join(conditional_escape(str(error)) for error in bound.errors),
            )
        )
    return SafeString("".join(parts))
