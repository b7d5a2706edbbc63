"""Where emails are read from on disk: one message file, a Maildir directory or an mbox file."""

from __future__ import annotations

import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from patron.channels.models import InboundSource
from patron.errors import ValidationFailed


@dataclass(frozen=True)
class Mailbox:
    """The emails at one path, and how many there are (for a progress bar)."""

    path: Path
    source: InboundSource
    count: int

    @property
    def is_archive(self) -> bool:
        return self.source != InboundSource.FILE

    def emails(self) -> Iterator[bytes]:
        """Each email's raw bytes, in the order the mailbox keeps them."""
        if self.source == InboundSource.FILE:
            yield self.path.read_bytes()
            return
        box = _open(self.path, self.source)
        try:
            # A Maildir lists its files in no particular order, but each name starts with the
            # time it was delivered: in that order, a reply comes after what it answers.
            keys = (
                sorted(box.iterkeys(), key=_delivery_order) if self.source == InboundSource.MAILDIR else box.iterkeys()
            )
            for key in keys:
                yield box.get_bytes(key)
        finally:
            box.close()


def _delivery_order(key: str) -> tuple[int | str, ...]:
    """A Maildir name such as `1700000000.M123456P42Q7.host` as the numbers in it (seconds,
    microseconds, process, counter): compared as text, M99 would come after M100000."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key) if part)


def open_mailbox(path: Path) -> Mailbox:
    """A Maildir when `path` is a directory with cur/ and new/, an mbox when the file starts with
    a "From " line, else a single email. Refused with a clear message when it is none of these."""
    if path.is_dir():
        if not ((path / "cur").is_dir() and (path / "new").is_dir()):
            raise ValidationFailed(f"{path} is a directory but not a Maildir (it has no cur/ and new/ folders).")
        return _counted(path, InboundSource.MAILDIR)
    if not path.is_file():
        raise ValidationFailed(f"There is no file or directory at {path}.")
    with path.open("rb") as handle:
        start = handle.read(5)
    if start == b"From ":
        return _counted(path, InboundSource.MBOX)
    return Mailbox(path=path, source=InboundSource.FILE, count=1)


def _counted(path: Path, source: InboundSource) -> Mailbox:
    box = _open(path, source)
    try:
        count = len(box)
    finally:
        box.close()
    return Mailbox(path=path, source=source, count=count)


def _open(path: Path, source: InboundSource) -> mailbox.Maildir | mailbox.mbox:
    if source == InboundSource.MAILDIR:
        return mailbox.Maildir(path, factory=None, create=False)
    return mailbox.mbox(path, create=False)
