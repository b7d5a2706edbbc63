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
