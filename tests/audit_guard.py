"""The audit trail's guard against removal, lifted the way someone with direct access to the
database could: to simulate tampering, and for the test database's owner to empty it."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

_KEPT = importlib.import_module("patron.privacy.migrations.0008_audit_entries_are_kept")


def lift_removal_guard(database: BaseDatabaseWrapper = connection) -> None:
    with database.cursor() as cursor:
        for statement in _KEPT.UNGUARD[database.vendor]:
            cursor.execute(statement)


def restore_removal_guard(database: BaseDatabaseWrapper = connection) -> None:
    with database.cursor() as cursor:
        for statement in _KEPT.GUARD[database.vendor]:
            cursor.execute(statement)


@contextmanager
def removal_guard_lifted(database: BaseDatabaseWrapper = connection) -> Iterator[None]:
    lift_removal_guard(database)
    try:
        yield
    finally:
        restore_removal_guard(database)
