"""Working one case: reply, note, its own fields, taking it, logging a call on it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patron.accounts.models import Agent, Team
from patron.cases.models import Case, CaseKind, Channel, Priority, Status
from patron.cases.outgoing import call_back_asked, personal_data_in_reply
from patron.cases.services import CaseChanges
from patron.cases.transitions import allowed_next
from patron.customers.models import ProcessingException
from patron.web.forms.fields import (
    DIRECTION_CHOICES,
    LOGGED_CHANNEL_CHOICES,
    LocalDateTimeField,
    agent_choices,
    assignee_field,
    invalid_choice,
    now_for_input,
    parse_tags,
    team_choices,
    team_field,
)
from patron.web.refusals import PatronForm

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise


class _StatusField(forms.ChoiceField):
    """Accepts any status, so that a move the service cycle does not allow is refused by the
    service with its own sentence; offers only the moves allowed from the current status."""

    def __init__(self, *, offered: Sequence[tuple[str, _StrOrPromise]], **kwargs: Any) -> None:
        super().__init__(
            choices=Status.choices,
            error_messages=invalid_choice(_("“%(value)s” is not a status. Choose one from the list.")),
            **kwargs,
        )
        self.widget.choices = list(offered)


class ReplyForm(PatronForm):
    service_fields = {"status": "status", "reason": "reason"}

    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=200_000,
        error_messages={"required": _("Write your reply before you send it.")},
    )

    send_anyway = forms.BooleanField(
        label=_("I have checked: this personal data may go to the customer"),
        required=False,
    )
    write_anyway = forms.BooleanField(
        label=_("They asked to be called back: a written reply is right this time"),
        required=False,
    )

    def __init__(self, data: Any = None, *, case: Case) -> None:
        super().__init__(data, prefix="reply")
        self.case = case
        offered = [("", _("Leave it as it is"))] + [
            (status, Status(status).label) for status in allowed_next(case.status) if status != Status.CLOSED
        ]
        self.fields["status"] = _StatusField(offered=offered, label=_("Then set the status to"), required=False)
        if case.kind == CaseKind.COMPLAINT:
            self.fields["reason"] = forms.CharField(
                label=_("Reason for resolving with complaint steps not recorded"),
                help_text=_(
                    "Only needed when the reply resolves the complaint before every handling step is recorded."
                ),
                max_length=500,
                required=False,
            )
        self.personal_data: list[str] = []
        self.call_back = call_back_asked(case)

    def clean(self) -> dict[str, Any] | None:
        """Before a reply carries someone's personal data out, the agent confirms it: a card or
        bank number, an NI number, or an address or phone number that is not the customer's own."""
        data = super().clean() or {}
        body = data.get("body") or ""
        self.personal_data = personal_data_in_reply(body, self.case)
        if self.personal_data and not data.get("send_anyway"):
            self.add_error(
                "send_anyway",
                _("Your reply contains %(found)s. Check it is right to send this to %(name)s, then tick the box.")
                % {"found": ", ".join(self.personal_data), "name": self.case.customer.name},
            )
        if self.call_back and not data.get("write_anyway"):
            self.add_error("write_anyway", _("%(asked)s Tick the box to send it.") % {"asked": self.call_back})
        return data


def exception_field() -> forms.ChoiceField:
    """Shown while the customer has restricted processing: the one ground on which the law still
    lets the desk work on their case."""
    return forms.ChoiceField(
        label=_("Exception to the customer's restriction"),
        help_text=_("Their data may only be worked on for one of these reasons; yours is recorded."),
        choices=[("", _("None applies")), *ProcessingException.choices],
        required=False,
        error_messages=invalid_choice(_("“%(value)s” is not an exception to a restriction. Choose one from the list.")),
    )


class CaseWorkForm(PatronForm):
    """A change to what a case holds about its customer: while they have restricted processing,
    the agent names the exception that allows it."""

    exception = exception_field()


class NoteForm(PatronForm):
    body = forms.CharField(
        label=_("Internal note"),
        help_text=_("Only colleagues see notes. The customer never does."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=200_000,
        error_messages={"required": _("Write the note before you add it.")},
    )
    exception = exception_field()

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="note")


class CasePropertiesForm(PatronForm):
    """A case's own fields. `version` is the one the agent read, so a save based on an old read
    is refused by the service instead of overwriting someone else's change."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        coerce=int,
        error_messages=invalid_choice(_("“%(value)s” is not a priority. Choose one from the list.")),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=CaseKind.choices,
        error_messages=invalid_choice(_("“%(value)s” is not a kind of case. Choose one from the list.")),
    )
    team = team_field()
    assignee = assignee_field()
    category = forms.CharField(label=_("Category"), max_length=100, required=False)
    tags = forms.CharField(
        label=_("Tags"),
        max_length=1100,
        required=False,
        help_text=_("Separate tags with commas, for example: refund, delivery."),
    )
    reason = forms.CharField(
        label=_("Reason for resolving with complaint steps not recorded"),
        max_length=500,
        required=False,
    )
    exception = exception_field()

    def __init__(
        self,
        data: Any = None,
        *,
        case: Case,
        teams: Sequence[Team],
        agents: Sequence[Agent],
        conflict: str = "",
    ) -> None:
        initial = {
            "version": case.version,
            "status": case.status,
            "priority": case.priority,
            "kind": case.kind,
            "team": case.team_id,
            "assignee": case.assignee_id,
            "category": case.category,
            "tags": ", ".join(tag.name for tag in case.tags.all()),
        }
        super().__init__(data, initial=initial, prefix="case")
        offered = [(status, Status(status).label) for status in [case.status, *allowed_next(case.status)]]
        self.fields["status"] = _StatusField(offered=offered, label=_("Status"))
        self.order_fields(["version", "status"])
        self.fields["team"].choices = [("", _("No team")), *team_choices(teams)]  # type: ignore[attr-defined]
        self.fields["assignee"].choices = [("", _("Nobody")), *agent_choices(agents)]  # type: ignore[attr-defined]
        self.teams = {team.pk: team for team in teams}
        self.agents = {agent.pk: agent for agent in agents}
        self.conflict = conflict

    def changes(self) -> CaseChanges:
        data = self.cleaned_data
        return CaseChanges(
            status=data["status"],
            priority=data["priority"],
            kind=data["kind"],
            team=self.teams.get(data["team"]) if data["team"] is not None else None,
            assignee=self.agents.get(data["assignee"]) if data["assignee"] is not None else None,
            category=data["category"],
            tags=parse_tags(data["tags"]),
            reason=data.get("reason") or "",
            exception=data.get("exception") or "",
        )


class TakeCaseForm(PatronForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, data: Any = None, *, case: Case) -> None:
        super().__init__(data, initial={"version": case.version}, prefix="take")


class ContactFields(PatronForm):
    """What happened in a phone call or face-to-face conversation."""

    service_fields = {"received_at": "occurred_at", "body": "summary", "channel": "channel"}

    channel = forms.ChoiceField(
        label=_("How"),
        choices=LOGGED_CHANNEL_CHOICES,
        widget=forms.RadioSelect,
        initial=Channel.PHONE,
        error_messages=invalid_choice(_("Choose phone or face to face.")),
    )
    direction = forms.ChoiceField(
        label=_("Who started it"), choices=DIRECTION_CHOICES, widget=forms.RadioSelect, initial="inbound"
    )
    occurred_at = LocalDateTimeField(
        label=_("When it happened"),
        error_messages={
            "required": _("Enter the day and time it happened."),
            "invalid": _("Enter the day and time as a date and a time, for example 01/07/2025 09:30."),
        },
    )
    summary = forms.CharField(
        label=_("What was said"),
        help_text=_("The customer's need in their words, what you told them and what happens next."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=200_000,
        error_messages={"required": _("Write what was said.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = now_for_input
        self.fields["occurred_at"].help_text = _("Day and time in %(zone)s.") % {
            "zone": timezone.get_current_timezone_name()
        }

    @property
    def outbound(self) -> bool:
        return bool(self.cleaned_data["direction"] == "outbound")


class LogCallForm(ContactFields):
    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="call")
