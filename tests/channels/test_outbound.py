"""Replies and acknowledgements go out over a real SMTP conversation with a server the tests
start on 127.0.0.1, and what the customer receives threads back to the case when answered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from patron.accounts.models import Agent, Team
from patron.cases.models import Case, CaseEvent, Channel, EventKind, Message
from patron.cases.services import add_note, reply
from patron.channels.models import InboundEmail, Mailbox, OutboundEmail, OutboundKind, OutboundStatus
from patron.channels.outbound import (
    STANDARD_ACKNOWLEDGEMENT,
    fill_acknowledgement,
    requeue_unsent_emails,
    retry_outbound_email,
    send_outbound_email,
)
from patron.channels.services import ingest_email
from patron.errors import Conflict
from tests import factories
from tests.channels.conftest import make_email
from tests.channels.smtp_sink import SmtpSink, free_port

pytestmark = pytest.mark.django_db

CUSTOMER_MESSAGE_ID = "<kettle-1@mail.example.com>"


@pytest.fixture
def help_desk(team_a: Team) -> Mailbox:
    return factories.mailbox(address="help@desk.example", team_=team_a, name="Acme Customer Care")


def _case_from_email(**kwargs: object) -> Case:
    ingest_email(make_email(message_id=CUSTOMER_MESSAGE_ID, **kwargs), source="smtp")  # type: ignore[arg-type]
    return Case.objects.get()


def _reply(case: Case, agent: Agent, body: str = "A new kettle is on its way to you.") -> OutboundEmail:
    message = reply(case=case, by=agent, body=body)
    return OutboundEmail.objects.get(case_message=message)


def _send(outbound: OutboundEmail) -> OutboundEmail:
    send_outbound_email(outbound_id=outbound.pk)
    outbound.refresh_from_db()
    return outbound


# --- a reply by email ---------------------------------------------------------------------------


def test_reply_reaches_the_customer_with_threading_headers_and_both_parts(
    help_desk: Mailbox, agent_a: Agent, smtp_sink: SmtpSink
) -> None:
    help_desk.send_acknowledgement = False
    help_desk.save()
    case = _case_from_email()
    outbound = _send(_reply(case, agent_a, body="Hello Ann,\n\nA new kettle is on its way to you."))

    assert (outbound.status, outbound.attempts, outbound.last_error) == (OutboundStatus.SENT, 1, "")
    assert outbound.sent_at is not None
    [delivered] = smtp_sink.delivered
    assert (delivered.sender, delivered.recipients) == ("help@desk.example", ["ann@example.com"])
    received = delivered.email
    assert received["From"] == "Acme Customer Care <help@desk.example>"
    assert received["To"] == "ann@example.com"
    assert received["Subject"] == f"Re: My kettle stopped working [{case.reference}]"
    assert received["Message-ID"] == f"<{outbound.message_id}>"
    assert outbound.message_id.startswith(f"{case.reference.lower()}.")
    assert outbound.message_id.endswith("@desk.example")
    assert received["In-Reply-To"] == CUSTOMER_MESSAGE_ID
    assert received["References"] == CUSTOMER_MESSAGE_ID
    assert received["Auto-Submitted"] is None
    text = received.get_body(("plain",))
    html = received.get_body(("html",))
    assert text is not None
    assert html is not None
    assert text.get_content().replace("\r\n", "\n").strip() == "Hello Ann,\n\nA new kettle is on its way to you."
    assert "<p>Hello Ann,</p>" in html.get_content()


def test_customer_answering_the_reply_lands_on_the_same_case(
    help_desk: Mailbox, agent_a: Agent, smtp_sink: SmtpSink
) -> None:
    case = _case_from_email()
    _send(_reply(case, agent_a))
    sent = smtp_sink.delivered[-1].email
    # The customer's client answers what Patron sent; the case reference is gone from the subject.
    answer = make_email(
        subject="Re: kettle",
        message_id="<kettle-2@mail.example.com>",
        in_reply_to=sent["Message-ID"],
        references=f"{CUSTOMER_MESSAGE_ID} {sent['Message-ID']}",
        body="Thank you, it arrived today.",
    )
    ingest_email(answer, source="smtp")

    assert Case.objects.count() == 1
    assert list(case.messages.values_list("body_text", flat=True)) == [
        "The kettle I bought last week no longer boils.",
        "A new kettle is on its way to you.",
        "Thank you, it arrived today.",
    ]
    # The next reply answers the customer's latest email and carries the whole conversation.
    second = _reply(case, agent_a, body="Glad to hear it.")
    ack, first_reply = OutboundEmail.objects.filter(case=case).order_by("id")[:2]
    assert second.in_reply_to == "kettle-2@mail.example.com"
    assert first_reply.message_id == sent["Message-ID"].strip("<>")
    assert second.references.split() == [
        "kettle-1@mail.example.com",
        ack.message_id,
        first_reply.message_id,
        "kettle-2@mail.example.com",
    ]


@pytest.mark.django_db(transaction=True)
def test_reply_goes_through_the_worker_once_committed(
    help_desk: Mailbox, agent_a: Agent, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        case = _case_from_email()
        message = reply(case=case, by=agent_a, body="On its way.")
    queued = DBTaskResult.objects.filter(task_path__endswith="send_email")
    assert queued.count() == 2  # the acknowledgement and the reply
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert OutboundEmail.objects.get(case_message=message).status == OutboundStatus.SENT
    assert (
        sorted(d.email["Subject"] for d in smtp_sink.delivered)
        == [f"Re: My kettle stopped working [{case.reference}]"] * 2
    )


def test_reply_that_rolls_back_is_never_sent(help_desk: Mailbox, agent_a: Agent) -> None:
    case = _case_from_email()
    before = OutboundEmail.objects.count()

    def reply_then_fail() -> None:
        with transaction.atomic():
            reply(case=case, by=agent_a, body="Never mind.")
            raise RuntimeError("the request failed after the reply")

    with pytest.raises(RuntimeError):
        reply_then_fail()
    assert OutboundEmail.objects.count() == before


def test_notes_and_replies_on_the_phone_send_no_email(help_desk: Mailbox, agent_a: Agent) -> None:
    case = _case_from_email()
    before = OutboundEmail.objects.count()
    add_note(case=case, by=agent_a, body="Customer is a regular.")
    reply(case=case, by=agent_a, body="Called her back.", channel=Channel.PHONE)
    assert OutboundEmail.objects.count() == before


def test_reply_to_a_customer_without_an_email_address_is_marked_not_sent(agent_a: Agent, team_a: Team) -> None:
    customer = factories.customer(email="nobody@example.com")
    customer.contact_points.all().delete()
    case = factories.case(customer_=customer, team_=team_a, channel=Channel.EMAIL)
    outbound = _send(_reply(case, agent_a))
    assert (outbound.status, outbound.last_error) == (
        OutboundStatus.FAILED,
        "The customer has no email address to send to.",
    )
    assert CaseEvent.objects.filter(case=case, kind=EventKind.EMAIL_FAILED).count() == 1


# --- when sending fails --------------------------------------------------------------------------


def test_refused_for_now_is_tried_again_later(help_desk: Mailbox, agent_a: Agent, smtp_sink: SmtpSink) -> None:
    case = _case_from_email()
    smtp_sink.refuse_with = "451 4.3.0 Mailbox busy, try later"
    before = timezone.now()
    outbound = _send(_reply(case, agent_a))
    assert (outbound.status, outbound.attempts) == (OutboundStatus.RETRYING, 1)
    assert outbound.last_error == "The mail server answered 451: 4.3.0 Mailbox busy, try later"
    assert outbound.next_attempt_at is not None
    assert timedelta(seconds=59) < outbound.next_attempt_at - before < timedelta(seconds=62)
    retry = DBTaskResult.objects.filter(task_path__endswith="send_email").order_by("-enqueued_at").first()
    assert retry is not None
    assert retry.run_after == outbound.next_attempt_at
    assert smtp_sink.delivered == []

    smtp_sink.refuse_with = None
    outbound = _send(outbound)
    assert (outbound.status, outbound.attempts, outbound.last_error) == (OutboundStatus.SENT, 2, "")
    assert len(smtp_sink.delivered) == 1


def test_pauses_grow_between_attempts(help_desk: Mailbox, agent_a: Agent, smtp_sink: SmtpSink) -> None:
    case = _case_from_email()
    smtp_sink.refuse_with = "421 4.7.0 Too many connections"
    outbound = _reply(case, agent_a)
    pauses = []
    for _ in range(3):
        started = timezone.now()
        outbound = _send(outbound)
        assert outbound.next_attempt_at is not None
        pauses.append(round((outbound.next_attempt_at - started).total_seconds() / 60))
    assert pauses == [1, 2, 4]


def test_unreachable_server_is_tried_again(help_desk: Mailbox, agent_a: Agent, settings: object) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # type: ignore[attr-defined]
    settings.EMAIL_USE_TLS = False  # type: ignore[attr-defined]
    case = _case_from_email()
    outbound = _send(_reply(case, agent_a))
    assert outbound.status == OutboundStatus.RETRYING
    assert outbound.last_error.startswith("The mail server could not be reached")


def test_after_the_last_attempt_the_email_waits_on_the_case_for_a_person(
    help_desk: Mailbox, agent_a: Agent, smtp_sink: SmtpSink, settings: object
) -> None:
    settings.PATRON_EMAIL_ATTEMPTS = 2  # type: ignore[attr-defined]
    case = _case_from_email()
    smtp_sink.refuse_with = "451 4.3.0 Try later"
    outbound = _send(_send(_reply(case, agent_a)))
    assert (outbound.status, outbound.attempts, outbound.next_attempt_at) == (OutboundStatus.FAILED, 2, None)
    [failed] = CaseEvent.objects.filter(case=case, kind=EventKind.EMAIL_FAILED)
    assert failed.data == {
        "outbound_email": outbound.pk,
        "error": "The mail server answered 451: 4.3.0 Try later",
        "attempts": 2,
    }
    assert send_outbound_email(outbound_id=outbound.pk) is None  # nothing more happens by itself

    smtp_sink.refuse_with = None
    retry_outbound_email(outbound=outbound, by=agent_a)
    outbound = _send(outbound)
    assert outbound.status == OutboundStatus.SENT
    assert [d.email["Message-ID"] for d in smtp_sink.delivered] == [f"<{outbound.message_id}>"]


def test_address_refused_for_good_is_not_tried_again(help_desk: Mailbox, agent_a: Agent, smtp_sink: SmtpSink) -> None:
    case = _case_from_email()
    smtp_sink.refuse_with = "550 5.1.1 No such user"
    outbound = _send(_reply(case, agent_a))
    assert (outbound.status, outbound.attempts) == (OutboundStatus.FAILED, 1)
    assert outbound.last_error == "The mail server answered 550: 5.1.1 No such user"


def test_only_an_email_that_failed_can_be_tried_again(help_desk: Mailbox, agent_a: Agent) -> None:
    outbound = _reply(_case_from_email(), agent_a)
    with pytest.raises(Conflict, match="Only an email that could not be sent can be tried again."):
        retry_outbound_email(outbound=outbound, by=agent_a)
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.QUEUED


def test_emails_left_unsent_by_a_stopped_worker_are_queued_again(help_desk: Mailbox, agent_a: Agent) -> None:
    case = _case_from_email()
    queued = _reply(case, agent_a)
    stalled = _reply(case, agent_a, body="Second.")
    OutboundEmail.objects.filter(pk=stalled.pk).update(
        status=OutboundStatus.SENDING, updated_at=timezone.now() - timedelta(minutes=11)
    )
    sending_now = _reply(case, agent_a, body="Third.")
    OutboundEmail.objects.filter(pk=sending_now.pk).update(status=OutboundStatus.SENDING)
    ack = OutboundEmail.objects.get(kind=OutboundKind.ACKNOWLEDGEMENT)
    DBTaskResult.objects.all().delete()

    assert requeue_unsent_emails() == 3
    queued_ids = sorted(task.args_kwargs["kwargs"]["outbound_id"] for task in DBTaskResult.objects.all())
    assert queued_ids == sorted([ack.pk, queued.pk, stalled.pk])


# --- acknowledgement -------------------------------------------------------------------------------


def test_new_case_by_email_is_acknowledged_with_its_reference(help_desk: Mailbox, smtp_sink: SmtpSink) -> None:
    case = _case_from_email()
    ack = OutboundEmail.objects.get()
    assert (ack.kind, ack.to_address, ack.in_reply_to) == (
        OutboundKind.ACKNOWLEDGEMENT,
        "ann@example.com",
        "kettle-1@mail.example.com",
    )
    [event] = CaseEvent.objects.filter(case=case, kind=EventKind.ACKNOWLEDGED)
    assert event.data == {"outbound_email": ack.pk, "to": "ann@example.com"}
    # An acknowledgement is not the case's first response: that is an agent's answer.
    assert case.first_response_at is None

    _send(ack)
    received = smtp_sink.delivered[0].email
    assert received["Auto-Submitted"] == "auto-replied"
    assert received["Subject"] == f"Re: My kettle stopped working [{case.reference}]"
    body = received.get_body(("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n").strip() == (
        "Dear Ann Smith,\n\n"
        f"Thank you for getting in touch. We have received your message and opened case {case.reference} "
        f"for it. If you write to us again about it, please keep {case.reference} in the subject.\n\n"
        "We will reply as soon as we can.\n\n"
        "Acme Customer Care"
    )


def test_acknowledgement_names_the_first_response_due_time(help_desk: Mailbox, manager: Agent, team_a: Team) -> None:
    from patron.standards.services import PolicyDetails, create_policy

    details = PolicyDetails(name="Standard", first_response_minutes=24 * 60, business_hours=False)
    create_policy(details=details, by=manager)
    case = _case_from_email()
    due = timezone.localtime(case.created_at + timedelta(days=1))
    ack = OutboundEmail.objects.get(kind=OutboundKind.ACKNOWLEDGEMENT)
    assert f"We aim to reply by {due:%A} {due.day} {due:%B} at {due:%H:%M}." in ack.body_text


def test_acknowledgement_text_is_the_mailbox_own_when_set(help_desk: Mailbox) -> None:
    help_desk.acknowledgement_text = "Hi {customer_name}, your reference is {reference}. {unknown}"
    help_desk.save()
    case = _case_from_email()
    assert OutboundEmail.objects.get().body_text == f"Hi Ann Smith, your reference is {case.reference}. {{unknown}}"


def test_fill_acknowledgement_fills_every_placeholder() -> None:
    values = {
        "customer_name": "Ann",
        "reference": "C-000001",
        "subject": "Kettle",
        "reply_promise": "Soon.",
        "team_name": "Care",
    }
    assert fill_acknowledgement(STANDARD_ACKNOWLEDGEMENT, values=values).startswith("Dear Ann,")
    assert fill_acknowledgement("{subject} {", values=values) == "Kettle {"


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
    ],
)
def test_automated_mail_is_never_acknowledged(help_desk: Mailbox, headers: dict[str, str]) -> None:
    ingest_email(make_email(headers=headers), source="smtp")
    assert OutboundEmail.objects.count() == 0


def test_mail_from_a_desk_mailbox_is_not_acknowledged(help_desk: Mailbox, team_b: Team) -> None:
    factories.mailbox(address="it@desk.example", team_=team_b)
    ingest_email(make_email(sender="IT <IT@desk.example>"), source="smtp")
    assert Case.objects.count() == 1
    assert OutboundEmail.objects.count() == 0


def test_imported_archives_and_quiet_mailboxes_are_not_acknowledged(help_desk: Mailbox) -> None:
    ingest_email(make_email(message_id="<old@mail.example.com>"), source="mbox")
    help_desk.send_acknowledgement = False
    help_desk.save()
    ingest_email(make_email(message_id="<new@mail.example.com>"), source="smtp")
    assert Case.objects.count() == 2
    assert OutboundEmail.objects.count() == 0


def test_reply_to_an_acknowledgement_threads_to_its_case(help_desk: Mailbox, smtp_sink: SmtpSink) -> None:
    case = _case_from_email()
    _send(OutboundEmail.objects.get())
    ack = smtp_sink.delivered[0].email
    ingest_email(
        make_email(subject="thanks", message_id="<thanks@mail.example.com>", in_reply_to=ack["Message-ID"]),
        source="smtp",
    )
    assert Case.objects.count() == 1
    assert Message.objects.filter(case=case).count() == 2
    assert InboundEmail.objects.filter(case=case).count() == 2


def test_a_customer_who_asked_for_large_print_gets_large_print_email(
    help_desk: Mailbox, agent_a: Agent, smtp_sink: SmtpSink
) -> None:
    case = _case_from_email()
    customer = case.customer
    customer.adjustments = ["large_print"]
    customer.save()
    _send(_reply(case, agent_a, body="Your refund is on its way."))
    html = smtp_sink.delivered[-1].email.get_body(("html",))
    assert html is not None
    assert "font-size: 24px" in html.get_content()
    plain = factories.customer(email="plain@example.com")
    other = factories.case(customer_=plain, team_=help_desk.team, channel="email")
    _send(_reply(other, agent_a, body="Done."))
    other_html = smtp_sink.delivered[-1].email.get_body(("html",))
    assert other_html is not None
    assert "font-size: 16px" in other_html.get_content()
