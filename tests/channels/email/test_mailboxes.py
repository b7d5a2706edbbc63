from __future__ import annotations

import mailbox
from pathlib import Path

from patron.channels.email.mailboxes import open_mailbox
from patron.channels.models import InboundSource


def _maildir_with(path: Path, files: dict[str, bytes]) -> Path:
    mailbox.Maildir(path, create=True).close()
    for name, raw in files.items():
        (path / "cur" / name).write_bytes(raw)
    return path


def test_maildir_emails_come_in_the_order_they_were_delivered(tmp_path: Path) -> None:
    # As text, "M99" sorts after "M100000": the numbers in the names decide, not their spelling.
    box = open_mailbox(
        _maildir_with(
            tmp_path / "Maildir",
            {
                "1700000001.M99P7Q2.desk:2,S": b"Subject: second\n\nb\n",
                "1700000001.M100000P7Q3.desk:2,S": b"Subject: third\n\nc\n",
                "1700000000.M500P7Q1.desk:2,S": b"Subject: first\n\na\n",
            },
        )
    )
    assert (box.source, box.count) == (InboundSource.MAILDIR, 3)
    assert [raw.split(b"\n")[0] for raw in box.emails()] == [b"Subject: first", b"Subject: second", b"Subject: third"]
