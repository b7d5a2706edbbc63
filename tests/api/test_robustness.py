"""No input may produce a server error: every operation in the OpenAPI document is fed
generated requests, valid and invalid, and must answer below 500 with a JSON `detail`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from patron.accounts.models import Agent
from patron.accounts.services import create_token
from patron.wsgi import application
from tests import factories

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Requests made straight through the WSGI application would close the database connection
    at their end, and with it the test's transaction; Django's own test client avoids this the
    same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(agent_a: Agent, keep_test_connection: None) -> dict[str, str]:
    factories.case(team_=agent_a.teams.get())
    _, secret = create_token(agent=agent_a, name="robustness")
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_never_answers_with_a_server_error(case: schemathesis.Case, bearer: dict[str, str]) -> None:
    response = case.call(headers=bearer)
    assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text[:500])
    if response.status_code >= 400:
        assert isinstance(response.json().get("detail"), str), response.text[:500]
