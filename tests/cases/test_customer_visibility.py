"""Least privilege for customer records: agents and team leads see the customers on cases they
can see (and customers no team has served yet); managers, privacy officers and admins see all.
Tried as each role in the queries, the API and the pages; each viewing is audited."""

from __future__ import annotations

import pytest
from django.test import Client

from patron.accounts.models import Agent, Role, Team
from patron.cases.services import set_restriction
from patron.customers.models import Customer
from patron.customers.queries import customer_by_id, find_customers
from patron.errors import NotFound
from patron.privacy.models import AuditEntry
from tests import factories
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def care_customer(team_a: Team) -> Customer:
    customer = factories.customer("Carla Care", email="carla@example.com")
    factories.case(customer_=customer, team_=team_a)
    return customer


@pytest.fixture
def it_customer(team_b: Team) -> Customer:
    customer = factories.customer("Ivan Internal", email="ivan@example.org")
    factories.case(customer_=customer, team_=team_b)
    return customer


def _visible(agent: Agent) -> set[str]:
    return {customer.name for customer in find_customers(agent=agent, text="", limit=100)}


def test_each_role_sees_the_customers_it_should(
    care_customer: Customer, it_customer: Customer, agent_a: Agent, lead_a: Agent, agent_b: Agent, manager: Agent
) -> None:
    factories.customer("Nina New")
    privacy_officer = factories.agent(role=Role.PRIVACY_OFFICER)
    admin = factories.agent(role=Role.ADMIN)
    assert _visible(agent_a) == {"Carla Care", "Nina New"}
    assert _visible(lead_a) == {"Carla Care", "Nina New"}
    assert _visible(agent_b) == {"Ivan Internal", "Nina New"}
    for everyone in (manager, privacy_officer, admin):
        assert _visible(everyone) == {"Carla Care", "Ivan Internal", "Nina New"}
    with pytest.raises(NotFound, match="There is no customer with that number that you can see."):
        customer_by_id(it_customer.pk, agent=agent_a)


def test_a_customer_known_only_through_a_restricted_case_stays_hidden(
    team_a: Team, lead_a: Agent, agent_a: Agent
) -> None:
    colleague = factories.customer("Harriet HR")
    case = factories.case(customer_=colleague, team_=team_a)
    set_restriction(case=case, by=lead_a, restricted=True, reason="Grievance")
    assert "Harriet HR" not in _visible(agent_a)
    assert "Harriet HR" in _visible(lead_a)


def test_customer_api_and_pages_are_scoped_and_audited(
    care_customer: Customer, it_customer: Customer, agent_a: Agent
) -> None:
    api = client_for(agent_a)
    assert api.get(f"/customers/{care_customer.pk}").status_code == 200
    assert api.get(f"/customers/{it_customer.pk}").status_code == 404
    assert [c["name"] for c in api.get("/customers", q="a").json()["items"]] == ["Carla Care"]
    assert api.get("/customers", q="ivan@example.org").json()["items"] == []
    browser = Client()
    browser.force_login(agent_a)
    assert browser.get(f"/customers/{care_customer.pk}").status_code == 200
    assert browser.get(f"/customers/{it_customer.pk}").status_code == 404
    viewed = AuditEntry.objects.filter(action="customer_viewed").values_list("actor_id", "object_id")
    assert sorted(viewed) == [(agent_a.pk, str(care_customer.pk))] * 2


def test_opening_a_case_for_a_customer_the_agent_cannot_see_is_refused(it_customer: Customer, agent_a: Agent) -> None:
    body = {"subject": "Hello", "body": "Question", "channel": "api", "customer": {"id": it_customer.pk}}
    response = client_for(agent_a).post("/cases", body)
    assert (response.status_code, response.json()["detail"]) == (422, f"There is no customer with id {it_customer.pk}.")


def test_a_known_address_still_reaches_its_customer_without_showing_them(it_customer: Customer, agent_a: Agent) -> None:
    # The agent cannot browse Ivan, but a case opened with his address is his, not a duplicate.
    body = {"subject": "Hello", "body": "Question", "channel": "phone", "customer": {"email": "ivan@example.org"}}
    response = client_for(agent_a).post("/cases", body)
    assert response.status_code == 201
    assert Customer.objects.filter(name="Ivan Internal").count() == 1
    assert response.json()["customer"]["id"] == it_customer.pk
