"""What the API gives for the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class AuditEntryOut(Schema):
    id: int
    created_at: datetime
    actor_id: int | None
    actor: str | None
    action: str
    object_type: str
    object_id: str
    data: dict[str, Any]
    personal: dict[str, Any] = Field(
        description="Free text that may identify someone (a reason, a search, a file name); "
        "blanked when its subject is erased."
    )
    personal_erased_at: datetime | None
    entry_hash: str

    @staticmethod
    def resolve_personal(entry: Any) -> dict[str, Any]:
        details: dict[str, Any] = entry.personal_details
        return details

    @staticmethod
    def resolve_actor(entry: Any) -> str | None:
        return entry.actor.display_name if entry.actor_id is not None else None


class AuditPage(Schema):
    items: list[AuditEntryOut]
    next_before_id: int | None


class ChainCheckOut(Schema):
    intact: bool
    entries: int
    first_broken: int | None
    reason: str
