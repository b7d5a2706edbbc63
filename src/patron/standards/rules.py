"""When an escalation rule is due to fire for a case: pure functions over clock readings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from patron.standards.business_time import Schedule, add_business_time
from patron.standards.clocks import ClockReading, Target

if TYPE_CHECKING:
    from patron.standards.models import EscalationRule

TRIGGERS_NEEDING_TARGET = ("target_used", "target_breached")
ACTIONS = ("notify_team_leads", "raise_priority", "move_to_team", "add_note", "remind_customer", "resolve_with_note")


@dataclass(frozen=True)
class Moment:
    """When a rule fires for a case, and the cycle that firing belongs to."""

    cycle: str
    at: datetime


def rule_problems(rule: EscalationRule) -> dict[str, str]:
    """What is wrong with a rule as configured, by field; empty when it can run."""
    problems: dict[str, str] = {}
    if rule.trigger in TRIGGERS_NEEDING_TARGET and rule.target not in Target.values:
        problems["target"] = "Choose the target this rule watches."
    if rule.trigger == "target_used" and not (rule.threshold_percent and 1 <= rule.threshold_percent <= 100):
        problems["threshold_percent"] = "Give the share of the target, from 1 to 100 per cent."
    if rule.trigger == "awaiting_customer" and not rule.wait_minutes:
        problems["wait_minutes"] = "Give how long the case waits on the customer first."
    unknown = [action for action in rule.actions if action not in ACTIONS] if isinstance(rule.actions, list) else ["?"]
    if unknown or not rule.actions:
        problems["actions"] = f"Choose one or more of: {', '.join(ACTIONS)}."
    if "move_to_team" in (rule.actions or []) and rule.move_to_team_id is None:
        problems["move_to_team"] = "Choose the team to move the case to."
    if {"remind_customer", "add_note", "resolve_with_note"} & set(rule.actions or []) and not rule.message.strip():
        problems["message"] = "Write the note or message to send."
    return problems


def firing_moment(
    rule: EscalationRule,
    *,
    readings: dict[str, ClockReading],
    awaiting_since: datetime | None,
    schedule: Schedule,
    now: datetime,
    wait_factor: int = 1,
) -> Moment | None:
    """When `rule` fires for a case in its current cycle (possibly already past), or None when
    it cannot fire now: the target is met, absent, or the case is not waiting. `wait_factor`
    lengthens the wait on the customer (extra time to respond)."""
    if rule.trigger == "awaiting_customer":
        if awaiting_since is None or not rule.wait_minutes:
            return None
        at = add_business_time(awaiting_since, timedelta(minutes=rule.wait_minutes * wait_factor), schedule)
        return Moment(cycle=f"awaiting:{awaiting_since.isoformat()}", at=at)
    reading = readings.get(rule.target)
    if reading is None or reading.met_at is not None:
        return None
    cycle = f"{reading.target}:{reading.cycle_started_at.isoformat()}"
    if rule.trigger == "target_breached":
        breach = reading.breached_at or reading.due_at
        return Moment(cycle=cycle, at=breach) if breach is not None else None
    if rule.trigger == "target_used" and rule.threshold_percent:
        threshold = reading.target_time * rule.threshold_percent / 100
        if reading.used >= threshold:
            return Moment(cycle=cycle, at=now)
        if not reading.running:
            return None
        return Moment(cycle=cycle, at=add_business_time(now, threshold - reading.used, schedule))
    return None
