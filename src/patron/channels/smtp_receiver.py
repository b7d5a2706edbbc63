"""Patron's own SMTP and LMTP receiver (`patron smtpd`), for sites that route mail straight to
it. The exact bytes of each email are stored before the server answers 250, so a sending server
that hears 250 has handed the email over for good; anything that goes wrong before that is a
4xx answer, and the sender tries again later. Nothing is accepted and then lost."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connections

from patron.channels.models import InboundSource, Mailbox
from patron.channels.queries import mailbox_for_addresses
from patron.channels.services import ingest_email

logger = logging.getLogger(__name__)


class PatronHandler:
    """The aiosmtpd handler: recipients are checked against the mailboxes, then the email is
    stored (and taken in) before it is acknowledged."""

    def __init__(self, *, lmtp: bool = False) -> None:
        self.source = InboundSource.LMTP if lmtp else InboundSource.SMTP

    async def handle_RCPT(  # noqa: N802 - the name aiosmtpd calls
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Sequence[str]
    ) -> str:
        if not await sync_to_async(_accepts, thread_sensitive=True)(address):
            return "550 5.1.1 No mailbox here by that name"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw: bytes = envelope.original_content or b""
        try:
            stored = await sync_to_async(_store, thread_sensitive=True)(raw, self.source, list(envelope.rcpt_tos))
        except Exception:
            logger.exception("An email could not be stored; the sender will try again.")
            return "451 4.3.0 The email could not be stored; please try again later"
        return f"250 2.0.0 Stored as email {stored}"


def _accepts(address: str) -> bool:
    """Any address when no mailbox is set up (a desk getting started); else only mailboxes."""
    # Each conversation is like a request: a fresh connection, given back at the end.
    close_old_connections()
    try:
        if not Mailbox.objects.filter(is_active=True).exists():
            return True
        return mailbox_for_addresses(addresses=[address]) is not None
    finally:
        connections.close_all()


def _store(raw: bytes, source: str, recipients: list[str]) -> int | None:
    """Stored first, then taken in (a case opened or joined, or quarantine with the reason)."""
    close_old_connections()
    try:
        mailbox = mailbox_for_addresses(addresses=recipients)
        return ingest_email(raw, source=source, mailbox=mailbox).inbound_id
    finally:
        connections.close_all()


def controller(*, host: str, port: int, lmtp: bool = False) -> Any:
    """The server, not yet started: SMTP, or LMTP for delivery from a local mail server."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.lmtp import LMTP

    handler = PatronHandler(lmtp=lmtp)
    limit = settings.PATRON_MAX_EMAIL_BYTES
    if lmtp:

        class LmtpController(Controller):
            def factory(self) -> Any:
                return LMTP(self.handler, data_size_limit=limit, enable_SMTPUTF8=True)

        return LmtpController(handler, hostname=host, port=port)
    return Controller(handler, hostname=host, port=port, data_size_limit=limit, enable_SMTPUTF8=True)
