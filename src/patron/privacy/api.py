"""The audit trail in the API, for privacy officers and administrators."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from patron.accounts.queries import acting_agent
from patron.privacy import audit, queries
from patron.privacy.schemas import AuditPage, ChainCheckOut

router = Router(tags=["privacy"])


class AuditQuery(Schema):
    object_type: str = ""
    object_id: str = ""
    actor_id: int | None = None
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None
    limit: int = 50


@router.get("/audit", response=AuditPage)
def search_audit(request: HttpRequest, params: Query[AuditQuery]) -> dict[str, object]:
    """Who viewed, changed, merged or erased what, newest first; pass `next_before_id` back as
    `before_id` for the next page."""
    limit = max(1, min(params.limit, 200))
    filters = queries.AuditFilters(
        object_type=params.object_type,
        object_id=params.object_id,
        actor_id=params.actor_id,
        action=params.action,
        since=params.since,
        until=params.until,
    )
    items = queries.search_audit(
        agent=acting_agent(request.user), filters=filters, before_id=params.before_id, limit=limit + 1
    )
    more = len(items) > limit
    return {"items": items[:limit], "next_before_id": items[limit - 1].pk if more else None}


@router.get("/audit/verify", response=ChainCheckOut)
def verify_audit(request: HttpRequest) -> dict[str, object]:
    """Check the whole hash chain; names the first entry that was altered, removed or inserted."""
    queries.require_audit_reader(acting_agent(request.user))
    check = audit.verify_chain()
    return {
        "intact": check.intact,
        "entries": check.entries,
        "first_broken": check.first_broken,
        "reason": check.reason,
    }
