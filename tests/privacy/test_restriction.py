"""Restriction of processing (UK GDPR art. 18): a restricted customer's data is stored, and what
they send still arrives, but nothing else is done with it: no acknowledgement, no email queued
earlier goes out (it is held, with the reason, not lost), no failed email is tried again, and the
case is neither changed nor annotated unless one of the law's exceptions is named."""

from __future__ import annotations

import pytest
from django.core import mail

from patron.accounts.models import Agent, Role, Team
from patron.cases import services as cases
from patron.cases.models import Case, CaseEvent, EventKind, Message, Priority, Status
from patron.channels import outbound
from patron.channels.models import InboundEmail, OutboundEmail, OutboundKind, OutboundStatus
from patron.channels.services import ingest_email
from patron.customers.models import Customer
from patron.errors import Conflict, ValidationFailed
from patron.privacy.fulfilment import lift_restriction, restrict_processing
from patron.privacy.models import AuditEntry
from tests import factories
from tests.api.conftest import client_for
from tests.channels.conftest import make_email

pytestmark = pytest.mark.django_db

ANN = "ann@example.com"


@pytest.fixture
def desk() -> Team:
    team = factories.team("Help desk")
    factories.mailbox(team_=team)
    return team


@pytest.fixture
def agent(desk: Team) -> Agent:
    return factories.agent(teams=[desk], username="sam")


@pytest.fixture
def officer() -> Agent:
    return factories.agent(role=Role.PRIVACY_OFFICER, username="petra")


@pytest.fixture
def ann() -> Customer:
    return factories.customer("Ann Smith", email=ANN)


def _restrict(customer: Customer, officer: Agent) -> None:
    restrict_processing(customer=customer, by=officer, reason="Accuracy contested")


def _case_from(raw: bytes) -> Case:
    reference = ingest_email(raw, source="stdin").case_reference
    return Case.objects.get(pk=int(str(reference).removeprefix("C-")))


def test_a_new_case_is_stored_but_not_acknowledged(ann: Customer, officer: Agent, desk: Team) -> None:
    _restrict(ann, officer)
    case = _case_from(make_email(sender=f"Ann Smith <{ANN}>"))

    assert case.customer_id == ann.pk
    assert Message.objects.get(case=case).body_text.startswith("The kettle I bought last week")
    assert bytes(InboundEmail.objects.get(case=case).raw).startswith(b"From: Ann Smith")
    assert not OutboundEmail.objects.filter(case=case).exists()
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.ACKNOWLEDGED).exists()


def test_an_email_queued_before_the_restriction_is_held_with_the_reason_until_lifted(
    ann: Customer, officer: Agent, agent: Agent, desk: Team
) -> None:
    case = _case_from(make_email(sender=f"Ann Smith <{ANN}>"))
    cases.reply(case=case, by=agent, body="Hello Ann, a new kettle is on its way.")
    queued = list(OutboundEmail.objects.filter(case=case).order_by("pk"))
    assert [email.kind for email in queued] == [OutboundKind.ACKNOWLEDGEMENT, OutboundKind.REPLY]
    _restrict(ann, officer)

    for email in queued:
        outbound.send_outbound_email(outbound_id=email.pk)

    assert mail.outbox == []
    held = OutboundEmail.objects.filter(case=case).order_by("pk")
    assert {(email.status, email.attempts) for email in held} == {(OutboundStatus.HELD, 0)}
    reply = held.get(kind=OutboundKind.REPLY)
    assert reply.body_text == "Hello Ann, a new kettle is on its way."
    assert "restricted the processing of their data" in reply.last_error
    events = CaseEvent.objects.filter(case=case, kind=EventKind.EMAIL_HELD)
    assert sorted(event.data["outbound_email"] for event in events) == [email.pk for email in queued]
    assert "restricted the processing" in events.first().data["reason"]  # type: ignore[union-attr]
    # Not sent again by itself, nor by an agent while the restriction lasts.
    assert outbound.requeue_unsent_emails() == 0
    with pytest.raises(Conflict, match="restricted the processing"):
        outbound.retry_outbound_email(outbound=reply, by=agent)
    assert OutboundEmail.objects.get(pk=reply.pk).status == OutboundStatus.HELD

    lift_restriction(customer=ann, by=officer, reason="Accuracy checked; Ann told on 24 Nov.")
    outbound.retry_outbound_email(outbound=reply, by=agent)
    outbound.send_outbound_email(outbound_id=reply.pk)
    assert OutboundEmail.objects.get(pk=reply.pk).status == OutboundStatus.SENT
    assert [message.to for message in mail.outbox] == [[ANN]]


def test_a_failed_email_is_not_tried_again_while_restricted(
    ann: Customer, officer: Agent, agent: Agent, desk: Team
) -> None:
    case = _case_from(make_email(sender=f"Ann Smith <{ANN}>"))
    acknowledgement = OutboundEmail.objects.get(case=case)
    OutboundEmail.objects.filter(pk=acknowledgement.pk).update(status=OutboundStatus.FAILED, last_error="550")
    _restrict(ann, officer)

    with pytest.raises(Conflict, match="restricted the processing"):
        outbound.retry_outbound_email(outbound=acknowledgement, by=agent)
    assert OutboundEmail.objects.get(pk=acknowledgement.pk).status == OutboundStatus.FAILED
    assert not AuditEntry.objects.filter(action="retry_email").exists()


def test_the_case_is_not_changed_or_annotated_unless_an_exception_is_named(
    ann: Customer, officer: Agent, agent: Agent, desk: Team
) -> None:
    case = factories.case(customer_=ann, team_=desk)
    _restrict(ann, officer)
    case.refresh_from_db()
    version = case.version

    with pytest.raises(Conflict, match="say which exception applies: consent") as refused:
        cases.update_case(
            case=case, by=agent, expected_version=version, changes=cases.CaseChanges(priority=Priority.HIGH)
        )
    assert refused.value.fields == {"exception": "Choose the exception that applies."}
    with pytest.raises(Conflict, match="the case is kept as it is"):
        cases.set_status(case=case, by=agent, status=Status.RESOLVED, expected_version=version)
    with pytest.raises(Conflict, match="the case is kept as it is"):
        cases.add_note(case=case, by=agent, body="Ann rang again.")
    with pytest.raises(ValidationFailed, match="not a recognised exception to a restriction"):
        cases.add_note(case=case, by=agent, body="Ann rang again.", exception="curiosity")
    unchanged = Case.objects.get(pk=case.pk)
    assert (unchanged.version, unchanged.priority, unchanged.status) == (version, Priority.NORMAL, Status.NEW)
    assert not Message.objects.filter(case=case, direction="note").exists()

    # Her solicitor's letter of claim: the law lets the desk keep working on it.
    changed = cases.update_case(
        case=case,
        by=agent,
        expected_version=version,
        changes=cases.CaseChanges(priority=Priority.HIGH, exception="legal_claims"),
    )
    note = cases.add_note(case=case, by=agent, body="Letter of claim received.", exception="legal_claims")
    assert (changed.priority, note.body_text) == (Priority.HIGH, "Letter of claim received.")
    uses = AuditEntry.objects.filter(action="restricted_processing", object_id=str(case.pk)).order_by("id")
    assert [entry.data for entry in uses] == [
        {"customer": ann.pk, "exception": "legal_claims", "done": "case_changed"},
        {"customer": ann.pk, "exception": "legal_claims", "done": "note_added"},
    ]


def test_what_the_customer_sends_is_still_stored_and_reopens_the_case(
    ann: Customer, officer: Agent, agent: Agent, desk: Team
) -> None:
    case = _case_from(make_email(sender=f"Ann Smith <{ANN}>"))
    case = cases.set_status(case=case, by=agent, status=Status.RESOLVED, expected_version=case.version)
    _restrict(ann, officer)

    follow_up = make_email(
        sender=f"Ann Smith <{ANN}>",
        subject=f"Re: My kettle stopped working [{case.reference}]",
        body="It broke again.\n",
        message_id="<second@mail.example.com>",
        in_reply_to="<first@mail.example.com>",
    )
    assert _case_from(follow_up).pk == case.pk
    called = cases.log_contact(by=agent, channel="phone", customer=ann, summary="Ann called: still broken.", case=case)

    assert list(Message.objects.filter(case=case, direction="inbound").values_list("body_text", flat=True)) == [
        "The kettle I bought last week no longer boils.",
        "It broke again.",
        called.body_text,
    ]
    assert Case.objects.get(pk=case.pk).status == Status.OPEN
    assert OutboundEmail.objects.filter(case=case).count() == 1  # the acknowledgement before the restriction


def test_the_api_refuses_with_409_and_takes_the_exception(
    ann: Customer, officer: Agent, agent: Agent, desk: Team
) -> None:
    case = factories.case(customer_=ann, team_=desk)
    _restrict(ann, officer)
    case.refresh_from_db()
    api = client_for(agent)
    path = f"/cases/{case.reference}"

    refused = api.patch(path, {"version": case.version, "priority": "high"})
    assert refused.status_code == 409
    assert "say which exception applies" in refused.json()["detail"]
    assert api.post(f"{path}/messages", {"type": "note", "body": "Rang again."}).status_code == 409
    assert api.patch(path, {"version": case.version, "priority": "high", "exception": "curiosity"}).status_code == 422
    assert Case.objects.get(pk=case.pk).version == case.version

    done = api.patch(path, {"version": case.version, "priority": "high", "exception": "others_rights"})
    assert (done.status_code, done.json()["priority"]) == (200, "high")
    noted = api.post(f"{path}/messages", {"type": "note", "body": "Safeguarding.", "exception": "others_rights"})
    assert noted.status_code == 201
    assert AuditEntry.objects.filter(action="restricted_processing", data__exception="others_rights").count() == 2
