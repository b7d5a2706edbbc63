"""The survey page the customer's link leads to, and what the agents see of it on the case."""

from __future__ import annotations

import pytest
from django.test import Client

from patron.accounts.models import Agent, Team
from patron.cases.models import Case
from patron.feedback.models import Survey, SurveyStatus
from patron.privacy import consent
from patron.privacy.models import ConsentRecord
from tests import factories


@pytest.fixture
def desk(db: None) -> Team:
    return factories.team("Customer Care")


@pytest.fixture
def sam(desk: Team) -> Agent:
    return factories.agent(teams=[desk], username="sam")


@pytest.fixture
def surveyed(desk: Team, sam: Agent) -> tuple[Case, str]:
    ann = factories.customer("Ann Smith", email="ann@example.com")
    consent.record_consent(customer=ann, purpose="surveys", basis="consent", detail="Ticked the box.", by=sam)
    case = factories.case(customer_=ann, team_=desk, subject="Where is my parcel?")
    return case, factories.survey_sent(case, by=sam)


def test_the_link_shows_one_question_on_its_scale(surveyed: tuple[Case, str]) -> None:
    case, token = surveyed
    page = Client().get(f"/survey/{token}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "How satisfied are you with how we handled your case?" in html
    assert f"About your case {case.reference}, handled by Customer Care." in html
    assert html.count('type="radio" name="score"') == 5
    assert "1: Very dissatisfied" in html
    assert "5: Very satisfied" in html
    assert "Send me no more surveys" in html


def test_the_customer_answers_once(surveyed: tuple[Case, str], sam: Agent) -> None:
    case, token = surveyed
    browser = Client()
    sent = browser.post(f"/survey/{token}", {"score": "5", "comment": "Quick and kind."})
    assert sent.status_code == 200
    assert "We have your answer: 5." in sent.content.decode()
    survey = Survey.objects.get(case=case)
    assert (survey.status, survey.score, survey.comment) == (SurveyStatus.ANSWERED, 5, "Quick and kind.")

    again = browser.get(f"/survey/{token}")
    assert again.status_code == 409
    assert "This survey has already been answered. Thank you." in again.content.decode()

    agents = Client()
    agents.force_login(sam)
    timeline = agents.get(f"/cases/{case.reference}").content.decode()
    assert "A satisfaction (CSAT) survey was emailed to ann@example.com." in timeline
    assert "The customer answered the satisfaction (CSAT) survey: 5 out of 5." in timeline


@pytest.mark.parametrize("score", ["", "0", "6", "five"])
def test_an_answer_off_the_scale_is_refused_and_changes_nothing(surveyed: tuple[Case, str], score: str) -> None:
    case, token = surveyed
    refused = Client().post(f"/survey/{token}", {"score": score})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Choose a score" in html or "Select a valid choice" in html
    assert Survey.objects.get(case=case).status == SurveyStatus.SENT


def test_a_wrong_link_says_so(surveyed: tuple[Case, str]) -> None:
    _case, token = surveyed
    page = Client().get(f"/survey/{token}x")
    assert page.status_code == 404
    assert "This survey link is not valid." in page.content.decode()
    assert Client().post(f"/survey/{token}x", {"score": "5"}).status_code == 404


def test_the_customer_asks_for_no_more_surveys(surveyed: tuple[Case, str]) -> None:
    case, token = surveyed
    stopped = Client().post(f"/survey/{token}/stop")
    assert stopped.status_code == 200
    assert "We will not send you any more surveys." in stopped.content.decode()
    assert ConsentRecord.objects.get(customer=case.customer).withdrawn_at is not None
    assert Survey.objects.get(case=case).status == SurveyStatus.WITHDRAWN
    assert Client().get(f"/survey/{token}").status_code == 404
    assert Client().get(f"/survey/{token}/stop").status_code == 405
