"""Surveys in the API: a case's survey for whoever may see the case, the figures for the people
who read them, and clear refusals."""

from __future__ import annotations

import pytest

from patron.accounts.models import Agent, Role, Team
from patron.cases.models import Case
from patron.feedback import services
from patron.privacy import consent
from tests import factories
from tests.api.conftest import client_for


@pytest.fixture
def answered(desk: Team, sam: Agent) -> Case:
    ann = factories.customer("Ann Smith", email="ann@example.com")
    consent.record_consent(customer=ann, purpose="surveys", basis="consent", detail="Ticked the box.", by=sam)
    case = factories.case(customer_=ann, team_=desk)
    services.answer_survey(token=factories.survey_sent(case, by=sam), score=4, comment="Good.")
    return case


def test_the_case_survey_shows_the_answer(answered: Case, sam: Agent) -> None:
    got = client_for(sam).get(f"/cases/{answered.reference}/survey")
    assert got.status_code == 200, got.content
    body = got.json()
    assert {key: body[key] for key in ("measure", "status", "score", "comment", "not_sent_reason")} == {
        "measure": "csat",
        "status": "answered",
        "score": 4,
        "comment": "Good.",
        "not_sent_reason": "",
    }


def test_a_case_not_yet_surveyed_says_so(desk: Team, sam: Agent) -> None:
    case = factories.case(team_=desk)
    got = client_for(sam).get(f"/cases/{case.reference}/survey")
    assert got.status_code == 404
    assert got.json()["detail"] == "No survey has been sent for this case: one goes when it is resolved."


def test_the_figures_follow_the_formulas(answered: Case, desk: Team) -> None:
    lead = factories.agent(role=Role.TEAM_LEAD, teams=[desk])
    got = client_for(lead).get("/feedback/figures", measure="csat", team=desk.pk)
    assert got.status_code == 200, got.content
    assert got.json() == {"measure": "csat", "sent": 1, "answered": 1, "response_rate": 100.0, "score": 100.0}


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ({"measure": "happiness"}, "“happiness” is not a measure. Choose csat, nps or ces."),
        (
            {"since": "2026-03-02T00:00:00Z", "until": "2026-03-01T00:00:00Z"},
            "“since” must come before “until”.",
        ),
    ],
)
def test_bad_questions_get_clear_refusals(desk: Team, query: dict[str, str], detail: str) -> None:
    lead = factories.agent(role=Role.TEAM_LEAD, teams=[desk])
    got = client_for(lead).get("/feedback/figures", **query)
    assert got.status_code == 422
    assert got.json()["detail"] == detail
    assert client_for(lead).get("/feedback/figures", since="yesterday").status_code == 422
