"""Searching the audit trail."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patron.privacy.queries import AuditFilters
from patron.web.refusals import PatronForm


class AuditSearchForm(PatronForm):
    object_type = forms.CharField(
        label=_("Record type"), max_length=50, required=False, help_text=_("For example customer, case, breach.")
    )
    object_id = forms.CharField(label=_("Record number"), max_length=50, required=False)
    action = forms.CharField(
        label=_("Action"), max_length=50, required=False, help_text=_("For example customer_viewed, export.")
    )
    actor = forms.IntegerField(label=_("Done by (agent number)"), required=False, min_value=1, max_value=2**31 - 1)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    before = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end is before the start."))
        return cleaned

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        return AuditFilters(
            object_type=data.get("object_type") or "",
            object_id=data.get("object_id") or "",
            actor_id=data.get("actor"),
            action=data.get("action") or "",
            since=_start(since) if since else None,
            # The whole of the last day.
            until=_start(until) + timedelta(days=1) if until else None,
        )


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
