"""Surveys: the follow-up step of the service cycle. One survey per resolved case, sent only
where the customer's data may be used for surveys, and answered through a private link."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.db import TimestampedModel


class SurveyKind(models.TextChoices):
    """The three survey measures of DOMAIN.md §5.1, each with its own scale."""

    CSAT = "csat", _("Customer satisfaction (CSAT)")
    NPS = "nps", _("Net Promoter Score (NPS)")
    CES = "ces", _("Customer effort (CES)")


# The lowest and highest answer each measure allows.
SCALES: dict[str, tuple[int, int]] = {SurveyKind.CSAT: (1, 5), SurveyKind.NPS: (0, 10), SurveyKind.CES: (1, 7)}


class SurveyStatus(models.TextChoices):
    SENT = "sent", _("Sent, not yet answered")
    ANSWERED = "answered", _("Answered")
    NOT_SENT = "not_sent", _("Not sent")
    # Closed unanswered: the customer withdrew their consent, or restricted processing, after it went.
    WITHDRAWN = "withdrawn", _("Closed: the customer withdrew")


class Survey(TimestampedModel):
    """The survey for one case: why it was not sent, or when it went and how it was answered.
    The link's token is kept only as its SHA-256 digest. When an answer is anonymised (on
    erasure, or by the retention schedule) the comment and the link to the person go, and the
    score, kind, team and dates stay, so the figures do not change."""

    case = models.OneToOneField("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="survey")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="surveys"
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(_("measure"), max_length=10, choices=SurveyKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=SurveyStatus.choices)
    not_sent_reason = models.CharField(_("why it was not sent"), max_length=300, blank=True)
    token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    open_until = models.DateTimeField(_("open until"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "answered_at"], name="survey_answered_idx"),
            models.Index(fields=["customer"], name="survey_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=10), name="survey_score_on_a_scale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} survey ({self.get_status_display()})"
