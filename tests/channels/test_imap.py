"""Polling a real IMAP server (Dovecot on 127.0.0.1): new email is taken in, marked seen, and
the mailbox remembers how far it got; a second poll takes nothing twice; a wrong password or a
missing one is a clear message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from imapclient import SEEN, IMAPClient

from patron.cases.models import Case
from patron.channels.imap import poll_mailbox
from patron.channels.models import InboundEmail, InboundSource, Mailbox, MailSecurity
from tests import factories
from tests.channels.conftest import make_email
from tests.channels.dovecot import Dovecot, dovecot  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(dovecot: Dovecot) -> Iterator[IMAPClient]:  # noqa: F811
    client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False, timeout=10)
    client.login(dovecot.user, dovecot.password)
    client.select_folder("INBOX")
    # Each test starts with an empty folder.
    existing = client.search(["ALL"])
    if existing:
        client.delete_messages(existing)
        client.expunge()
    yield client
    client.logout()


@pytest.fixture
def mailbox(dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> Mailbox:  # noqa: F811
    monkeypatch.setenv("PATRON_TEST_IMAP_PASSWORD", dovecot.password)
    return factories.mailbox(
        address=dovecot.user,
        team_=factories.team("Care"),
        send_acknowledgement=False,
        imap_host="127.0.0.1",
        imap_port=dovecot.port,
        imap_security=MailSecurity.NONE,
        imap_username=dovecot.user,
        imap_password_variable="PATRON_TEST_IMAP_PASSWORD",
    )


def test_new_email_is_taken_in_marked_seen_and_remembered(inbox: IMAPClient, mailbox: Mailbox) -> None:
    first = make_email(subject="Kettle", message_id="<imap-1@mail.example.com>")
    second = make_email(subject="Toaster", message_id="<imap-2@mail.example.com>", sender="Bob <bob@example.com>")
    inbox.append("INBOX", first)
    inbox.append("INBOX", second)

    result = poll_mailbox(mailbox=mailbox)
    assert (result.stored, result.duplicates, result.quarantined, result.error) == (2, 0, 0, "")
    assert sorted(Case.objects.values_list("subject", flat=True)) == ["Kettle", "Toaster"]
    assert set(InboundEmail.objects.values_list("source", flat=True)) == {InboundSource.IMAP}
    assert all(case.team_id == mailbox.team_id for case in Case.objects.all())
    flags = inbox.get_flags(inbox.search(["ALL"]))
    assert all(SEEN in found for found in flags.values())
    mailbox.refresh_from_db()
    assert mailbox.imap_last_uid == max(inbox.search(["ALL"]))

    again = poll_mailbox(mailbox=mailbox)
    assert (again.stored, again.duplicates) == (0, 0)
    inbox.append("INBOX", make_email(subject="Kettle", message_id="<imap-3@mail.example.com>"))
    third = poll_mailbox(mailbox=mailbox)
    assert third.stored == 1
    assert Case.objects.count() == 3


def test_a_new_uidvalidity_starts_again_and_recognises_what_it_has(inbox: IMAPClient, mailbox: Mailbox) -> None:
    inbox.append("INBOX", make_email(message_id="<imap-v@mail.example.com>"))
    poll_mailbox(mailbox=mailbox)
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_uidvalidity=1, imap_last_uid=999)
    mailbox.refresh_from_db()
    result = poll_mailbox(mailbox=mailbox)
    assert (result.stored, result.duplicates) == (0, 1)
    assert InboundEmail.objects.count() == 1


def test_a_wrong_password_is_a_clear_message(
    inbox: IMAPClient, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATRON_TEST_IMAP_PASSWORD", "wrong")
    result = poll_mailbox(mailbox=mailbox)
    assert result.error.startswith(f"The mail server refused the login for {mailbox.address}")
    assert not InboundEmail.objects.exists()


def test_a_missing_password_names_the_variable(mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PATRON_TEST_IMAP_PASSWORD")
    result = poll_mailbox(mailbox=mailbox)
    assert result.error == (
        f"The password of {mailbox.address} is not set: put it in the environment variable PATRON_TEST_IMAP_PASSWORD."
    )


def test_an_unreachable_server_is_reported(mailbox: Mailbox) -> None:
    from tests.channels.smtp_sink import free_port

    Mailbox.objects.filter(pk=mailbox.pk).update(imap_port=free_port())
    mailbox.refresh_from_db()
    result = poll_mailbox(mailbox=mailbox)
    assert result.error.startswith("The mail server could not be read")
