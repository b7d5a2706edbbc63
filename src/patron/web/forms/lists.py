"""Filtering the inbox and searching cases and customers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.accounts.models import Agent, Team
from patron.cases.models import CaseKind, Channel, Priority, Status
from patron.cases.queries import InboxFilters
from patron.web.forms.fields import (
    MAX_SEARCH,
    SORT_CHOICES,
    VIEW_CHOICES,
    agent_choices,
    assignee_field,
    invalid_choice,
    team_choices,
    team_field,
)
from patron.web.refusals import PatronForm


class InboxFilterForm(PatronForm):
    view = forms.ChoiceField(
        choices=VIEW_CHOICES,
        required=False,
        widget=forms.HiddenInput,
        error_messages=invalid_choice(_("“%(value)s” is not an inbox view. Choose one of the tabs.")),
    )
    text = forms.CharField(
        label=_("Words"), max_length=MAX_SEARCH, required=False, help_text=_("In the subject or the messages.")
    )
    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages=invalid_choice(_("“%(value)s” is not a status. Choose one from the list.")),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", _("Any priority")), *Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages=invalid_choice(_("“%(value)s” is not a priority. Choose one from the list.")),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Any kind")), *CaseKind.choices],
        required=False,
        error_messages=invalid_choice(_("“%(value)s” is not a kind of case. Choose one from the list.")),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[("", _("Any channel")), *Channel.choices],
        required=False,
        error_messages=invalid_choice(_("“%(value)s” is not a channel. Choose one from the list.")),
    )
    team = team_field()
    assignee = assignee_field()
    tag = forms.CharField(label=_("Tag"), max_length=50, required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=SORT_CHOICES,
        required=False,
        error_messages=invalid_choice(_("“%(value)s” is not a way to sort. Choose one from the list.")),
    )
    cursor = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any, *, teams: Sequence[Team], agents: Sequence[Agent]) -> None:
        super().__init__(data)
        self.fields["team"].choices = [("", _("Any team")), *team_choices(teams)]  # type: ignore[attr-defined]
        self.fields["assignee"].choices = [("", _("Anyone")), *agent_choices(agents)]  # type: ignore[attr-defined]

    @property
    def current_view(self) -> str:
        value = self.cleaned_data.get("view") if hasattr(self, "cleaned_data") else None
        return value or "all"

    def filters(self) -> InboxFilters:
        data = self.cleaned_data
        return InboxFilters(
            view=data["view"] or "all",
            statuses=tuple(data["status"]),
            kind=data["kind"],
            channel=data["channel"],
            priority=data["priority"],
            team_id=data["team"],
            assignee_id=data["assignee"],
            tag=data["tag"],
            text=data["text"],
            sort=data["sort"] or "updated",
        )


class SearchForm(PatronForm):
    q = forms.CharField(
        label=_("Search cases"),
        max_length=MAX_SEARCH,
        required=False,
        help_text=_("Words in the subject or any message, for example: refund parcel."),
    )


class CustomerSearchForm(PatronForm):
    q = forms.CharField(
        label=_("Find a customer"),
        max_length=MAX_SEARCH,
        required=False,
        help_text=_("Name, email address or phone number."),
    )
