from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patron.channels.email.parsing import ReadEmail, UnreadableEmail, message_ids_in, normalise_message_id, read_email
from tests.channels.conftest import make_email


def test_read_email_takes_what_patron_needs() -> None:
    read = read_email(
        make_email(
            in_reply_to="<a@x.example>",
            references="<root@x.example>  <a@x.example>",
            date="Tue, 02 Jan 2024 09:30:00 +0100",
        )
    )
    assert (read.message_id, read.in_reply_to, read.references) == (
        "first@mail.example.com",
        ("a@x.example",),
        ("root@x.example", "a@x.example"),
    )
    assert (read.sender_name, read.sender_address, read.subject) == (
        "Ann Smith",
        "ann@example.com",
        "My kettle stopped working",
    )
    assert read.sent_at == datetime(2024, 1, 2, 8, 30, tzinfo=UTC)
    assert read.automated_kind == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<abc@example.com>", "abc@example.com"),
        ("  <abc@example.com>  (comment)", "abc@example.com"),
        ("abc@example.com", "abc@example.com"),
        ("", None),
        ("not an id", None),
    ],
)
def test_normalise_message_id(value: str, expected: str | None) -> None:
    assert normalise_message_id(value) == expected


def test_message_ids_in_keeps_order_and_drops_repeats_and_junk() -> None:
    assert message_ids_in("<a@x> junk <b@x>\n\t<a@x> <broken") == ["a@x", "b@x"]


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ({"Auto-Submitted": "auto-replied"}, "auto_reply"),
        ({"Auto-Submitted": "auto-generated; owner-email=x@example.com"}, "auto_reply"),
        ({"Auto-Submitted": "no"}, ""),
        ({"X-Autoreply": "yes"}, "auto_reply"),
        ({"X-Autorespond": "Out of office"}, "auto_reply"),
        ({"Precedence": "bulk"}, "bulk"),
        ({"Precedence": "junk"}, "bulk"),
        ({"Precedence": "list"}, "mailing_list"),
        ({"List-Id": "Kettle owners <kettles.lists.example.com>"}, "mailing_list"),
        ({}, ""),
    ],
)
def test_automated_mail_is_recognised_by_its_headers(headers: dict[str, str], kind: str) -> None:
    assert read_email(make_email(headers=headers)).automated_kind == kind


def test_mail_from_the_mailer_daemon_is_a_bounce() -> None:
    assert read_email(make_email(sender="MAILER-DAEMON@mx.example.com")).automated_kind == "bounce"


def test_impossible_date_is_no_date() -> None:
    assert read_email(make_email(date="Thu, 31 Feb 2024 25:61:00 +9999")).sent_at is None


def test_email_whose_boundary_never_appears_is_read_as_it_is() -> None:
    raw = (
        b"From: ann@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative; boundary="missing"\r\n\r\nJust some words.\r\n'
    )
    assert read_email(raw).body_text == "Just some words."


def test_utf8_headers_are_read() -> None:
    raw = "From: Zoë Brontë <zoe@example.com>\r\nSubject: Crème brûlée\r\n\r\nHi\r\n".encode()
    read = read_email(raw)
    assert (read.sender_name, read.subject) == ("Zoë Brontë", "Crème brûlée")


def test_latin1_bytes_in_headers_are_not_lost() -> None:
    read = read_email(b"From: ann@example.com\r\nSubject: Caf\xe9\r\n\r\nHi\r\n")
    assert read.subject == "Café"


def test_malformed_line_among_the_headers_does_not_hide_the_rest() -> None:
    raw = (
        b"Received: from relay.example\r\nquite Delivered-To: help@desk.example\r\n"
        b"From: Ann <ann@example.com>\r\nSubject: Still readable\r\n\r\nThe body.\r\n"
    )
    read = read_email(raw)
    assert (read.sender_address, read.subject, read.body_text) == ("ann@example.com", "Still readable", "The body.")


def test_body_without_a_blank_line_before_it_is_kept() -> None:
    read = read_email(b"From: ann@example.com\r\nSubject: Hi\r\nno blank line before this body\r\nsecond line\r\n")
    assert (read.subject, read.body_text) == ("Hi", "no blank line before this body\nsecond line")


@pytest.mark.parametrize("raw", [b"", b"   \r\n", b"\r\n\r\nbody without headers"])
def test_email_without_headers_is_unreadable(raw: bytes) -> None:
    with pytest.raises(UnreadableEmail):
        read_email(raw)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused_as_unreadable(raw: bytes) -> None:
    try:
        read = read_email(raw)
    except UnreadableEmail as error:
        reason = error.reason
    else:
        reason = ""
    if not reason:
        assert_storable(read)


def assert_storable(read: ReadEmail) -> None:
    for text in (read.subject, read.sender_name, read.sender_address, read.body_text, read.body_html):
        assert "\x00" not in text
        text.encode("utf-8")  # storable: no undecodable surrogates left


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=300),
    st.sampled_from(["utf-8", "latin-1", "x-unknown", "us-ascii", "utf-16"]),
    st.sampled_from(["7bit", "8bit", "base64", "quoted-printable", "x-uuencode", "bogus"]),
)
def test_any_body_in_any_declared_charset_and_encoding_is_read(text: str, charset: str, encoding: str) -> None:
    raw = (
        f"From: ann@example.com\r\nSubject: =?{charset}?Q?{text[:20]}?=\r\n"
        f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n"
    ).encode("utf-8", "surrogatepass") + text.encode("utf-8", "surrogatepass")
    read = read_email(raw)
    assert read.sender_address == "ann@example.com"
    assert "\x00" not in read.body_text
    read.body_text.encode("utf-8")
    read.subject.encode("utf-8")
