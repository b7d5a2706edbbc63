"""Reads of agents and teams."""

from __future__ import annotations

from django.db.models import QuerySet

from patron.accounts.models import Agent, Team


def list_teams() -> QuerySet[Team]:
    return Team.objects.order_by("name")


def list_active_agents() -> QuerySet[Agent]:
    return Agent.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def team_ids_of(agent: Agent) -> list[int]:
    """The teams an agent works in; cached on the object for the length of a request."""
    cached: list[int] | None = getattr(agent, "_team_ids", None)
    if cached is None:
        cached = list(agent.teams.values_list("id", flat=True))
        agent._team_ids = cached  # type: ignore[attr-defined]
    return cached
