"""Django's SQLite backend, with the write-ahead log copied back into the database off the
requests' path.

In WAL mode a commit only appends to the log; every 4,000 pages the log is copied back into
the database file (a checkpoint), and the copy waits for the disk twice, to sync the log and then
the database. SQLite runs it inside whichever commit crosses the threshold: on the desk of the
benchmarks, one request in about ninety waited 18 to 21 ms, of which the copying itself took 1 ms.
Here a thread of each process copies the log back every 50 ms with a passive checkpoint, which
never blocks a reader or the writer. The commit that crosses the threshold then finds most of the
log already copied and synced, and only restarts the log (which only a writer can do) after
copying what is left: 6 to 9 ms instead.

The guarantee is SQLite's own for WAL with synchronous=NORMAL: a committed transaction survives
the process crashing; the last ones may be lost if the machine itself loses power before the
next checkpoint."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

from django.db.backends.sqlite3 import base

logger = logging.getLogger(__name__)

CHECKPOINT_INTERVAL = 0.05


class Checkpointer(threading.Thread):
    """Copies a database's write-ahead log back into it, every `interval` seconds, until the
    database file is removed (a test database) or `stop` is called."""

    def __init__(self, path: Path, *, interval: float = CHECKPOINT_INTERVAL) -> None:
        super().__init__(name=f"sqlite-checkpoints:{path.name}", daemon=True)
        self.path = path
        self.interval = interval
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()

    def run(self) -> None:
        try:
            # Read-write, never create: a database removed before this starts stays removed.
            database = sqlite3.connect(f"{self.path.as_uri()}?mode=rw", uri=True, timeout=1, isolation_level=None)
        except sqlite3.Error as error:
            logger.warning("Cannot open %s to copy its write-ahead log back: %s", self.path, error)
            return
        try:
            # The same syncs as the requests' own checkpoints: the log before copying it, the
            # database after.
            database.execute("PRAGMA synchronous=NORMAL")
            while not self._stopping.wait(self.interval) and self.path.exists():
                self._checkpoint(database)
        except sqlite3.Error as error:
            # Removed while this was starting (a test database): nothing left to copy back.
            if self.path.exists():
                logger.warning("Stopped copying the write-ahead log of %s back: %s", self.path, error)
        finally:
            database.close()

    def _checkpoint(self, database: sqlite3.Connection) -> None:
        try:
            database.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as error:
            # A busy or briefly unreadable database: the next round, or a writer, copies it.
            logger.debug("Checkpoint of %s skipped: %s", self.path, error)


_checkpointers: dict[Path, Checkpointer] = {}
_checkpointers_lock = threading.Lock()


def checkpointer_for(path: Path) -> Checkpointer:
    """The one running checkpointer of this database in this process, started if need be."""
    path = path.resolve()
    with _checkpointers_lock:
        running = _checkpointers.get(path)
        if running is None or not running.is_alive():
            running = _checkpointers[path] = Checkpointer(path)
            running.start()
        return running


def running_checkpointers() -> list[Path]:
    """The databases this process copies logs back into."""
    with _checkpointers_lock:
        return [path for path, checkpointer in _checkpointers.items() if checkpointer.is_alive()]


def stop_checkpointers() -> None:
    """Stop every checkpointer of this process and wait for each to close its connection."""
    with _checkpointers_lock:
        running = list(_checkpointers.values())
        _checkpointers.clear()
    for checkpointer in running:
        checkpointer.stop()
    for checkpointer in running:
        checkpointer.join()


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> sqlite3.Connection:
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            checkpointer_for(Path(conn_params["database"]))
        return connection
