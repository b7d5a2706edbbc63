"""Surveys: sent when a case is resolved only where the customer's data may be used for surveys,
answered once on the measure's scale, closed by a withdrawal, and counted by DOMAIN.md's formulas."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from patron.accounts.models import Agent, Team
from patron.cases.models import Case, CaseEvent, EventKind, Status
from patron.cases.services import set_status
from patron.channels.models import OutboundEmail, OutboundKind, OutboundStatus
from patron.customers.models import Customer
from patron.customers.services import CustomerDetails, create_customer
from patron.errors import Conflict, NotFound, ValidationFailed
from patron.feedback import services
from patron.feedback.models import Survey, SurveyKind, SurveyStatus
from patron.feedback.queries import survey_figures
from patron.privacy import consent, fulfilment
from patron.privacy.models import ConsentRecord
from tests import factories
from tests.channels.smtp_sink import SmtpSink


def _willing(name: str = "Ann Smith", *, by: Agent, **kwargs: Any) -> Customer:
    customer = factories.customer(name, **kwargs)
    consent.record_consent(
        customer=customer, purpose="surveys", basis="consent", detail="Ticked “ask me about my service”.", by=by
    )
    return customer


def _resolved(customer: Customer, desk: Team, by: Agent) -> Case:
    case = factories.case(customer_=customer, team_=desk, subject="Where is my parcel?")
    return set_status(case=case, by=by, status=Status.RESOLVED, expected_version=case.version)


def _events(case: Case, kind: str) -> list[dict[str, Any]]:
    return list(CaseEvent.objects.filter(case=case, kind=kind).values_list("data", flat=True))


def test_a_resolved_case_sends_one_survey_with_a_private_link(desk: Team, sam: Agent) -> None:
    ann = _willing(by=sam, email="ann@example.com")
    case = _resolved(ann, desk, sam)

    survey = services.send_survey(case_id=case.pk)

    assert survey is not None
    assert survey.status == SurveyStatus.SENT
    assert (survey.kind, survey.customer, survey.team) == (SurveyKind.CSAT, ann, desk)
    email = OutboundEmail.objects.get(case=case, kind=OutboundKind.SURVEY)
    assert email.to_address == "ann@example.com"
    assert email.subject == f"How did we do? [{case.reference}]"
    found = factories.SURVEY_LINK.search(email.body_text)
    assert found is not None
    token = found.group(1)
    # Only the digest is kept: the table alone opens no survey.
    assert token not in str(Survey.objects.filter(pk=survey.pk).values().get())
    assert survey.token_digest == services.digest_of(token)
    assert services.open_survey(token=token) == survey
    assert _events(case, EventKind.SURVEY_SENT) == [{"survey": survey.pk, "measure": "csat", "to": "ann@example.com"}]
    # Asked again (a second worker, a reopened and re-resolved case): nothing more is sent.
    assert services.send_survey(case_id=case.pk) is None
    assert OutboundEmail.objects.filter(case=case, kind=OutboundKind.SURVEY).count() == 1


def _not_sent_reason(case: Case) -> str:
    survey = services.send_survey(case_id=case.pk)
    assert survey is not None
    assert survey.status == SurveyStatus.NOT_SENT
    assert not OutboundEmail.objects.filter(case=case, kind=OutboundKind.SURVEY).exists()
    assert _events(case, EventKind.SURVEY_NOT_SENT) == [{"survey": survey.pk, "reason": survey.not_sent_reason}]
    return survey.not_sent_reason


def test_no_survey_without_a_basis_for_surveys(desk: Team, sam: Agent) -> None:
    case = _resolved(factories.customer("Ben Jones"), desk, sam)
    assert _not_sent_reason(case) == "No basis is recorded for using their data for satisfaction surveys."


def test_no_survey_once_the_basis_is_withdrawn(desk: Team, sam: Agent) -> None:
    ann = _willing(by=sam)
    consent.withdraw_consent(record=ConsentRecord.objects.get(customer=ann), by=sam)
    case = _resolved(ann, desk, sam)
    reason = _not_sent_reason(case)
    assert reason.startswith("They withdrew their agreement to satisfaction surveys on ")


def test_no_survey_while_processing_is_restricted(desk: Team, sam: Agent, officer: Agent) -> None:
    ann = _willing(by=sam)
    case = _resolved(ann, desk, sam)
    fulfilment.restrict_processing(customer=ann, by=officer, reason="She contests the accuracy.")
    assert "restricted the processing of their data" in _not_sent_reason(case)


def test_no_emailed_survey_for_someone_who_asked_to_be_phoned(desk: Team, sam: Agent) -> None:
    ann = _willing(by=sam, preferred_channel="phone")
    case = _resolved(ann, desk, sam)
    assert _not_sent_reason(case) == "They prefer contact by phone; surveys go by email."


def test_no_survey_without_an_email_address(desk: Team, sam: Agent) -> None:
    caller = create_customer(details=CustomerDetails(name="Cal Phone", phones=["020 7946 0000"]), by=None)
    consent.record_consent(customer=caller, purpose="surveys", basis="legitimate_interests", detail="", by=sam)
    case = _resolved(caller, desk, sam)
    assert _not_sent_reason(case) == "They have no email address to send it to."
    assert Survey.objects.get(case=case).token_digest is None


def test_a_case_reopened_before_the_survey_went_is_not_surveyed(desk: Team, sam: Agent) -> None:
    case = _resolved(_willing(by=sam), desk, sam)
    set_status(case=case, by=sam, status=Status.OPEN, expected_version=case.version)
    assert services.send_survey(case_id=case.pk) is None
    assert not Survey.objects.exists()


def test_no_survey_when_the_desk_sends_none(desk: Team, sam: Agent) -> None:
    case = _resolved(_willing(by=sam), desk, sam)
    with override_settings(PATRON_SURVEY="none"):
        assert services.send_survey(case_id=case.pk) is None
        assert services.schedule_surveys([case]) == 0
    assert not Survey.objects.exists()


@override_settings(PATRON_SURVEY="nps")
def test_the_desk_chooses_the_measure(desk: Team, sam: Agent) -> None:
    survey = services.send_survey(case_id=_resolved(_willing(by=sam), desk, sam).pk)
    assert survey is not None
    assert survey.kind == SurveyKind.NPS
    email = OutboundEmail.objects.get(kind=OutboundKind.SURVEY)
    assert "How likely is it that you would recommend us to a friend or colleague? (0 = not at all likely" in (
        email.body_text
    )


def test_only_cases_just_finished_are_scheduled(desk: Team, sam: Agent) -> None:
    ann = _willing(by=sam)
    fresh = _resolved(ann, desk, sam)
    old = _resolved(ann, desk, sam)
    Case.objects.filter(pk=old.pk).update(resolved_at=timezone.now() - timedelta(days=30))
    old.refresh_from_db()
    still_open = factories.case(customer_=ann, team_=desk)
    surveyed = _resolved(ann, desk, sam)
    services.send_survey(case_id=surveyed.pk)
    assert services.schedule_surveys([fresh, old, still_open, surveyed]) == 1


@pytest.mark.django_db(transaction=True)
def test_resolving_sends_the_survey_through_the_worker_and_the_mail_server(
    smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    desk = factories.team("Customer Care")
    sam = factories.agent(teams=[desk], username="sam")
    ann = _willing(by=sam, email="ann@example.com")
    case = factories.case(customer_=ann, team_=desk)
    with django_capture_on_commit_callbacks(execute=True):
        set_status(case=case, by=sam, status=Status.RESOLVED, expected_version=case.version)
    assert DBTaskResult.objects.filter(task_path__endswith="send_survey").count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert Survey.objects.get(case=case).status == SurveyStatus.SENT
    email = OutboundEmail.objects.get(case=case, kind=OutboundKind.SURVEY)
    if email.status != OutboundStatus.SENT:
        # The survey's email was queued by the survey task, after this batch had started.
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    email.refresh_from_db()
    assert email.status == OutboundStatus.SENT
    [delivered] = [d for d in smtp_sink.delivered if d.email["Subject"].startswith("How did we do?")]
    assert delivered.email["To"] == "ann@example.com"
    body = delivered.email.get_body(preferencelist=("plain",))
    assert body is not None
    assert "http://127.0.0.1:8000/survey/" in body.get_content()


# --- answers ------------------------------------------------------------------------------------


@pytest.fixture
def sent(desk: Team, sam: Agent) -> tuple[Survey, str]:
    ann = _willing(by=sam, email="ann@example.com")
    case = factories.case(customer_=ann, team_=desk)
    token = factories.survey_sent(case, by=sam)
    return Survey.objects.get(case=case), token


def test_an_answer_is_recorded_once_with_personal_data_masked(sent: tuple[Survey, str]) -> None:
    survey, token = sent
    answered = services.answer_survey(
        token=token, score="4", comment="Quick refund  to card 4111 1111 1111 1111, thank you."
    )
    assert (answered.status, answered.score) == (SurveyStatus.ANSWERED, 4)
    assert "4111" not in answered.comment
    assert answered.comment.startswith("Quick refund to card ")
    assert answered.answered_at is not None
    assert survey.case is not None
    assert _events(survey.case, EventKind.SURVEY_ANSWERED) == [
        {"survey": survey.pk, "measure": "csat", "score": 4, "out_of": 5}
    ]
    with pytest.raises(Conflict, match="already been answered"):
        services.answer_survey(token=token, score=5)
    assert Survey.objects.get(pk=survey.pk).score == 4


@pytest.mark.parametrize("score", [0, 6, "", "four", "4.5", True, None])
def test_a_score_off_the_scale_is_refused_and_changes_nothing(sent: tuple[Survey, str], score: object) -> None:
    survey, token = sent
    with pytest.raises(ValidationFailed, match="Choose a score from 1 to 5"):
        services.answer_survey(token=token, score=score)
    survey.refresh_from_db()
    assert (survey.status, survey.score, survey.answered_at) == (SurveyStatus.SENT, None, None)


def test_a_long_comment_is_refused(sent: tuple[Survey, str]) -> None:
    _survey, token = sent
    with pytest.raises(ValidationFailed, match="2,000 characters"):
        services.answer_survey(token=token, score=3, comment="x" * 2001)


def test_a_wrong_or_closed_link_says_so(sent: tuple[Survey, str]) -> None:
    survey, token = sent
    with pytest.raises(NotFound, match="not valid"):
        services.open_survey(token=token[:-1])
    with pytest.raises(NotFound):
        services.open_survey(token="")
    assert survey.open_until is not None
    with pytest.raises(Conflict, match="This survey closed on"):
        services.answer_survey(token=token, score=5, now=survey.open_until + timedelta(minutes=1))


def test_withdrawing_the_basis_closes_a_survey_sent_before(sent: tuple[Survey, str], sam: Agent) -> None:
    survey, token = sent
    assert survey.customer is not None
    consent.withdraw_consent(record=ConsentRecord.objects.get(customer=survey.customer), by=sam)
    survey.refresh_from_db()
    assert (survey.status, survey.token_digest) == (SurveyStatus.WITHDRAWN, None)
    with pytest.raises(NotFound):
        services.answer_survey(token=token, score=5)


def test_a_survey_sent_before_a_restriction_cannot_be_answered_during_it(
    sent: tuple[Survey, str], officer: Agent
) -> None:
    survey, token = sent
    assert survey.customer is not None
    fulfilment.restrict_processing(customer=survey.customer, by=officer, reason="She contests the accuracy.")
    with pytest.raises(Conflict, match="closed"):
        services.answer_survey(token=token, score=5)


def test_the_customer_can_ask_for_no_more_surveys(sent: tuple[Survey, str], desk: Team, sam: Agent) -> None:
    survey, _token = sent
    assert survey.customer is not None
    record = consent.stop_surveys(customer=survey.customer)
    assert record is not None
    assert record.withdrawn_at is not None
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.WITHDRAWN
    later = _resolved(survey.customer, desk, sam)
    assert _not_sent_reason(later).startswith("They withdrew their agreement to satisfaction surveys")
    assert consent.stop_surveys(customer=survey.customer) is None


# --- figures ------------------------------------------------------------------------------------


def _answered(desk: Team, by: Agent, scores: list[int | None]) -> None:
    """One survey sent for each score, answered with it (None: left unanswered)."""
    for score in scores:
        case = factories.case(customer_=_willing(by=by), team_=desk)
        token = factories.survey_sent(case, by=by)
        if score is not None:
            services.answer_survey(token=token, score=score)


def test_csat_is_the_share_of_answers_scoring_4_or_5(desk: Team, sam: Agent) -> None:
    _answered(desk, sam, [5, 4, 3, 1, None])
    figures = survey_figures(measure="csat")
    assert (figures.sent, figures.answered, figures.score, figures.response_rate) == (5, 4, 50.0, 80.0)
    assert survey_figures(measure="csat", team_id=desk.pk + 1).sent == 0


@override_settings(PATRON_SURVEY="nps")
def test_nps_is_promoters_less_detractors_with_passives_counted(desk: Team, sam: Agent) -> None:
    _answered(desk, sam, [10, 9, 8, 7, 6, 0, 10, 10])
    # 4 promoters, 2 passives, 2 detractors of 8: 50 % − 25 %.
    assert survey_figures(measure="nps").score == 25.0


@override_settings(PATRON_SURVEY="ces")
def test_ces_is_the_mean_answer(desk: Team, sam: Agent) -> None:
    _answered(desk, sam, [7, 6, 2])
    assert survey_figures(measure="ces").score == 5.0


def test_no_answers_give_no_figure(desk: Team) -> None:
    figures = survey_figures(measure="csat")
    assert (figures.sent, figures.answered, figures.score, figures.response_rate) == (0, 0, None, None)
