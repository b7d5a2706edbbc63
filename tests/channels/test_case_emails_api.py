from __future__ import annotations

import email
import email.policy

import pytest

from patron.accounts.models import Agent, Team
from patron.cases.models import Case
from patron.cases.services import reply
from patron.channels.models import InboundEmail, OutboundEmail, OutboundStatus
from patron.channels.outbound import send_outbound_email
from patron.channels.services import ingest_email
from patron.privacy.models import AuditEntry
from tests import factories
from tests.api.conftest import ApiClient, client_for
from tests.channels.conftest import make_email
from tests.channels.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_a(agent_a: Agent) -> ApiClient:
    return client_for(agent_a)


@pytest.fixture
def case(team_a: Team) -> Case:
    factories.mailbox(address="help@desk.example", team_=team_a, send_acknowledgement=False)
    raw = make_email(message_id="<q1@mail.example.com>", body="My kettle broke.\n\nOn Monday, you wrote:\n> hi\n")
    ingest_email(raw, source="smtp")
    return Case.objects.get()


def test_case_emails_both_ways_with_message_ids_status_and_originals(
    case: Case, agent_a: Agent, api_a: ApiClient, smtp_sink: SmtpSink
) -> None:
    message = reply(case=case, by=agent_a, body="Sorry to hear that.")
    sent = OutboundEmail.objects.get()
    send_outbound_email(outbound_id=sent.pk)
    inbound = InboundEmail.objects.get()

    listed = api_a.get(f"/cases/{case.reference}/emails").json()
    assert [(e["id"], e["direction"], e["message_id"], e["status"], e["case_message_id"]) for e in listed] == [
        (f"in-{inbound.pk}", "inbound", "q1@mail.example.com", "processed", inbound.case_message_id),
        (f"out-{sent.pk}", "outbound", sent.message_id, "sent", message.pk),
    ]
    assert listed[1]["in_reply_to"] == "q1@mail.example.com"
    # Each email carries what the case shows of it: the first email whole, the reply as sent.
    assert (listed[0]["text"], listed[1]["text"]) == (
        "My kettle broke.\n\nOn Monday, you wrote:\n> hi",
        "Sorry to hear that.",
    )
    assert listed[1]["to"] == "ann@example.com"

    original_in = api_a.get(listed[0]["original"].removeprefix("/api/v1"))
    assert (original_in.status_code, original_in["Content-Type"]) == (200, "message/rfc822")
    assert original_in.content == bytes(inbound.raw)
    original_out = api_a.get(listed[1]["original"].removeprefix("/api/v1"))
    assert original_out.status_code == 200
    parsed = email.message_from_bytes(original_out.content, policy=email.policy.default)
    assert parsed["Message-ID"] == f"<{sent.message_id}>"
    assert parsed["Message-ID"] == smtp_sink.delivered[0].email["Message-ID"]
    assert AuditEntry.objects.filter(action="download_email", object_id=str(case.pk)).count() == 2


def test_failed_email_is_sent_again_through_the_api(
    case: Case, agent_a: Agent, api_a: ApiClient, smtp_sink: SmtpSink
) -> None:
    reply(case=case, by=agent_a, body="Sorry to hear that.")
    sent = OutboundEmail.objects.get()
    smtp_sink.refuse_with = "550 5.7.1 Rejected"
    send_outbound_email(outbound_id=sent.pk)
    [failed] = [e for e in api_a.get(f"/cases/{case.reference}/emails").json() if e["direction"] == "outbound"]
    assert (failed["status"], failed["last_error"]) == ("failed", "The mail server answered 550: 5.7.1 Rejected")

    again = api_a.post(f"/cases/{case.reference}/emails/out-{sent.pk}/retry", {})
    assert again.status_code == 200, again.content
    assert again.json()["status"] == "queued"
    assert api_a.post(f"/cases/{case.reference}/emails/out-{sent.pk}/retry", {}).status_code == 409
    smtp_sink.refuse_with = None
    send_outbound_email(outbound_id=sent.pk)
    sent.refresh_from_db()
    assert sent.status == OutboundStatus.SENT


@pytest.mark.parametrize("email_id", ["in-999", "out-999", "x-1", "in-", "out-abc"])
def test_unknown_email_is_not_found(case: Case, api_a: ApiClient, email_id: str) -> None:
    response = api_a.get(f"/cases/{case.reference}/emails/{email_id}/original")
    assert (response.status_code, response.json()) == (404, {"detail": "This case has no such email."})


def test_emails_of_a_case_outside_the_agents_teams_are_not_found(case: Case, agent_b: Agent) -> None:
    other = client_for(agent_b)
    inbound = InboundEmail.objects.get()
    assert other.get(f"/cases/{case.reference}/emails").status_code == 404
    assert other.get(f"/cases/{case.reference}/emails/in-{inbound.pk}/original").status_code == 404
    assert AuditEntry.objects.filter(action="download_email").count() == 0


def test_an_inbound_email_cannot_be_retried(case: Case, api_a: ApiClient) -> None:
    inbound = InboundEmail.objects.get()
    assert api_a.post(f"/cases/{case.reference}/emails/in-{inbound.pk}/retry", {}).status_code == 404
