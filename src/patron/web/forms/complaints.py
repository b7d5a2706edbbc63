"""Filtering the complaints register; a complaint's handling steps, tier, regime, root cause
and five whys."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.complaints.models import ComplaintRegime, RootCause, Step, Tier
from patron.complaints.queries import regimes
from patron.complaints.register import DEADLINE_STATES, TIER_NAMES, RegisterFilters
from patron.complaints.services import MAX_WHYS
from patron.complaints.steps import WORDING_FIELD, FieldKind, StepField, fields_of
from patron.web.forms.case import CaseWorkForm
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


class RootCauseForm(CaseWorkForm):
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


class FiveWhysForm(CaseWorkForm):
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


YES_NO = [("no", _("No")), ("yes", _("Yes"))]
# Said on the form itself: an apology given is not taken as admitting the complaint is right.
LIABILITY_CHOICES = [
    ("no", _("No: an apology, not an admission of liability")),
    ("yes", _("Yes: liability was admitted")),
]


class ComplaintStepForm(CaseWorkForm):
    """One LATER step with the fields it records (`patron.complaints.steps`); the desk's wording
    for the step starts its main text field. The needed fields are checked here, so the agent
    sees each on its field, and again by the service."""

    step = forms.ChoiceField(choices=Step.choices, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, step: str, wording: str = "") -> None:
        initial = {"step": step}
        if step in WORDING_FIELD:
            initial[WORDING_FIELD[step]] = wording
        super().__init__(data, initial=initial, prefix="step")
        self.step_code = step
        self.step_label = Step(step).label
        for field in fields_of(step):
            self.fields[field.name] = _form_field(field)

    def details(self) -> dict[str, object]:
        return {field.name: self.cleaned_data[field.name] or None for field in fields_of(self.step_code)}


def _form_field(field: StepField) -> forms.Field:
    errors = {"required": field.required} if field.required else {}
    required = bool(field.required)
    if field.kind == FieldKind.TEXT:
        return forms.CharField(
            label=field.label,
            help_text=field.help_text,
            required=required,
            max_length=5_000,
            strip=True,
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages=errors,
        )
    if field.kind == FieldKind.DATE:
        return forms.DateField(
            label=field.label,
            help_text=field.help_text,
            required=required,
            widget=forms.DateInput(attrs={"type": "date"}),
            error_messages={**DATE_ERRORS, **errors},
        )
    choices = field.choices if field.kind == FieldKind.CHOICE else YES_NO
    if field.name == "admission_of_liability":
        choices = LIABILITY_CHOICES
    return forms.ChoiceField(
        label=field.label,
        help_text=field.help_text,
        required=required,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={**invalid_choice(_("Choose one of the answers.")), **errors},
    )


class ComplaintTierForm(CaseWorkForm):
    """Escalate to the next tier or de-escalate to the one before (the button pressed gives
    the tier), saying why."""

    # Given by the button pressed, never drawn as a field of its own.
    tier = forms.TypedChoiceField(
        choices=Tier.choices,
        coerce=int,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose whether to escalate or de-escalate."),
            **invalid_choice(_("That is not a tier. Choose escalate or de-escalate.")),
        },
    )
    reason = forms.CharField(
        label=_("Reason for changing the tier"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the complaint changes tier.")},
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="tier")


class ComplaintRegimeForm(CaseWorkForm):
    regime = forms.ModelChoiceField(
        label=_("Complaint regime"),
        queryset=ComplaintRegime.objects.order_by("name"),
        to_field_name="code",
        empty_label=None,
        help_text=_("The regime sets the acknowledgement and final response deadlines."),
        error_messages={
            "required": _("Choose a complaint regime."),
            "invalid_choice": _("That regime is not in the list. Choose one from it."),
        },
    )

    def __init__(self, data: Any = None, *, current: ComplaintRegime | None = None) -> None:
        super().__init__(data, initial={"regime": current.code if current else None}, prefix="regime")
        # Read once, by a prepared query: drawing a select reads its choices again to decide
        # whether it is required. Sent back, the code is checked against the field's queryset.
        field = cast(forms.ModelChoiceField, self.fields["regime"])
        field.choices = [(regime.code, field.label_from_instance(regime)) for regime in regimes()]
