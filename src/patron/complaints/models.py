"""Complaints: the regime whose clocks apply, the handling steps taken (LATER), the tier it
has reached, and what was bought when the Consumer Rights Act applies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.cases.models import Case
from patron.complaints.regimes import Regime
from patron.complaints.remedies import LegalRegion, PurchaseType
from patron.db import TimestampedModel


class ComplaintRegime(TimestampedModel):
    """A regulator's or scheme's clocks, as data: the built-in ones are loaded by a migration,
    others (a housing or water scheme) are added in the admin."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    acknowledge_business_days = models.PositiveSmallIntegerField(_("acknowledge within (business days)"))
    final_response_business_days = models.PositiveSmallIntegerField(
        _("final response within (business days)"), null=True, blank=True
    )
    final_response_weeks = models.PositiveSmallIntegerField(_("final response within (weeks)"), null=True, blank=True)
    summary_resolution_business_days = models.PositiveSmallIntegerField(
        _("summary resolution by the end of (business days after receipt)"), null=True, blank=True
    )
    referral_body = models.CharField(_("who the customer may refer it to"), max_length=200, blank=True)
    referral_months = models.PositiveSmallIntegerField(
        _("months to refer after the final response"), null=True, blank=True
    )
    is_default = models.BooleanField(_("used for new complaints"), default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def as_rules(self) -> Regime:
        return Regime(
            code=self.code,
            name=self.name,
            acknowledge_business_days=self.acknowledge_business_days,
            final_response_business_days=self.final_response_business_days,
            final_response_weeks=self.final_response_weeks,
            summary_resolution_business_days=self.summary_resolution_business_days,
            referral_body=self.referral_body,
            referral_months=self.referral_months,
        )


class Tier(models.IntegerChoices):
    FRONTLINE = 1, _("Frontline")
    TEAM_LEAD = 2, _("Team lead")
    SERVICE_MANAGER = 3, _("Service manager")
    FINAL_RESPONSE = 4, _("Final response")
    EXTERNAL = 5, _("External referral")


class Step(models.TextChoices):
    """The LATER model of complaint handling, in order."""

    LISTEN = "listen", _("Listen")
    APOLOGISE = "apologise", _("Apologise")
    THANK = "thank", _("Thank")
    EXPLAIN = "explain", _("Explain and empathise")
    RESOLVE = "resolve", _("Resolve")


class Complaint(TimestampedModel):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="complaint")
    regime = models.ForeignKey(ComplaintRegime, on_delete=models.PROTECT, related_name="complaints")
    received_at = models.DateTimeField(_("received"))
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, default=Tier.FRONTLINE)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    final_response_at = models.DateTimeField(_("final response sent"), null=True, blank=True)

    def __str__(self) -> str:
        return f"Complaint on {self.case.reference}"


class ComplaintStep(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    details = models.JSONField(_("details"), default=dict, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_step_display()} on {self.complaint_id}"


class Purchase(TimestampedModel):
    """What the customer bought, when the complaint is about goods, a service or digital content."""

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="purchase")
    type = models.CharField(_("type"), max_length=10, choices=[(t.value, t.value) for t in PurchaseType])
    purchased_on = models.DateField(_("bought on"))
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    description = models.CharField(_("what was bought"), max_length=300, blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, null=True, blank=True)
    region = models.CharField(
        _("law that applies"),
        max_length=20,
        choices=[(r.value, r.value) for r in LegalRegion],
        default=LegalRegion.ENGLAND_AND_WALES,
    )
    first_fix_failed = models.BooleanField(_("one repair, replacement or repeat already failed"), default=False)

    def __str__(self) -> str:
        return self.description or self.type
