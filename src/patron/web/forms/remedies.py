"""What the customer bought, and a step on the Consumer Rights Act remedy path. The forms check
the shape of the input; the remedy rules (which step may come next, the amounts, the dates)
are the service's, and its refusals are shown on these forms."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.complaints.models import Purchase
from patron.complaints.remedies import REGION_NAMES, STEP_NAMES, LegalRegion, PurchaseType, StepKind
from patron.complaints.services import PurchaseDetails, RemedyStepDetails
from patron.web.forms.case import CaseWorkForm
from patron.web.forms.fields import invalid_choice

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

TYPE_CHOICES = [
    (PurchaseType.GOODS.value, _("Goods")),
    (PurchaseType.SERVICE.value, _("A service")),
    (PurchaseType.DIGITAL.value, _("Digital content")),
]
DATE_ERRORS = {"invalid": _("Enter a date as YYYY-MM-DD.")}
MONEY_ERRORS = {
    "invalid": _("Enter an amount in pounds, such as 49.99."),
    "max_decimal_places": _("Give the amount in pounds and pence."),
    "max_digits": _("An amount over £1,000,000 cannot be recorded here; check it."),
    "max_whole_digits": _("An amount over £1,000,000 cannot be recorded here; check it."),
    "min_value": _("An amount cannot be negative."),
}


def _date_field(label: _StrOrPromise, *, required: bool = False, help_text: _StrOrPromise = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        # A date input's value is always year-month-day, whatever the desk's locale.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={**DATE_ERRORS, "required": _("Enter the date.")},
    )


class PurchaseForm(CaseWorkForm):
    prefix = "purchase"

    type = forms.ChoiceField(
        label=_("What was bought"),
        choices=TYPE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose goods, a service or digital content."),
            **invalid_choice(_("“%(value)s” is not a kind of purchase. Choose one from the list.")),
        },
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    purchased_on = _date_field(_("Bought on"), required=True)
    delivered_on = _date_field(_("Delivered on"), help_text=_("Goods: when the customer got them."))
    fault_reported_on = _date_field(
        _("Fault reported on"), help_text=_("Leave empty for the day the complaint was received.")
    )
    price = forms.DecimalField(
        label=_("Price paid (£)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=9,
        decimal_places=2,
        error_messages=MONEY_ERRORS,
    )
    region = forms.ChoiceField(
        label=_("Law that applies"),
        choices=[(region.value, REGION_NAMES[region]) for region in LegalRegion],
        error_messages=invalid_choice(_("“%(value)s” is not a legal region. Choose one from the list.")),
    )
    perishable_days = forms.IntegerField(
        label=_("Expected life in days, if perishable"),
        required=False,
        min_value=1,
        max_value=365,
        error_messages={
            "invalid": _("Enter a whole number of days."),
            "min_value": _("A perishable item's expected life is from 1 to 365 days."),
            "max_value": _("A perishable item's expected life is from 1 to 365 days."),
        },
    )
    motor_vehicle = forms.BooleanField(label=_("A motor vehicle"), required=False)
    tangible_medium = forms.BooleanField(label=_("Digital content on a disc or inside goods"), required=False)
    for_business = forms.BooleanField(
        label=_("Bought for the customer's business"),
        required=False,
        help_text=_("The Consumer Rights Act protects consumers only."),
    )

    @classmethod
    def for_purchase(cls, purchase: Purchase | None) -> PurchaseForm:
        if purchase is None:
            return cls(initial={"region": LegalRegion.ENGLAND_AND_WALES.value})
        fields = ("type", "description", "purchased_on", "delivered_on", "fault_reported_on", "price", "region")
        extra = ("perishable_days", "motor_vehicle", "tangible_medium")
        initial = {name: getattr(purchase, name) for name in (*fields, *extra)}
        return cls(initial={**initial, "for_business": not purchase.consumer})

    def details(self) -> PurchaseDetails:
        data = self.cleaned_data
        return PurchaseDetails(
            type=data["type"],
            purchased_on=data["purchased_on"],
            delivered_on=data["delivered_on"],
            description=data["description"],
            price=data["price"],
            region=data["region"],
            fault_reported_on=data["fault_reported_on"],
            perishable_days=data["perishable_days"],
            motor_vehicle=data["motor_vehicle"],
            tangible_medium=data["tangible_medium"],
            consumer=not data["for_business"],
        )


class RemedyStepForm(CaseWorkForm):
    prefix = "remedy"

    # Offered: the steps the path allows now. Any step is accepted, so one that someone else's
    # step has just made impossible is refused by the service, with the reason.
    step = forms.CharField(
        label=_("What happened"),
        widget=forms.Select,
        error_messages={"required": _("Choose the step to record.")},
    )
    on = _date_field(_("On"), help_text=_("Leave empty for today."))
    amount = forms.DecimalField(
        label=_("Amount agreed (£)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=9,
        decimal_places=2,
        help_text=_("A rejection: the refund (the price, if empty). A price reduction: the amount taken off."),
        error_messages=MONEY_ERRORS,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2_000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, steps: Sequence[StepKind] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = cast(forms.Select, self.fields["step"].widget)
        widget.choices = [("", _("Choose a step")), *((kind.value, STEP_NAMES[kind]) for kind in steps)]

    def clean_step(self) -> str:
        step = str(self.cleaned_data["step"])
        if step not in StepKind.__members__.values():
            raise forms.ValidationError(_("That is not a remedy step. Choose one from the list."))
        return step

    def details(self) -> RemedyStepDetails:
        data = self.cleaned_data
        return RemedyStepDetails(step=data["step"], on=data["on"], amount=data["amount"], note=data["note"])
