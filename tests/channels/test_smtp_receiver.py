"""Email delivered to Patron over a real SMTP and LMTP conversation on 127.0.0.1: the content
is stored before the 250, unknown recipients are refused, a storage failure is a 4xx
(so the sender tries again) and nothing is stored twice."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from patron.cases.models import Case
from patron.channels import smtp_receiver
from patron.channels.models import InboundEmail, InboundSource
from tests import factories
from tests.channels.conftest import make_email
from tests.channels.smtp_sink import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver() -> Iterator[int]:
    port = free_port()
    server = smtp_receiver.controller(host="127.0.0.1", port=port)
    server.start()
    try:
        yield port
    finally:
        server.stop()


@pytest.fixture
def lmtp_receiver() -> Iterator[int]:
    port = free_port()
    server = smtp_receiver.controller(host="127.0.0.1", port=port, lmtp=True)
    server.start()
    try:
        yield port
    finally:
        server.stop()


def _lf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").rstrip(b"\n")


def _crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def test_an_email_sent_by_smtp_is_stored_and_opens_a_case(receiver: int) -> None:
    team = factories.team("Care")
    factories.mailbox(address="help@desk.example", team_=team, send_acknowledgement=False)
    raw = _crlf(make_email(message_id="<smtp-1@mail.example.com>"))  # as mail servers send it
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as client:
        refused = client.sendmail("ann@example.com", ["help@desk.example"], raw)
    assert refused == {}
    inbound = InboundEmail.objects.get()
    # The content as the conversation carried it (SMTP's own line endings aside).
    assert _lf(bytes(inbound.raw)) == _lf(raw)
    assert (inbound.source, inbound.status) == (InboundSource.SMTP, "processed")
    assert inbound.mailbox is not None
    assert inbound.mailbox.address == "help@desk.example"
    assert Case.objects.get().team == team


def test_the_same_email_delivered_twice_is_stored_once(receiver: int) -> None:
    raw = make_email(message_id="<twice@mail.example.com>")
    for _ in range(2):
        with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as client:
            client.sendmail("ann@example.com", ["help@desk.example"], raw)
    assert InboundEmail.objects.count() == 1
    assert Case.objects.count() == 1


def test_unknown_recipients_are_refused_when_mailboxes_are_set_up(receiver: int) -> None:
    factories.mailbox(address="help@desk.example")
    with (
        smtplib.SMTP("127.0.0.1", receiver, timeout=10) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
    ):
        client.sendmail("ann@example.com", ["nobody@desk.example"], make_email())
    assert refused.value.recipients["nobody@desk.example"][0] == 550
    assert not InboundEmail.objects.exists()


def test_a_storage_failure_asks_the_sender_to_try_again(receiver: int, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(smtp_receiver, "ingest_email", broken)
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as client, pytest.raises(smtplib.SMTPDataError) as error:
        client.sendmail("ann@example.com", ["help@desk.example"], make_email())
    assert error.value.smtp_code == 451
    assert not InboundEmail.objects.exists()


def test_an_email_over_the_size_limit_is_refused() -> None:
    port = free_port()
    with override_settings(PATRON_MAX_EMAIL_BYTES=2_000):
        server = smtp_receiver.controller(host="127.0.0.1", port=port)
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client, pytest.raises(smtplib.SMTPException):
            client.sendmail("ann@example.com", ["help@desk.example"], make_email(body="x" * 5_000))
    finally:
        server.stop()
    assert not InboundEmail.objects.exists()


def test_lmtp_delivery_from_a_local_mail_server(lmtp_receiver: int) -> None:
    raw = make_email(message_id="<lmtp-1@mail.example.com>")
    client = smtplib.LMTP("127.0.0.1", lmtp_receiver, timeout=10)
    try:
        refused = client.sendmail("ann@example.com", ["help@desk.example"], raw)
    finally:
        client.quit()
    assert refused == {}
    assert InboundEmail.objects.get().source == InboundSource.LMTP
    assert Case.objects.count() == 1
