"""Shared model base and the enqueue-after-commit helper."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models, transaction


class TimestampedModel(models.Model):
    """Every table knows when its rows were created and last changed (UTC)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def enqueue_on_commit(task: Any, /, **kwargs: Any) -> None:
    """Enqueue a background task only once the surrounding transaction has committed, so the
    worker never sees a row that was rolled back or is not yet visible."""
    enqueue: Callable[..., Any] = task.enqueue
    transaction.on_commit(lambda: enqueue(**kwargs))


def refresh_statistics() -> None:
    """Give the query planner fresh statistics about the data. Without them SQLite guesses, and
    on a large desk it guesses wrong: it merges several indexes for the inbox and sorts tens of
    thousands of rows instead of walking the index already in the order wanted. Sampled
    (`analysis_limit`), so it takes milliseconds even on a large database. Run after migrating,
    after loading or importing data, and when the worker starts."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def remember_related(instance: models.Model, name: str, objects: list[Any]) -> None:
    """Record the rows of a many-side relation as already fetched (as prefetch_related would),
    when the code that just wrote them knows them all, so showing the row costs no query. Stored
    as prefetch_related stores them, a queryset already evaluated, so the relation's manager
    still answers every query as usual."""
    cache: dict[str, Any] = getattr(instance, "_prefetched_objects_cache", {})
    cache.pop(name, None)
    instance._prefetched_objects_cache = cache  # type: ignore[attr-defined]
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    cache[name] = queryset
