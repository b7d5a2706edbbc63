"""Reads of the audit trail and of legal holds, for privacy officers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from patron.accounts.models import Agent, Role
from patron.errors import NotAllowed, NotFound
from patron.privacy.models import AuditEntry, LegalHold

AUDIT_READERS = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})


@dataclass(frozen=True)
class AuditFilters:
    object_type: str = ""
    object_id: str = ""
    actor_id: int | None = None
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None


def require_audit_reader(agent: Agent) -> None:
    """Only privacy officers and administrators read the audit trail (least privilege)."""
    if agent.role not in AUDIT_READERS and not agent.is_superuser:
        raise NotAllowed("Only a privacy officer or an administrator can read the audit trail.")


def search_audit(
    *, agent: Agent, filters: AuditFilters, before_id: int | None = None, limit: int = 50
) -> list[AuditEntry]:
    """Audit entries matching every filter given, newest first, a page at a time: pass the id of
    the last entry seen as `before_id` for the next page."""
    require_audit_reader(agent)
    entries: QuerySet[AuditEntry] = AuditEntry.objects.select_related("actor")
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type)
    if filters.object_id:
        entries = entries.filter(object_id=filters.object_id)
    if filters.actor_id is not None:
        entries = entries.filter(actor_id=filters.actor_id)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.since is not None:
        entries = entries.filter(created_at__gte=filters.since)
    if filters.until is not None:
        entries = entries.filter(created_at__lt=filters.until)
    if before_id is not None:
        entries = entries.filter(id__lt=before_id)
    return list(entries.order_by("-id")[:limit])


def active_legal_holds(*, agent: Agent) -> QuerySet[LegalHold]:
    """Holds in force, the newest first."""
    require_audit_reader(agent)
    return (
        LegalHold.objects.filter(lifted_at__isnull=True)
        .select_related("customer", "placed_by")
        .order_by("-placed_at", "-id")
    )


def legal_hold_by_id(*, agent: Agent, hold_id: int) -> LegalHold:
    require_audit_reader(agent)
    hold = LegalHold.objects.filter(pk=hold_id).select_related("customer").first()
    if hold is None:
        raise NotFound("There is no legal hold with that number.")
    return hold
