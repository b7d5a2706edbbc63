"""Complaints: the regime whose clocks apply, the handling steps taken (LATER), the tier it
has reached, what was bought when the Consumer Rights Act applies, why it happened (the root
cause and its five whys), and the corrective actions taken so it does not happen again."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.cases.models import Case
from patron.complaints.regimes import Regime
from patron.complaints.remedies import (
    STATE_NAMES,
    STEP_NAMES,
    LegalRegion,
    PathStep,
    PurchaseType,
    RemedyState,
    StepKind,
)
from patron.complaints.remedies import Purchase as PurchaseFacts
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


class Outcome(models.TextChoices):
    """What the final response decides (DISP 1.6: accept the complaint, with redress where it is
    due; accept part of it; or reject it, giving the reasons)."""

    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")


class RootCause(TimestampedModel):
    """Why complaints happen, as a short list the desk agrees on: managed in the admin, the
    common ones loaded by a migration. A cause no longer used is made inactive, not deleted, so
    the complaints filed under it keep their history."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Complaint(TimestampedModel):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="complaint")
    regime = models.ForeignKey(ComplaintRegime, on_delete=models.PROTECT, related_name="complaints")
    received_at = models.DateTimeField(_("received"))
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, default=Tier.FRONTLINE)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    final_response_at = models.DateTimeField(_("final response sent"), null=True, blank=True)
    root_cause = models.ForeignKey(
        RootCause, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    # The five whys: each answer asks "why?" of the one before, up to five deep.
    whys = models.JSONField(_("five whys"), default=list, blank=True)
    root_cause_statement = models.TextField(_("root cause found"), blank=True)
    redress_amount = models.DecimalField(_("redress paid"), max_digits=12, decimal_places=2, null=True, blank=True)
    # Recorded when the final response that decides it is sent.
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_reasons = models.TextField(_("reasons for the outcome"), blank=True)

    class Meta:
        indexes = [models.Index(fields=["received_at"], name="complaint_received_idx")]

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
    fault_reported_on = models.DateField(_("fault reported on"), null=True, blank=True)
    perishable_days = models.PositiveSmallIntegerField(_("expected life (days), if perishable"), null=True, blank=True)
    motor_vehicle = models.BooleanField(_("a motor vehicle"), default=False)
    tangible_medium = models.BooleanField(_("digital content on a disc or inside goods"), default=False)
    consumer = models.BooleanField(_("bought by a consumer, not a business"), default=True)

    def __str__(self) -> str:
        return self.description or self.type

    def as_facts(self) -> PurchaseFacts:
        return PurchaseFacts(
            type=PurchaseType(self.type),
            purchased_on=self.purchased_on,
            delivered_on=self.delivered_on,
            price=self.price,
            description=self.description,
            region=LegalRegion(self.region),
            fault_reported_on=self.fault_reported_on,
            perishable_days=self.perishable_days,
            motor_vehicle=self.motor_vehicle,
            tangible_medium=self.tangible_medium,
            consumer=self.consumer,
        )


class RemedyStep(models.Model):
    """One step on a complaint's Consumer Rights Act remedy path, with who recorded it and
    when, the day it happened, the money agreed (a refund or a price reduction) and where the
    path stood after it."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="remedy_steps")
    step = models.CharField(_("step"), max_length=40, choices=[(kind.value, STEP_NAMES[kind]) for kind in StepKind])
    on = models.DateField(_("on"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(_("state after"), max_length=30, choices=[(s.value, STATE_NAMES[s]) for s in RemedyState])
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_step_display()} on {self.complaint_id}"

    def as_path_step(self) -> PathStep:
        return PathStep(kind=StepKind(self.step), on=self.on, amount=self.amount)


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    ABANDONED = "abandoned", _("Abandoned")


class CorrectiveAction(TimestampedModel):
    """A change made so that complaints with these root causes stop happening; its effect is
    measured by counting them before and after it was completed."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="corrective_actions", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    root_causes = models.ManyToManyField(RootCause, related_name="corrective_actions", verbose_name=_("root causes"))
    complaints = models.ManyToManyField(
        Complaint, related_name="corrective_actions", blank=True, verbose_name=_("complaints")
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class TierQueue(models.Model):
    """Where a complaint goes when it reaches a tier: the team whose queue it joins (the team
    leads' desk, the service managers', the final-response team). Admin-managed; a tier with
    no queue leaves the case with its team."""

    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, unique=True)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+", verbose_name=_("team"))

    class Meta:
        ordering = ["tier"]

    def __str__(self) -> str:
        return f"{self.get_tier_display()}: {self.team}"


class StepTemplate(TimestampedModel):
    """The wording an agent starts from for each LATER step, edited in the admin to the
    desk's voice; the agent still makes it their own before recording the step."""

    step = models.CharField(_("step"), max_length=20, choices=Step.choices, unique=True)
    text = models.TextField(_("wording"))

    class Meta:
        ordering = ["step"]

    def __str__(self) -> str:
        return self.get_step_display()
