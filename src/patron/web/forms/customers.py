"""A customer's details, their contact points, and merging duplicates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.customers.models import Adjustment, ContactKind, Customer, CustomerKind, PreferredChannel
from patron.customers.services import CustomerDetails
from patron.web.forms.fields import invalid_choice
from patron.web.refusals import PatronForm


class CustomerForm(PatronForm):
    """A customer's details: who they are and how to serve them well."""

    service_fields = {"organisation": "organisation"}

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    name = forms.CharField(
        label=_("Name"), max_length=200, error_messages={"required": _("Enter the customer's name.")}
    )
    kind = forms.ChoiceField(label=_("Kind of customer"), choices=CustomerKind.choices, widget=forms.RadioSelect)
    organisation = forms.CharField(label=_("Organisation or department"), max_length=200, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred way to be contacted"),
        choices=[("", _("No preference")), *PreferredChannel.choices],
        required=False,
    )
    preferred_language = forms.CharField(
        label=_("Preferred language"),
        max_length=35,
        required=False,
        help_text=_("For example English, Welsh or Polish."),
    )
    adjustments = forms.MultipleChoiceField(
        label=_("Reasonable adjustments"),
        help_text=_(
            "What the customer has asked for to use our service on equal terms. Record the need, never a diagnosis."
        ),
        choices=Adjustment.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    adjustments_note = forms.CharField(
        label=_("Other adjustments"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False)

    def __init__(self, data: Any = None, *, customer: Customer | None = None, conflict: str = "") -> None:
        initial = {}
        if customer is not None:
            initial = {
                "version": customer.version,
                "name": customer.name,
                "kind": customer.kind,
                "organisation": customer.organisation.name if customer.organisation else "",
                "job_title": customer.job_title,
                "preferred_channel": customer.preferred_channel,
                "preferred_language": customer.preferred_language,
                "adjustments": list(customer.adjustments),
                "adjustments_note": customer.adjustments_note,
                "notes": customer.notes,
            }
        super().__init__(data, initial=initial or {"kind": CustomerKind.EXTERNAL})
        self.conflict = conflict

    def details(self, **extra: Any) -> CustomerDetails:
        data = self.cleaned_data
        return CustomerDetails(
            name=data["name"],
            kind=data["kind"],
            job_title=data["job_title"],
            preferred_channel=data["preferred_channel"],
            preferred_language=data["preferred_language"],
            adjustments=data["adjustments"],
            adjustments_note=data["adjustments_note"],
            notes=data["notes"],
            **extra,
        )


class NewCustomerForm(CustomerForm):
    service_fields = {"email": "email", "phone": "phone"}

    email = forms.CharField(
        label=_("Email address"), max_length=320, required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        del self.fields["version"]
        self.order_fields(["name", "kind", "email", "phone"])


class ContactPointForm(PatronForm):
    service_fields = dict.fromkeys(ContactKind.values, "value")

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ContactKind.choices,
        error_messages=invalid_choice(_("“%(value)s” is not a kind of contact point. Choose one from the list.")),
    )
    value = forms.CharField(
        label=_("Email address, number, address or handle"),
        max_length=320,
        error_messages={"required": _("Enter the email address, phone number, address or handle.")},
    )
    is_primary = forms.BooleanField(label=_("Make this their main one of its kind"), required=False)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="point")


class MergeForm(PatronForm):
    duplicate = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=10**12)
