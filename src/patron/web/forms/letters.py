"""What a letter must say that the complaint record does not: for a delay letter, why the final
response is not ready and when to expect it; for a final response, its outcome and reasons."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.complaints.letters import MAX_DELAY_REASON, MAX_OUTCOME_REASONS, Decision, DelayDetails
from patron.complaints.models import Outcome
from patron.web.refusals import PatronForm


class DelayLetterForm(PatronForm):
    reason = forms.CharField(
        label=_("Why the final response is not ready"),
        max_length=MAX_DELAY_REASON,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In plain words, as the customer will read it."),
        error_messages={"max_length": _("Keep the reason to 1,000 characters.")},
    )
    expected_on = forms.DateField(
        label=_("When the customer can expect it"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )

    def details(self) -> DelayDetails:
        return DelayDetails(reason=self.cleaned_data["reason"], expected_on=self.cleaned_data["expected_on"])


class FinalResponseForm(PatronForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("“%(value)s” is not an outcome. Choose one from the list.")},
    )
    outcome_reasons = forms.CharField(
        label=_("Reasons for the outcome"),
        max_length=MAX_OUTCOME_REASONS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed when the complaint is not upheld, or upheld only in part."),
        error_messages={"max_length": _("Keep the reasons to 2,000 characters.")},
    )

    def decision(self) -> Decision:
        return Decision(outcome=self.cleaned_data["outcome"], reasons=self.cleaned_data["outcome_reasons"])
