"""Complaints in the API: the complaint of a case with its steps, tier, regime and deadlines;
changing it; what was bought; and the Consumer Rights Act remedies on a day."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from patron.accounts.queries import acting_agent
from patron.cases.api import case_for_request
from patron.complaints import queries, services
from patron.complaints.models import Complaint, ComplaintRegime, Step, Tier
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


class StepIn(Schema):
    step: str
    details: dict[str, str] = Field(default_factory=dict)


class ComplaintPatch(Schema):
    tier: str | None = None
    reason: str = ""
    regime: str | None = None
    step: StepIn | None = None
    final_response_sent: bool | None = None


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


TIER_NAMES = {tier.value: tier.name.lower() for tier in Tier}


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
    }


@router.get("/cases/{reference}/complaint", response=ComplaintOut)
def get_complaint(request: HttpRequest, reference: str) -> dict[str, Any]:
    """The complaint of a case: LATER steps with who and when, tier, regime and deadlines."""
    return _out(queries.complaint_of(case_for_request(request, reference)))


@router.patch("/cases/{reference}/complaint", response=ComplaintOut)
def update_complaint(request: HttpRequest, reference: str, body: ComplaintPatch) -> dict[str, Any]:
    """Record a step, move the complaint to another tier (with a reason), change its regime, or
    record that the final response was sent."""
    agent = acting_agent(request.user)
    complaint = queries.complaint_of(case_for_request(request, reference))
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
