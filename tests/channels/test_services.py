from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import Client, override_settings

from patron.accounts.models import Agent, Role
from patron.cases.models import Case, Channel, Message, Status
from patron.cases.services import set_status
from patron.channels import services
from patron.channels.models import AutomatedKind, InboundEmail, InboundSource, InboundStatus
from patron.channels.services import IngestOutcome, IngestResult, ingest_email, process_unprocessed_emails
from patron.customers.models import ContactPoint
from patron.errors import ValidationFailed
from tests import factories
from tests.channels.conftest import make_email

pytestmark = pytest.mark.django_db


def _only_case() -> Case:
    return Case.objects.get()


# --- a new email --------------------------------------------------------------------------------


def test_new_email_opens_an_email_case_for_the_sender() -> None:
    raw = make_email()
    result = ingest_email(raw, source="stdin")
    case = _only_case()
    assert result == IngestResult(
        outcome=IngestOutcome.STORED,
        reason=f"Opened {case.reference}.",
        case_reference=case.reference,
        inbound_id=InboundEmail.objects.get().pk,
    )
    assert (case.subject, case.channel, case.status, case.customer.name) == (
        "My kettle stopped working",
        Channel.EMAIL,
        Status.NEW,
        "Ann Smith",
    )
    assert ContactPoint.objects.get(customer=case.customer).normalised == "ann@example.com"
    message = Message.objects.get()
    assert (message.body_text, message.body_html, message.channel) == (
        "The kettle I bought last week no longer boils.",
        "",
        Channel.EMAIL,
    )
    inbound = InboundEmail.objects.get()
    assert bytes(inbound.raw) == raw
    assert (inbound.status, inbound.message_id, inbound.size, inbound.source) == (
        InboundStatus.PROCESSED,
        "first@mail.example.com",
        len(raw),
        InboundSource.STDIN,
    )
    assert (inbound.case_id, inbound.case_message_id, inbound.automated) == (case.pk, message.pk, False)
    assert (inbound.sender, inbound.subject) == ("ann@example.com", "My kettle stopped working")


def test_email_without_subject_gets_a_placeholder_subject() -> None:
    ingest_email(make_email(subject=""), source="file")
    assert _only_case().subject == "(no subject)"


def test_email_without_text_is_kept_with_a_note_saying_so() -> None:
    ingest_email(make_email(body=""), source="file")
    assert Message.objects.get().body_text == "(This email has no text.)"


def test_unknown_source_is_refused_and_nothing_is_stored() -> None:
    with pytest.raises(ValidationFailed):
        ingest_email(make_email(), source="carrier-pigeon")
    assert InboundEmail.objects.count() == 0


# --- duplicates and interrupted runs -----------------------------------------------------------


def test_same_message_id_twice_is_a_duplicate_and_adds_no_message() -> None:
    first = ingest_email(make_email(), source="stdin")
    # Delivered a second time, through another relay: other bytes, the same Message-ID.
    again = ingest_email(make_email(headers={"Received": "from relay.example by mx.desk.example"}), source="stdin")
    assert again.outcome == IngestOutcome.DUPLICATE
    assert again.case_reference == first.case_reference
    assert (Case.objects.count(), Message.objects.count()) == (1, 1)
    assert list(InboundEmail.objects.order_by("id").values_list("status", flat=True)) == [
        InboundStatus.PROCESSED,
        InboundStatus.DUPLICATE,
    ]


def test_same_bytes_without_message_id_twice_are_one_email() -> None:
    raw = make_email(message_id=None)
    first = ingest_email(raw, source="file")
    again = ingest_email(raw, source="file")
    assert (first.outcome, again.outcome) == (IngestOutcome.STORED, IngestOutcome.DUPLICATE)
    assert again.reason == "The same email was received before."
    assert (InboundEmail.objects.count(), Case.objects.count(), Message.objects.count()) == (1, 1, 1)


def test_email_stored_but_not_processed_is_processed_on_the_next_run(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = make_email()

    def stopped(inbound: InboundEmail) -> IngestResult:
        raise KeyboardInterrupt  # the process is stopped after storing, before processing

    monkeypatch.setattr(services, "_process", stopped)
    with pytest.raises(KeyboardInterrupt):
        ingest_email(raw, source="maildir")
    assert InboundEmail.objects.get().status == InboundStatus.STORED
    assert Case.objects.count() == 0
    monkeypatch.undo()

    result = ingest_email(raw, source="maildir")
    assert result.outcome == IngestOutcome.STORED
    assert (InboundEmail.objects.get().status, Case.objects.count(), Message.objects.count()) == (
        InboundStatus.PROCESSED,
        1,
        1,
    )


def test_unprocessed_emails_are_processed_by_the_sweep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "_process", lambda inbound: (_ for _ in ()).throw(KeyboardInterrupt))
    for number in (1, 2):
        with pytest.raises(KeyboardInterrupt):
            ingest_email(make_email(message_id=f"<m{number}@mail.example.com>"), source="api")
    monkeypatch.undo()
    results = process_unprocessed_emails()
    assert [result.outcome for result in results] == [IngestOutcome.STORED, IngestOutcome.STORED]
    assert process_unprocessed_emails() == []
    assert Case.objects.count() == 2


# --- threading ----------------------------------------------------------------------------------


def test_reply_joins_the_case_of_the_email_it_answers() -> None:
    first = ingest_email(make_email(), source="stdin")
    reply = ingest_email(
        make_email(
            subject="Re: My kettle stopped working",
            body="It is the blue one.",
            message_id="<second@mail.example.com>",
            in_reply_to="<first@mail.example.com>",
        ),
        source="stdin",
    )
    assert reply.case_reference == first.case_reference
    assert reply.reason == f"Added to {first.case_reference}."
    assert Case.objects.count() == 1
    assert list(Message.objects.values_list("body_text", flat=True)) == [
        "The kettle I bought last week no longer boils.",
        "It is the blue one.",
    ]


def test_reply_found_by_references_when_in_reply_to_is_unknown() -> None:
    first = ingest_email(make_email(), source="stdin")
    reply = ingest_email(
        make_email(
            subject="Re: kettle",
            message_id="<third@mail.example.com>",
            in_reply_to="<agent-reply@desk.example>",
            references="<first@mail.example.com> <agent-reply@desk.example>",
        ),
        source="stdin",
    )
    assert reply.case_reference == first.case_reference


def test_email_with_case_reference_in_subject_joins_that_case() -> None:
    case = factories.case(subject="Refund for order 1234")
    result = ingest_email(
        make_email(subject=f"Re: [{case.reference}] Refund for order 1234", message_id="<r@mail.example.com>"),
        source="stdin",
    )
    assert result.case_reference == case.reference
    assert case.messages.count() == 2


def test_reply_whose_in_reply_to_was_lost_is_threaded_by_the_subject_reference() -> None:
    case = factories.case(subject="Delivery")
    result = ingest_email(
        make_email(
            subject=f"RE: Delivery {case.reference}",
            in_reply_to="<never-seen@elsewhere.example>",
            message_id="<x@mail.example.com>",
        ),
        source="stdin",
    )
    assert (result.case_reference, Case.objects.count()) == (case.reference, 1)


def test_reference_to_a_case_that_does_not_exist_opens_a_new_case() -> None:
    result = ingest_email(make_email(subject="About C-999999"), source="stdin")
    case = _only_case()
    assert result.case_reference == case.reference != "C-999999"


def test_forwarded_email_without_reference_opens_its_own_case() -> None:
    first = ingest_email(make_email(), source="stdin")
    forwarded = ingest_email(
        make_email(
            subject="Fwd: My kettle stopped working",
            sender="Bob Jones <bob@example.org>",
            message_id="<fwd@mail.example.org>",
            references="<first@mail.example.com>",
        ),
        source="stdin",
    )
    assert forwarded.case_reference != first.case_reference
    assert Case.objects.count() == 2
    assert Case.objects.get(subject="Fwd: My kettle stopped working").customer.name == "Bob Jones"


def test_reply_to_a_resolved_case_reopens_it(manager: Agent) -> None:
    ingest_email(make_email(), source="stdin")
    case = _only_case()
    set_status(case=case, by=manager, status=Status.RESOLVED, expected_version=case.version)
    ingest_email(
        make_email(message_id="<again@mail.example.com>", in_reply_to="<first@mail.example.com>"), source="stdin"
    )
    assert Case.objects.get().status == Status.OPEN


# --- automated mail -----------------------------------------------------------------------------


def test_auto_reply_without_a_thread_opens_no_case_and_is_kept() -> None:
    result = ingest_email(
        make_email(subject="Out of office", headers={"Auto-Submitted": "auto-replied"}), source="stdin"
    )
    assert result == IngestResult(
        outcome=IngestOutcome.STORED,
        reason="Ignored: automated (automatic reply).",
        case_reference=None,
        inbound_id=InboundEmail.objects.get().pk,
    )
    inbound = InboundEmail.objects.get()
    assert (inbound.status, inbound.automated, inbound.automated_kind, inbound.case_id) == (
        InboundStatus.PROCESSED,
        True,
        AutomatedKind.AUTO_REPLY,
        None,
    )
    assert Case.objects.count() == 0


def test_auto_reply_in_a_thread_is_attached_without_changing_the_case(manager: Agent) -> None:
    first = ingest_email(make_email(), source="stdin")
    case = _only_case()
    set_status(case=case, by=manager, status=Status.RESOLVED, expected_version=case.version)
    result = ingest_email(
        make_email(
            subject="Automatic reply: My kettle stopped working",
            message_id="<ooo@mail.example.com>",
            in_reply_to="<first@mail.example.com>",
            headers={"X-Autoreply": "yes"},
        ),
        source="stdin",
    )
    assert result.case_reference == first.case_reference
    assert result.reason == f"Attached to {first.case_reference}: automated (automatic reply)."
    assert InboundEmail.objects.get(message_id="ooo@mail.example.com").case_id == case.pk
    assert (Case.objects.get().status, Message.objects.count()) == (Status.RESOLVED, 1)


def test_bounce_is_recognised_and_opens_no_case() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\r\n"
        b"To: help@desk.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <bounce@mx.example.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n"
        b"Final-Recipient: rfc822; nobody@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n--b--\r\n"
    )
    result = ingest_email(raw, source="stdin")
    assert result.reason == "Ignored: automated (delivery report)."
    assert InboundEmail.objects.get().automated_kind == AutomatedKind.BOUNCE
    assert Case.objects.count() == 0


# --- what the body becomes ----------------------------------------------------------------------


def test_html_only_email_becomes_readable_text_and_sanitised_html() -> None:
    html = (
        "<html><head><style>p {color: red}</style><title>Mail</title></head><body>"
        "<p>Hello&nbsp;<b>team</b>,</p><p>My   order:</p><ul><li>one kettle</li><li>two mugs</li></ul>"
        '<script>alert("x")</script><a href="javascript:alert(1)" onclick="steal()">click</a></body></html>'
    )
    ingest_email(make_email(body=None, html=html), source="stdin")
    message = Message.objects.get()
    assert message.body_text == "Hello team,\n\nMy order:\n\n• one kettle\n• two mugs\n\nclick"
    assert "<script" not in message.body_html
    assert "onclick" not in message.body_html
    assert "javascript:" not in message.body_html
    assert "<b>team</b>" in message.body_html


def test_plain_text_is_preferred_over_html() -> None:
    ingest_email(make_email(body="Plain words.", html="<p>Fancy words.</p>"), source="stdin")
    assert (Message.objects.get().body_text, Message.objects.get().body_html) == ("Plain words.", "")


def test_nul_bytes_are_removed_from_subject_and_body() -> None:
    raw = (
        b"From: ann@example.com\r\nTo: help@desk.example\r\nSubject: Broken\x00 kettle\r\n"
        b"Message-ID: <nul@mail.example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"It\x00 does not boil.\r\n"
    )
    assert ingest_email(raw, source="stdin").outcome == IngestOutcome.STORED
    assert (_only_case().subject, Message.objects.get().body_text) == ("Broken kettle", "It does not boil.")


def test_wrong_charset_and_bad_encoded_words_are_read_as_well_as_possible() -> None:
    raw = (
        b"From: =?utf-8?B?QW5uIFPDqG1pdGg=?= <ann@example.com>\r\nTo: help@desk.example\r\n"
        b"Subject: =?x-unknown?Q?Caf=E9?= =?utf-8?B?!!!broken?=\r\nDate: yesterday at noon\r\n"
        b"Message-ID: <charset@mail.example.com>\r\nContent-Type: text/plain; charset=no-such-charset\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nCaf\xc3\xa9 cr\xe8me\r\n"
    )
    result = ingest_email(raw, source="stdin")
    assert result.outcome == IngestOutcome.STORED
    assert _only_case().customer.name == "Ann Sèmith"
    assert Message.objects.get().body_text == "Café crème"


def test_archived_email_keeps_its_own_date() -> None:
    ingest_email(make_email(date="Tue, 02 Jan 2024 09:30:00 +0000"), source="mbox")
    assert _only_case().created_at == datetime(2024, 1, 2, 9, 30, tzinfo=UTC)


def test_delivered_email_is_dated_when_it_arrived() -> None:
    ingest_email(make_email(date="Tue, 02 Jan 2024 09:30:00 +0000"), source="stdin")
    assert _only_case().created_at == InboundEmail.objects.get().received_at


# --- quarantine ---------------------------------------------------------------------------------


@override_settings(PATRON_MAX_EMAIL_BYTES=100)
def test_too_large_email_is_quarantined_and_kept() -> None:
    raw = make_email()
    result = ingest_email(raw, source="stdin")
    reason = f"The email is too large: {len(raw):,} bytes, more than the limit of 100."
    assert (result.outcome, result.reason) == (IngestOutcome.QUARANTINED, reason)
    inbound = InboundEmail.objects.get()
    assert (inbound.status, inbound.quarantine_reason, bytes(inbound.raw)) == (InboundStatus.QUARANTINED, reason, raw)
    assert Case.objects.count() == 0


def test_email_without_sender_is_quarantined_with_the_reason() -> None:
    raw = b"To: help@desk.example\r\nSubject: Who am I\r\n\r\nNo sender here.\r\n"
    result = ingest_email(raw, source="stdin")
    assert (result.outcome, result.reason) == (
        IngestOutcome.QUARANTINED,
        "The email has no sender address, so there is nobody to answer.",
    )
    assert InboundEmail.objects.get().status == InboundStatus.QUARANTINED
    assert Case.objects.count() == 0


def test_quarantined_email_sent_again_is_a_duplicate() -> None:
    raw = b"\r\n\r\n"
    assert ingest_email(raw, source="stdin").outcome == IngestOutcome.QUARANTINED
    assert ingest_email(raw, source="stdin").outcome == IngestOutcome.DUPLICATE
    assert InboundEmail.objects.get().quarantine_reason == "The email is empty."


def test_unexpected_failure_quarantines_the_email_and_changes_no_case(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "find_thread", broken)
    result = ingest_email(make_email(), source="stdin")
    assert (result.outcome, result.reason) == (
        IngestOutcome.QUARANTINED,
        "The email could not be processed (RuntimeError: disk on fire).",
    )
    assert Case.objects.count() == 0


def test_bounce_of_a_reply_on_a_case_is_attached_to_that_case() -> None:
    case = factories.case(subject="Refund")
    raw = (
        b"From: MAILER-DAEMON@mx.example.com\r\nTo: help@desk.example\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce2@mx.example.com>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        b"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: help@desk.example\r\nTo: nobody@example.com\r\n"
        b"Subject: Re: [" + case.reference.encode() + b"] Refund\r\nMessage-ID: <reply@desk.example>\r\n--b--\r\n"
    )
    result = ingest_email(raw, source="stdin")
    assert result.reason == f"Attached to {case.reference}: automated (delivery report)."
    assert InboundEmail.objects.get().case_id == case.pk
    assert (Case.objects.get().status, case.messages.count()) == (Status.NEW, 1)


# --- which team: the mailbox it was sent to --------------------------------------------------------


def test_email_to_a_mailbox_opens_a_case_for_the_mailbox_team() -> None:
    billing = factories.team("Billing")
    factories.mailbox(address="Billing@Desk.example", team_=billing)
    raw = make_email(headers={"Cc": "someone@else.example, billing@desk.example"})
    ingest_email(raw, source="smtp")
    inbound = InboundEmail.objects.get()
    assert (_only_case().team, inbound.mailbox.address, inbound.source) == (
        billing,
        "Billing@Desk.example",
        InboundSource.SMTP,
    )


def test_mailbox_it_was_collected_from_wins_over_its_recipients() -> None:
    sales = factories.mailbox(address="sales@desk.example", team_=factories.team("Sales"))
    factories.mailbox(address="help@desk.example", team_=factories.team("Help"))
    ingest_email(make_email(), source="imap", mailbox=sales)
    assert _only_case().team.name == "Sales"


def test_email_to_no_known_mailbox_opens_a_case_without_a_team() -> None:
    factories.mailbox(address="help@desk.example", is_active=False)
    ingest_email(make_email(), source="stdin")
    assert (_only_case().team, InboundEmail.objects.get().mailbox) == (None, None)


# --- bounces ---------------------------------------------------------------------------------------

BOUNCES = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "raw-email" / "mikel-mail" / "multipart_report_emails"
)


def test_a_bounce_marks_the_address_undeliverable_until_the_customer_writes_from_it(client: Client) -> None:
    customer = factories.customer("Edwin", email="Edwin@zzzzzzz.com")
    result = ingest_email((BOUNCES / "report_530.eml").read_bytes(), source="smtp")
    assert result.reason == "Ignored: automated (delivery report)."
    point = ContactPoint.objects.get(customer=customer)
    assert point.undeliverable_since is not None
    assert point.undeliverable_reason.startswith("A delivery report said so: ")

    agent = factories.agent(role=Role.ADMIN)
    client.force_login(agent)
    page = client.get(f"/customers/{customer.pk}").content.decode()
    assert "Email to this address bounces" in page

    ingest_email(make_email(sender="Edwin <edwin@zzzzzzz.com>"), source="smtp")
    point.refresh_from_db()
    assert (point.undeliverable_since, point.undeliverable_reason) == (None, "")


def test_a_delayed_delivery_is_not_a_bounce_for_good() -> None:
    factories.customer("Someone", email="someone@example.com")
    ingest_email((BOUNCES / "report_422.eml").read_bytes(), source="smtp")
    assert not ContactPoint.objects.filter(undeliverable_since__isnull=False).exists()


def test_a_reply_shows_what_is_new_and_keeps_the_whole_email() -> None:
    ingest_email(make_email(message_id="<q@mail.example.com>"), source="smtp")
    case = _only_case()
    answer = make_email(
        subject=f"Re: kettle [{case.reference}]",
        message_id="<a@mail.example.com>",
        body=(
            "It still does not boil.\n\nSent from my iPhone\n\n"
            "On Tue, 24 Nov 2026 at 09:00, Care <help@desk.example> wrote:\n> Have you tried descaling it?\n"
        ),
    )
    ingest_email(answer, source="smtp")
    assert list(case.messages.values_list("body_text", flat=True)) == [
        "The kettle I bought last week no longer boils.",
        "It still does not boil.",
    ]
    assert b"Have you tried descaling it?" in bytes(InboundEmail.objects.get(message_id="a@mail.example.com").raw)


def test_a_new_case_keeps_a_forwarded_email_whole() -> None:
    forwarded = (
        "Please look at this.\n\n---------- Forwarded message ---------\nFrom: Shop <orders@shop.example>\n"
        "Date: Mon, 23 Nov 2026\nSubject: Your order\nTo: ann@example.com\n\nOrder 1234 is confirmed.\n"
    )
    ingest_email(make_email(subject="Fwd: Your order", body=forwarded), source="smtp")
    assert "Order 1234 is confirmed." in _only_case().messages.get().body_text


def test_a_new_sender_from_an_internal_department_domain_is_a_colleague() -> None:
    from patron.customers.models import CustomerKind, Organisation, OrganisationKind

    hr = Organisation.objects.create(
        name="People Services", kind=OrganisationKind.DEPARTMENT, email_domains="hr.example.org"
    )
    supplier = Organisation.objects.create(name="Kettles Ltd", email_domains="kettles.example, @kettles.example.net")
    ingest_email(make_email(sender="Pat <pat@staff.hr.example.org>", message_id="<i1@x>"), source="smtp")
    ingest_email(make_email(sender="Sam <sam@kettles.example.net>", message_id="<i2@x>"), source="smtp")
    ingest_email(make_email(sender="Ann <ann@example.com>", message_id="<i3@x>"), source="smtp")
    customers = {case.customer.name: case.customer for case in Case.objects.select_related("customer")}
    assert (customers["Pat"].kind, customers["Pat"].organisation) == (CustomerKind.INTERNAL, hr)
    assert (customers["Sam"].kind, customers["Sam"].organisation) == (CustomerKind.EXTERNAL, supplier)
    assert (customers["Ann"].kind, customers["Ann"].organisation) == (CustomerKind.EXTERNAL, None)
