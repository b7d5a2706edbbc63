"""Escalation rules: which are due to fire for a case, and firing them once each."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from patron.accounts.models import Agent, Role
from patron.accounts.services import automation_agent
from patron.cases import services as cases
from patron.cases.models import Case, Priority, Status
from patron.cases.observers import deferred_case_changes
from patron.cases.services import CaseChanges
from patron.db import PreparedInsert, PreparedQuery
from patron.errors import DomainError
from patron.standards.business_time import Schedule
from patron.standards.clocks import CaseHistory, ClockReading, entered_status_at, status_at
from patron.standards.models import EscalationRule, RuleAction, RuleFiring, ServiceAlert, SlaPolicy
from patron.standards.rules import Moment, firing_moment

# How much longer a customer given extra time to respond is waited on.
EXTRA_TIME_FACTOR = 2

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueFiring:
    rule: EscalationRule
    case_id: int
    cycle: str


def fired_rules(case_ids: Sequence[int]) -> set[tuple[int, int, str]]:
    return set(RuleFiring.objects.filter(case_id__in=case_ids).values_list("rule_id", "case_id", "cycle"))


def due_rule_moments(
    rules: Sequence[EscalationRule],
    policy: SlaPolicy | None,
    readings: Sequence[ClockReading],
    history: CaseHistory,
    schedule: Schedule,
    now: datetime,
    *,
    extra_time: bool = False,
) -> list[tuple[EscalationRule, Moment]]:
    """Each applicable rule with the moment it fires in the case's current cycle. A customer
    given extra time to respond (a reasonable adjustment) is waited on twice as long before a
    reminder or a resolution for want of an answer."""
    by_target = {reading.target: reading for reading in readings}
    awaiting_since = (
        entered_status_at(history, frozenset({Status.AWAITING_CUSTOMER}))
        if status_at(history, now) == Status.AWAITING_CUSTOMER
        else None
    )
    found = []
    for rule in rules:
        if rule.policy_id is not None and (policy is None or rule.policy_id != policy.pk):
            continue
        moment = firing_moment(
            rule,
            readings=by_target,
            awaiting_since=awaiting_since,
            schedule=schedule,
            now=now,
            wait_factor=EXTRA_TIME_FACTOR if extra_time else 1,
        )
        if moment is not None:
            found.append((rule, moment))
    return found


def fire(firings: Sequence[DueFiring], *, now: datetime) -> int:
    """Fire each rule for its case: the firing is recorded first, so the same rule in the same
    cycle never fires twice, even when its own actions cause the case to be read again. An
    action the case no longer allows (already resolved, say) is skipped and logged.

    Many firings at once (a backlog imported, a check after a quiet night) share their work:
    the cases they change are read again for their service levels together, at the end, and
    the alerts to team leads are written together."""
    if not firings:
        return 0
    run = _Run(actor=automation_agent(), now=now)
    fired = 0
    alerts: list[ServiceAlert] = []
    with deferred_case_changes():
        for firing in firings:
            try:
                with transaction.atomic():
                    _INSERT_FIRINGS(
                        [RuleFiring(rule=firing.rule, case_id=firing.case_id, cycle=firing.cycle, fired_at=now)]
                    )
                    # Kept only once the firing stands: one refused leaves no alert behind.
                    its_alerts = _run_actions(firing.rule, firing.case_id, run)
            except IntegrityError:
                continue
            alerts.extend(its_alerts)
            fired += 1
        ServiceAlert.objects.bulk_create(alerts)
    return fired


# One row a firing, each in its own savepoint: the unique (rule, case, cycle) refuses a second.
_INSERT_FIRINGS = PreparedInsert(RuleFiring)


@dataclass
class _Run:
    """What the firings of one call share: who acts, when, and the leads they found."""

    actor: Agent
    now: datetime
    leads_by_team: dict[int | None, list[Agent]] = field(default_factory=dict)

    def leads_for(self, team_id: int | None) -> list[Agent]:
        """A team's leads; for a case without a team, the service managers."""
        if team_id not in self.leads_by_team:
            active = Agent.objects.filter(is_active=True)
            leads = (
                active.filter(role=Role.TEAM_LEAD, teams=team_id)
                if team_id is not None
                else active.filter(role=Role.SERVICE_MANAGER)
            )
            self.leads_by_team[team_id] = list(leads)
        return self.leads_by_team[team_id]


def _run_actions(rule: EscalationRule, case_id: int, run: _Run) -> list[ServiceAlert]:
    """Run the rule's actions on the case; the alerts to team leads come back to be written."""
    alerts: list[ServiceAlert] = []
    for action in rule.actions:
        case = _CASE(case_id=case_id)[0]
        try:
            if action == RuleAction.NOTIFY_TEAM_LEADS:
                alerts.extend(_alerts_to_team_leads(rule, case, run))
            else:
                _ACTIONS[action](rule, case, run.actor, run.now)
        except DomainError as error:
            logger.info("Rule %s could not %s on case %s: %s", rule.name, action, case.reference, error.message)
    return alerts


# Each action starts from the case as it is now: an earlier action may have changed it.
_CASE = PreparedQuery(lambda case_id: Case.objects.select_related("team").filter(pk=case_id))


def _alerts_to_team_leads(rule: EscalationRule, case: Case, run: _Run) -> list[ServiceAlert]:
    text = f"{case.reference}: {rule.name}"[:300]
    return [ServiceAlert(agent=lead, case=case, text=text, created_at=run.now) for lead in run.leads_for(case.team_id)]


def _raise_priority(rule: EscalationRule, case: Case, actor: Agent, now: datetime) -> None:
    if case.priority < Priority.URGENT:
        cases.update_case(
            case=case, by=actor, expected_version=case.version, changes=cases.CaseChanges(priority=case.priority + 1)
        )


def _move_to_team(rule: EscalationRule, case: Case, actor: Agent, now: datetime) -> None:
    if rule.move_to_team is not None and case.team_id != rule.move_to_team_id:
        cases.update_case(
            case=case,
            by=actor,
            expected_version=case.version,
            changes=cases.CaseChanges(team=rule.move_to_team, assignee=None),
        )


def _add_note(rule: EscalationRule, case: Case, actor: Agent, now: datetime) -> None:
    cases.add_note(case=case, by=actor, body=f"{rule.message}\n\n({rule.name})")


def _remind_customer(rule: EscalationRule, case: Case, actor: Agent, now: datetime) -> None:
    cases.reply(case=case, by=actor, body=rule.message)


def _resolve_with_note(rule: EscalationRule, case: Case, actor: Agent, now: datetime) -> None:
    cases.add_note(case=case, by=actor, body=f"{rule.message}\n\n({rule.name})")
    fresh = Case.objects.get(pk=case.pk)
    # The rule is the reason, should a check ask for one (a complaint with steps unrecorded).
    changes = CaseChanges(status=Status.RESOLVED, reason=f"{rule.name}: {rule.message}")
    cases.update_case(case=fresh, by=actor, expected_version=fresh.version, changes=changes)


_ACTIONS = {
    "raise_priority": _raise_priority,
    "move_to_team": _move_to_team,
    "add_note": _add_note,
    "remind_customer": _remind_customer,
    "resolve_with_note": _resolve_with_note,
}


# Every case page visit asks; most find nothing, and then nothing is written.
_UNREAD_ON_CASE = PreparedQuery(
    lambda agent_id, case_id: ServiceAlert.objects.filter(agent_id=agent_id, case_id=case_id, read_at=None).only("id")
)


def mark_alerts_read(*, agent: Agent, case: Case) -> int:
    """The agent has opened the case the alerts were about: they are dealt with."""
    unread = [alert.pk for alert in _UNREAD_ON_CASE(agent_id=agent.pk, case_id=case.pk)]
    if not unread:
        return 0
    return ServiceAlert.objects.filter(pk__in=unread, read_at=None).update(read_at=timezone.now())
