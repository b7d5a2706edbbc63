"""`patron ingest-mail`: message files, Maildir directories, mbox files and stdin."""

from __future__ import annotations

import io
import json
import mailbox
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from patron.accounts.models import Agent
from patron.cases.models import Case
from patron.channels import services
from patron.channels.models import InboundEmail, InboundSource
from patron.cli import main
from tests.channels.conftest import make_email

pytestmark = pytest.mark.django_db


def _maildir(path: Path, emails: list[bytes]) -> Path:
    box = mailbox.Maildir(path, create=True)
    for raw in emails:
        box.add(raw)
    box.close()
    return path


def _mbox(path: Path, emails: list[bytes]) -> Path:
    box = mailbox.mbox(path, create=True)
    for raw in emails:
        box.add(raw)
    box.close()
    return path


def _three_emails() -> list[bytes]:
    return [
        make_email(message_id="<one@mail.example.com>"),
        make_email(message_id="<two@mail.example.com>", subject="Second question"),
        b"To: help@desk.example\r\nSubject: Nobody sent this\r\n\r\nHello.\r\n",
    ]


def test_maildir_is_taken_in_and_the_json_totals_are_the_last_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    maildir = _maildir(tmp_path / "Maildir", _three_emails())
    assert main(["ingest-mail", str(maildir), "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == '{"stored": 2, "duplicates": 0, "quarantined": 1}'
    assert len(lines) == 4
    assert set(InboundEmail.objects.values_list("source", flat=True)) == {InboundSource.MAILDIR}
    assert Case.objects.count() == 2


def test_mbox_taken_in_twice_makes_only_duplicates_the_second_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = _mbox(tmp_path / "archive.mbox", _three_emails())
    assert main(["ingest-mail", str(archive), "--json"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == '{"stored": 2, "duplicates": 0, "quarantined": 1}'
    assert main(["ingest-mail", str(archive), "--json"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == '{"stored": 0, "duplicates": 3, "quarantined": 0}'
    assert (InboundEmail.objects.count(), Case.objects.count()) == (3, 2)
    assert set(InboundEmail.objects.values_list("source", flat=True)) == {InboundSource.MBOX}


def test_archive_shows_progress_in_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = _mbox(tmp_path / "archive.mbox", _three_emails())
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["ingest-mail", str(archive)]) == 0
    captured = capsys.readouterr()
    assert "archive.mbox: 100%" in captured.err
    assert "3/3" in captured.err
    assert "quarantined. The email has no sender address, so there is nobody to answer." in captured.err
    assert captured.out.strip() == "Emails stored: 2. Duplicates: 0. Quarantined: 1."


def test_no_progress_bar_with_json_even_in_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = _mbox(tmp_path / "archive.mbox", _three_emails())
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["ingest-mail", str(archive), "--json"]) == 0
    assert capsys.readouterr().err == ""


def test_single_message_files_are_taken_in(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "one.eml", tmp_path / "two.eml"
    first.write_bytes(make_email(message_id="<one@mail.example.com>"))
    second.write_bytes(make_email(message_id="<one@mail.example.com>", headers={"Received": "from relay"}))
    assert main(["ingest-mail", str(first), str(second), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    case = Case.objects.get()
    first_email = InboundEmail.objects.order_by("id").first()
    assert first_email is not None
    assert lines == [
        {"source": str(first), "outcome": "stored", "reason": f"Opened {case.reference}.", "case": case.reference},
        {
            "source": str(second),
            "outcome": "duplicate",
            "reason": f"An email with the same Message-ID was received before (email {first_email.pk}).",
            "case": case.reference,
        },
        {"stored": 1, "duplicates": 1, "quarantined": 0},
    ]


def test_stdin_is_read_when_no_path_is_given(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(make_email())))
    assert main(["ingest-mail", "--json"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == '{"stored": 1, "duplicates": 0, "quarantined": 0}'
    assert InboundEmail.objects.get().source == InboundSource.STDIN


def test_emails_left_unprocessed_by_a_stopped_run_are_processed_by_the_next_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_process", lambda inbound: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        services.ingest_email(make_email(), source="stdin")
    monkeypatch.undo()
    # Only emails stored a while ago: a recent one may still be in another run's hands.
    InboundEmail.objects.update(received_at=timezone.now() - timedelta(minutes=6))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(make_email(message_id="<new@mail.example.com>"))))
    assert main(["ingest-mail", "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert (
        json.loads(lines[0])["source"]
        == f"email {InboundEmail.objects.order_by('id').first().pk} (left by an earlier run)"
    )
    assert lines[-1] == '{"stored": 2, "duplicates": 0, "quarantined": 0}'
    assert Case.objects.count() == 2


def test_directory_that_is_not_a_maildir_is_refused_and_nothing_is_taken_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = tmp_path / "one.eml"
    message.write_bytes(make_email())
    folder = tmp_path / "folder"
    folder.mkdir()
    assert main(["ingest-mail", str(message), str(folder)]) == 2
    assert f"{folder} is a directory but not a Maildir (it has no cur/ and new/ folders)." in capsys.readouterr().err
    assert InboundEmail.objects.count() == 0


def test_missing_path_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest-mail", str(tmp_path / "nowhere.eml")]) == 2
    assert f"There is no file or directory at {tmp_path / 'nowhere.eml'}." in capsys.readouterr().err


def test_an_archive_batch_threads_replies_and_reads_service_levels_once(tmp_path: Path, manager: Agent) -> None:
    from patron.channels.services import ingest_archive
    from patron.standards.models import SlaClock
    from patron.standards.services import PolicyDetails, create_policy

    create_policy(details=PolicyDetails(name="Standard", first_response_minutes=480), by=manager)
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(make_email(message_id="<a1@mail.example.com>", date="Mon, 02 Nov 2026 09:00:00 +0000"))
    box.add(
        make_email(
            subject="Re: My kettle stopped working",
            message_id="<a2@mail.example.com>",
            in_reply_to="<a1@mail.example.com>",
            date="Mon, 02 Nov 2026 10:00:00 +0000",
            body="Still broken.",
        )
    )
    box.close()
    from patron.channels.email.mailboxes import open_mailbox

    opened = open_mailbox(tmp_path / "Maildir")
    results = list(ingest_archive(opened.emails(), source=opened.source))
    assert [str(result.outcome) for result in results] == ["stored", "stored"]
    case = Case.objects.get()
    assert case.messages.count() == 2
    # The case was opened and answered in one batch: its clocks were read from the database,
    # with both messages.
    assert set(SlaClock.objects.filter(case=case).values_list("target", flat=True)) == {"first_response"}
