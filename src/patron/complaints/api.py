"""Complaints in the API: the complaint of a case with its steps, tier, regime, deadlines, root
cause and redress; changing it; what was bought; the Consumer Rights Act remedies on a day; the
root causes to choose from; and the complaints register."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from patron.accounts.queries import acting_agent
from patron.cases.api import case_for_request
from patron.cases.downloads import csv_response
from patron.complaints import queries, register, services
from patron.complaints.models import Complaint, ComplaintRegime, RootCause, Step
from patron.errors import ValidationFailed

router = Router(tags=["complaints"])


class StepOut(Schema):
    step: str
    details: dict[str, str]
    by: str | None
    at: datetime


class DeadlinesOut(Schema):
    acknowledge_by: date
    summary_resolution_by: date | None
    final_response_by: date
    referral_until: date | None


class RegimeOut(Schema):
    code: str
    name: str
    referral_body: str


class PurchaseOut(Schema):
    type: str
    purchased_on: date
    delivered_on: date | None
    description: str
    price: Decimal | None
    region: str
    first_fix_failed: bool


class RootCauseOut(Schema):
    code: str
    name: str
    description: str


class FiveWhysOut(Schema):
    whys: list[str]
    statement: str


class ComplaintOut(Schema):
    case: str
    regime: RegimeOut
    tier: str = Field(description="frontline, team_lead, service_manager, final_response or external.")
    received_at: datetime
    final_response_at: datetime | None
    steps: list[StepOut]
    next_step: str | None = Field(description="The first LATER step not yet taken, if any.")
    deadlines: DeadlinesOut
    purchase: PurchaseOut | None
    root_cause: RootCauseOut | None
    five_whys: FiveWhysOut | None
    redress_amount: Decimal | None


class StepIn(Schema):
    step: str
    details: dict[str, str] = Field(default_factory=dict)


class FiveWhysIn(Schema):
    whys: list[str] = Field(description="Up to five answers, each asking why of the one before.")
    statement: str = Field(description="The root cause the answers lead to.")


class ComplaintPatch(Schema):
    tier: str | None = None
    reason: str = ""
    regime: str | None = None
    step: StepIn | None = None
    final_response_sent: bool | None = None
    root_cause: str | None = Field(None, description="The code of a root cause (see /complaints/root-causes).")
    five_whys: FiveWhysIn | None = None
    redress_amount: Decimal | None = Field(None, description="Money paid to the customer to put things right.")


class PurchaseIn(Schema):
    type: str
    purchased_on: date
    delivered_on: date | None = None
    description: str = ""
    price: Decimal | None = None
    region: str = "england-and-wales"
    first_fix_failed: bool = False


class RemedyOut(Schema):
    code: str
    name: str
    available: bool
    until: date | None
    reason: str


class RemediesQuery(Schema):
    as_of: date | None = None


class RegisterQuery(Schema):
    received_from: date | None = Field(None, alias="from", description="Received on or after this day.")
    received_to: date | None = Field(None, alias="to", description="Received on or before this day.")
    regime: str = Field("", description="A regime's code.")
    tier: str = Field("", description="frontline, team_lead, service_manager, final_response or external.")
    root_cause: str = Field("", description="A root cause's code.")
    deadlines: str = Field("", description="met (every deadline kept), missed (any missed) or open.")
    format: Literal["json", "csv"] = "json"


class RegisterRowOut(Schema):
    reference: str
    customer: str
    received_on: date
    regime: str
    tier: str
    acknowledge_by: date
    acknowledged_on: date | None
    acknowledgement: str = Field(description="met, missed or open.")
    final_response_by: date
    final_response_on: date | None
    final_response: str = Field(description="met, missed or open.")
    status: str
    resolution: str = Field(description="What the Resolve step recorded: offered, accepted.")
    redress_amount: Decimal | None
    root_cause: str


TIER_NAMES = register.TIER_NAMES


def _out(complaint: Complaint) -> dict[str, Any]:
    steps = list(complaint.steps.all())
    taken = {step.step for step in steps}
    purchase = queries.purchase_of(complaint)
    return {
        "case": complaint.case.reference,
        "regime": complaint.regime,
        "tier": TIER_NAMES[complaint.tier],
        "received_at": complaint.received_at,
        "final_response_at": complaint.final_response_at,
        "steps": [
            {"step": s.step, "details": s.details, "by": s.by.display_name if s.by else None, "at": s.at} for s in steps
        ],
        "next_step": next((step for step in Step.values if step not in taken), None),
        "deadlines": queries.deadlines_of(complaint),
        "purchase": purchase,
        "root_cause": complaint.root_cause,
        "five_whys": (
            {"whys": complaint.whys, "statement": complaint.root_cause_statement} if complaint.whys else None
        ),
        "redress_amount": complaint.redress_amount,
    }


@router.get("/cases/{reference}/complaint", response=ComplaintOut)
def get_complaint(request: HttpRequest, reference: str) -> dict[str, Any]:
    """The complaint of a case: LATER steps with who and when, tier, regime and deadlines."""
    return _out(queries.complaint_of(case_for_request(request, reference)))


@router.patch("/cases/{reference}/complaint", response=ComplaintOut)
def update_complaint(request: HttpRequest, reference: str, body: ComplaintPatch) -> dict[str, Any]:
    """Record a step, move the complaint to another tier (with a reason), change its regime,
    record that the final response was sent, set its root cause, five whys or redress paid."""
    agent = acting_agent(request.user)
    complaint = queries.complaint_of(case_for_request(request, reference))
    # Looked up first, so an unknown code is refused before anything else in the patch is saved.
    root_cause = queries.root_cause_by_code(body.root_cause) if body.root_cause is not None else None
    if body.regime is not None:
        regime = ComplaintRegime.objects.filter(code=body.regime).first()
        if regime is None:
            raise ValidationFailed(f"There is no complaint regime “{body.regime[:40]}”.", fields={"regime": "Unknown."})
        services.set_regime(complaint=complaint, by=agent, regime=regime)
    if body.step is not None:
        services.record_step(complaint=complaint, by=agent, step=body.step.step, details=body.step.details)
    if body.tier is not None:
        by_name = {name: value for value, name in TIER_NAMES.items()}
        if body.tier not in by_name:
            raise ValidationFailed(
                f"“{body.tier[:40]}” is not a tier. Choose one of: {', '.join(by_name)}.", fields={"tier": "Unknown."}
            )
        services.escalate(complaint=complaint, by=agent, to=by_name[body.tier], reason=body.reason)
    if body.final_response_sent:
        services.record_final_response(complaint=complaint, by=agent)
    if root_cause is not None:
        services.set_root_cause(complaint=complaint, by=agent, root_cause=root_cause)
    if body.five_whys is not None:
        whys = body.five_whys
        services.record_five_whys(complaint=complaint, by=agent, whys=whys.whys, statement=whys.statement)
    if "redress_amount" in body.model_fields_set:
        services.set_redress(complaint=complaint, by=agent, amount=body.redress_amount)
    return _out(queries.complaint_of(complaint.case))


@router.put("/cases/{reference}/complaint/purchase", response=PurchaseOut)
def set_purchase(request: HttpRequest, reference: str, body: PurchaseIn) -> Any:
    """What the customer bought: goods, a service or digital content, when, and for how much."""
    complaint = queries.complaint_of(case_for_request(request, reference))
    details = services.PurchaseDetails(**body.dict())
    return services.set_purchase(complaint=complaint, by=acting_agent(request.user), details=details)


@router.get("/cases/{reference}/complaint/remedies", response=list[RemedyOut])
def remedies(request: HttpRequest, reference: str, params: Query[RemediesQuery]) -> list[Any]:
    """The Consumer Rights Act remedies available on `as_of` (today if not given), each with the
    date it runs out and the reason."""
    complaint = queries.complaint_of(case_for_request(request, reference))
    return list(queries.remedies_for(complaint, as_of=params.as_of or timezone.localdate()))


@router.get("/complaints/root-causes", response=list[RootCauseOut])
def root_causes(request: HttpRequest) -> list[RootCause]:
    """The root causes a complaint may be filed under (those still in use)."""
    return list(queries.active_root_causes())


@router.get("/complaints/register", response=list[RegisterRowOut])
def complaints_register(request: HttpRequest, params: Query[RegisterQuery]) -> Any:
    """Every complaint with its deadlines and whether they were met, outcome, redress and root
    cause, as JSON or CSV (`format=csv`). Service managers, privacy officers, administrators,
    and team leads for the cases they can see; the CSV file is for the first three only. Each
    export is audited."""
    agent = acting_agent(request.user)
    filters = register.RegisterFilters(
        received_from=params.received_from,
        received_to=params.received_to,
        regime=params.regime,
        tier=params.tier,
        root_cause=params.root_cause,
        deadlines=params.deadlines,
    )
    if params.format == "csv":
        lines = register.export_register_csv(agent=agent, filters=filters)
        return csv_response(lines, filename="complaints-register.csv")
    return register.export_register(agent=agent, filters=filters, file_format="json")
