"""Opening a case and logging a contact: choose or add the customer, then the case."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.accounts.models import Agent, Team
from patron.cases.models import Case, CaseKind, Channel, Priority
from patron.cases.queries import case_for_agent
from patron.customers.models import Customer, CustomerKind
from patron.customers.queries import customer_by_id, find_customers
from patron.errors import NotFound
from patron.web.forms.case import ContactFields
from patron.web.forms.fields import (
    MAX_SEARCH,
    NEW_CASE_CHANNELS,
    describe_customer,
    invalid_choice,
    team_choices,
    team_field,
)
from patron.web.refusals import PatronForm


class CustomerPickForm(PatronForm):
    """An existing customer chosen from a search, or a new one by email or phone (found again
    if that address or number is already known, so duplicates are not made)."""

    service_fields = {"email": "new_email", "phone": "new_phone", "customer": "new_email", "name": "new_name"}

    customer = forms.TypedChoiceField(
        label=_("Customer"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a customer from the search results.")},
    )
    new_kind = forms.ChoiceField(
        label=_("New customer is"),
        choices=[(CustomerKind.EXTERNAL, _("An external customer")), (CustomerKind.INTERNAL, _("A colleague"))],
        widget=forms.RadioSelect,
        initial=CustomerKind.EXTERNAL,
        required=False,
    )
    new_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    new_email = forms.CharField(
        label=_("Email address"), max_length=320, required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    new_phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def __init__(
        self, data: Any = None, *, agent: Agent, search: str = "", selected: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.agent = agent
        self.candidates = self._candidates(agent, search, data.get("customer") if data is not None else selected)
        self.fields["customer"].choices = [  # type: ignore[attr-defined]
            (str(customer.pk), describe_customer(customer)) for customer in self.candidates
        ]
        if selected and data is None:
            self.fields["customer"].initial = selected

    @staticmethod
    def _candidates(agent: Agent, search: str, selected: object) -> list[Customer]:
        text = search.replace("\x00", "")[:MAX_SEARCH]
        found = list(find_customers(agent=agent, text=text)) if search.strip() else []
        wanted = (
            int(selected)
            if isinstance(selected, str) and selected.isascii() and selected.isdigit() and len(selected) <= 12
            else None
        )
        if wanted is not None and wanted not in {customer.pk for customer in found}:
            try:
                chosen = customer_by_id(wanted, agent=agent)
            except NotFound:
                return found
            if chosen.merged_into_id is None:
                found.insert(0, chosen)
        return found

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        missing = data.get("customer") is None and not (data.get("new_email") or data.get("new_phone"))
        if missing and "customer" not in self.errors and "new_email" not in self.errors:
            field = "customer" if self.candidates else "new_email"
            self.add_error(
                field,
                _("Choose a customer from the search results, or give the email address or phone number of a new one."),
            )
        return data

    @property
    def chosen_customer(self) -> Customer | None:
        chosen = self.cleaned_data.get("customer")
        return next((customer for customer in self.candidates if customer.pk == chosen), None)


class _CaseDetailFields(PatronForm):
    """How a new case is filed: its kind, priority and team."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=CaseKind.choices,
        initial=CaseKind.ENQUIRY,
        error_messages=invalid_choice(_("“%(value)s” is not a kind of case. Choose one from the list.")),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        coerce=int,
        initial=Priority.NORMAL,
        error_messages=invalid_choice(_("“%(value)s” is not a priority. Choose one from the list.")),
    )
    team = team_field()

    def __init__(self, *args: Any, teams: Sequence[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("No team yet")), *team_choices(teams)]  # type: ignore[attr-defined]
        self.teams = {team.pk: team for team in teams}

    @property
    def chosen_team(self) -> Team | None:
        team_id = self.cleaned_data.get("team")
        return self.teams.get(team_id) if team_id is not None else None


class NewCaseForm(CustomerPickForm, _CaseDetailFields):
    service_fields = {**CustomerPickForm.service_fields, "body": "body", "subject": "subject"}
    field_order = [*CustomerPickForm.base_fields, "subject", "body", "channel", "kind", "priority", "team"]

    subject = forms.CharField(
        label=_("Subject"), max_length=250, error_messages={"required": _("Enter a subject for the case.")}
    )
    body = forms.CharField(
        label=_("What the customer needs"),
        help_text=_("In their words where you can."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=200_000,
        error_messages={"required": _("Describe what the customer needs.")},
    )
    channel = forms.ChoiceField(
        label=_("How they contacted us"),
        choices=NEW_CASE_CHANNELS,
        initial=Channel.PHONE,
        error_messages=invalid_choice(_("“%(value)s” is not a channel. Choose one from the list.")),
    )


class LogContactForm(CustomerPickForm, ContactFields, _CaseDetailFields):
    """A call or visit, for a customer, on an existing case or as a new one."""

    service_fields = {**CustomerPickForm.service_fields, **ContactFields.service_fields, "subject": "subject"}
    field_order = [
        *CustomerPickForm.base_fields,
        *ContactFields.base_fields,
        "case_reference",
        "subject",
        "kind",
        "priority",
        "team",
    ]

    case_reference = forms.CharField(
        label=_("Case reference"),
        max_length=20,
        required=False,
        help_text=_("For example C-000123. Leave it empty to open a new case."),
    )
    subject = forms.CharField(
        label=_("Subject of the new case"),
        max_length=250,
        required=False,
        help_text=_("Leave it empty to use the first line of the summary."),
    )

    def clean_case_reference(self) -> Case | None:
        reference = self.cleaned_data["case_reference"].strip()
        if not reference:
            return None
        try:
            return case_for_agent(agent=self.agent, reference=reference)
        except NotFound as error:
            raise forms.ValidationError(error.message) from error
