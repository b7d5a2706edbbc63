from __future__ import annotations

from patron.accounts.models import Agent, Role, Team
from patron.standards.models import SlaPolicy
from tests import factories
from tests.api.conftest import ApiClient, client_for


def _manager() -> ApiClient:
    return client_for(factories.agent(role=Role.SERVICE_MANAGER))


def test_create_list_update_and_order_policies(db: None) -> None:
    api = _manager()
    urgent = api.post(
        "/sla-policies",
        {"name": "Urgent", "priorities": ["urgent"], "first_response_minutes": 30, "business_hours": False},
    )
    assert urgent.status_code == 201, urgent.content
    assert urgent.json()["priorities"] == ["urgent"]
    standard = api.post(
        "/sla-policies", {"name": "Standard", "first_response_minutes": 240, "resolution_minutes": 2400}
    ).json()
    listed = api.get("/sla-policies").json()
    assert [p["name"] for p in listed] == ["Urgent", "Standard"]
    reordered = api.post("/sla-policies/order", {"ids": [standard["id"], urgent.json()["id"]]})
    assert [p["name"] for p in reordered.json()] == ["Standard", "Urgent"]
    patched = api.patch(f"/sla-policies/{standard['id']}", {"version": 1, "resolution_minutes": None})
    assert (patched.json()["resolution_minutes"], patched.json()["version"]) == (None, 2)


def test_policy_input_is_checked(db: None) -> None:
    api = _manager()
    cases = [
        ({"name": "A", "priorities": ["whenever"], "first_response_minutes": 5}, "Unknown priority"),
        ({"name": "A", "kinds": ["rant"], "first_response_minutes": 5}, "Unknown kinds"),
        ({"name": "A"}, "at least one target"),
        ({"name": "A", "first_response_minutes": 0}, "between one minute and a year"),
    ]
    for payload, message in cases:
        response = api.post("/sla-policies", payload)
        assert response.status_code == 422, payload
        assert message in response.json()["detail"], response.json()
    assert SlaPolicy.objects.count() == 0
    response = api.post("/sla-policies/order", {"ids": [1, 1]})
    assert response.status_code == 422


def test_agents_cannot_change_policies(agent_a: Agent) -> None:
    response = client_for(agent_a).post("/sla-policies", {"name": "Mine", "first_response_minutes": 5})
    assert response.status_code == 403


def test_case_in_the_api_shows_its_service_levels(agent_a: Agent, team_a: Team) -> None:
    _manager().post(
        "/sla-policies",
        {"name": "Standard", "first_response_minutes": 240, "resolution_minutes": 2400, "business_hours": False},
    )
    api = client_for(agent_a)
    created = api.post(
        "/cases",
        {"subject": "Help", "body": "Please help.", "customer": {"email": "a@example.com"}, "team": team_a.slug},
    ).json()
    levels = {level["target"]: level for level in created["service_levels"]}
    assert set(levels) == {"first_response", "resolution"}
    assert (levels["first_response"]["state"], levels["first_response"]["policy"]) == ("running", "Standard")
    assert created["due_at"] == levels["first_response"]["due_at"]
    api.post(f"/cases/{created['reference']}/messages", {"type": "reply", "body": "On it."})
    after = api.get(f"/cases/{created['reference']}").json()
    states = {level["target"]: level["state"] for level in after["service_levels"]}
    assert states == {"first_response": "met", "resolution": "running"}
    listed = api.get("/cases", sort="due").json()["items"]
    assert [item["reference"] for item in listed] == [created["reference"]]


def test_a_policy_switched_off_stops_applying_and_on_again_applies(team_a: Team) -> None:
    from patron.cases.models import Case
    from patron.standards.models import SlaClock

    api = _manager()
    made = api.post("/sla-policies", {"name": "Standard", "first_response_minutes": 60, "is_active": False}).json()
    assert made["is_active"] is False
    assert not SlaClock.objects.filter(case=factories.case(team_=team_a)).exists()

    switched_on = api.patch(f"/sla-policies/{made['id']}", {"version": made["version"], "is_active": True})
    assert switched_on.status_code == 200, switched_on.content
    assert switched_on.json()["is_active"] is True
    assert SlaPolicy.objects.get(pk=made["id"]).is_active
    covered = factories.case(team_=team_a)
    assert SlaClock.objects.filter(case=covered).count() == 1
    assert Case.objects.get(pk=covered.pk).due_at is not None
