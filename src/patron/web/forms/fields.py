"""What the agent UI's forms share: choices, sentences for a wrong choice, and a date-time
field in the desk's time zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patron.accounts.models import Agent, Team
from patron.cases.models import Channel
from patron.customers.models import Customer, CustomerKind

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

MAX_SEARCH = 200
LOGGED_CHANNEL_CHOICES = [(Channel.PHONE.value, Channel.PHONE.label), (Channel.FACE_TO_FACE.value, _("Face to face"))]
DIRECTION_CHOICES = [("inbound", _("The customer contacted us")), ("outbound", _("We contacted the customer"))]
# An agent opens a case on any channel a person uses; API and internal events come from elsewhere.
NEW_CASE_CHANNELS = [(value, label) for value, label in Channel.choices if value != Channel.API]
VIEW_CHOICES = [
    ("mine", _("Mine")),
    ("team", _("My team’s")),
    ("unassigned", _("Unassigned")),
    ("all", _("All I can see")),
]
SORT_CHOICES = [
    ("updated", _("Latest update first")),
    ("oldest_update", _("Oldest update first")),
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("due", _("Due soonest first")),
]


def invalid_choice(message: _StrOrPromise) -> dict[str, Any]:
    """Django's message for a value that is not one of the choices, as a full sentence."""
    return {"invalid_choice": message}


def team_choices(teams: Sequence[Team]) -> list[tuple[str, str]]:
    return [(str(team.pk), team.name) for team in teams]


def agent_choices(agents: Sequence[Agent]) -> list[tuple[str, str]]:
    return [(str(agent.pk), agent.display_name) for agent in agents]


def parse_tags(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def describe_customer(customer: Customer) -> str:
    """A customer as a choice in a list: enough to tell two people of the same name apart."""
    points = ", ".join(point.value for point in customer.contact_points.all()[:2])
    kind = _("colleague") if customer.kind == CustomerKind.INTERNAL else _("external")
    organisation = f", {customer.organisation.name}" if customer.organisation else ""
    adjustments = f" – adjustments: {', '.join(customer.adjustment_labels)}" if customer.adjustments else ""
    return f"{customer.name} ({kind}{organisation}){' – ' + points if points else ''}{adjustments}"


def now_for_input() -> datetime:
    """Now in the desk's time zone, to the minute: what a datetime-local field starts with."""
    return timezone.localtime().replace(second=0, microsecond=0)


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed in the desk's time zone (Europe/London unless configured
    otherwise), returned as an aware datetime. Times that do not exist or happen twice when the
    clocks change are refused by Django with a clear message."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def team_field() -> forms.TypedChoiceField:
    """A choice of team by id, optional; the choices are set by the form from the teams there are."""
    return forms.TypedChoiceField(
        label=_("Team"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages=invalid_choice(_("“%(value)s” is not a team. Choose one from the list.")),
    )


def assignee_field() -> forms.TypedChoiceField:
    """A choice of agent by id, optional; the choices are set by the form."""
    return forms.TypedChoiceField(
        label=_("Assigned to"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages=invalid_choice(_("“%(value)s” is not an agent who can sign in. Choose one from the list.")),
    )
