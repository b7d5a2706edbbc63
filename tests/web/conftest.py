from __future__ import annotations

import pytest
from django.test import Client

from patron.accounts.models import Agent


def signed_in(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


@pytest.fixture
def client_a(agent_a: Agent) -> Client:
    """Alice, an agent in Customer Care."""
    return signed_in(agent_a)


@pytest.fixture
def client_b(agent_b: Agent) -> Client:
    """Bob, an agent on the IT Service Desk."""
    return signed_in(agent_b)


@pytest.fixture
def client_lead(lead_a: Agent) -> Client:
    """Lena, team lead of Customer Care."""
    return signed_in(lead_a)
