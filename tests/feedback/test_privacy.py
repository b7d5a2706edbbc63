"""Survey answers under the privacy rules: in the customer's copy and portable data, kept a year
and then anonymised by the retention schedule (a dry run first says what would go), with the
figures unchanged."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from patron.accounts.models import Agent, Team
from patron.cases.models import Case
from patron.customers.models import Customer
from patron.feedback import services
from patron.feedback.models import Survey, SurveyStatus
from patron.feedback.queries import survey_figures
from patron.privacy import consent, fulfilment, rights
from patron.privacy.bundle import build_bundle
from patron.privacy.bundle_pdf import bundle_pdf
from patron.privacy.models import DataCategory, RequestType
from patron.privacy.retention import run_retention
from tests import factories


def _answered(customer: Customer, desk: Team, by: Agent, score: int, comment: str) -> Case:
    case = factories.case(customer_=customer, team_=desk, subject="Where is my parcel?")
    token = factories.survey_sent(case, by=by)
    services.answer_survey(token=token, score=score, comment=comment)
    return case


@pytest.fixture
def ann(desk: Team, sam: Agent) -> Customer:
    customer = factories.customer("Ann Smith", email="ann@example.com")
    consent.record_consent(customer=customer, purpose="surveys", basis="consent", detail="Ticked the box.", by=sam)
    return customer


def test_the_access_copy_holds_her_surveys_and_answers(desk: Team, sam: Agent, officer: Agent, ann: Customer) -> None:
    case = _answered(ann, desk, sam, 2, "The courier never rang.")
    request = rights.record_subject_request(
        customer=ann, type=RequestType.ACCESS, received_on=timezone.localdate(), by=officer
    )
    bundle = build_bundle(request)
    [survey] = bundle["surveys"]
    assert {key: survey[key] for key in ("case", "status", "score", "out_of", "comment")} == {
        "case": case.reference,
        "status": "Answered",
        "score": 2,
        "out_of": 5,
        "comment": "The courier never rang.",
    }
    printed = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(bundle_pdf(bundle))).pages)
    assert "you answered 2 out of 5 and wrote “The courier never rang.”" in " ".join(printed.split())


def test_her_portable_data_holds_the_answers_she_gave(desk: Team, sam: Agent, officer: Agent, ann: Customer) -> None:
    _answered(ann, desk, sam, 5, "Lovely.")
    unanswered = factories.case(customer_=ann, team_=desk)
    factories.survey_sent(unanswered, by=sam)
    request = rights.record_subject_request(
        customer=ann, type=RequestType.PORTABILITY, received_on=timezone.localdate(), by=officer
    )
    answers = build_bundle(request)["survey_answers"]
    assert [(answer["score"], answer["comment"]) for answer in answers] == [(5, "Lovely.")]


def test_answers_older_than_a_year_lose_what_identifies_the_person(desk: Team, sam: Agent, ann: Customer) -> None:
    old = _answered(ann, desk, sam, 5, "Ann here: great service.")
    recent = _answered(ann, desk, sam, 1, "Ann again: slow this time.")
    Survey.objects.filter(case=old).update(answered_at=timezone.now() - timedelta(days=400))
    before = survey_figures(measure="csat")

    dry = {outcome.category: outcome for outcome in run_retention(dry_run=True)}
    old_survey = Survey.objects.get(case=old)
    assert (dry[DataCategory.SURVEY_ANSWERS].count, dry[DataCategory.SURVEY_ANSWERS].examples) == (
        1,
        [f"survey {old_survey.pk}"],
    )
    assert Survey.objects.get(pk=old_survey.pk).comment == "Ann here: great service."

    done = {outcome.category: outcome.count for outcome in run_retention(dry_run=False)}
    assert done[DataCategory.SURVEY_ANSWERS] == 1
    old_survey.refresh_from_db()
    assert (old_survey.comment, old_survey.customer, old_survey.case, old_survey.anonymised_at is not None) == (
        "",
        None,
        None,
        True,
    )
    assert (old_survey.score, old_survey.status, old_survey.team) == (5, SurveyStatus.ANSWERED, desk)
    assert Survey.objects.get(case=recent).comment == "Ann again: slow this time."
    assert survey_figures(measure="csat") == before
    assert {outcome.category: outcome.count for outcome in run_retention(dry_run=True)}[
        DataCategory.SURVEY_ANSWERS
    ] == 0


def test_a_legal_hold_keeps_her_answers(desk: Team, sam: Agent, officer: Agent, ann: Customer) -> None:
    case = _answered(ann, desk, sam, 5, "Fine.")
    Survey.objects.filter(case=case).update(answered_at=timezone.now() - timedelta(days=400))
    fulfilment.place_legal_hold(customer=ann, by=officer, reason="A claim is expected.")
    run_retention(dry_run=False)
    assert Survey.objects.get(case=case).comment == "Fine."
