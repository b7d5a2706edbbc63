"""Corrective actions in the API: the register of changes made so complaints stop happening,
each with its owner, due date, status, the root causes and complaints it addresses, and, once
done, its effect. Read by the people who see the complaints register; changed by service
managers and administrators, each change on the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja import Status as Created

from patron.accounts.models import Agent
from patron.accounts.queries import acting_agent
from patron.complaints import corrective_actions as reads
from patron.complaints import services
from patron.complaints.corrective_actions import ActionEffect
from patron.complaints.models import ActionStatus, CorrectiveAction

router = Router(tags=["complaints"])

STATUS_HELP = "open, in_progress, done or abandoned."


class OwnerOut(Schema):
    username: str
    name: str


class CauseOut(Schema):
    code: str
    name: str


class EffectOut(Schema):
    days: int = Field(description="The length of each window: the same before and after.")
    before_from: date
    before_to: date
    complaints_before: int
    after_from: date
    after_to: date
    complaints_after: int


class CorrectiveActionOut(Schema):
    id: int
    title: str
    description: str
    owner: OwnerOut
    due_on: date | None
    status: str = Field(description=STATUS_HELP)
    completed_on: date | None
    overdue: bool = Field(description="Past its due date and neither done nor abandoned.")
    root_causes: list[CauseOut]
    complaints: list[str] = Field(description="The references of the complaint cases it addresses that you can see.")
    effect: EffectOut | None = Field(
        description="Once done: complaints with its root causes received in equal windows before and after the day "
        "it was completed (that day in neither). None until a day has passed since."
    )
    created_at: datetime
    updated_at: datetime


class CorrectiveActionIn(Schema):
    title: str
    description: str = ""
    owner: str = Field(description="The owner's username or id.")
    due_on: date | None = None
    status: str = Field(ActionStatus.OPEN, description=STATUS_HELP)
    completed_on: date | None = Field(None, description="Only when done; today if not given.")
    root_causes: list[str] = Field(description="Codes of root causes (see /complaints/root-causes).")
    complaints: list[str] = Field(default_factory=list, description="References of the complaint cases addressed.")


class CorrectiveActionPatch(Schema):
    title: str | None = None
    description: str | None = None
    owner: str | None = None
    due_on: date | None = None
    status: str | None = Field(None, description=STATUS_HELP)
    completed_on: date | None = None
    root_causes: list[str] | None = None
    complaints: list[str] | None = Field(None, description="Replaces the complaints addressed that you can see.")


class ActionsQuery(Schema):
    status: str = Field("", description=STATUS_HELP)
    days: int = Field(reads.EFFECT_DAYS, description="How many days before and after to measure the effect over.")


class EffectQuery(Schema):
    days: int = Field(reads.EFFECT_DAYS, description="How many days before and after to measure the effect over.")


def _effect(effect: ActionEffect | None) -> dict[str, Any] | None:
    if effect is None:
        return None
    return {
        "days": effect.days_before,
        "before_from": effect.before_from,
        "before_to": effect.before_to,
        "complaints_before": effect.complaints_before,
        "after_from": effect.after_from,
        "after_to": effect.after_to,
        "complaints_after": effect.complaints_after,
    }


def _out(action: CorrectiveAction, effect: ActionEffect | None, today: date) -> dict[str, Any]:
    return {
        "id": action.pk,
        "title": action.title,
        "description": action.description,
        "owner": {"username": action.owner.username, "name": action.owner.display_name},
        "due_on": action.due_on,
        "status": action.status,
        "completed_on": action.completed_on,
        "overdue": reads.is_overdue(action, today),
        "root_causes": list(action.root_causes.all()),
        "complaints": [complaint.case.reference for complaint in getattr(action, "visible_complaints", [])],
        "effect": _effect(effect),
        "created_at": action.created_at,
        "updated_at": action.updated_at,
    }


def _one(agent: Agent, action_id: int, days: int) -> dict[str, Any]:
    reads.check_effect_days(days)
    action = reads.corrective_action_for(agent=agent, action_id=action_id)
    today = timezone.localdate()
    return _out(action, reads.effects_of([action], days=days, today=today).get(action.pk), today)


@router.get("/complaints/corrective-actions", response=list[CorrectiveActionOut])
def list_actions(request: HttpRequest, params: Query[ActionsQuery]) -> list[dict[str, Any]]:
    """Every corrective action, those still to finish first (the soonest due first), with the
    effect of the completed ones. Service managers, privacy officers, administrators and team
    leads."""
    agent = acting_agent(request.user)
    reads.check_effect_days(params.days)
    actions = reads.list_corrective_actions(agent=agent, status=params.status)
    today = timezone.localdate()
    effects = reads.effects_of(actions, days=params.days, today=today)
    return [_out(action, effects.get(action.pk), today) for action in actions]


@router.post("/complaints/corrective-actions", response={201: CorrectiveActionOut})
def create_action(request: HttpRequest, body: CorrectiveActionIn) -> Created[dict[str, Any]]:
    """A new corrective action. Service managers and administrators."""
    agent = acting_agent(request.user)
    reads.require_manage_role(agent)
    details = services.ActionDetails(
        title=body.title,
        description=body.description,
        owner=reads.owner_by_key(body.owner),
        due_on=body.due_on,
        status=body.status,
        completed_on=body.completed_on,
        root_causes=reads.root_causes_by_code(body.root_causes),
        complaints=reads.complaints_by_reference(agent=agent, references=body.complaints),
    )
    action = services.create_corrective_action(by=agent, details=details)
    return Created(201, _one(agent, action.pk, reads.EFFECT_DAYS))


@router.get("/complaints/corrective-actions/{action_id}", response=CorrectiveActionOut)
def read_action(request: HttpRequest, action_id: int, params: Query[EffectQuery]) -> dict[str, Any]:
    """One corrective action with its effect once done."""
    return _one(acting_agent(request.user), action_id, params.days)


@router.patch("/complaints/corrective-actions/{action_id}", response=CorrectiveActionOut)
def update_action(request: HttpRequest, action_id: int, body: CorrectiveActionPatch) -> dict[str, Any]:
    """Change what is sent and keep the rest. An action moved out of done loses its completion
    date unless one is sent. Service managers and administrators."""
    agent = acting_agent(request.user)
    reads.require_manage_role(agent)
    action = reads.corrective_action_for(agent=agent, action_id=action_id)
    services.update_corrective_action(action=action, by=agent, details=_patched(action, body, agent))
    return _one(agent, action.pk, reads.EFFECT_DAYS)


def _patched(action: CorrectiveAction, body: CorrectiveActionPatch, agent: Agent) -> services.ActionDetails:
    sent = body.model_fields_set
    status = body.status if body.status is not None else action.status
    if "completed_on" in sent:
        completed_on = body.completed_on
    else:
        completed_on = action.completed_on if status == ActionStatus.DONE else None
    causes = list(action.root_causes.all())
    complaints = list(action.complaints.all())
    if body.complaints is not None:
        named = reads.complaints_by_reference(agent=agent, references=body.complaints)
        complaints = [*named, *reads.complaints_kept_out_of_sight(action, agent)]
    return services.ActionDetails(
        title=body.title if body.title is not None else action.title,
        description=body.description if body.description is not None else action.description,
        owner=reads.owner_by_key(body.owner) if body.owner is not None else action.owner,
        due_on=body.due_on if "due_on" in sent else action.due_on,
        status=status,
        completed_on=completed_on,
        root_causes=reads.root_causes_by_code(body.root_causes, already=causes)
        if body.root_causes is not None
        else causes,
        complaints=complaints,
    )
