"""Filtering the complaints register, and the root cause and five whys of a complaint."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.complaints.models import ComplaintRegime, RootCause, Tier
from patron.complaints.register import DEADLINE_STATES, TIER_NAMES, RegisterFilters
from patron.complaints.services import MAX_WHYS
from patron.web.forms.fields import invalid_choice
from patron.web.refusals import PatronForm

DEADLINE_LABELS = {"met": _("Every deadline met"), "missed": _("A deadline missed"), "open": _("Still open")}
DATE_ERRORS = {"invalid": _("Enter a date as YYYY-MM-DD.")}


class RegisterFilterForm(PatronForm):
    service_fields = {"from": "received_from", "to": "received_to"}

    received_from = forms.DateField(label=_("Received from"), required=False, error_messages=DATE_ERRORS)
    received_to = forms.DateField(label=_("Received to"), required=False, error_messages=DATE_ERRORS)
    regime = forms.ChoiceField(
        label=_("Regime"),
        required=False,
        error_messages=invalid_choice(_("“%(value)s” is not a regime. Choose one from the list.")),
    )
    tier = forms.ChoiceField(
        label=_("Tier reached"),
        required=False,
        choices=[("", _("Any tier")), *((TIER_NAMES[value], label) for value, label in Tier.choices)],
        error_messages=invalid_choice(_("“%(value)s” is not a tier. Choose one from the list.")),
    )
    root_cause = forms.ChoiceField(
        label=_("Root cause"),
        required=False,
        error_messages=invalid_choice(_("“%(value)s” is not a root cause. Choose one from the list.")),
    )
    deadlines = forms.ChoiceField(
        label=_("Deadlines"),
        required=False,
        choices=[("", _("Any")), *((state, DEADLINE_LABELS[state]) for state in DEADLINE_STATES)],
        error_messages=invalid_choice(_("“%(value)s” is not a deadline state. Choose one from the list.")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regimes = ComplaintRegime.objects.values_list("code", "name")
        causes = RootCause.objects.values_list("code", "name")
        cast(forms.ChoiceField, self.fields["regime"]).choices = [("", _("Any regime")), *regimes]
        cast(forms.ChoiceField, self.fields["root_cause"]).choices = [("", _("Any root cause")), *causes]

    def filters(self) -> RegisterFilters:
        data = self.cleaned_data
        return RegisterFilters(
            received_from=data["received_from"],
            received_to=data["received_to"],
            regime=data["regime"],
            tier=data["tier"],
            root_cause=data["root_cause"],
            deadlines=data["deadlines"],
        )


class RootCauseForm(PatronForm):
    root_cause = forms.ModelChoiceField(
        label=_("Root cause"),
        queryset=RootCause.objects.filter(is_active=True),
        to_field_name="code",
        empty_label=_("Choose a root cause"),
        error_messages={
            "required": _("Choose the root cause."),
            "invalid_choice": _("That root cause is not in the list. Choose one from it."),
        },
    )


class FiveWhysForm(PatronForm):
    statement = forms.CharField(
        label=_("Root cause found"),
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("State the root cause the answers lead to.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number in range(1, MAX_WHYS + 1):
            self.fields[f"why_{number}"] = forms.CharField(
                label=_("Why? (%(number)s)") % {"number": number}, max_length=1_000, required=False
            )
        # The statement comes after the answers it follows from.
        self.order_fields([*(f"why_{number}" for number in range(1, MAX_WHYS + 1)), "statement"])

    def whys(self) -> list[str]:
        return [self.cleaned_data[f"why_{number}"] for number in range(1, MAX_WHYS + 1)]
