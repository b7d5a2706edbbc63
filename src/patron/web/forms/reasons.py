"""Reasons an agent must give: setting a quarantined email aside, opening a restricted case."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.web.refusals import PatronForm


class DiscardForm(PatronForm):
    reason = forms.CharField(
        label=_("Why set it aside?"),
        help_text=_("For example: spam, or a mail loop. The original is kept."),
        max_length=500,
        error_messages={"required": _("Say why the email is set aside.")},
    )

    def __init__(self, data: Any = None, *, email_id: int) -> None:
        super().__init__(data, prefix=f"discard-{email_id}")


class RestrictedOpeningForm(PatronForm):
    reason = forms.CharField(
        label=_("Why are you opening this case?"),
        help_text=_("For example: I am handling it, or a subject access request. Your reason is recorded."),
        max_length=500,
        error_messages={"required": _("Say why you are opening this case.")},
    )
