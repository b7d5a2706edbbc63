"""Creating and changing a corrective action, and filtering the list of them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.accounts.models import Agent
from patron.complaints.models import ActionStatus, CorrectiveAction, RootCause
from patron.web.forms.fields import agent_choices, invalid_choice
from patron.web.refusals import PatronForm

DATE_ERRORS = {"invalid": _("Enter a date as YYYY-MM-DD.")}
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActionFilterForm(PatronForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *ActionStatus.choices],
        error_messages=invalid_choice(_("“%(value)s” is not a status. Choose one from the list.")),
    )


class CorrectiveActionForm(PatronForm):
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Give the corrective action a title.")}
    )
    description = forms.CharField(
        label=_("What will change"), max_length=5_000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    owner = forms.TypedChoiceField(
        label=_("Owner"),
        coerce=int,
        error_messages={
            "required": _("Choose who owns the action."),
            **invalid_choice(_("“%(value)s” is not an agent who can sign in. Choose one from the list.")),
        },
    )
    due_on = forms.DateField(label=_("Due"), required=False, widget=DATE_INPUT, error_messages=DATE_ERRORS)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ActionStatus.choices,
        initial=ActionStatus.OPEN,
        error_messages=invalid_choice(_("“%(value)s” is not a status. Choose one from the list.")),
    )
    completed_on = forms.DateField(
        label=_("Completed"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Only once it is done; left empty, today."),
        error_messages=DATE_ERRORS,
    )
    root_causes = forms.MultipleChoiceField(
        label=_("Root causes it addresses"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Name at least one root cause the action addresses."),
            **invalid_choice(_("“%(value)s” is not a root cause. Choose from the list.")),
        },
    )
    complaints = forms.CharField(
        label=_("Complaints it addresses"),
        required=False,
        max_length=10_000,
        help_text=_("Case references, separated by spaces or commas, for example C-000123."),
    )

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, owners: Sequence[Agent], action: CorrectiveAction | None = None
    ) -> None:
        super().__init__(data, initial=_initial(action) if action is not None else None)
        current = [action.owner] if action is not None and action.owner not in owners else []
        cast(forms.TypedChoiceField, self.fields["owner"]).choices = [
            ("", _("Choose an owner")),
            *agent_choices([*owners, *current]),
        ]
        causes = RootCause.objects.filter(is_active=True) | (
            action.root_causes.all() if action is not None else RootCause.objects.none()
        )
        cast(forms.MultipleChoiceField, self.fields["root_causes"]).choices = list(
            causes.distinct().order_by("name").values_list("code", "name")
        )

    def references(self) -> list[str]:
        return [part for part in re.split(r"[\s,;]+", self.cleaned_data["complaints"]) if part]


def _initial(action: CorrectiveAction) -> dict[str, Any]:
    return {
        "title": action.title,
        "description": action.description,
        "owner": action.owner_id,
        "due_on": action.due_on,
        "status": action.status,
        "completed_on": action.completed_on,
        "root_causes": [cause.code for cause in action.root_causes.all()],
        "complaints": " ".join(complaint.case.reference for complaint in getattr(action, "visible_complaints", [])),
    }
