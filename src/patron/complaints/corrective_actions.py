"""Reads of the corrective actions register: who may see it and change it, the actions with
what they address, which are overdue, and the effect of each completed one, measured as the
complaints with its root causes received in equal windows before and after it was completed
(DISP 1.3.3R: identify and remedy recurring or systemic problems).

Also the look-ups the interfaces share to turn what a person typed (an owner's username, root
cause codes, case references) into the records the services take, with a clear refusal for
anything that does not exist or that the person may not see."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, Count, F, IntegerField, Prefetch, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from patron.accounts.models import Agent
from patron.accounts.queries import agent_by_key
from patron.cases.models import parse_reference
from patron.cases.queries import visible_cases
from patron.complaints.models import ActionStatus, Complaint, CorrectiveAction, RootCause
from patron.complaints.register import may_read_register
from patron.complaints.services import ACTION_ROLES
from patron.errors import NotAllowed, NotFound, ValidationFailed

EFFECT_DAYS = 90
MAX_EFFECT_DAYS = 3_650
MAX_COMPLAINTS_NAMED = 500
MAX_ID = 2**63 - 1
UNFINISHED = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


@dataclass(frozen=True)
class ActionEffect:
    """Complaints with the action's root causes received in the days before it was completed
    and in the days after. The day of completion is in neither window: whether a complaint
    that day came before or after the change is not known."""

    completed_on: date
    before_from: date
    before_to: date
    complaints_before: int
    after_from: date
    after_to: date
    complaints_after: int

    @property
    def days_before(self) -> int:
        return (self.before_to - self.before_from).days + 1

    @property
    def days_after(self) -> int:
        return max(0, (self.after_to - self.after_from).days + 1)


def may_read_actions(agent: Agent) -> bool:
    """The same people as the complaints register: the actions answer what it shows."""
    return may_read_register(agent)


def may_manage_actions(agent: Agent) -> bool:
    return agent.role in ACTION_ROLES or agent.is_superuser


def require_read_role(agent: Agent) -> None:
    if not may_read_actions(agent):
        raise NotAllowed(
            "Only service managers, privacy officers, administrators and team leads can see corrective actions."
        )


def require_manage_role(agent: Agent) -> None:
    if not may_manage_actions(agent):
        raise NotAllowed("Only service managers and administrators can manage corrective actions.")


def is_overdue(action: CorrectiveAction, today: date) -> bool:
    """Past its due day and neither done nor abandoned."""
    return action.status in UNFINISHED and action.due_on is not None and action.due_on < today


def _actions(agent: Agent) -> QuerySet[CorrectiveAction]:
    # A team lead sees the complaints an action addresses only where they can see the case.
    addressed = (
        Complaint.objects.filter(case_id__in=visible_cases(agent).values("pk"))
        .select_related("case")
        .order_by("case_id")
    )
    return CorrectiveAction.objects.select_related("owner").prefetch_related(
        Prefetch("root_causes", queryset=RootCause.objects.order_by("name")),
        Prefetch("complaints", queryset=addressed, to_attr="visible_complaints"),
    )


def list_corrective_actions(*, agent: Agent, status: str = "") -> list[CorrectiveAction]:
    """The actions still to finish first, the soonest due first; then the finished ones, the
    latest completed first."""
    require_read_role(agent)
    if status and status not in ActionStatus.values:
        raise ValidationFailed(
            f"“{status[:40]}” is not a status. Choose one of: {', '.join(ActionStatus.values)}.",
            fields={"status": "Unknown."},
        )
    actions = _actions(agent)
    if status:
        actions = actions.filter(status=status)
    finished = Case(When(status__in=UNFINISHED, then=Value(0)), default=Value(1), output_field=IntegerField())
    return list(
        actions.order_by(
            finished, F("due_on").asc(nulls_last=True), F("completed_on").desc(nulls_last=True), "-created_at", "-id"
        )
    )


def corrective_action_for(*, agent: Agent, action_id: int) -> CorrectiveAction:
    require_read_role(agent)
    # An id no row can have is not looked up: SQLite cannot compare integers past 64 bits.
    found = _actions(agent).filter(pk=action_id).first() if 0 < action_id <= MAX_ID else None
    if found is None:
        raise NotFound(f"There is no corrective action {action_id}.")
    return found


def check_effect_days(days: int) -> None:
    if not 1 <= days <= MAX_EFFECT_DAYS:
        raise ValidationFailed("Measure over 1 to 3,650 days.", fields={"days": "From 1 to 3,650."})


def effects_of(
    actions: Sequence[CorrectiveAction], *, days: int = EFFECT_DAYS, today: date | None = None
) -> dict[int, ActionEffect]:
    """The effect of each completed action, by its id: complaints with its root causes received
    in the `days` days after it was completed against the same number of days before. While
    fewer days have passed, both windows shrink to the days that have, so the two numbers
    always compare equal stretches of time. The day of completion is in neither window (whether
    a complaint that day came before or after the change is not known); an action completed
    today has no effect yet. One query for any number of actions."""
    check_effect_days(days)
    today = today or timezone.localdate()
    windows: dict[int, tuple[CorrectiveAction, date, int]] = {}
    for action in actions:
        if action.status != ActionStatus.DONE or action.completed_on is None:
            continue
        length = min(days, (today - action.completed_on).days)
        if length >= 1:
            windows[action.pk] = (action, action.completed_on, length)
    if not windows:
        return {}
    per_day = _complaints_per_cause_and_day(
        causes={cause.pk for action, _, _ in windows.values() for cause in action.root_causes.all()},
        first=min(done - timedelta(days=length) for _, done, length in windows.values()),
        last=max(done + timedelta(days=length) for _, done, length in windows.values()),
    )
    return {pk: _effect(action, done, length, per_day) for pk, (action, done, length) in windows.items()}


def _complaints_per_cause_and_day(*, causes: Iterable[int], first: date, last: date) -> dict[tuple[int, date], int]:
    rows = (
        Complaint.objects.filter(root_cause_id__in=list(causes), received_at__date__range=(first, last))
        .annotate(day=TruncDate("received_at"))
        .values("root_cause_id", "day")
        .annotate(complaints=Count("pk"))
        .order_by()
    )
    return {(row["root_cause_id"], row["day"]): row["complaints"] for row in rows}


def _effect(action: CorrectiveAction, done: date, length: int, per_day: dict[tuple[int, date], int]) -> ActionEffect:
    causes = [cause.pk for cause in action.root_causes.all()]

    def count(first: date, last: date) -> int:
        days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
        return sum(per_day.get((cause, day), 0) for cause in causes for day in days)

    before_from, before_to = done - timedelta(days=length), done - timedelta(days=1)
    after_from, after_to = done + timedelta(days=1), done + timedelta(days=length)
    return ActionEffect(
        completed_on=done,
        before_from=before_from,
        before_to=before_to,
        complaints_before=count(before_from, before_to),
        after_from=after_from,
        after_to=after_to,
        complaints_after=count(after_from, after_to),
    )


# --- what a person typed, as records ----------------------------------------------------------


def owner_by_key(key: str) -> Agent:
    owner = agent_by_key(key)
    if owner is None:
        raise ValidationFailed(f"There is no active agent “{key[:40]}”.", fields={"owner": "Use a username or id."})
    return owner


def root_causes_by_code(codes: Sequence[str], *, already: Iterable[RootCause] = ()) -> list[RootCause]:
    """The root causes with these codes. A cause no longer in use may stay on an action that
    already names it, but is not added to one."""
    wanted = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    found = {cause.code: cause for cause in RootCause.objects.filter(code__in=wanted)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise ValidationFailed(
            f"There is no root cause “{unknown[0][:40]}”.", fields={"root_causes": "Use the codes of root causes."}
        )
    kept = {cause.pk for cause in already}
    retired = [cause for cause in found.values() if not cause.is_active and cause.pk not in kept]
    if retired:
        raise ValidationFailed(
            f"The root cause “{retired[0].name}” is no longer in use. Choose another.",
            fields={"root_causes": "No longer in use."},
        )
    return [found[code] for code in wanted]


def complaints_by_reference(*, agent: Agent, references: Sequence[str]) -> list[Complaint]:
    """The complaints of these cases, each one the agent can see; a reference that is not a
    complaint they can see is refused by name."""
    wanted = list(dict.fromkeys(reference.strip() for reference in references if reference.strip()))
    if len(wanted) > MAX_COMPLAINTS_NAMED:
        raise ValidationFailed(f"Name at most {MAX_COMPLAINTS_NAMED} complaints.", fields={"complaints": "Too many."})
    ids = {reference: parse_reference(reference) for reference in wanted}
    complaints = {
        complaint.case_id: complaint
        for complaint in Complaint.objects.filter(
            case_id__in=visible_cases(agent).filter(pk__in=[pk for pk in ids.values() if pk is not None]).values("pk")
        ).select_related("case")
    }
    for reference, pk in ids.items():
        if pk is None or pk not in complaints:
            raise ValidationFailed(
                f"There is no complaint {reference[:20]} that you can see.",
                fields={"complaints": "Use the references of complaint cases."},
            )
    return [complaints[pk] for pk in ids.values() if pk is not None]


def complaints_kept_out_of_sight(action: CorrectiveAction, agent: Agent) -> list[Complaint]:
    """The complaints an action addresses that the agent cannot see: a change to the list they
    can see keeps these."""
    seen = {complaint.pk for complaint in getattr(action, "visible_complaints", [])}
    return [complaint for complaint in action.complaints.all() if complaint.pk not in seen]
