"""The privacy officer's forms: a subject request and the steps on its clock, a breach and its
updates, a legal hold. They check the shape of the input; the rights and fulfilment services
own every rule about what may change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patron.privacy.models import Breach, RequestType
from patron.web.forms.fields import LocalDateTimeField, invalid_choice
from patron.web.refusals import PatronForm

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("Enter a date, for example 2026-01-31.")}
DATETIME_ERRORS = {"invalid": _("Enter the day and time, for example 2026-01-31 09:30.")}
MAX_ID = 2**31 - 1


def _day(label: _StrOrPromise, *, required: bool = True, help_text: _StrOrPromise = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DATE_WIDGET,
        error_messages={**DATE_ERRORS, "required": _("Enter the date.")},
    )


def _text(
    label: _StrOrPromise, *, required: _StrOrPromise = "", max_length: int = 500, help_text: _StrOrPromise = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=bool(required),
        help_text=help_text,
        error_messages={"required": required} if required else {},
    )


def _long_text(label: _StrOrPromise, *, help_text: _StrOrPromise = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=5000, help_text=help_text, widget=forms.Textarea(attrs={"rows": 3})
    )


def _moment(label: _StrOrPromise, *, required: bool = False, help_text: _StrOrPromise = "") -> LocalDateTimeField:
    return LocalDateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        error_messages={**DATETIME_ERRORS, "required": _("Enter the day and time.")},
    )


class SubjectRequestForm(PatronForm):
    customer = forms.IntegerField(
        label=_("Customer number"),
        min_value=1,
        max_value=MAX_ID,
        help_text=_("The number on the customer's page (its address ends with it)."),
        error_messages={"required": _("Enter the customer's number."), "invalid": _("Enter a whole number.")},
    )
    type = forms.ChoiceField(
        label=_("Right exercised"),
        choices=RequestType.choices,
        error_messages=invalid_choice(_("Choose a right from the list.")),
    )
    received_on = _day(_("Received on"), help_text=_("The day it reached anyone here, on any channel."))

    def __init__(self, data: Any = None, *, initial: dict[str, Any] | None = None) -> None:
        super().__init__(data, initial={"received_on": timezone.localdate(), **(initial or {})})


class ExtendForm(PatronForm):
    reason = _text(_("Why it needs two more months"), required=_("Say why the request needs more time."))

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="extend")


class IdentityRequestForm(PatronForm):
    requested_on = _day(_("Asked for on"))
    what = _text(
        _("Evidence asked for"),
        required=_("Say what evidence of identity was asked for."),
        help_text=_("Ask only for what is reasonable: the month starts when it arrives."),
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="identity-request", initial={"requested_on": timezone.localdate()})


class IdentityVerifiedForm(PatronForm):
    received_on = _day(_("Evidence received on"), help_text=_("The day the evidence (or answers) came in."))
    method = _text(
        _("How identity was checked"),
        required=_("Say how their identity was checked."),
        help_text=_("For example: passport seen, security questions on the account answered."),
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="identity", initial={"received_on": timezone.localdate()})


class FeeRequestForm(PatronForm):
    requested_on = _day(_("Asked for on"))
    reason = _text(
        _("Why the request is manifestly unfounded or excessive"),
        required=_("Say why the request is manifestly unfounded or excessive: only then may a fee be charged."),
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="fee-request", initial={"requested_on": timezone.localdate()})


class FeeReceivedForm(PatronForm):
    received_on = _day(_("Fee received on"))

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="fee", initial={"received_on": timezone.localdate()})


class ClarificationRequestForm(PatronForm):
    asked_on = _day(_("Asked on"))
    what = _text(_("What was asked"), required=_("Say what was asked, to clarify the request."))

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="clarification-request", initial={"asked_on": timezone.localdate()})


class ClarificationReceivedForm(PatronForm):
    received_on = _day(_("Reply received on"))

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="clarification", initial={"received_on": timezone.localdate()})


class DueDateForm(PatronForm):
    due_on = _day(_("Due on"), required=False, help_text=_("Leave empty to go back to the computed date."))
    reason = _text(_("Why this date"), required=_("Say why the due date is set by hand."), max_length=300)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="due")


REPORTABLE_CHOICES = [("", _("Not decided yet")), ("yes", _("Yes, report it")), ("no", _("No, not reportable"))]


def _decision(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


class BreachFieldsForm(PatronForm):
    """What is known about a breach; each field optional apart from the summary."""

    summary = _text(_("What happened, in a sentence"), required=_("Say in a sentence what happened."), max_length=300)
    what_happened = _long_text(_("Details"))
    occurred_at = _moment(_("When it happened"), help_text=_("If known."))
    data_categories = _text(_("Kinds of personal data affected"), help_text=_("For example: names, addresses."))
    people_affected = forms.IntegerField(
        label=_("People affected (about)"), required=False, min_value=0, max_value=MAX_ID
    )
    records_affected = forms.IntegerField(
        label=_("Records affected (about)"), required=False, min_value=0, max_value=MAX_ID
    )
    likely_consequences = _long_text(_("Likely consequences"))
    measures_taken = _long_text(_("Measures taken or proposed"))
    reportable = forms.ChoiceField(
        label=_("Reportable to the ICO?"),
        choices=REPORTABLE_CHOICES,
        required=False,
        error_messages=invalid_choice(_("Choose from the list.")),
    )
    reportable_reason = _long_text(_("Reason for the decision"), help_text=_("Required once the decision is made."))

    def clean_reportable(self) -> bool | None:
        value = self.cleaned_data.get("reportable", "")
        return None if not value else value == "yes"


class NewBreachForm(BreachFieldsForm):
    aware_at = _moment(_("Became aware at"), required=True, help_text=_("The 72 hours to tell the ICO run from this."))

    field_order = ["summary", "aware_at"]


class BreachUpdateForm(BreachFieldsForm):
    reported_to_ico_at = _moment(_("Reported to the ICO at"))
    ico_reference = _text(_("ICO reference"), max_length=100)
    report_delay_reason = _long_text(
        _("Reasons for the delay"), help_text=_("Required when the report came more than 72 hours after awareness.")
    )
    people_told_at = _moment(_("People affected told at"))
    people_told_how = _long_text(_("How they were told"), help_text=_("For example: letter, email, public notice."))

    def __init__(self, data: Any = None, *, breach: Breach) -> None:
        initial = {name: getattr(breach, name) for name in self.base_fields}
        initial["reportable"] = _decision(breach.reportable)
        for name in ("occurred_at", "reported_to_ico_at", "people_told_at"):
            if initial[name] is not None:
                initial[name] = timezone.localtime(initial[name]).replace(second=0, microsecond=0)
        super().__init__(data, initial=initial)
        self.breach = breach

    def changes(self) -> dict[str, Any]:
        """The fields whose value differs from the record; a time shown to the minute and sent
        back unchanged is not a change."""
        changed: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            current = getattr(self.breach, name)
            if name in ("occurred_at", "reported_to_ico_at", "people_told_at") and current is not None:
                current = current.replace(second=0, microsecond=0)
            if value != current:
                changed[name] = value
        return changed


class LegalHoldForm(PatronForm):
    customer = forms.IntegerField(
        label=_("Customer number"),
        min_value=1,
        max_value=MAX_ID,
        error_messages={"required": _("Enter the customer's number."), "invalid": _("Enter a whole number.")},
    )
    reason = _text(
        _("Why their records must be kept"),
        required=_("Say why the records must be kept."),
        help_text=_("For example: a claim, an investigation, a regulator's request."),
    )

    def __init__(self, data: Any = None, *, initial: dict[str, Any] | None = None) -> None:
        super().__init__(data, initial=initial)
