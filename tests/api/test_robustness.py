"""No input may produce a server error: every operation in the OpenAPI document is fed
generated requests, valid and invalid, and must answer below 500 with a JSON `detail`."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from patron.accounts.models import Agent
from patron.accounts.services import create_token
from patron.wsgi import application
from tests import factories

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def bearer(agent_a: Agent) -> dict[str, str]:
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
