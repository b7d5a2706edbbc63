"""Reads of agents and teams."""

from __future__ import annotations

from patron.accounts.models import Agent, Team
from patron.db import PreparedQuery
from patron.errors import NotAllowed

# The inbox and case pages offer every team and agent: prepared once.
_TEAMS = PreparedQuery(lambda: Team.objects.order_by("name"))
_ACTIVE_AGENTS = PreparedQuery(
    lambda: Agent.objects.filter(is_active=True).order_by("first_name", "last_name", "username")
)


def list_teams() -> list[Team]:
    return _TEAMS()


def list_active_agents() -> list[Agent]:
    return _ACTIVE_AGENTS()


# Nearly every request reads it: prepared once.
_TEAMS_OF = PreparedQuery(lambda agent_id: Team.objects.filter(members__id=agent_id).only("id").order_by())


def team_ids_of(agent: Agent) -> list[int]:
    """The teams an agent works in; cached on the object for the length of a request."""
    cached: list[int] | None = getattr(agent, "_team_ids", None)
    if cached is None:
        cached = [team.pk for team in _TEAMS_OF(agent_id=agent.pk)]
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
