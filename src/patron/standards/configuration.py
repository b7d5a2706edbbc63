"""Calendars, policies and escalation rules held in memory between reads of the database: read
for every case that changes, they change rarely. Any save or delete of them (through the
services or the admin) writes a new version token; each process compares tokens (one small
query) and reloads only when it differs."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.db.models.signals import post_delete, post_save

from patron.db import PreparedSQL, enqueue_on_commit
from patron.standards.business_time import Schedule
from patron.standards.models import (
    BusinessCalendar,
    Closure,
    ConfigurationVersion,
    EscalationRule,
    SlaPolicy,
    TeamCalendar,
)
from patron.standards.queries import build_schedule
from patron.standards.rules import rule_problems

WATCHED = (BusinessCalendar, Closure, TeamCalendar, SlaPolicy, EscalationRule)


@dataclass(frozen=True)
class Configuration:
    token: str
    policies: list[SlaPolicy]
    rules: list[EscalationRule]
    team_schedules: dict[int, Schedule] = field(default_factory=dict)


_loaded: list[Configuration] = []


def current_token() -> str:
    # Read on every case change: a plain statement, since building it through the ORM each time
    # costs more than running it.
    rows = _TOKEN_QUERY.rows()
    return str(rows[0][0]) if rows else ""


_TOKEN_QUERY = PreparedSQL(f'SELECT "token" FROM "{ConfigurationVersion._meta.db_table}" WHERE "id" = 1')  # noqa: S608


def current() -> Configuration:
    token = current_token()
    if _loaded and _loaded[0].token == token:
        return _loaded[0]
    configuration = _load(token)
    _loaded[:] = [configuration]
    return configuration


def changed(**kwargs: Any) -> None:
    """Receiver for saves and deletes of the watched models: a new token, so caches reload, and
    once the change commits the open cases are read again under it in the background."""
    from patron.standards.tasks import apply_new_standards

    token = secrets.token_hex(16)
    ConfigurationVersion.objects.update_or_create(pk=1, defaults={"token": token})
    enqueue_on_commit(apply_new_standards, token=token)


def watch() -> None:
    for model in WATCHED:
        post_save.connect(changed, sender=model, dispatch_uid=f"standards-config-save-{model.__name__}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"standards-config-delete-{model.__name__}")


def _load(token: str) -> Configuration:
    policies = list(
        SlaPolicy.objects.filter(is_active=True)
        .select_related("fallback_calendar")
        .prefetch_related("fallback_calendar__closures")
        .order_by("position", "id")
    )
    rules = [
        rule
        for rule in EscalationRule.objects.filter(is_active=True)
        .select_related("move_to_team")
        .order_by("position", "id")
        if not rule_problems(rule)
    ]
    links = TeamCalendar.objects.select_related("calendar").prefetch_related(
        Prefetch("calendar__closures", queryset=Closure.objects.order_by("starts_at"))
    )
    # Built afresh: a closure edited in the admin changes neither the calendar's version nor its
    # time of change, so a schedule kept by those could be out of date.
    schedules = {link.team_id: build_schedule(link.calendar) for link in links}
    return Configuration(token=token, policies=policies, rules=rules, team_schedules=schedules)
