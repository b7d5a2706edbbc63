"""The case as `POST /cases` answers it, made directly, is the case as `CaseOut` gives it: the same
fields with the same values, and the same JSON as `GET /cases/{reference}` renders."""

from __future__ import annotations

import pytest
from django.db.models import prefetch_related_objects

from patron.accounts.models import Agent, Team
from patron.cases import queries, services
from patron.cases.models import Case, Priority
from patron.cases.schemas import CaseOut, case_out
from patron.standards import services as standards
from patron.standards.services import PolicyDetails
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def _as_case_out(case: Case) -> dict[str, object]:
    return CaseOut.model_validate(case).model_dump()


def _read_back(case: Case) -> Case:
    found = Case.objects.select_related("customer", "team", "assignee").get(pk=case.pk)
    prefetch_related_objects([found], "tags", *queries.SERVICE_LEVEL_PREFETCH)
    return found


def test_a_bare_case_is_given_as_case_out_gives_it(db: None) -> None:
    case = _read_back(factories.case())
    assert case.team is None
    assert case.assignee is None
    assert case_out(case) == _as_case_out(case)


def test_a_case_with_everything_set_is_given_as_case_out_gives_it(
    manager: Agent, lead_a: Agent, agent_a: Agent, team_a: Team
) -> None:
    standards.create_policy(
        details=PolicyDetails(name="Standard", business_hours=False, first_response_minutes=60, resolution_minutes=600),
        by=manager,
    )
    case = factories.case(team_=team_a, priority=Priority.URGENT, category="Billing", tags=["refund", "vip"])
    case = services.assign(case=case, by=lead_a, assignee=agent_a, expected_version=case.version)
    services.reply(case=case, by=agent_a, body="We are looking into it.")
    read = _read_back(case)
    expected = _as_case_out(read)
    assert expected["service_levels"]
    assert expected["assignee"] == {"id": agent_a.pk, "username": agent_a.username, "name": agent_a.display_name}
    assert expected["first_response_at"] is not None
    assert case_out(read) == expected
    assert list(case_out(read)) == list(CaseOut.model_fields)


def test_the_answer_to_post_is_the_json_get_gives(api_a: ApiClient, team_a: Team, manager: Agent) -> None:
    standards.create_policy(
        details=PolicyDetails(name="Standard", business_hours=False, first_response_minutes=60), by=manager
    )
    created = api_a.post(
        "/cases",
        {
            "subject": "Kettle not delivered",
            "body": "It has not arrived.",
            "customer": {"email": "ann@example.com"},
            "kind": "complaint",
            "channel": "api",
            "priority": "high",
            "team": team_a.slug,
        },
    )
    assert created.status_code == 201, created.content
    assert created["Content-Type"] == "application/json; charset=utf-8"
    body = created.json()
    assert body["service_levels"]
    assert body["team"]["slug"] == team_a.slug
    read = api_a.get(f"/cases/{body['reference']}")
    assert read.status_code == 200
    assert created.content == read.content
