"""Business calendars: when a team is open, in its time zone, with its nation's bank holidays
and its own closures."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.accounts.models import Agent, Team
from patron.db import TimestampedModel
from patron.standards.clocks import Target
from patron.standards.holidays_uk import Region


def office_hours() -> dict[str, list[list[str]]]:
    return {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


class BusinessCalendar(TimestampedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/London")
    region = models.CharField(
        _("bank holidays of"), max_length=20, choices=Region.choices, default=Region.ENGLAND_AND_WALES
    )
    weekly_hours = models.JSONField(_("weekly opening hours"), default=office_hours)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Closure(models.Model):
    """A period the desk is closed beyond its weekly hours and bank holidays: Christmas Eve
    afternoon, a staff training day."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="closures")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="closure_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.calendar}: {self.reason or 'closed'}"


class TeamCalendar(models.Model):
    """The calendar a team's service standards are measured in."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="calendar_link")
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="team_links")

    def __str__(self) -> str:
        return f"{self.team} uses {self.calendar}"


class SlaPolicy(TimestampedModel):
    """A service standard: which cases it covers and how long each target allows. Policies are
    tried in `position` order and the first that matches a case applies. An empty condition
    matches anything."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    kinds = models.JSONField(_("case kinds"), default=list, blank=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    customer_kinds = models.JSONField(_("customer kinds"), default=list, blank=True)
    organisation_ids = models.JSONField(_("organisations"), default=list, blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"), null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(_("next response (minutes)"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"), null=True, blank=True)
    business_hours = models.BooleanField(
        _("in business hours"),
        default=True,
        help_text=_("Count only the team calendar's open hours; otherwise count every hour of every day."),
    )
    fallback_calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("calendar for teams without one"),
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("service level policy")
        verbose_name_plural = _("service level policies")

    def __str__(self) -> str:
        return self.name


class SlaClock(models.Model):
    """The latest reading of one target's clock on one case, recomputed from the case's events
    whenever the case changes and when a due time passes."""

    # Found by case through the unique (case, target) index; nothing reads clocks any other way.
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="sla_clocks", db_index=False)
    target = models.CharField(max_length=20, choices=Target.choices)
    policy = models.ForeignKey(SlaPolicy, on_delete=models.SET_NULL, null=True, related_name="+")
    target_minutes = models.PositiveIntegerField()
    cycle_started_at = models.DateTimeField()
    used_seconds = models.FloatField(default=0)
    running = models.BooleanField(default=False)
    due_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "target"]
        constraints = [models.UniqueConstraint(fields=["case", "target"], name="sla_clock_one_per_target")]

    def __str__(self) -> str:
        return f"{self.target} on case {self.case_id}"

    @property
    def state(self) -> str:
        if self.breached_at is not None:
            return "breached"
        if self.met_at is not None:
            return "met"
        return "running" if self.running else "paused"


class CaseWake(models.Model):
    """The next moment a case's service levels must be read again: its soonest due time, or the
    moment an escalation rule is due to fire, whichever comes first."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    wake_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"case {self.case_id} at {self.wake_at.isoformat()}"


class ScheduledCheck(models.Model):
    """A wake-up already asked of the task worker. The rule kept: a check is scheduled at or
    before the soonest due time of any running clock, so no due time passes unnoticed and the
    worker never scans clocks that are not due."""

    run_at = models.DateTimeField(unique=True)

    def __str__(self) -> str:
        return self.run_at.isoformat()


class RuleTrigger(models.TextChoices):
    TARGET_USED = "target_used", _("A share of a target is used")
    TARGET_BREACHED = "target_breached", _("A target is breached")
    AWAITING_CUSTOMER = "awaiting_customer", _("Waiting for the customer for a while")


class RuleAction(models.TextChoices):
    NOTIFY_TEAM_LEADS = "notify_team_leads", _("Alert the team leads")
    RAISE_PRIORITY = "raise_priority", _("Raise the priority one step")
    MOVE_TO_TEAM = "move_to_team", _("Move to a team (e.g. an escalation queue)")
    ADD_NOTE = "add_note", _("Add an internal note")
    REMIND_CUSTOMER = "remind_customer", _("Send the customer a reminder")
    RESOLVE_WITH_NOTE = "resolve_with_note", _("Resolve, with a note")


class EscalationRule(TimestampedModel):
    """When something happens to a case's service levels, do something: data, not code, so a
    service manager can change it in the admin. Each rule fires at most once per case and cycle
    (a target's cycle, or a spell of waiting on the customer)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    policy = models.ForeignKey(
        SlaPolicy,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
        help_text=_("Only cases under this policy; empty for every case."),
    )
    trigger = models.CharField(_("when"), max_length=20, choices=RuleTrigger.choices)
    target = models.CharField(_("target"), max_length=20, choices=Target.choices, blank=True)
    threshold_percent = models.PositiveSmallIntegerField(_("share of the target used (%)"), null=True, blank=True)
    wait_minutes = models.PositiveIntegerField(_("business minutes waiting"), null=True, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    move_to_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    message = models.TextField(_("note or message"), blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from patron.standards.rules import rule_problems

        problems = rule_problems(self)
        if problems:
            raise ValidationError(problems)


class RuleFiring(models.Model):
    """That a rule has fired for a case in a cycle: the record that makes firing happen once."""

    rule = models.ForeignKey(EscalationRule, on_delete=models.CASCADE, related_name="firings")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    cycle = models.CharField(max_length=80)
    fired_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "case", "cycle"], name="rule_fires_once_per_cycle")]

    def __str__(self) -> str:
        return f"{self.rule} on case {self.case_id}"


class ServiceAlert(models.Model):
    """A message to an agent that a case needs attention (from an escalation rule)."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="service_alerts")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agent", "read_at", "created_at"], name="alert_inbox_idx")]

    def __str__(self) -> str:
        return self.text

    @property
    def case_reference(self) -> str:
        from patron.cases.models import format_reference

        return format_reference(self.case_id)


class ConfigurationVersion(models.Model):
    """A token that changes whenever calendars, policies or rules change, so every process can
    keep them in memory and reload them only when they have changed. A fresh random token
    rather than a counter: a change rolled back and another made could otherwise reuse a number."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token
