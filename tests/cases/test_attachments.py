"""Attachments are kept once per content, with size and number limits; nothing is lost, as the
original email keeps what is not kept apart."""

from __future__ import annotations

import hashlib

import pytest
from django.test import override_settings

from patron.cases.files import path_of, read_content
from patron.cases.models import Attachment
from patron.cases.services import NewAttachment, attach_files, clean_filename
from tests import factories

pytestmark = pytest.mark.django_db


def test_files_are_kept_by_content_once() -> None:
    first = factories.case().messages.get()
    second = factories.case().messages.get()
    logo = NewAttachment(filename="logo.png", content_type="image/png", content=b"same logo")
    [a] = attach_files(message=first, files=[logo])
    [b] = attach_files(
        message=second, files=[NewAttachment(filename="sig.png", content_type="IMAGE/PNG", content=b"same logo")]
    )
    digest = hashlib.sha256(b"same logo").hexdigest()
    assert (a.sha256, b.sha256, a.size, b.content_type) == (digest, digest, 9, "image/png")
    assert read_content(digest) == b"same logo"
    assert path_of(digest).name == digest
    assert sorted(Attachment.objects.values_list("filename", flat=True)) == ["logo.png", "sig.png"]


def test_too_large_a_file_is_listed_but_left_in_the_original() -> None:
    message = factories.case().messages.get()
    with override_settings(PATRON_MAX_ATTACHMENT_BYTES=10):
        small, large = attach_files(
            message=message,
            files=[
                NewAttachment(filename="note.txt", content_type="text/plain", content=b"short"),
                NewAttachment(filename="video.mp4", content_type="video/mp4", content=b"x" * 11),
            ],
        )
    assert (small.is_stored, large.is_stored, large.size, large.sha256) == (True, False, 11, "")


def test_past_the_most_attachments_the_rest_stay_in_the_original() -> None:
    message = factories.case().messages.get()
    files = [NewAttachment(filename=f"{n}.txt", content_type="text/plain", content=str(n).encode()) for n in range(5)]
    with override_settings(PATRON_MAX_ATTACHMENTS=3):
        kept = attach_files(message=message, files=files)
    assert [a.filename for a in kept] == ["0.txt", "1.txt", "2.txt"]


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ann\\report.pdf", "report.pdf"),
        ("bad\x00name\x07.txt", "badname.txt"),
        ("   ", "attachment"),
        ("..", "attachment"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_file_names_are_made_safe(given: str, shown: str) -> None:
    assert clean_filename(given) == shown


def test_path_of_refuses_anything_but_a_digest() -> None:
    with pytest.raises(ValueError, match="Not a SHA-256 digest."):
        path_of("../../secret_key")


# --- personal data masked before storage ---------------------------------------------------------


def test_card_and_bank_details_are_masked_before_a_message_is_stored(team_a: object) -> None:
    from patron.cases.models import Message

    case = factories.case(
        subject="Refund to 4111 1111 1111 1111",
        body="Please refund card 4111 1111 1111 1111. My NI number is AB123456C. Call 07700 900123.",
    )
    assert case.subject == "Refund to [card ending 1111]"
    assert Message.objects.get(case=case).body_text == (
        "Please refund card [card ending 1111]. My NI number is [NI number removed]. Call 07700 900123."
    )


def test_masking_can_be_turned_off() -> None:
    from patron.cases.models import Message

    with override_settings(PATRON_MASK_PERSONAL_DATA=""):
        case = factories.case(body="Card 4111 1111 1111 1111.")
    assert Message.objects.get(case=case).body_text == "Card 4111 1111 1111 1111."
