"""Every write about complaints: a case of kind complaint gets its complaint record, and the
handling steps, escalation, purchase, final response, redress, root cause and five whys are
recorded with who and when, on the case's timeline as well. Corrective actions, which belong
to no one case, go on the audit trail."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from patron.accounts.models import Agent, Role
from patron.accounts.services import automation_agent
from patron.cases.models import Case, CaseKind, EventKind, Status
from patron.cases.queries import can_see_case
from patron.cases.services import (
    CaseChanges,
    DerivedEvent,
    record_event,
    record_events,
    require_exception_if_restricted,
    update_case,
)
from patron.complaints.models import (
    ActionStatus,
    Complaint,
    ComplaintRegime,
    ComplaintStep,
    CorrectiveAction,
    Purchase,
    RemedyStep,
    RootCause,
    Step,
    Tier,
    TierQueue,
)
from patron.complaints.regimes import BUILT_IN, GENERAL
from patron.complaints.remedies import LegalRegion, PathStep, PurchaseType, StepKind, check_step, with_default_amount
from patron.complaints.steps import clean_details
from patron.db import PreparedInsert
from patron.errors import Conflict, NotAllowed, ValidationFailed
from patron.privacy import audit
from patron.sentinels import UNSET

MAX_TEXT = 5_000
MAX_WHYS = 5
# Redress is money paid to a customer: bounded so a slip of the keyboard is caught.
MAX_REDRESS = Decimal("1000000.00")
# Service managers own corrective actions (DESIGN.md: who uses it).
ACTION_ROLES = frozenset({Role.SERVICE_MANAGER, Role.ADMIN})


# A bulk opening brings its complaints in at once.
_INSERT_COMPLAINTS = PreparedInsert(Complaint)


def ensure_complaints(cases: Sequence[Case]) -> list[Complaint]:
    """A complaint record for each case of kind complaint that has none: opened as one, or an
    expression of dissatisfaction an agent changed into one. Its clocks start when the case was
    received."""
    wanted = [case for case in cases if case.kind == CaseKind.COMPLAINT]
    if not wanted:
        return []
    have = set(Complaint.objects.filter(case__in=wanted).values_list("case_id", flat=True))
    missing = [case for case in wanted if case.pk not in have]
    if not missing:
        return []
    regime = default_regime()
    created = _INSERT_COMPLAINTS([Complaint(case=case, regime=regime, received_at=case.created_at) for case in missing])
    # Dated with the change that made the case a complaint, so the timeline stays in order.
    record_events(
        [
            DerivedEvent(
                case=complaint.case,
                kind=EventKind.COMPLAINT_OPENED,
                at=complaint.case.updated_at,
                data={"regime": regime.code},
            )
            for complaint in created
        ]
    )
    return created


def default_regime() -> ComplaintRegime:
    """The regime new complaints start under: the one marked default, else the general one
    (loaded again if every regime was removed, so a complaint is never left without clocks)."""
    regime = ComplaintRegime.objects.filter(is_default=True).order_by("id").first()
    if regime is None:
        regime = ComplaintRegime.objects.filter(code=GENERAL.code).first() or _load_built_in_regimes()
    return regime


def _load_built_in_regimes() -> ComplaintRegime:
    for rules in BUILT_IN.values():
        ComplaintRegime.objects.get_or_create(
            code=rules.code,
            defaults={
                "name": rules.name,
                "acknowledge_business_days": rules.acknowledge_business_days,
                "final_response_business_days": rules.final_response_business_days,
                "final_response_weeks": rules.final_response_weeks,
                "summary_resolution_business_days": rules.summary_resolution_business_days,
                "referral_body": rules.referral_body,
                "referral_months": rules.referral_months,
                "is_default": rules.code == GENERAL.code,
            },
        )
    return ComplaintRegime.objects.get(code=GENERAL.code)


def record_step(
    *, complaint: Complaint, by: Agent, step: str, details: Mapping[str, object], exception: str = ""
) -> ComplaintStep:
    """One LATER step taken (listened, apologised, thanked, explained, resolved), with what
    that step records (see `patron.complaints.steps`), checked before anything is saved."""
    _require_visible(complaint, by)
    if step not in Step.values:
        raise ValidationFailed(
            f"“{step[:40]}” is not a complaint step. Choose one of: {', '.join(Step.values)}.",
            fields={"step": "Unknown."},
        )
    now = timezone.now()
    cleaned = clean_details(step, details, today=timezone.localdate(now))
    with _changing(complaint, by, exception, what="complaint_step"):
        taken = ComplaintStep.objects.create(complaint=complaint, step=step, details=cleaned, by=by, at=now)
        record_event(case=complaint.case, kind=EventKind.COMPLAINT_STEP, at=now, by=by, data={"step": step, **cleaned})
        _touch(complaint.case, now)
    return taken


def escalate(*, complaint: Complaint, by: Agent, to: int, reason: str, exception: str = "") -> Complaint:
    """Move the complaint to another tier, up or down; who, when and why go on the timeline.
    Where the tier has a queue, the case joins that team; its assignee keeps it only if they
    are in that team, since the next tier is someone else's to pick up."""
    _require_visible(complaint, by)
    if to not in Tier.values:
        raise ValidationFailed(
            "Choose a tier from frontline (1) to external referral (5).", fields={"tier": "Unknown."}
        )
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise ValidationFailed("Say why the complaint changes tier.", fields={"reason": "Enter a reason."})
    if to == complaint.tier:
        raise Conflict(f"The complaint is already at the {Tier(to).label.lower()} tier.")
    now = timezone.now()
    with _changing(complaint, by, exception, what="complaint_tier"):
        before = complaint.tier
        complaint.tier = to
        complaint.save(update_fields=["tier", "updated_at"])
        kind = EventKind.COMPLAINT_ESCALATED if to > before else EventKind.COMPLAINT_DEESCALATED
        record_event(
            case=complaint.case, kind=kind, at=now, by=by, data={"before": before, "after": to, "reason": reason}
        )
        _hand_to_queue(complaint, to, by, exception)
    return complaint


def _hand_to_queue(complaint: Complaint, tier: int, by: Agent, exception: str) -> None:
    queue = TierQueue.objects.filter(tier=tier).select_related("team").first()
    case = Case.objects.select_related("assignee").get(pk=complaint.case_id)
    if queue is None or queue.team_id == case.team_id:
        return
    stays = case.assignee_id is None or queue.team.members.filter(pk=case.assignee_id).exists()
    # Handing the case on is part of escalating it, whoever escalates: not a reassignment they choose.
    hand_over = by if stays or by.can_assign or case.assignee_id == by.pk else automation_agent()
    changes = CaseChanges(team=queue.team, assignee=UNSET if stays else None, exception=exception)
    complaint.case = update_case(case=case, by=hand_over, expected_version=case.version, changes=changes)


def set_regime(*, complaint: Complaint, by: Agent, regime: ComplaintRegime, exception: str = "") -> Complaint:
    """Put the complaint under another regime, whose clocks then apply; the same one again
    changes nothing."""
    _require_visible(complaint, by)
    if complaint.regime_id == regime.pk:
        return complaint
    now = timezone.now()
    with _changing(complaint, by, exception, what="complaint_regime"):
        before = complaint.regime.code
        complaint.regime = regime
        complaint.save(update_fields=["regime", "updated_at"])
        record_event(
            case=complaint.case,
            kind=EventKind.COMPLAINT_STEP,
            at=now,
            by=by,
            data={"regime": regime.code, "before": before},
        )
        _touch(complaint.case, now)
    return complaint


def record_final_response(*, complaint: Complaint, by: Agent, exception: str = "") -> Complaint:
    """The final response was sent: the customer's window to go to the ombudsman starts."""
    _require_visible(complaint, by)
    if complaint.final_response_at is not None:
        raise Conflict("A final response was already recorded for this complaint.")
    now = timezone.now()
    with _changing(complaint, by, exception, what="complaint_final_response"):
        complaint.final_response_at = now
        complaint.save(update_fields=["final_response_at", "updated_at"])
        record_event(case=complaint.case, kind=EventKind.COMPLAINT_FINAL_RESPONSE, at=now, by=by, data={})
    return complaint


@dataclass(frozen=True)
class PurchaseDetails:
    type: str
    purchased_on: date
    delivered_on: date | None = None
    description: str = ""
    price: Decimal | None = None
    region: str = LegalRegion.ENGLAND_AND_WALES
    # The day the customer reported the fault; the day the complaint was received if not given.
    fault_reported_on: date | None = None
    perishable_days: int | None = None
    motor_vehicle: bool = False
    tangible_medium: bool = False
    consumer: bool = True


def set_purchase(*, complaint: Complaint, by: Agent, details: PurchaseDetails, exception: str = "") -> Purchase:
    """What the customer bought, so the Consumer Rights Act remedies can be worked out. Once a
    remedy step is recorded the kind of purchase is fixed: the path taken depends on it."""
    _require_visible(complaint, by)
    _check_purchase(details)
    reported_on = details.fault_reported_on or timezone.localdate(complaint.received_at)
    if reported_on < details.purchased_on:
        raise ValidationFailed(
            "The fault cannot have been reported before the purchase.", fields={"fault_reported_on": "Check."}
        )
    existing = Purchase.objects.filter(complaint=complaint).first()
    if existing is not None and existing.type != details.type and complaint.remedy_steps.exists():
        raise Conflict(
            "The remedy path already has steps for this purchase, so its type cannot change.",
            fields={"type": "Fixed once a remedy step is recorded."},
        )
    with _changing(complaint, by, exception, what="complaint_purchase"):
        purchase, _ = Purchase.objects.update_or_create(
            complaint=complaint,
            defaults={
                "type": details.type,
                "purchased_on": details.purchased_on,
                "delivered_on": details.delivered_on,
                "description": " ".join(details.description.split())[:300],
                "price": details.price.quantize(Decimal("0.01")) if details.price is not None else None,
                "region": details.region,
                "fault_reported_on": reported_on,
                "perishable_days": details.perishable_days if details.type == PurchaseType.GOODS else None,
                "motor_vehicle": details.motor_vehicle and details.type == PurchaseType.GOODS,
                "tangible_medium": details.tangible_medium and details.type == PurchaseType.DIGITAL,
                "consumer": details.consumer,
            },
        )
        record_event(
            case=complaint.case,
            kind=EventKind.COMPLAINT_STEP,
            at=timezone.now(),
            by=by,
            data={
                "purchase": details.type,
                "purchased_on": details.purchased_on.isoformat(),
                "fault_reported_on": reported_on.isoformat(),
            },
        )
    return purchase


def _check_purchase(details: PurchaseDetails) -> None:
    if details.type not in PurchaseType.__members__.values():
        raise ValidationFailed("A purchase is goods, a service or digital content.", fields={"type": "Unknown."})
    if details.region not in LegalRegion.__members__.values():
        raise ValidationFailed(
            "The law that applies is that of England and Wales, Scotland or Northern Ireland.",
            fields={"region": "Unknown."},
        )
    today = timezone.localdate()
    dates = (details.purchased_on, details.delivered_on, details.fault_reported_on)
    if any(day is not None and day > today for day in dates):
        raise ValidationFailed(
            "A purchase, delivery or fault report date cannot be in the future.", fields={"purchased_on": "Check."}
        )
    if details.delivered_on is not None and details.delivered_on < details.purchased_on:
        raise ValidationFailed("Delivery cannot come before the purchase.", fields={"delivered_on": "Check."})
    if details.price is not None:
        if not details.price.is_finite() or details.price < 0:
            raise ValidationFailed("A price cannot be negative.", fields={"price": "Check."})
        if details.price > MAX_REDRESS or details.price != details.price.quantize(Decimal("0.01")):
            raise ValidationFailed("Give the price in pounds and pence, up to £1,000,000.", fields={"price": "Check."})
    if details.perishable_days is not None and not 1 <= details.perishable_days <= 365:
        raise ValidationFailed(
            "A perishable item's expected life is from 1 to 365 days.", fields={"perishable_days": "Check."}
        )


@dataclass(frozen=True)
class RemedyStepDetails:
    step: str
    on: date | None = None
    amount: Decimal | None = None
    note: str = ""


def record_remedy_step(
    *, complaint: Complaint, by: Agent, details: RemedyStepDetails, exception: str = ""
) -> RemedyStep:
    """One step on the Consumer Rights Act remedy path: checked against the path so far (the
    state machine), recorded with who and when, and put on the case's timeline with the
    remedy given, any money agreed and the new state."""
    _require_visible(complaint, by)
    if details.step not in StepKind.__members__.values():
        raise ValidationFailed(
            f"“{details.step[:40]}” is not a remedy step. Choose one of: {', '.join(StepKind)}.",
            fields={"step": "Unknown."},
        )
    now = timezone.now()
    with _changing(complaint, by, exception, what="complaint_remedy_step"):
        # Locked so two agents recording at once cannot both move the path on from the same state.
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        purchase = Purchase.objects.filter(complaint=locked).first()
        if purchase is None:
            raise Conflict(
                "Record what the customer bought first (goods, a service or digital content).",
                fields={"purchase": "Record the purchase first."},
            )
        facts = purchase.as_facts()
        path = [taken.as_path_step() for taken in locked.remedy_steps.all()]
        on = details.on or timezone.localdate(now)
        step = with_default_amount(facts, PathStep(kind=StepKind(details.step), on=on, amount=details.amount))
        state = check_step(facts, path, step, today=timezone.localdate(now))
        note = details.note.strip()[:MAX_TEXT]
        taken = RemedyStep.objects.create(
            complaint=locked, step=step.kind, on=step.on, amount=step.amount, note=note, state=state, by=by, at=now
        )
        record_event(
            case=complaint.case,
            kind=EventKind.COMPLAINT_STEP,
            at=now,
            by=by,
            data={
                "remedy_step": step.kind.value,
                "on": step.on.isoformat(),
                "amount": str(step.amount) if step.amount is not None else None,
                "state": state.value,
                **({"note": note} if note else {}),
            },
        )
        _touch(complaint.case, now)
    return taken


def set_root_cause(*, complaint: Complaint, by: Agent, root_cause: RootCause, exception: str = "") -> Complaint:
    """File the complaint under why it happened, from the desk's list of root causes."""
    _require_visible(complaint, by)
    if not root_cause.is_active:
        raise ValidationFailed(
            f"The root cause “{root_cause.name}” is no longer in use. Choose another.",
            fields={"root_cause": "No longer in use."},
        )
    if complaint.root_cause_id == root_cause.pk:
        return complaint
    now = timezone.now()
    with _changing(complaint, by, exception, what="complaint_root_cause"):
        before = complaint.root_cause.code if complaint.root_cause is not None else None
        complaint.root_cause = root_cause
        complaint.save(update_fields=["root_cause", "updated_at"])
        record_event(
            case=complaint.case,
            kind=EventKind.COMPLAINT_STEP,
            at=now,
            by=by,
            data={"root_cause": root_cause.code, "before": before},
        )
        _touch(complaint.case, now)
    return complaint


def record_five_whys(
    *, complaint: Complaint, by: Agent, whys: Sequence[str], statement: str, exception: str = ""
) -> Complaint:
    """The five whys: ask why the complaint happened, then why that happened, up to five times,
    and state the root cause found. Blank answers are left out (a form offers five boxes); at
    least one answer and the statement are needed. Recording again replaces the last record."""
    _require_visible(complaint, by)
    answers = [" ".join(answer.split())[:1_000] for answer in whys]
    answers = [answer for answer in answers if answer]
    statement = " ".join(statement.split())[:2_000]
    if not answers:
        raise ValidationFailed("Give at least one answer to “why?”.", fields={"whys": "Answer at least once."})
    if len(answers) > MAX_WHYS:
        raise ValidationFailed(
            f"The five whys stop at five: {len(answers)} answers were given.", fields={"whys": "At most five."}
        )
    if not statement:
        raise ValidationFailed(
            "State the root cause the answers lead to.", fields={"statement": "State the root cause."}
        )
    now = timezone.now()
    with _changing(complaint, by, exception, what="complaint_five_whys"):
        complaint.whys = answers
        complaint.root_cause_statement = statement
        complaint.save(update_fields=["whys", "root_cause_statement", "updated_at"])
        record_event(
            case=complaint.case,
            kind=EventKind.COMPLAINT_STEP,
            at=now,
            by=by,
            data={"whys": answers, "root_cause_statement": statement},
        )
        _touch(complaint.case, now)
    return complaint


def set_redress(*, complaint: Complaint, by: Agent, amount: Decimal | None, exception: str = "") -> Complaint:
    """The money paid to the customer to put things right (none: `None`), for the register."""
    _require_visible(complaint, by)
    if amount is not None:
        if not amount.is_finite() or amount < 0:
            raise ValidationFailed("Redress cannot be negative.", fields={"redress_amount": "Check."})
        if amount > MAX_REDRESS:
            raise ValidationFailed(
                "Redress over £1,000,000 cannot be recorded here; check the amount.",
                fields={"redress_amount": "Check."},
            )
        amount = amount.quantize(Decimal("0.01"))
    if amount == complaint.redress_amount:
        return complaint
    with _changing(complaint, by, exception, what="complaint_redress"):
        before = complaint.redress_amount
        complaint.redress_amount = amount
        complaint.save(update_fields=["redress_amount", "updated_at"])
        record_event(
            case=complaint.case,
            kind=EventKind.COMPLAINT_STEP,
            at=timezone.now(),
            by=by,
            data={
                "redress_amount": str(amount) if amount is not None else None,
                "before": str(before) if before is not None else None,
            },
        )
    return complaint


@dataclass(frozen=True)
class ActionDetails:
    title: str
    owner: Agent
    root_causes: Sequence[RootCause]
    description: str = ""
    due_on: date | None = None
    status: str = ActionStatus.OPEN
    completed_on: date | None = None
    complaints: Sequence[Complaint] = ()


def create_corrective_action(*, by: Agent, details: ActionDetails) -> CorrectiveAction:
    """A change to make so that complaints with these root causes stop: who owns it, by when."""
    _require_action_role(by)
    fields = _action_fields(details)
    with transaction.atomic():
        action = CorrectiveAction.objects.create(**fields)
        action.root_causes.set(details.root_causes)
        action.complaints.set(details.complaints)
        audit.record(
            actor=by,
            action="corrective_action_created",
            object_type="corrective_action",
            object_id=action.pk,
            data=_action_audit(action, details),
        )
    return action


def update_corrective_action(*, action: CorrectiveAction, by: Agent, details: ActionDetails) -> CorrectiveAction:
    """Change a corrective action: its progress, owner, dates, or what it addresses."""
    _require_action_role(by)
    fields = _action_fields(details)
    with transaction.atomic():
        before = _action_audit(action, None)
        for name, value in fields.items():
            setattr(action, name, value)
        action.save()
        action.root_causes.set(details.root_causes)
        action.complaints.set(details.complaints)
        audit.record(
            actor=by,
            action="corrective_action_updated",
            object_type="corrective_action",
            object_id=action.pk,
            data={"before": before, "after": _action_audit(action, details)},
        )
    return action


def _require_action_role(agent: Agent) -> None:
    if agent.role not in ACTION_ROLES and not agent.is_superuser:
        raise NotAllowed("Only service managers and administrators can manage corrective actions.")


def _action_fields(details: ActionDetails) -> dict[str, Any]:
    """The action's own columns, checked: a title, a known status, at least one root cause (the
    effect is measured on them), and a completion date only once it is done, never ahead."""
    title = " ".join(details.title.split())[:200]
    if not title:
        raise ValidationFailed("Give the corrective action a title.", fields={"title": "Enter a title."})
    if details.status not in ActionStatus.values:
        raise ValidationFailed(
            f"“{details.status[:40]}” is not a status. Choose one of: {', '.join(ActionStatus.values)}.",
            fields={"status": "Unknown."},
        )
    if not details.root_causes:
        raise ValidationFailed(
            "Name at least one root cause the action addresses.", fields={"root_causes": "Choose at least one."}
        )
    if not details.owner.is_active:
        raise ValidationFailed("The owner must be an active agent.", fields={"owner": "Not active."})
    completed_on = details.completed_on
    if details.status == ActionStatus.DONE:
        completed_on = completed_on or timezone.localdate()
        if completed_on > timezone.localdate():
            raise ValidationFailed("An action cannot be completed in the future.", fields={"completed_on": "Check."})
    elif completed_on is not None:
        raise ValidationFailed(
            "Only a done action has a completion date.", fields={"completed_on": "Leave empty until done."}
        )
    return {
        "title": title,
        "description": details.description.strip()[:MAX_TEXT],
        "owner": details.owner,
        "due_on": details.due_on,
        "status": details.status,
        "completed_on": completed_on,
    }


def _action_audit(action: CorrectiveAction, details: ActionDetails | None) -> dict[str, Any]:
    causes = details.root_causes if details is not None else action.root_causes.all()
    complaints = details.complaints if details is not None else action.complaints.all()
    return {
        "title": action.title,
        "owner": action.owner_id,
        "status": action.status,
        "due_on": action.due_on.isoformat() if action.due_on else None,
        "completed_on": action.completed_on.isoformat() if action.completed_on else None,
        "root_causes": sorted(cause.code for cause in causes),
        "complaints": sorted(complaint.case_id for complaint in complaints),
    }


def _touch(case: Case, at: datetime) -> None:
    """Complaint handling is activity on its case: the inbox sorts it accordingly."""
    Case.objects.filter(pk=case.pk, updated_at__lt=at).update(updated_at=at)
    case.updated_at = max(case.updated_at, at)


@contextmanager
def _changing(complaint: Complaint, by: Agent, exception: str, *, what: str) -> Iterator[None]:
    """One change to a complaint, all or nothing. While the customer has restricted the
    processing of their data (UK GDPR art. 18) it is made only on an exception the agent names,
    which goes on the audit trail with it, as for any other work on their case."""
    with transaction.atomic():
        require_exception_if_restricted(complaint.case, by, exception, what=what)
        yield


def _require_visible(complaint: Complaint, by: Agent) -> None:
    if not can_see_case(by, complaint.case):
        raise NotAllowed("You do not have access to this case.")


def check_steps_before_resolving(case: Case, status: str, reason: str, at: datetime) -> None:
    """A complaint is resolved once every LATER step is recorded, or with the reason why not,
    which goes on the timeline."""
    complaint = Complaint.objects.filter(case_id=case.pk).first()
    if complaint is None:
        return
    taken = set(complaint.steps.values_list("step", flat=True))
    missing = [code for code in Step.values if code not in taken]
    if not missing:
        return
    labels = ", ".join(str(Step(code).label).lower() for code in missing)
    if not reason:
        raise ValidationFailed(
            f"Steps not recorded on this complaint: {labels}. Record them, or give the reason for resolving "
            "without them.",
            fields={"reason": "Give a reason, or record the missing steps first."},
        )
    record_event(case=case, kind=EventKind.COMPLAINT_STEP, at=at, data={"resolved_without": missing, "reason": reason})


def check_root_cause_before_resolving(case: Case, status: str, reason: str, at: datetime) -> None:
    """A complaint is not resolved or closed until it is known why it happened: the root cause
    feeds the corrective actions that stop it happening again."""
    if status not in (Status.RESOLVED, Status.CLOSED):
        return
    complaint = Complaint.objects.filter(case_id=case.pk).only("root_cause").first()
    if complaint is None or complaint.root_cause_id is not None:
        return
    raise ValidationFailed(
        "Choose the root cause of this complaint before it is resolved or closed.",
        fields={"root_cause": "Choose the root cause."},
    )
