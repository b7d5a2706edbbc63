"""The SQLite backend copies the write-ahead log back into the database on a thread of its own."""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db.utils import ConnectionHandler
from pytest_django import DjangoDbBlocker

from patron.sqlite_backend.base import Checkpointer, running_checkpointers, stop_checkpointers

ROWS = 200


@pytest.fixture(autouse=True)
def _no_checkpointer_left() -> Iterator[None]:
    yield
    stop_checkpointers()


def _database_with_uncopied_log(path: Path) -> sqlite3.Connection:
    """A WAL database whose table is in the file, and ROWS rows only in the log: nothing here
    copies the log back (no automatic checkpoints)."""
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE note (body TEXT)")
    writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for number in range(ROWS):
        writer.execute("INSERT INTO note (body) VALUES (?)", (f"note {number} " + "x" * 200,))
    return writer


def _rows_in_the_file_alone(path: Path) -> int:
    """What a copy of the database file, without its log, holds: what was copied back. A copy
    taken while a checkpoint was writing the file may be torn: -1, and the caller looks again."""
    copy = path.with_name("copy.sqlite3")
    shutil.copyfile(path, copy)
    reader = sqlite3.connect(copy)
    try:
        return int(reader.execute("SELECT count(*) FROM note").fetchone()[0])
    except sqlite3.DatabaseError:
        return -1
    finally:
        reader.close()
        copy.unlink()
        for leftover in copy.parent.glob("copy.sqlite3-*"):
            leftover.unlink()


def _wait_for(condition: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_committed_rows_reach_the_database_file_without_any_writer_copying_the_log(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    writer = _database_with_uncopied_log(path)
    try:
        assert _rows_in_the_file_alone(path) == 0
        checkpointer = Checkpointer(path, interval=0.01)
        checkpointer.start()
        assert _wait_for(lambda: _rows_in_the_file_alone(path) == ROWS)
        checkpointer.stop()
        checkpointer.join(timeout=5)
        assert not checkpointer.is_alive()
    finally:
        writer.close()


def test_the_checkpointer_ends_when_its_database_is_removed(tmp_path: Path) -> None:
    path = tmp_path / "test.sqlite3"
    _database_with_uncopied_log(path).close()
    checkpointer = Checkpointer(path, interval=0.01)
    checkpointer.start()
    for file in tmp_path.glob("test.sqlite3*"):
        file.unlink()
    checkpointer.join(timeout=5)
    assert not checkpointer.is_alive()
    assert not path.exists(), "The checkpointer must not create the database again."


def test_a_connection_to_a_database_file_starts_one_checkpointer_and_an_in_memory_one_none(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> None:
    path = tmp_path / "desk.sqlite3"
    handler = ConnectionHandler(
        {
            "default": {"ENGINE": "patron.sqlite_backend", "NAME": str(path)},
            "again": {"ENGINE": "patron.sqlite_backend", "NAME": str(path)},
            "memory": {"ENGINE": "patron.sqlite_backend", "NAME": ":memory:"},
        }
    )
    try:
        with django_db_blocker.unblock():
            for alias in ("default", "again", "memory"):
                handler[alias].ensure_connection()
        running = running_checkpointers()
        assert running.count(path.resolve()) == 1
        assert not [database for database in running if database.name == ":memory:"]
    finally:
        handler.close_all()
