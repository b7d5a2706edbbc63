"""Complaints in the API: the complaint of a case with its steps, tier, regime, deadlines, root
cause and redress; changing it; what was bought; the Consumer Rights Act remedies on a day and
the remedy path taken, with its steps recorded; the root causes to choose from; and the
complaints register."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja import Status as Created

from patron.accounts.queries import acting_agent
from patron.cases.api import case_for_request
from patron.cases.downloads import csv_response
from patron.complaints import queries, register, services
from patron.complaints.models import Complaint, ComplaintRegime, RootCause, Step
from patron.complaints.remedies import STATE_NAMES, STEP_NAMES
from patron.customers.models import ProcessingException
from patron.errors import ValidationFailed

router = Router(tags=["complaints"])


StepDetails = dict[str, str | bool | None]

STEP_DETAILS_HELP = (
    "What the step records. listen: account and desired_outcome (text, needed), summary_confirmed "
    "(true/false) and summary (text, needed when confirmed); apologise: apology (text) and "
    "admission_of_liability (true/false, needed); thank: thanks (text); explain: explanation (text, "
    "needed) and impact (text); resolve: resolution (text, needed), customer_response (accepted, declined "
    "or awaiting; needed) and follow_up_on (YYYY-MM-DD, today or later)."
)


class StepOut(Schema):
    step: str
    details: StepDetails = Field(description=STEP_DETAILS_HELP)
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
    fault_reported_on: date | None
    perishable_days: int | None
    motor_vehicle: bool
    tangible_medium: bool
    consumer: bool


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
    details: StepDetails = Field(default_factory=dict, description=STEP_DETAILS_HELP)


# Every change to a complaint is work on the customer's data.
RESTRICTION_EXCEPTION = Field(
    None, description="While the customer has restricted processing: the exception that allows the change."
)


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
    exception: ProcessingException | None = RESTRICTION_EXCEPTION


class PurchaseIn(Schema):
    type: str
    purchased_on: date
    delivered_on: date | None = None
    description: str = ""
    price: Decimal | None = None
    region: str = Field("england-and-wales", description="england-and-wales, scotland or northern-ireland.")
    fault_reported_on: date | None = Field(
        None, description="When the customer reported the fault; the day the complaint was received if not given."
    )
    perishable_days: int | None = Field(None, description="Goods: their expected life in days, if perishable.")
    motor_vehicle: bool = Field(False, description="Goods: a motor vehicle (a deduction for use is allowed).")
    tangible_medium: bool = Field(False, description="Digital content on a disc or inside goods (not a download).")
    consumer: bool = Field(True, description="Bought by a consumer; the Act gives a business customer no remedy.")
    exception: ProcessingException | None = RESTRICTION_EXCEPTION


class RemedyOut(Schema):
    code: str
    name: str
    available: bool
    until: date | None
    reason: str


class RemediesQuery(Schema):
    as_of: date | None = None


class RemedyStepIn(Schema):
    step: str = Field(description="A remedy step; the path's `next_steps` lists those allowed now.")
    on: date | None = Field(None, description="The day it happened; today if not given.")
    amount: Decimal | None = Field(
        None, description="Rejections and price reductions: the money agreed, in GBP (a rejection: the price)."
    )
    note: str = ""
    exception: ProcessingException | None = RESTRICTION_EXCEPTION


class RemedyStepOut(Schema):
    step: str
    name: str
    on: date
    amount: Decimal | None
    note: str
    state: str = Field(description="Where the path stood after this step.")
    by: str | None
    at: datetime


class NextStepOut(Schema):
    step: str
    name: str


class RemedyPathOut(Schema):
    purchase: PurchaseOut
    state: str
    state_name: str
    as_of: date
    steps: list[RemedyStepOut]
    remedies: list[RemedyOut] = Field(description="The remedies on `as_of`, each with the date it runs out and why.")
    next_steps: list[NextStepOut] = Field(description="The steps that may be recorded next.")


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
    tier: str = Field(description="The tier the complaint is at now.")
    highest_tier: str = Field(description="The highest tier it was ever escalated to (or its tier now).")
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
    record that the final response was sent, set its root cause, five whys or redress paid.
    All or nothing: when any part is refused, none of the patch is saved."""
    agent = acting_agent(request.user)
    complaint = queries.complaint_of(case_for_request(request, reference))
    # Codes are looked up first, so an unknown one is refused before anything is saved.
    root_cause = queries.root_cause_by_code(body.root_cause) if body.root_cause is not None else None
    regime = _regime_by_code(body.regime) if body.regime is not None else None
    tier = _tier_by_name(body.tier) if body.tier is not None else None
    exception = body.exception or ""
    with transaction.atomic():
        if regime is not None:
            services.set_regime(complaint=complaint, by=agent, regime=regime, exception=exception)
        if body.step is not None:
            step = body.step
            services.record_step(
                complaint=complaint, by=agent, step=step.step, details=step.details, exception=exception
            )
        if tier is not None:
            services.escalate(complaint=complaint, by=agent, to=tier, reason=body.reason, exception=exception)
        if body.final_response_sent:
            services.record_final_response(complaint=complaint, by=agent, exception=exception)
        if root_cause is not None:
            services.set_root_cause(complaint=complaint, by=agent, root_cause=root_cause, exception=exception)
        if body.five_whys is not None:
            whys = body.five_whys
            services.record_five_whys(
                complaint=complaint, by=agent, whys=whys.whys, statement=whys.statement, exception=exception
            )
        if "redress_amount" in body.model_fields_set:
            services.set_redress(complaint=complaint, by=agent, amount=body.redress_amount, exception=exception)
    return _out(queries.complaint_of(complaint.case))


def _regime_by_code(code: str) -> ComplaintRegime:
    regime = ComplaintRegime.objects.filter(code=code).first()
    if regime is None:
        raise ValidationFailed(f"There is no complaint regime “{code[:40]}”.", fields={"regime": "Unknown."})
    return regime


def _tier_by_name(name: str) -> int:
    by_name = {tier_name: value for value, tier_name in TIER_NAMES.items()}
    if name not in by_name:
        raise ValidationFailed(
            f"“{name[:40]}” is not a tier. Choose one of: {', '.join(by_name)}.", fields={"tier": "Unknown."}
        )
    return by_name[name]


@router.put("/cases/{reference}/complaint/purchase", response=PurchaseOut)
def set_purchase(request: HttpRequest, reference: str, body: PurchaseIn) -> Any:
    """What the customer bought: goods, a service or digital content, when, and for how much."""
    complaint = queries.complaint_of(case_for_request(request, reference))
    details = services.PurchaseDetails(**body.dict(exclude={"exception"}))
    return services.set_purchase(
        complaint=complaint, by=acting_agent(request.user), details=details, exception=body.exception or ""
    )


@router.get("/cases/{reference}/complaint/remedies", response=list[RemedyOut])
def remedies(request: HttpRequest, reference: str, params: Query[RemediesQuery]) -> list[Any]:
    """The Consumer Rights Act remedies available on `as_of` (today if not given), each with the
    date it runs out and the reason, given the remedy path taken so far."""
    complaint = queries.complaint_of(case_for_request(request, reference))
    return list(queries.remedies_for(complaint, as_of=params.as_of or timezone.localdate()))


@router.get("/cases/{reference}/complaint/remedies/path", response=RemedyPathOut)
def remedy_path(request: HttpRequest, reference: str, params: Query[RemediesQuery]) -> dict[str, Any]:
    """The remedy path: the steps taken so far with who and when, where it stands, the remedies
    on `as_of` (today if not given) and the steps that may be recorded next."""
    complaint = queries.complaint_of(case_for_request(request, reference))
    return _path_out(queries.remedy_path_of(complaint, as_of=params.as_of or timezone.localdate()))


@router.post("/cases/{reference}/complaint/remedies", response={201: RemedyPathOut})
def record_remedy_step(request: HttpRequest, reference: str, body: RemedyStepIn) -> Created[dict[str, Any]]:
    """Record a step on the remedy path (a repair requested, the goods back, a refund agreed...).
    A step the path does not allow from where it stands is refused (409), as is a bad date or
    amount (422); nothing is saved then."""
    complaint = queries.complaint_of(case_for_request(request, reference))
    details = services.RemedyStepDetails(step=body.step, on=body.on, amount=body.amount, note=body.note)
    services.record_remedy_step(
        complaint=complaint, by=acting_agent(request.user), details=details, exception=body.exception or ""
    )
    return Created(201, _path_out(queries.remedy_path_of(complaint, as_of=timezone.localdate())))


def _path_out(path: queries.RemedyPath) -> dict[str, Any]:
    return {
        "purchase": path.purchase,
        "state": path.state.value,
        "state_name": STATE_NAMES[path.state],
        "as_of": path.as_of,
        "steps": [
            {
                "step": step.step,
                "name": step.get_step_display(),
                "on": step.on,
                "amount": step.amount,
                "note": step.note,
                "state": step.state,
                "by": step.by.display_name if step.by else None,
                "at": step.at,
            }
            for step in path.steps
        ],
        "remedies": path.remedies,
        "next_steps": [{"step": kind.value, "name": STEP_NAMES[kind]} for kind in path.next_steps],
    }


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
