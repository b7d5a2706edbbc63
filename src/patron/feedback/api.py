"""Surveys in the API: a case's survey with its answer, for whoever may see the case, and the
figures each measure gives, for the people who read the desk's figures."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from patron.accounts.queries import acting_agent
from patron.cases.api import case_for_request
from patron.cases.services import record_case_viewed
from patron.errors import NotFound, ValidationFailed
from patron.feedback import queries
from patron.feedback.models import Survey, SurveyKind

router = Router(tags=["feedback"])


class SurveyOut(Schema):
    measure: str = Field(description="csat (1–5), nps (0–10) or ces (1–7).", alias="kind")
    status: str = Field(description="sent, answered, not_sent or withdrawn.")
    not_sent_reason: str = Field(description="Why it was not sent, when it was not.")
    sent_at: datetime | None
    open_until: datetime | None
    answered_at: datetime | None
    score: int | None
    comment: str


class FiguresQuery(Schema):
    measure: str = Field(SurveyKind.CSAT, description="csat, nps or ces.")
    since: datetime | None = Field(None, description="Surveys sent from this time on.")
    until: datetime | None = Field(None, description="Surveys sent before this time.")
    team: int | None = Field(None, description="Only this team's cases (its id).")


class FiguresOut(Schema):
    measure: str
    sent: int
    answered: int
    response_rate: float | None = Field(description="Answered as a percentage of sent.")
    score: float | None = Field(
        description="CSAT: % of answers scoring 4 or 5. NPS: % promoters (9–10) less % detractors (0–6). "
        "CES: the mean answer. None with no answers."
    )


@router.get("/cases/{reference}/survey", response=SurveyOut)
def case_survey(request: HttpRequest, reference: str) -> Survey:
    """The case's survey: sent or why not, and the customer's answer. 404 until one is due."""
    case = case_for_request(request, reference)
    record_case_viewed(case=case, by=acting_agent(request.user), what="survey")
    survey = queries.survey_of_case(case.pk)
    if survey is None:
        raise NotFound("No survey has been sent for this case: one goes when it is resolved.")
    return survey


@router.get("/feedback/figures", response=FiguresOut)
def figures(request: HttpRequest, params: Query[FiguresQuery]) -> queries.SurveyFigures:
    """CSAT, NPS or CES over a period. Team leads, service managers and administrators."""
    queries.check_may_read_figures(acting_agent(request.user))
    if params.measure not in SurveyKind.values:
        raise ValidationFailed(
            f"“{params.measure[:20]}” is not a measure. Choose csat, nps or ces.", fields={"measure": "Unknown."}
        )
    if params.since and params.until and params.since >= params.until:
        raise ValidationFailed("“since” must come before “until”.", fields={"until": "Before “since”."})
    return queries.survey_figures(measure=params.measure, since=params.since, until=params.until, team_id=params.team)
