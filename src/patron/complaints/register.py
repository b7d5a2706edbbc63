"""The complaints register: every complaint with its clocks and whether they were kept, its
outcome, the redress paid and why it happened, as regulators and boards ask to see it (FCA
DISP 1.10 asks firms to report complaints, outcomes and redress; DISP 1.3.3R asks them to look
for root causes). It carries customers' names in bulk, so it is for the roles that answer for
the whole desk, and team leads for the cases they can see; a file of it leaves Patron, so only
the roles that may export download one. Each export is on the audit trail."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import IntegerField, Max, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from patron.accounts.models import Agent, Role
from patron.cases.downloads import safe_cell
from patron.cases.exports import may_export
from patron.cases.models import Case, CaseEvent, EventKind, Status
from patron.cases.queries import visible_cases
from patron.complaints.models import Complaint, ComplaintRegime, ComplaintStep, RootCause, Step, Tier
from patron.complaints.queries import business_days_of
from patron.complaints.regimes import IsBusinessDay, deadlines
from patron.complaints.steps import CustomerResponse
from patron.errors import NotAllowed, ValidationFailed
from patron.privacy import audit

MET, MISSED, OPEN = "met", "missed", "open"
DEADLINE_STATES = (MET, MISSED, OPEN)
TIER_NAMES = {tier.value: tier.name.lower() for tier in Tier}
COLUMNS = (
    "reference",
    "customer",
    "received",
    "regime",
    "tier",
    "highest tier",
    "acknowledge by",
    "acknowledged",
    "acknowledgement",
    "final response by",
    "final response",
    "final response deadline",
    "status",
    "resolution",
    "redress",
    "root cause",
)


@dataclass(frozen=True)
class RegisterFilters:
    received_from: date | None = None
    received_to: date | None = None
    regime: str = ""  # a regime's code
    tier: str = ""  # frontline, team_lead, service_manager, final_response or external
    root_cause: str = ""  # a root cause's code
    deadlines: str = ""  # met (every deadline kept), missed (any missed) or open (none missed yet)


@dataclass(frozen=True)
class RegisterRow:
    reference: str
    customer: str
    received_on: date
    regime: str
    tier: str
    highest_tier: str
    acknowledge_by: date
    acknowledged_on: date | None
    acknowledgement: str
    final_response_by: date
    final_response_on: date | None
    final_response: str
    status: str
    resolution: str
    redress_amount: Decimal | None
    root_cause: str

    @property
    def tier_label(self) -> str:
        return str(Tier[self.tier.upper()].label)

    @property
    def highest_tier_label(self) -> str:
        return str(Tier[self.highest_tier.upper()].label)

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def deadlines(self) -> str:
        states = (self.acknowledgement, self.final_response)
        if MISSED in states:
            return MISSED
        return MET if all(state == MET for state in states) else OPEN


def may_read_register(agent: Agent) -> bool:
    return may_export(agent) or agent.role == Role.TEAM_LEAD


def require_register_role(agent: Agent) -> None:
    if not may_read_register(agent):
        raise NotAllowed(
            "Only service managers, privacy officers, administrators and team leads can see the complaints register."
        )


def may_download_register(agent: Agent) -> bool:
    """A file of the register leaves Patron with customers' names in bulk: exports need a
    manager's or privacy officer's role, so team leads read it on screen only."""
    return may_export(agent)


def require_register_download_role(agent: Agent) -> None:
    require_register_role(agent)
    if not may_download_register(agent):
        raise NotAllowed(
            "Only service managers, privacy officers and administrators can download the complaints register."
        )


def list_register(*, agent: Agent, filters: RegisterFilters, today: date | None = None) -> list[RegisterRow]:
    """The complaints the agent may see that the filters find, the earliest received first."""
    require_register_role(agent)
    check_filters(filters)
    today = today or timezone.localdate()
    calendars: dict[int | None, IsBusinessDay] = {}
    rows = []
    for complaint in _complaints(agent, filters):
        case = complaint.case
        if case.team_id not in calendars:
            calendars[case.team_id] = business_days_of(case)
        row = _row(complaint, calendars[case.team_id], today)
        if not filters.deadlines or row.deadlines == filters.deadlines:
            rows.append(row)
    return rows


def check_filters(filters: RegisterFilters) -> None:
    """Refuse filters that cannot match anything because they name nothing that exists: a
    mistyped regime must not look like a register with no complaints."""
    if filters.received_from and filters.received_to and filters.received_from > filters.received_to:
        raise ValidationFailed("The “from” date is after the “to” date.", fields={"from": "Must not be after “to”."})
    if filters.regime and not ComplaintRegime.objects.filter(code=filters.regime).exists():
        raise ValidationFailed(f"There is no complaint regime “{filters.regime[:40]}”.", fields={"regime": "Unknown."})
    if filters.tier and filters.tier not in TIER_NAMES.values():
        raise ValidationFailed(
            f"“{filters.tier[:40]}” is not a tier. Choose one of: {', '.join(TIER_NAMES.values())}.",
            fields={"tier": "Unknown."},
        )
    if filters.root_cause and not RootCause.objects.filter(code=filters.root_cause).exists():
        raise ValidationFailed(
            f"There is no root cause “{filters.root_cause[:40]}”.", fields={"root_cause": "Unknown."}
        )
    if filters.deadlines and filters.deadlines not in DEADLINE_STATES:
        raise ValidationFailed(
            f"“{filters.deadlines[:40]}” is not a deadline state. Choose one of: {', '.join(DEADLINE_STATES)}.",
            fields={"deadlines": "Unknown."},
        )


def export_register(*, agent: Agent, filters: RegisterFilters, file_format: str) -> list[RegisterRow]:
    """The register for use outside Patron (the API's JSON), on the audit trail."""
    rows = list_register(agent=agent, filters=filters)
    _audit_export(agent, filters, file_format, len(rows))
    return rows


def export_register_csv(*, agent: Agent, filters: RegisterFilters) -> Iterator[str]:
    """The register as CSV lines. The rows are read before the first line is sent, so a refusal
    is an error response, not a file cut short; the export is audited once it is sent."""
    require_register_download_role(agent)
    rows = list_register(agent=agent, filters=filters)
    return _csv_lines(agent, filters, rows)


def _csv_lines(agent: Agent, filters: RegisterFilters, rows: Sequence[RegisterRow]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(_csv_row(row))
        if buffer.tell() > 64_000:
            yield _drain(buffer)
    yield _drain(buffer)
    _audit_export(agent, filters, "csv", len(rows))


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _csv_row(row: RegisterRow) -> list[str]:
    return [
        row.reference,
        safe_cell(row.customer),
        row.received_on.isoformat(),
        safe_cell(row.regime),
        row.tier,
        row.highest_tier,
        row.acknowledge_by.isoformat(),
        row.acknowledged_on.isoformat() if row.acknowledged_on else "",
        row.acknowledgement,
        row.final_response_by.isoformat(),
        row.final_response_on.isoformat() if row.final_response_on else "",
        row.final_response,
        row.status,
        safe_cell(row.resolution),
        f"{row.redress_amount:.2f}" if row.redress_amount is not None else "",
        safe_cell(row.root_cause),
    ]


def _audit_export(agent: Agent, filters: RegisterFilters, file_format: str, count: int) -> None:
    used = {name: str(value) for name, value in asdict(filters).items() if value not in ("", None)}
    audit.record(
        actor=agent,
        action="complaints_register_exported",
        object_type="complaints",
        object_id="register",
        data={"filters": used, "format": file_format, "complaints": count},
    )


def _complaints(agent: Agent, filters: RegisterFilters) -> QuerySet[Complaint]:
    complaints = Complaint.objects.filter(case_id__in=visible_cases(agent).values("pk"))
    if filters.received_from:
        complaints = complaints.filter(received_at__date__gte=filters.received_from)
    if filters.received_to:
        complaints = complaints.filter(received_at__date__lte=filters.received_to)
    if filters.regime:
        complaints = complaints.filter(regime__code=filters.regime)
    if filters.tier:
        complaints = complaints.filter(tier=Tier[filters.tier.upper()].value)
    if filters.root_cause:
        complaints = complaints.filter(root_cause__code=filters.root_cause)
    resolve_steps = ComplaintStep.objects.filter(step=Step.RESOLVE).order_by("at", "id")
    return (
        complaints.annotate(highest_escalation=_highest_escalation())
        .select_related("case", "case__customer", "regime", "root_cause")
        .prefetch_related(Prefetch("steps", queryset=resolve_steps, to_attr="resolve_steps"))
        .order_by("received_at", "id")
    )


def _highest_escalation() -> Subquery:
    """The highest tier the complaint was ever escalated to, from its escalation events: a
    complaint de-escalated since still counts as having reached it."""
    escalations = (
        CaseEvent.objects.filter(case_id=OuterRef("case_id"), kind=EventKind.COMPLAINT_ESCALATED)
        .order_by()
        .values("case_id")
        .annotate(top=Max(Cast(KT("data__after"), IntegerField())))
        .values("top")
    )
    return Subquery(escalations[:1], output_field=IntegerField())


def _row(complaint: Complaint, is_business_day: IsBusinessDay, today: date) -> RegisterRow:
    case: Case = complaint.case
    due = deadlines(
        complaint.regime.as_rules(),
        received_on=timezone.localdate(complaint.received_at),
        is_business_day=is_business_day,
    )
    # Until an acknowledgement is recorded on the complaint, the first reply to the customer is it.
    acknowledged_on = _local_date(complaint.acknowledged_at or case.first_response_at)
    # A complaint resolved without a final response recorded was answered when it was resolved.
    answered_on = _local_date(complaint.final_response_at or case.resolved_at)
    resolve_steps: list[ComplaintStep] = getattr(complaint, "resolve_steps", [])
    return RegisterRow(
        reference=case.reference,
        customer=case.customer.name,
        received_on=timezone.localdate(complaint.received_at),
        regime=complaint.regime.name,
        tier=TIER_NAMES[complaint.tier],
        highest_tier=TIER_NAMES[_highest_tier(complaint)],
        acknowledge_by=due.acknowledge_by,
        acknowledged_on=acknowledged_on,
        acknowledgement=deadline_state(due.acknowledge_by, acknowledged_on, today),
        final_response_by=due.final_response_by,
        final_response_on=answered_on,
        final_response=deadline_state(due.final_response_by, answered_on, today),
        status=case.status,
        resolution=_resolution(resolve_steps[-1]) if resolve_steps else "",
        redress_amount=complaint.redress_amount,
        root_cause=complaint.root_cause.name if complaint.root_cause else "",
    )


def _highest_tier(complaint: Complaint) -> int:
    escalated: int | None = getattr(complaint, "highest_escalation", None)
    highest = max(complaint.tier, escalated or Tier.FRONTLINE)
    return highest if highest in TIER_NAMES else complaint.tier


def deadline_state(due: date, done_on: date | None, today: date) -> str:
    """Met when done on or before the day it was due; missed when done later, or not done and
    the day has passed; open while there is still time."""
    if done_on is not None:
        return MET if done_on <= due else MISSED
    return MISSED if today > due else OPEN


def _resolution(step: ComplaintStep) -> str:
    """What the Resolve step recorded: the resolution offered and the customer's answer to it.
    A step recorded before it had fields of its own reads as it was written: a note alone, or
    each thing recorded with its name."""
    details = {key: value for key, value in step.details.items() if value not in ("", None)}
    if "resolution" in details:
        answer = next(
            (str(label) for code, label in CustomerResponse.choices if code == details.get("customer_response")), ""
        )
        return f"{details['resolution']} ({answer.lower()})" if answer else str(details["resolution"])
    if list(details) == ["note"]:
        return str(details["note"])
    return "; ".join(f"{key.replace('_', ' ')}: {value}" for key, value in details.items())


def _local_date(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


@dataclass(frozen=True)
class ParetoBar:
    root_cause: str
    complaints: int
    percent: Decimal
    cumulative_percent: Decimal


@dataclass(frozen=True)
class Pareto:
    bars: list[ParetoBar]
    classified: int
    unclassified: int


def pareto_of(rows: Sequence[RegisterRow]) -> Pareto:
    """Complaints by root cause, the most common first, with the running share of the whole:
    the few causes behind most complaints are where corrective action pays. Complaints with no
    root cause yet are counted apart, not as a cause of their own."""
    counts: dict[str, int] = {}
    for row in rows:
        if row.root_cause:
            counts[row.root_cause] = counts.get(row.root_cause, 0) + 1
    total = sum(counts.values())
    bars, running = [], 0
    for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        running += count
        bars.append(
            ParetoBar(
                root_cause=name,
                complaints=count,
                percent=_percent(count, total),
                cumulative_percent=_percent(running, total),
            )
        )
    return Pareto(bars=bars, classified=total, unclassified=len(rows) - total)


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"))
