"""Files that come with an email: every part but the body, with the names mail clients give
them, even where they break the rules."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from patron.channels.email.parsing import read_email

ATTACHMENTS = Path(__file__).resolve().parents[4] / "shared" / "data" / "raw-email" / "mikel-mail" / "attachment_emails"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("attachment_content_disposition.eml", [("api.rb", "text/x-ruby-script", False)]),
        ("attachment_pdf.eml", [("broken.pdf", "application/pdf", False)]),
        ("attachment_nonascii_filename.eml", [("ciële.txt", "text/plain", False)]),
        ("attachment_with_base64_encoded_name.eml", [("This is a test.pdf", "application/pdf", False)]),
        ("attachment_with_quoted_filename.eml", [("Eelanalüüsi päring.jpg", "image/jpeg", True)]),
        ("attachment_with_unquoted_name.eml", [("This is a test.txt", "text/plain", False)]),
        ("attachment_only_email.eml", [("blah.gz", "application/x-gzip", False)]),
        ("attachment_message_rfc822.eml", [("Another PDF.eml", "message/rfc822", False)]),
        (
            "attachment_message_rfc822_inline_image.eml",
            [("img.png", "image/png", True), ("Another PDF.eml", "message/rfc822", False)],
        ),
    ],
)
def test_real_mail_client_attachments_keep_their_names(name: str, expected: list[tuple[str, str, bool]]) -> None:
    read = read_email((ATTACHMENTS / name).read_bytes())
    assert [(a.filename, a.content_type, a.inline) for a in read.attachments] == expected


def test_body_is_not_an_attachment_and_every_other_part_is() -> None:
    message = EmailMessage()
    message["From"] = "ann@example.com"
    message["Subject"] = "Photos"
    message.set_content("Here are the photos.")
    message.add_alternative("<p>Here are the photos.</p>", subtype="html")
    message.add_attachment(b"\x89PNG fake", maintype="image", subtype="png", filename="../../etc/crack.png")
    message.add_attachment(b"TNEF", maintype="application", subtype="ms-tnef", filename="winmail.dat")
    forwarded = EmailMessage()
    forwarded["Subject"] = "Original order"
    forwarded.set_content("Order 123")
    message.add_attachment(forwarded)
    read = read_email(message.as_bytes())

    assert read.body_text == "Here are the photos."
    assert [(a.filename, a.content_type) for a in read.attachments] == [
        ("../../etc/crack.png", "image/png"),
        ("winmail.dat", "application/ms-tnef"),
        ("Original order.eml", "message/rfc822"),
    ]
    assert read.attachments[0].content == b"\x89PNG fake"
    assert read.attachments[1].content == b"TNEF"
    assert b"Order 123" in read.attachments[2].content


def test_a_nameless_part_is_named_by_its_type() -> None:
    message = EmailMessage()
    message["From"] = "ann@example.com"
    message.set_content("See the picture.")
    message.add_attachment(b"GIF89a", maintype="image", subtype="gif", disposition="attachment")
    [attachment] = read_email(message.as_bytes()).attachments
    assert attachment.filename == "attachment-1.gif"
