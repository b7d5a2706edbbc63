"""Collecting email from IMAP mailboxes (`patron poll-mail`). Each new email is taken in by the
one pipeline (stored first, then read), then marked seen, and only then does the mailbox
remember it got that far: a poll cut off half-way fetches the rest next time and loses
nothing, and an email fetched twice is recognised as a duplicate."""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from imapclient import SEEN, IMAPClient
from imapclient.exceptions import IMAPClientError

from patron.channels.models import InboundSource, Mailbox, MailSecurity
from patron.channels.services import IngestOutcome, ingest_email

logger = logging.getLogger(__name__)

BATCH = 50
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class PollResult:
    mailbox: str
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    error: str = ""


class PollFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def poll_all_mailboxes() -> list[PollResult]:
    return [poll_mailbox(mailbox=mailbox) for mailbox in Mailbox.objects.filter(is_active=True).exclude(imap_host="")]


def poll_mailbox(*, mailbox: Mailbox) -> PollResult:
    """Take in every email that arrived in the mailbox's folder since the last poll. A problem
    (the server unreachable, a wrong password) is reported in the result, never raised."""
    counts = {IngestOutcome.STORED: 0, IngestOutcome.DUPLICATE: 0, IngestOutcome.QUARANTINED: 0}
    try:
        with _Session(mailbox) as client:
            info = client.select_folder(mailbox.imap_folder)
            validity = int(info[b"UIDVALIDITY"])
            # UIDs only compare within one UIDVALIDITY: when it changed, start again (the
            # pipeline recognises what it already has).
            last = mailbox.imap_last_uid if mailbox.imap_uidvalidity == validity else 0
            for batch in _batches([uid for uid in client.search(["UID", f"{last + 1}:*"]) if uid > last]):
                fetched = client.fetch(batch, ["BODY.PEEK[]"])
                for uid in batch:
                    raw = fetched.get(uid, {}).get(b"BODY[]")
                    if not isinstance(raw, bytes):
                        continue
                    counts[ingest_email(raw, source=InboundSource.IMAP, mailbox=mailbox).outcome] += 1
                    client.add_flags([uid], [SEEN])
                    Mailbox.objects.filter(pk=mailbox.pk).update(imap_uidvalidity=validity, imap_last_uid=uid)
                    mailbox.imap_uidvalidity, mailbox.imap_last_uid = validity, uid
    except PollFailed as failure:
        return _result(mailbox, counts, error=failure.reason)
    except (IMAPClientError, OSError, ssl.SSLError) as error:
        logger.warning("Polling %s failed: %s", mailbox.address, error)
        return _result(mailbox, counts, error=f"The mail server could not be read ({_describe(error)}).")
    return _result(mailbox, counts)


class _Session:
    """An IMAP session, logged in, logged out when done."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self.client: IMAPClient | None = None

    def __enter__(self) -> IMAPClient:
        mailbox = self.mailbox
        password = os.environ.get(mailbox.imap_password_variable, "") if mailbox.imap_password_variable else ""
        if not password:
            raise PollFailed(
                f"The password of {mailbox.address} is not set: put it in the environment variable "
                f"{mailbox.imap_password_variable or '(none named on the mailbox)'}."
            )
        context = ssl.create_default_context()
        client = IMAPClient(
            mailbox.imap_host,
            port=mailbox.imap_port,
            ssl=mailbox.imap_security == MailSecurity.TLS,
            ssl_context=context,
            timeout=TIMEOUT_SECONDS,
        )
        self.client = client
        if mailbox.imap_security == MailSecurity.STARTTLS:
            client.starttls(context)
        try:
            client.login(mailbox.imap_username or mailbox.address, password)
        except IMAPClientError as error:
            client.shutdown()
            raise PollFailed(
                f"The mail server refused the login for {mailbox.address} ({_describe(error)})."
            ) from error
        return client

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            try:
                self.client.logout()
            except (IMAPClientError, OSError):
                self.client.shutdown()


def _batches(uids: Sequence[int]) -> Iterator[list[int]]:
    ordered = sorted(uids)
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]


def _describe(error: BaseException) -> str:
    text = str(error)
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return text.strip("b'\"") or type(error).__name__


def _result(mailbox: Mailbox, counts: dict[IngestOutcome, int], *, error: str = "") -> PollResult:
    return PollResult(
        mailbox=mailbox.address,
        stored=counts[IngestOutcome.STORED],
        duplicates=counts[IngestOutcome.DUPLICATE],
        quarantined=counts[IngestOutcome.QUARANTINED],
        error=error,
    )
