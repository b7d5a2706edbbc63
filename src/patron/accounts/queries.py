"""Reads of agents and teams."""

from __future__ import annotations

from django.db.models import QuerySet

from patron.accounts.models import Agent, Team
from patron.errors import NotAllowed


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


def team_by_key(key: str | int) -> Team | None:
    """A team by its short name or its id, as integrations name it."""
    text = str(key).strip()
    if text.isascii() and text.isdigit():
        return Team.objects.filter(pk=int(text)).first()
    return Team.objects.filter(slug=text).first()


def agent_by_key(key: str | int) -> Agent | None:
    """An active agent by username or id."""
    text = str(key).strip()
    agents = Agent.objects.filter(is_active=True)
    if text.isascii() and text.isdigit():
        return agents.filter(pk=int(text)).first()
    return agents.filter(username=text).first()


def acting_agent(user: object) -> Agent:
    """The agent behind a request's user; anyone else is refused. Interfaces call this once
    authentication has run, so domain code always receives an Agent."""
    if isinstance(user, Agent) and user.is_active:
        return user
    raise NotAllowed("Sign in as an agent to do this.")
