"""Reading a raw email with the standard library, whatever state it arrives in: wrong or
missing charsets, broken MIME, undecodable encoded-words and impossible dates are read as well
as they can be; only a message with nothing to go on is refused (UnreadableEmail)."""

from __future__ import annotations

import codecs
import email
import email.header
import email.policy
import email.utils
import functools
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.errors import MissingHeaderBodySeparatorDefect
from email.message import EmailMessage, Message
from typing import Any

from patron.channels.email.automated import automated_kind
from patron.channels.email.html_text import html_to_text
from patron.channels.email.replies import strip_reply, strip_reply_html
from patron.channels.models import AutomatedKind
from patron.text import clean_text, sanitise_html

MAX_MESSAGE_ID = 998
_ANGLE_ID = re.compile(r"<([^<>\s]+)>")
# RFC 5322 §2.2: a field name is printable ASCII except the colon, then a colon.
_HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")


def _as_windows_1252(error: UnicodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8 in mostly-UTF-8 text are nearly always Windows-1252 (or
    Latin-1, its subset): read them so rather than losing them."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("cp1252", "replace"), error.end


codecs.register_error("patron.cp1252", _as_windows_1252)


class UnreadableEmail(Exception):
    """The email cannot be understood; `reason` says why, for the quarantine."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _ReadingPolicy(email.policy.EmailPolicy):
    """The standard modern policy, remembering the headers it has parsed. Parsing a structured
    header is the slowest step in reading an email; each is read several times per email, and
    most emails share the same Content-Type and MIME-Version lines. Parsed headers are
    immutable, so sharing them is safe."""

    def header_fetch_parse(self, name: str, value: Any) -> Any:
        if isinstance(value, str) and len(value) <= _CACHED_HEADER_LENGTH:
            return _parsed_header(name, value)
        return super().header_fetch_parse(name, value)


_CACHED_HEADER_LENGTH = 2_000


@functools.lru_cache(maxsize=8_192)
def _parsed_header(name: str, value: str) -> Any:
    return email.policy.default.header_fetch_parse(name, value)


READING_POLICY = _ReadingPolicy()


@dataclass(frozen=True)
class ReadAttachment:
    """A file that came with the email: a part that is not the text read as its body. A
    forwarded email comes whole, as an .eml file; Outlook's winmail.dat stays as it is."""

    filename: str
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False


@dataclass(frozen=True)
class ReadEmail:
    """What Patron takes from an email. Text is clean: no NULs, no undecodable bytes."""

    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    sender_name: str
    sender_address: str
    sent_at: datetime | None
    body_text: str
    body_html: str
    automated_kind: str
    # A delivery report quotes the email it reports on: what it said, to find its case.
    original_subject: str = ""
    original_message_id: str | None = None
    # Who it was delivered to, most specific first, to tell which mailbox received it.
    recipients: tuple[str, ...] = ()
    attachments: tuple[ReadAttachment, ...] = ()
    # What the sender newly wrote: the body without quoted history or signature (the body when
    # nothing is left, so a message is never shown empty).
    reply_text: str = ""
    # Addresses a delivery report says could not be reached, for good ("Action: failed").
    failed_recipients: tuple[str, ...] = ()


def read_email(raw: bytes) -> ReadEmail:
    """Parse `raw` (RFC 5322 / MIME). Raises UnreadableEmail when it has no headers at all."""
    if not raw.strip():
        raise UnreadableEmail("The email is empty.")
    message = email.message_from_bytes(raw, policy=READING_POLICY)
    if any(isinstance(defect, MissingHeaderBodySeparatorDefect) for defect in message.defects):
        # One malformed line among the headers would end them there, leaving From, Subject
        # and the rest in the body: read the headers again without the malformed lines.
        message = email.message_from_bytes(_without_malformed_header_lines(raw), policy=READING_POLICY)
    if not list(message.keys()):
        raise UnreadableEmail("The email has no headers.")

    def header(name: str) -> str:
        return _header(message, name)

    sender_name, sender_address = _sender(message)
    kind = automated_kind(header, content_type=_content_type(message), sender=sender_address)
    original = _reported_email(message) if kind == AutomatedKind.BOUNCE else None
    return ReadEmail(
        message_id=normalise_message_id(header("Message-ID")),
        in_reply_to=tuple(message_ids_in(header("In-Reply-To"))),
        references=tuple(message_ids_in(header("References"))),
        subject=" ".join(header("Subject").split()),
        sender_name=sender_name,
        sender_address=sender_address,
        sent_at=_date(message),
        automated_kind=kind,
        original_subject=" ".join(_header(original, "Subject").split()) if original is not None else "",
        original_message_id=normalise_message_id(_header(original, "Message-ID")) if original is not None else None,
        recipients=_recipients(message),
        failed_recipients=_failed_recipients(message) if kind == AutomatedKind.BOUNCE else (),
        **_body(message),
    )


def _without_malformed_header_lines(raw: bytes) -> bytes:
    """The email with malformed lines dropped from among its headers. Lines after the last
    header are the start of the body (the blank line before it was missing), and stay."""
    ends = [index for index in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if index >= 0]
    end = min(ends) if ends else len(raw)
    lines = raw[:end].splitlines(keepends=True)
    last = max((number for number, line in enumerate(lines) if _HEADER_LINE.match(line)), default=-1)
    while last + 1 < len(lines) and lines[last + 1][:1] in (b" ", b"\t"):
        last += 1
    kept = [
        line
        for number, line in enumerate(lines[: last + 1])
        if _HEADER_LINE.match(line) or line[:1] in (b" ", b"\t") or (number == 0 and line.startswith(b"From "))
    ]
    body_start = b"".join(lines[last + 1 :])
    return b"".join(kept) + (b"\n" + body_start if body_start else b"") + raw[end:]


def _reported_email(message: Message) -> Message | None:
    """The headers of the email a delivery report is about (RFC 3462/6522: a message/rfc822 or
    text/rfc822-headers part), or None."""
    try:
        for part in message.walk():
            kind = part.get_content_type()
            if kind == "message/rfc822":
                inner = part.get_payload()
                if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                    return inner[0]
            elif kind == "text/rfc822-headers":
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    return email.message_from_bytes(payload, policy=READING_POLICY)
    except Exception:  # noqa: S110 - a report we cannot read simply finds no case
        pass
    return None


_DSN_FIELD = re.compile(r"^(final-recipient|original-recipient|action)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)


def _failed_recipients(message: Message) -> tuple[str, ...]:
    """From a delivery report's machine-readable part (RFC 3464): each recipient whose action
    is "failed". Delayed or relayed ones are not given up on."""
    failed: list[str] = []
    try:
        for part in message.walk():
            if part.get_content_type() != "message/delivery-status":
                continue
            for block in re.split(r"\r?\n\s*\r?\n", _delivery_status_text(part)):
                fields = {name.lower(): value.strip() for name, value in _DSN_FIELD.findall(block)}
                recipient = fields.get("final-recipient") or fields.get("original-recipient") or ""
                address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
                if fields.get("action", "").lower().startswith("failed") and "@" in address:
                    failed.append(address)
    except Exception:  # noqa: S110 - an unreadable report only loses the hint
        pass
    return tuple(dict.fromkeys(failed))


def _delivery_status_text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):
        # The parser reads each group of fields as a headers-only message.
        blocks = [block for block in payload if isinstance(block, Message)]
        return "\n\n".join("\n".join(f"{k}: {v}" for k, v in block.items()) for block in blocks)
    return _readable(payload) if isinstance(payload, str) else ""


def normalise_message_id(value: str) -> str | None:
    """A Message-ID as Patron compares them: without angle brackets and surrounding space."""
    ids = message_ids_in(value)
    if ids:
        return ids[0]
    bare = value.strip()
    if bare and not any(character.isspace() for character in bare):
        return bare.strip("<>")[:MAX_MESSAGE_ID] or None
    return None


def message_ids_in(value: str) -> list[str]:
    """Every <id> in an In-Reply-To or References header, in order, each once."""
    seen: dict[str, None] = {}
    for found in _ANGLE_ID.findall(value or ""):
        seen.setdefault(found[:MAX_MESSAGE_ID], None)
    return list(seen)


def _readable(value: str) -> str:
    """Text safe to store: bytes the parser could not decode read as UTF-8 where they are
    (RFC 6532 headers), as Windows-1252 where not; NULs removed."""
    try:
        undecoded = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        undecoded = value.encode("utf-8", "replace")
    return clean_text(undecoded.decode("utf-8", "patron.cp1252"))


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
        text = "" if value is None else _readable(str(value))
    except Exception:  # a broken header must not make the whole email unreadable
        return _raw_header(message, name)
    # Raw 8-bit bytes come back as U+FFFD: read them from the raw header instead.
    return _raw_header(message, name) if "\ufffd" in text else text


def _raw_header(message: Message, name: str) -> str:
    for key, folded in message.raw_items():
        if key.lower() == name.lower():
            value = re.sub(r"\r?\n(?=[ \t])", "", str(folded))
            try:
                return _readable(str(email.header.make_header(email.header.decode_header(value))))
            except Exception:
                return _readable(value)
    return ""


def _sender(message: Message) -> tuple[str, str]:
    try:
        header = message.get("From")
        addresses = getattr(header, "addresses", ()) if header is not None else ()
        for address in addresses:
            if address.addr_spec and "@" in address.addr_spec:
                return _readable(address.display_name or ""), _readable(address.addr_spec)
    except Exception:  # noqa: S110 - fall back to the lenient parser below
        pass
    name, address = email.utils.parseaddr(_raw_header(message, "From"))
    return _readable(name), _readable(address)


_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc")


def _recipients(message: Message) -> tuple[str, ...]:
    found: list[str] = []
    try:
        for name in _RECIPIENT_HEADERS:
            for value in message.get_all(name) or ():
                for _, address in email.utils.getaddresses([_readable(str(value))]):
                    if "@" in address:
                        found.append(address.strip().lower())
    except Exception:  # noqa: S110 - an unreadable recipient header only loses the routing hint
        pass
    return tuple(dict.fromkeys(found))


def _date(message: Message) -> datetime | None:
    try:
        header = message.get("Date")
        value = getattr(header, "datetime", None) if header is not None else None
    except Exception:
        return None
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _content_type(message: Message) -> str:
    try:
        return message.get_content_type()
    except Exception:
        return "text/plain"


def _body(message: Message) -> dict[str, Any]:
    """The text a person wrote: text/plain when there is one, else the HTML made readable (and
    kept, sanitised, for display); and every other part as an attachment."""
    plain, html = _find_part(message, "plain"), _find_part(message, "html")
    attachments = _attachments(message, body_parts=[part for part in (plain, html) if part is not None])
    if plain is not None:
        text = _part_text(plain).strip()
        return {"body_text": text, "body_html": "", "attachments": attachments, "reply_text": _reply(text, text)}
    if html is not None:
        markup = _part_text(html)
        text = html_to_text(markup)
        reply = strip_reply_html(markup) if len(markup) <= _LONGEST_HTML_TO_TRIM else strip_reply(text)
        return {
            "body_text": text,
            "body_html": sanitise_html(markup),
            "attachments": attachments,
            "reply_text": reply or text,
        }
    # A multipart whose boundary never appears stays one undivided text: show it as it is.
    undivided = message.get_payload() if message.get_content_maintype() in ("multipart", "text") else None
    if isinstance(undivided, str):
        return {"body_text": _readable(undivided).strip(), "body_html": "", "attachments": attachments}
    return {"body_text": "", "body_html": "", "attachments": attachments}


_ALTERNATIVE_BODIES = ("text/plain", "text/html")
# Past this, HTML is only read as text for trimming: parsing a huge page would cost too much.
_LONGEST_HTML_TO_TRIM = 2_000_000


def _reply(text: str, fallback: str) -> str:
    return strip_reply(text) or fallback


def _attachments(message: Message, *, body_parts: list[Message]) -> tuple[ReadAttachment, ...]:
    """Every leaf part but the body (and the other-format copy of the body), in order. A part
    that cannot be decoded is skipped: the original email keeps it."""
    found: list[ReadAttachment] = []
    for part in _leaves(message):
        if any(part is body for body in body_parts):
            continue
        try:
            content_type = part.get_content_type()
            disposition = part.get_content_disposition()
            if content_type in _ALTERNATIVE_BODIES and disposition != "attachment":
                continue
            attachment = _attachment(part, content_type, disposition, number=len(found) + 1)
        except Exception:  # noqa: S112 - an unreadable part is still in the original
            continue
        if attachment is not None:
            found.append(attachment)
    return tuple(found)


def _leaves(part: Message, depth: int = 0) -> Iterator[Message]:
    """The parts that hold content; an attached email is one leaf, not opened up."""
    if depth > 20:
        return
    if part.is_multipart() and part.get_content_type() != "message/rfc822":
        for child in part.get_payload():
            if isinstance(child, Message):
                yield from _leaves(child, depth + 1)
        return
    yield part


def _attachment(part: Message, content_type: str, disposition: str | None, *, number: int) -> ReadAttachment | None:
    if content_type == "message/rfc822":
        inner = part.get_payload()
        inner_message = inner[0] if isinstance(inner, list) and inner else None
        if not isinstance(inner_message, Message):
            return None
        content = inner_message.as_bytes(policy=email.policy.compat32)
        subject = _header(inner_message, "Subject") or "forwarded email"
        return ReadAttachment(filename=f"{subject[:200]}.eml", content_type=content_type, content=content)
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes) or (not payload and disposition is None):
        return None
    filename = _filename(part) or f"attachment-{number}{mimetypes.guess_extension(content_type) or '.bin'}"
    return ReadAttachment(
        filename=filename,
        content_type=content_type,
        content=payload,
        content_id=_header(part, "Content-ID"),
        inline=disposition == "inline" or (disposition is None and bool(_header(part, "Content-ID"))),
    )


_RAW_FILENAME = re.compile(r"""\b(?:file)?name\s*=\s*(?:"([^"]*)"|([^;]*))""", re.IGNORECASE)


def _filename(part: Message) -> str:
    """The attachment's name. Mail clients break the rules here: unquoted names with spaces
    and encoded-words inside parameters are read from the raw header when the parser gives
    up on them."""
    try:
        parsed = _readable(part.get_filename() or "")
    except Exception:
        parsed = ""
    for header in ("Content-Disposition", "Content-Type"):
        found = _RAW_FILENAME.search(_raw_header(part, header))
        raw = (found.group(1) or found.group(2) or "").strip() if found else ""
        if raw and raw.startswith(parsed) and len(raw) > len(parsed) and "*=" not in raw:
            return raw
    return parsed


def _find_part(message: Message, subtype: str) -> Message | None:
    if isinstance(message, EmailMessage):
        try:
            found = message.get_body(preferencelist=(subtype,))
            if found is not None:
                return found
        except Exception:  # noqa: S110 - broken structure: look part by part instead
            pass
    try:
        for part in message.walk():
            if part.get_content_type() == f"text/{subtype}" and not _is_attachment(part):
                return part
    except Exception:  # noqa: S110
        pass
    return None


def _is_attachment(part: Message) -> bool:
    try:
        return part.get_content_disposition() == "attachment"
    except Exception:
        return False


def _part_text(part: Message) -> str:
    """A text part decoded by hand: its charset when that is right, else UTF-8 with stray bytes
    read as Windows-1252. (The library's own decoding turns a wrong charset into mojibake.)"""
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return _readable(raw) if isinstance(raw, str) else ""
    try:
        charset = part.get_content_charset() or "utf-8"
    except Exception:
        charset = "utf-8"
    return clean_text(_decode(payload, charset))


def _decode(payload: bytes, charset: str) -> str:
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError, ValueError):
        return payload.decode("utf-8", "patron.cp1252")
