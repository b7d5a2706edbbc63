from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from patron.accounts.models import Agent
from patron.accounts.services import create_token

Api = Callable[..., Any]


class ApiClient:
    """Calls the API as an integration does: JSON in and out, a bearer token."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"/api/v1{path}", body, content_type="application/json", headers=self.headers)

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(f"/api/v1{path}", body, content_type="application/json", headers=self.headers)

    def raw(self, method: str, path: str, data: bytes | str, content_type: str = "application/json") -> Any:
        return getattr(self.client, method)(f"/api/v1{path}", data, content_type=content_type, headers=self.headers)


def client_for(agent: Agent) -> ApiClient:
    _, secret = create_token(agent=agent, name="tests")
    return ApiClient(secret)


@pytest.fixture
def api_a(agent_a: Agent) -> ApiClient:
    return client_for(agent_a)


@pytest.fixture
def api_b(agent_b: Agent) -> ApiClient:
    return client_for(agent_b)


@pytest.fixture
def api_lead(lead_a: Agent) -> ApiClient:
    return client_for(lead_a)
