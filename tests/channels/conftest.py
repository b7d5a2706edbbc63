from __future__ import annotations

from email.message import EmailMessage

from tests.channels.smtp_sink import smtp_sink  # noqa: F401 - a fixture for the tests here


def make_email(
    *,
    subject: str = "My kettle stopped working",
    sender: str = "Ann Smith <ann@example.com>",
    body: str | None = "The kettle I bought last week no longer boils.\n",
    html: str | None = None,
    message_id: str | None = "<first@mail.example.com>",
    in_reply_to: str | None = None,
    references: str | None = None,
    date: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """An email as a mail client would send it."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "help@desk.example"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    if date:
        message["Date"] = date
    for name, value in (headers or {}).items():
        message[name] = value
    if body is not None:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    return message.as_bytes()
