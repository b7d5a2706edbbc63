"""A customer answers their survey in a real browser, with the keyboard-friendly radio scale,
and axe-core finds nothing serious on the page before, on an error, and after."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from patron.feedback.models import Survey, SurveyStatus
from patron.privacy import consent
from tests import factories
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e


def test_a_customer_answers_their_survey(live_server: LiveServer, page: Page, transactional_db: None) -> None:
    care = factories.team("Customer Care")
    sam = factories.agent(teams=[care], username="sam")
    ann = factories.customer("Ann Smith", email="ann@example.com")
    consent.record_consent(customer=ann, purpose="surveys", basis="consent", detail="Ticked the box.", by=sam)
    case = factories.case(customer_=ann, team_=care)
    token = factories.survey_sent(case, by=sam)

    page.goto(f"{live_server.url}/survey/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("How did we do?")
    assert_accessible(page)
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator("main")).to_contain_text("Choose a score.")
    assert_accessible(page)
    page.get_by_label("4", exact=True).check()
    page.get_by_label("What is the main reason for your answer? (optional)").fill("Friendly, but slow.")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert_accessible(page)
    survey = Survey.objects.get(case=case)
    assert (survey.status, survey.score, survey.comment) == (SurveyStatus.ANSWERED, 4, "Friendly, but slow.")
