"""What each LATER step records: the fields a step needs are refused when missing, each with its
own sentence, and nothing is saved; yes/no answers, the customer's answer and the follow-up date
are checked; steps recorded before the fields existed still read as they were written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from patron.accounts.models import Agent, Team
from patron.cases.models import CaseEvent, CaseKind, EventKind
from patron.complaints.models import Complaint, ComplaintStep, Step
from patron.complaints.services import record_step
from patron.complaints.steps import RecordedField, described, recorded_fields, spoken_text
from patron.errors import ValidationFailed
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(team_a: Team) -> Complaint:
    case = factories.case(team_=team_a, kind=CaseKind.COMPLAINT, received_at=datetime(2026, 11, 23, 10, tzinfo=UTC))
    return Complaint.objects.select_related("case").get(case=case)


def _refused(complaint: Complaint, by: Agent, step: str, details: dict[str, object]) -> ValidationFailed:
    events = CaseEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        record_step(complaint=complaint, by=by, step=step, details=details)
    assert not ComplaintStep.objects.exists()
    assert CaseEvent.objects.count() == events
    return refused.value


@pytest.mark.parametrize(
    ("step", "details", "fields"),
    [
        (
            "listen",
            {},
            {
                "account": "Write the customer's account of what happened, in their own words.",
                "desired_outcome": "Write what the customer wants to happen.",
            },
        ),
        (
            "listen",
            {"account": "Shouted at.", "desired_outcome": "   "},
            {"desired_outcome": "Write what the customer wants to happen."},
        ),
        (
            "listen",
            {"account": "Shouted at.", "desired_outcome": "An apology.", "summary_confirmed": True},
            {"summary": "Write the summary the customer confirmed."},
        ),
        (
            "apologise",
            {"apology": "Sorry."},
            {"admission_of_liability": "Say whether the apology was made as an admission of liability."},
        ),
        ("explain", {"impact": "Upset."}, {"explanation": "Explain what happened and why, in plain language."}),
        (
            "resolve",
            {"customer_response": "accepted"},
            {"resolution": "Write the resolution offered to the customer."},
        ),
        (
            "resolve",
            {"resolution": "A refund."},
            {
                "customer_response": (
                    "Say whether the customer accepted the resolution, declined it or has yet to answer."
                )
            },
        ),
    ],
)
def test_a_step_without_what_it_needs_is_refused_field_by_field(
    complaint: Complaint, agent_a: Agent, step: str, details: dict[str, object], fields: dict[str, str]
) -> None:
    refused = _refused(complaint, agent_a, step, details)
    assert refused.fields == fields
    assert refused.message == " ".join(fields.values())


def test_listen_records_the_account_the_outcome_and_the_confirmed_summary(complaint: Complaint, agent_a: Agent) -> None:
    taken = record_step(
        complaint=complaint,
        by=agent_a,
        step="listen",
        details={
            "account": "  The driver shouted.\r\nTwice.  ",
            "desired_outcome": "An apology.",
            "summary_confirmed": "yes",
            "summary": "Shouted twice; wants an apology.",
        },
    )
    expected = {
        "account": "The driver shouted.\nTwice.",
        "desired_outcome": "An apology.",
        "summary_confirmed": True,
        "summary": "Shouted twice; wants an apology.",
    }
    assert (taken.step, taken.details, taken.by) == ("listen", expected, agent_a)
    [event] = CaseEvent.objects.filter(case=complaint.case, kind=EventKind.COMPLAINT_STEP)
    assert (event.actor, event.data) == (agent_a, {"step": "listen", **expected})


@pytest.mark.parametrize(("given", "recorded"), [(False, False), (True, True), ("no", False), ("yes", True)])
def test_an_apology_is_recorded_as_an_admission_of_liability_or_not(
    complaint: Complaint, agent_a: Agent, given: object, recorded: bool
) -> None:
    taken = record_step(
        complaint=complaint,
        by=agent_a,
        step="apologise",
        details={"apology": "I am sorry.", "admission_of_liability": given},
    )
    assert taken.details == {"apology": "I am sorry.", "admission_of_liability": recorded}


def test_thank_may_be_recorded_with_or_without_words(complaint: Complaint, agent_a: Agent) -> None:
    assert record_step(complaint=complaint, by=agent_a, step="thank", details={}).details == {"thanks": ""}


def test_resolve_records_the_answer_and_a_follow_up_from_today(complaint: Complaint, agent_a: Agent) -> None:
    today = timezone.localdate()
    for answer in ("accepted", "declined", "awaiting"):
        taken = record_step(
            complaint=complaint,
            by=agent_a,
            step="resolve",
            details={"resolution": "A refund.", "customer_response": answer, "follow_up_on": today.isoformat()},
        )
        assert taken.details == {
            "resolution": "A refund.",
            "customer_response": answer,
            "follow_up_on": today.isoformat(),
        }


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"follow_up_on": "yesterday"}, {"follow_up_on": "Follow up on: give a date as YYYY-MM-DD."}),
        (
            {"customer_response": "maybe"},
            {"customer_response": "The customer's answer: choose one of accepted, declined, awaiting."},
        ),
    ],
)
def test_resolve_refuses_a_bad_answer_or_date(
    complaint: Complaint, agent_a: Agent, change: dict[str, object], fields: dict[str, str]
) -> None:
    details = factories.step_details("resolve", **change)
    assert _refused(complaint, agent_a, "resolve", details).fields == fields


def test_a_follow_up_date_in_the_past_is_refused(complaint: Complaint, agent_a: Agent) -> None:
    today = timezone.localdate()
    yesterday = (today - timedelta(days=1)).isoformat()
    refused = _refused(complaint, agent_a, "resolve", factories.step_details("resolve", follow_up_on=yesterday))
    assert refused.fields == {
        "follow_up_on": f"The follow-up date cannot be in the past: it is {today:%d %B %Y} today."
    }


def test_a_field_the_step_does_not_record_is_refused(complaint: Complaint, agent_a: Agent) -> None:
    refused = _refused(complaint, agent_a, "thank", {"thanks": "Thank you.", "note": "Free text"})
    assert refused.message == "The thank step records thanks; “note” is not among them."
    assert refused.fields == {"note": "Unknown."}


def test_a_text_field_must_be_text(complaint: Complaint, agent_a: Agent) -> None:
    refused = _refused(complaint, agent_a, "explain", {"explanation": True})
    assert refused.fields == {"explanation": "What happened and why, in plain language: give text."}


def test_a_recorded_step_reads_field_by_field_with_its_labels() -> None:
    details = {
        "resolution": "A refund.",
        "customer_response": "awaiting",
        "follow_up_on": "2026-12-10",
    }
    assert recorded_fields(Step.RESOLVE, details) == [
        RecordedField("The resolution offered", "A refund."),
        RecordedField("The customer's answer", "Awaiting the customer's answer"),
        RecordedField("Follow up on", "10 December 2026"),
    ]
    apology = {"apology": "Sorry.", "admission_of_liability": False}
    assert described(Step.APOLOGISE, apology) == "The apology made: Sorry. Made as an admission of liability: No."


def test_a_step_recorded_before_the_fields_existed_reads_as_written() -> None:
    old = {"note": "Driver was rude; wants an apology.", "offered": ""}
    assert recorded_fields(Step.LISTEN, old) == [RecordedField("Note", "Driver was rude; wants an apology.")]
    assert spoken_text(Step.LISTEN, old) == "Driver was rude; wants an apology."


def test_a_letter_quotes_the_words_not_the_answers() -> None:
    details = factories.step_details("listen")
    assert spoken_text(Step.LISTEN, details) == "The driver shouted at me on my doorstep. An apology from the company."
    resolve = factories.step_details("resolve", follow_up_on="2026-12-10")
    assert spoken_text(Step.RESOLVE, resolve) == "A written apology and a £10 voucher."
