"""Cases out as CSV, for reporting elsewhere. An export carries personal data (customers'
names) in bulk, so only the roles that answer for the whole desk may make one (UK GDPR art. 5:
least privilege), and each export is on the audit trail with its filters and size."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import asdict

from django.utils import timezone

from patron.accounts.models import Agent, Role
from patron.cases.downloads import safe_cell
from patron.cases.models import Case, Priority
from patron.cases.queries import InboxFilters, list_inbox
from patron.errors import NotAllowed
from patron.privacy import audit

EXPORTING_ROLES = frozenset({Role.SERVICE_MANAGER, Role.PRIVACY_OFFICER, Role.ADMIN})
COLUMNS = (
    "reference",
    "subject",
    "kind",
    "channel",
    "status",
    "priority",
    "team",
    "assignee",
    "customer",
    "opened",
    "first response",
    "resolved",
    "due",
)
_BATCH = 500


def may_export(agent: Agent) -> bool:
    return agent.role in EXPORTING_ROLES or agent.is_superuser


def require_export_role(agent: Agent) -> None:
    if not may_export(agent):
        raise NotAllowed("Only service managers, privacy officers and administrators can export cases.")


def export_cases_csv(*, agent: Agent, filters: InboxFilters) -> Iterator[str]:
    """The cases the filters find, as CSV lines, read a batch at a time so an export of any
    size streams without being held in memory. Audited once it is complete."""
    require_export_role(agent)
    return _lines(agent, filters)


def _lines(agent: Agent, filters: InboxFilters) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(COLUMNS)
    yield flush()
    cursor: str | None = None
    count = withheld = 0
    while True:
        page = list_inbox(agent=agent, filters=filters, cursor=cursor, limit=_BATCH)
        for case in page.items:
            if case.customer.processing_restricted_since is not None:
                # The customer restricted processing of their data: stored, not used (art. 18).
                withheld += 1
                continue
            writer.writerow(_row(case))
            count += 1
        yield flush()
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    audit.record(
        actor=agent,
        action="cases_exported",
        object_type="cases",
        object_id="export",
        data={
            "filters": {k: v for k, v in asdict(filters).items() if k != "text" and v not in ("", (), None)},
            "cases": count,
            "withheld": withheld,
        },
        # The words searched for may be someone's name or number.
        personal={"text": filters.text} if filters.text else None,
    )


def _row(case: Case) -> list[str]:
    return [
        case.reference,
        safe_cell(case.subject),
        case.kind,
        case.channel,
        case.status,
        Priority(case.priority).label.lower() if case.priority in Priority.values else str(case.priority),
        case.team.name if case.team else "",
        case.assignee.display_name if case.assignee else "",
        safe_cell(case.customer.name),
        _time(case.created_at),
        _time(case.first_response_at),
        _time(case.resolved_at),
        _time(case.due_at),
    ]


def _time(moment: object) -> str:
    from datetime import datetime

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if isinstance(moment, datetime) else ""
