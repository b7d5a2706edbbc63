"""Where attachments' bytes live: one file per distinct content under the data directory, named
by its SHA-256. Writing is idempotent (the same content is the same file) and atomic (a file is
complete or absent), so a process stopped half-way never leaves a broken attachment."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def content_root() -> Path:
    return Path(settings.PATRON_FILES_DIR)


def path_of(sha256: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("Not a SHA-256 digest.")
    return content_root() / sha256[:2] / sha256[2:4] / sha256


def store_content(content: bytes) -> str:
    """Keep `content` and return its SHA-256, by which it is found again."""
    digest = hashlib.sha256(content).hexdigest()
    target = path_of(digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest


def read_content(sha256: str) -> bytes:
    return path_of(sha256).read_bytes()


def remove_content(sha256: str) -> None:
    """Delete the file of a content no attachment uses any more. Call it after the commit that
    removed the last attachment row: a rolled-back erasure must leave its files in place."""
    path_of(sha256).unlink(missing_ok=True)
