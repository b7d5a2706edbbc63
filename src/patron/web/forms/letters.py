"""What a delay letter must explain: why the final response is not ready, and when to expect it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.complaints.letters import MAX_DELAY_REASON, DelayDetails
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
