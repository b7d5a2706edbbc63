from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from patron.accounts.models import Agent, ApiToken, Role
from patron.accounts.services import authenticate_token, create_agent, create_token, revoke_token, set_role
from patron.errors import NotAllowed, ValidationFailed
from tests import factories


def test_passwords_are_hashed_with_argon2(db: None) -> None:
    agent = factories.agent()
    assert agent.password.startswith("argon2$")
    assert agent.check_password(factories.PASSWORD)


def test_weak_password_is_refused_and_no_agent_is_made(db: None) -> None:
    with pytest.raises(ValidationFailed, match="too short"):
        create_agent(username="weak", email="weak@example.com", password="abc")
    assert not Agent.objects.filter(username="weak").exists()


def test_role_is_mirrored_as_a_django_group(db: None) -> None:
    admin = factories.agent(role=Role.ADMIN)
    agent = factories.agent()
    assert list(agent.groups.values_list("name", flat=True)) == ["Agent"]
    set_role(agent=agent, role=Role.TEAM_LEAD, by=admin)
    assert list(agent.groups.values_list("name", flat=True)) == ["Team lead"]
    assert Group.objects.filter(name="Team lead").count() == 1


def test_only_an_admin_changes_roles(db: None) -> None:
    lead = factories.agent(role=Role.TEAM_LEAD)
    agent = factories.agent()
    with pytest.raises(NotAllowed):
        set_role(agent=agent, role=Role.ADMIN, by=lead)
    agent.refresh_from_db()
    assert agent.role == Role.AGENT


def test_token_is_stored_only_as_a_digest(db: None) -> None:
    agent = factories.agent()
    token, secret = create_token(agent=agent, name="CRM")
    assert secret.startswith("ptn_")
    stored = ApiToken.objects.get()
    assert secret not in (stored.digest, stored.prefix)
    assert len(stored.digest) == 64
    assert authenticate_token(secret) == agent
    assert token.role == Role.AGENT


def test_revoked_token_and_inactive_agent_are_refused(db: None) -> None:
    agent = factories.agent()
    token, secret = create_token(agent=agent, name="CRM")
    revoke_token(token=token, by=agent)
    assert authenticate_token(secret) is None
    _, other = create_token(agent=agent, name="Other")
    agent.is_active = False
    agent.save()
    assert authenticate_token(other) is None


def test_token_cannot_outrank_its_agent(db: None) -> None:
    agent = factories.agent()
    with pytest.raises(ValidationFailed, match="higher role"):
        create_token(agent=agent, name="Too strong", role=Role.ADMIN)
    assert ApiToken.objects.count() == 0


def test_token_role_caps_what_the_agent_can_do(db: None) -> None:
    manager = factories.agent(role=Role.SERVICE_MANAGER)
    _, secret = create_token(agent=manager, name="Reports", role=Role.AGENT)
    acting = authenticate_token(secret)
    assert acting is not None
    assert (acting.role, acting.sees_all_cases, acting.can_assign) == (Role.AGENT, False, False)
    manager.refresh_from_db()
    assert manager.role == Role.SERVICE_MANAGER
