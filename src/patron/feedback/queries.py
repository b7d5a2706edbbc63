"""Reads of surveys: what a case's survey says, what a customer answered, and the figures each
measure gives (DOMAIN.md §5.1: CSAT as the share scoring 4 or 5, NPS as promoters less
detractors, CES as the mean)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg, Count, Q, QuerySet

from patron.accounts.models import Agent, Role
from patron.errors import NotAllowed
from patron.feedback.models import Survey, SurveyKind, SurveyStatus

FIGURE_READERS = frozenset({Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.ADMIN})


@dataclass(frozen=True)
class SurveyFigures:
    measure: str
    sent: int
    answered: int
    # CSAT %: 4 or 5 of all answers; NPS: % promoters (9–10) − % detractors (0–6); CES: the mean.
    score: float | None

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answered / self.sent, 1) if self.sent else None


def check_may_read_figures(agent: Agent) -> None:
    if agent.role not in FIGURE_READERS and not agent.is_superuser:
        raise NotAllowed("Survey figures are for team leads, service managers and administrators.")


def survey_of_case(case_id: int) -> Survey | None:
    return Survey.objects.filter(case_id=case_id).first()


def surveys_of_customer(customer_id: int) -> QuerySet[Survey]:
    return Survey.objects.filter(customer_id=customer_id).select_related("case").order_by("created_at", "id")


def survey_figures(
    *, measure: str, since: datetime | None = None, until: datetime | None = None, team_id: int | None = None
) -> SurveyFigures:
    """The measure's figure over the surveys sent in the period (answers count in the period
    their survey was sent in, so a late answer does not move a closed month's response rate)."""
    surveys = Survey.objects.filter(kind=measure, sent_at__isnull=False)
    if since is not None:
        surveys = surveys.filter(sent_at__gte=since)
    if until is not None:
        surveys = surveys.filter(sent_at__lt=until)
    if team_id is not None:
        surveys = surveys.filter(team_id=team_id)
    counts = surveys.aggregate(
        sent=Count("id"),
        answered=Count("id", filter=Q(status=SurveyStatus.ANSWERED)),
        top_two=Count("id", filter=Q(status=SurveyStatus.ANSWERED, score__gte=4)),
        promoters=Count("id", filter=Q(status=SurveyStatus.ANSWERED, score__gte=9)),
        detractors=Count("id", filter=Q(status=SurveyStatus.ANSWERED, score__lte=6)),
        mean=Avg("score", filter=Q(status=SurveyStatus.ANSWERED)),
    )
    answered = counts["answered"]
    score: float | None = None
    if answered:
        if measure == SurveyKind.CSAT:
            score = round(100 * counts["top_two"] / answered, 1)
        elif measure == SurveyKind.NPS:
            score = round(100 * (counts["promoters"] - counts["detractors"]) / answered, 1)
        else:
            score = round(float(counts["mean"]), 2)
    return SurveyFigures(measure=measure, sent=counts["sent"], answered=answered, score=score)
