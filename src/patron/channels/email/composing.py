"""How an email Patron sends is put together: its Message-ID, the subject with the case
reference, the threading headers a mail client follows, and a plain-text and an HTML part."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from email.utils import formataddr

from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.html import escape, linebreaks

from patron.channels.email.threading import case_id_in_subject

# RFC 5322 asks for no more than 998 characters a line; a long conversation keeps its first
# Message-ID (the root, which clients thread on) and the most recent ones.
MAX_REFERENCES = 20
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|antw|vs|odp|ref)\s*:\s*)+", re.IGNORECASE)


def new_message_id(*, reference: str, domain: str) -> str:
    """A Message-ID no one else will use: the case reference (handy when reading headers) and
    64 random bits, at the sending mailbox's domain. Kept without angle brackets, as Patron
    compares them."""
    return f"{reference.lower()}.{secrets.token_hex(8)}@{domain or 'patron.invalid'}"


def reply_subject(subject: str, *, reference: str) -> str:
    """`Re: <subject> [C-000123]`: one Re:, and the reference once, so a reply whose threading
    headers are lost still finds its case."""
    bare = _REPLY_PREFIX.sub("", subject).strip() or "Your enquiry"
    if case_id_in_subject(bare) is None:
        bare = f"{bare} [{reference}]"
    return f"Re: {bare}"


def references_for(earlier_ids: Sequence[str]) -> list[str]:
    """The References of a new email in a conversation whose emails had `earlier_ids`, oldest
    first: all of them while short, else the first and the most recent."""
    unique = list(dict.fromkeys(earlier_ids))
    if len(unique) <= MAX_REFERENCES:
        return unique
    return [unique[0], *unique[-(MAX_REFERENCES - 1) :]]


def html_from_text(text: str, *, large_print: bool = False) -> str:
    """The HTML part of an email written as plain text: the same words, in paragraphs; in
    large print for a customer who asked for it (a reasonable adjustment, Equality Act s.20)."""
    size = "24px" if large_print else "16px"
    style = f"font-family: Arial, sans-serif; font-size: {size}; line-height: 1.5"
    return f'<div style="{style}">{linebreaks(escape(text))}</div>'


def compose(
    *,
    message_id: str,
    from_name: str,
    from_address: str,
    to_address: str,
    subject: str,
    body_text: str,
    body_html: str,
    in_reply_to: str,
    references: Sequence[str],
    automatic: bool,
    large_print: bool = False,
    connection: BaseEmailBackend | None = None,
) -> EmailMultiAlternatives:
    """The email as it goes out. `automatic` marks it as sent without a person (RFC 3834) so
    that out-of-office responders and other desks do not answer it, and no mail loop starts."""
    headers = {"Message-ID": f"<{message_id}>"}
    if in_reply_to:
        headers["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        headers["References"] = " ".join(f"<{reference}>" for reference in references)
    if automatic:
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    email = EmailMultiAlternatives(
        subject=subject,
        body=body_text,
        from_email=formataddr((from_name, from_address)) if from_name else from_address,
        to=[to_address],
        headers=headers,
        connection=connection,
    )
    email.attach_alternative(body_html or html_from_text(body_text, large_print=large_print), "text/html")
    return email
