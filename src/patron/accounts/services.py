"""Every write to agents, teams and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from patron.accounts.models import ROLE_RANK, Agent, ApiToken, Role, Team
from patron.db import PreparedQuery
from patron.errors import NotAllowed, ValidationFailed
from patron.privacy import audit

TOKEN_PREFIX = "ptn_"


def create_team(*, name: str, is_internal_desk: bool = False, email: str = "") -> Team:
    name = name.strip()
    if not name:
        raise ValidationFailed("A team needs a name.", fields={"name": "Enter a name."})
    slug = slugify(name)[:50]
    if Team.objects.filter(slug=slug).exists():
        raise ValidationFailed(f"A team called “{name}” already exists.", fields={"name": "Choose another name."})
    return Team.objects.create(name=name, slug=slug, is_internal_desk=is_internal_desk, email=email)


def create_agent(
    *,
    username: str,
    email: str,
    role: Role = Role.AGENT,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    teams: Sequence[Team] = (),
    check_password: bool = True,
) -> Agent:
    """Create an agent with a role. Without a password the account cannot log in until one is set."""
    username = username.strip()
    if not username:
        raise ValidationFailed("An agent needs a username.", fields={"username": "Enter a username."})
    if Agent.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(f"The username “{username}” is taken.", fields={"username": "Choose another."})
    agent = Agent(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if password is None:
        agent.set_unusable_password()
    else:
        if check_password:
            try:
                validate_password(password, agent)
            except ValidationError as error:
                raise ValidationFailed(" ".join(error.messages), fields={"password": error.messages[0]}) from error
        agent.set_password(password)
    with transaction.atomic():
        agent.save()
        agent.teams.set(teams)
        _sync_role_group(agent)
    return agent


def set_role(*, agent: Agent, role: Role, by: Agent) -> Agent:
    if not by.is_admin:
        raise NotAllowed("Only an administrator can change an agent's role.")
    with transaction.atomic():
        before = agent.role
        agent.role = role
        agent.is_staff = agent.is_superuser = role == Role.ADMIN
        agent.save(update_fields=["role", "is_staff", "is_superuser"])
        _sync_role_group(agent)
        audit.record(
            actor=by,
            action="role_changed",
            object_type="agent",
            object_id=agent.pk,
            data={"before": before, "after": role},
        )
    return agent


def _sync_role_group(agent: Agent) -> None:
    """Keep the agent in exactly the Django group named after their role, so permissions granted
    to a role (for example in the admin) follow the agent."""
    group, _ = Group.objects.get_or_create(name=Role(agent.role).label)
    role_groups = Group.objects.filter(name__in=[str(label) for label in Role.labels])
    agent.groups.remove(*role_groups.exclude(pk=group.pk))
    agent.groups.add(group)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, agent: Agent, name: str, role: Role | None = None, by: Agent | None = None) -> tuple[ApiToken, str]:
    """Create an API token acting as `agent`, capped at `role` (default: the agent's own role).
    Returns the stored token and the secret, which is never stored and cannot be shown again."""
    role = Role(role or agent.role)
    if ROLE_RANK[role] > ROLE_RANK[Role(agent.role)]:
        raise ValidationFailed("A token cannot have a higher role than the agent it acts for.")
    if not name.strip():
        raise ValidationFailed("A token needs a name that says what it is for.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            agent=agent, name=name.strip(), prefix=secret[:12], digest=_digest(secret), role=role, created_by=by
        )
        audit.record(
            actor=by,
            action="token_created",
            object_type="agent",
            object_id=agent.pk,
            data={"token": token.prefix, "role": role},
        )
    return token, secret


def revoke_token(*, token: ApiToken, by: Agent) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record(
            actor=by,
            action="token_revoked",
            object_type="agent",
            object_id=token.agent_id,
            data={"token": token.prefix},
        )
    return token


def authenticate_token(secret: str) -> Agent | None:
    """The agent a bearer token acts for, with the role capped at the token's; None if the
    token is unknown, revoked or its agent is inactive. The cap is applied to this in-memory
    object only, so everything downstream sees the narrower role."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    found = _LIVE_TOKEN(digest=_digest(secret))
    agent = found[0] if found else None
    if agent is None or not agent.is_active:
        return None
    now = timezone.now()
    token_id, token_role = getattr(agent, "token_id"), getattr(agent, "token_role")  # noqa: B009
    last_used = _as_datetime(getattr(agent, "token_last_used_at"))  # noqa: B009
    # One write a minute at most: enough to see which tokens are in use without a write per call.
    if last_used is None or (now - last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    if ROLE_RANK[Role(token_role)] < ROLE_RANK[Role(agent.role)]:
        agent.role = token_role
        agent.is_superuser = False
    return agent


# Every API request reads its token; the agent comes with the token's own columns.
_LIVE_TOKEN = PreparedQuery(
    lambda digest: (
        Agent.objects.filter(api_tokens__digest=digest, api_tokens__revoked_at=None)
        .annotate(
            token_id=F("api_tokens__id"),
            token_role=F("api_tokens__role"),
            token_last_used_at=F("api_tokens__last_used_at"),
        )
        .order_by()[:1]
    )
)


def _as_datetime(value: object) -> datetime | None:
    # Extra columns of a raw query come as the driver gives them: naive UTC or text on SQLite.
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    return parsed


AUTOMATION_USERNAME = "patron-automation"


def automation_agent() -> Agent:
    """The agent automatic actions (escalation rules) act as, so each one is attributable on the
    timeline like a person's. It cannot sign in: it has no usable password."""
    agent = Agent.objects.filter(username=AUTOMATION_USERNAME).first()
    if agent is None:
        agent = create_agent(
            username=AUTOMATION_USERNAME, email="", role=Role.ADMIN, first_name="Patron", last_name="automation"
        )
    return agent
