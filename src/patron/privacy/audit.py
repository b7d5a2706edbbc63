"""The audit writer. At the bottom of the dependency graph: every app may call it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from patron.privacy.models import AuditEntry


def record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    object_type: str,
    object_id: object,
    data: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit row. Call it inside the same transaction as the change it records."""
    return AuditEntry.objects.create(
        created_at=timezone.now(),
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=dict(data or {}),
    )
