"""Replies from real mail clients thread back to their case: each client sets the threading
headers its own way (or loses them), and a forward is a new conversation."""

from __future__ import annotations

import pytest

from patron.accounts.models import Agent, Team
from patron.cases.models import Case
from patron.cases.services import reply
from patron.channels.models import OutboundEmail
from patron.channels.services import ingest_email
from tests import factories
from tests.channels.conftest import make_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(team_a: Team, agent_a: Agent) -> tuple[Case, str]:
    """A case opened by the customer's email and answered by an agent: the case, and the
    Message-ID of the answer the customer now replies to."""
    factories.mailbox(address="help@desk.example", team_=team_a, send_acknowledgement=False)
    ingest_email(make_email(subject="Kettle broken", message_id="<q1@mail.example.com>"), source="smtp")
    case = Case.objects.get()
    reply(case=case, by=agent_a, body="Could you send a photo?")
    return case, OutboundEmail.objects.get().message_id


def _answer(**headers: str | None) -> int:
    ingest_email(make_email(body="Here is the photo.", **headers), source="smtp")  # type: ignore[arg-type]
    return Case.objects.count()


def test_outlook_reply_with_in_reply_to_and_references(conversation: tuple[Case, str]) -> None:
    case, sent = conversation
    cases = _answer(
        subject=f"RE: Kettle broken [{case.reference}]",
        message_id="<AM6PR01MB1234@eurprd01.prod.outlook.com>",
        in_reply_to=f"<{sent}>",
        references=f"<q1@mail.example.com> <{sent}>",
        headers={"Thread-Topic": "Kettle broken", "Thread-Index": "AQHZ1234abcd=="},
    )
    assert (cases, case.messages.count()) == (1, 3)


def test_gmail_reply_threads_by_references_even_when_in_reply_to_is_another_message(
    conversation: tuple[Case, str],
) -> None:
    # Gmail answers the latest message of its own thread; References carries the whole chain.
    case, sent = conversation
    cases = _answer(
        subject="Re: Kettle broken",
        message_id="<CAF=abc123@mail.gmail.com>",
        in_reply_to="<CAF=unknown-draft@mail.gmail.com>",
        references=f"<q1@mail.example.com> <{sent}> <CAF=unknown-draft@mail.gmail.com>",
    )
    assert (cases, case.messages.count()) == (1, 3)


def test_apple_mail_reply(conversation: tuple[Case, str]) -> None:
    case, sent = conversation
    cases = _answer(
        subject="Re: Kettle broken",
        message_id="<5E3A2F1B-1C2D-4E5F-8A9B-0C1D2E3F4A5B@example.com>",
        in_reply_to=f"<{sent}>",
        references=f"<{sent}>",
        headers={"X-Mailer": "Apple Mail (2.3731.700.6)"},
    )
    assert (cases, case.messages.count()) == (1, 3)


def test_reply_whose_headers_were_lost_finds_its_case_by_the_reference_in_the_subject(
    conversation: tuple[Case, str],
) -> None:
    case, _ = conversation
    cases = _answer(subject=f"Re: Kettle broken [{case.reference}]", message_id="<webmail-1@example.net>")
    assert (cases, case.messages.count()) == (1, 3)


def test_reply_without_headers_or_reference_opens_a_new_case(conversation: tuple[Case, str]) -> None:
    assert _answer(subject="Re: Kettle broken", message_id="<webmail-2@example.net>") == 2


def test_forwarding_our_reply_to_someone_else_is_a_new_conversation(conversation: tuple[Case, str]) -> None:
    _, sent = conversation
    cases = _answer(
        subject="Fwd: Kettle broken",
        sender="Bob Smith <bob@example.org>",
        message_id="<fwd-1@example.org>",
        in_reply_to=f"<{sent}>",
        references=f"<{sent}>",
    )
    assert cases == 2
