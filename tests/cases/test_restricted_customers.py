"""A restricted customer (a colleague whose HR matter the desk handles, say) is seen only by the
people named on them, and privacy officers and administrators; their cases, those already open
and those opened later, are restricted alike."""

from __future__ import annotations

import pytest

from patron.accounts.models import Agent, Role, Team
from patron.cases import services
from patron.cases.models import Case, CaseAccess
from patron.cases.queries import visible_cases
from patron.customers.models import Customer, CustomerAccess
from patron.customers.visibility import visible_customers
from patron.errors import NotAllowed, ValidationFailed
from patron.privacy.models import AuditEntry
from tests import factories
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

REASON = "Colleague's grievance"


@pytest.fixture
def colleague(team_a: Team) -> Customer:
    customer = factories.customer("Carla Colleague", email="carla@desk.example")
    factories.case(customer_=customer, team_=team_a, subject="Grievance")
    return customer


def _sees_customer(agent: Agent, customer: Customer) -> bool:
    return visible_customers(agent).filter(pk=customer.pk).exists()


def test_only_the_named_and_the_privacy_roles_see_a_restricted_customer_and_their_cases(
    colleague: Customer, agent_a: Agent, lead_a: Agent, agent_b: Agent, manager: Agent
) -> None:
    services.set_customer_restriction(customer=colleague, by=manager, restricted=True, people=[agent_b], reason=REASON)
    privacy_officer = factories.agent(role=Role.PRIVACY_OFFICER)
    seen = {agent.username: _sees_customer(agent, colleague) for agent in (agent_a, lead_a, agent_b, manager)}
    assert seen == {"alice": False, "lena": False, "bob": True, "manon": True}
    assert _sees_customer(privacy_officer, colleague)
    (case,) = Case.objects.filter(customer=colleague)
    assert case.is_restricted
    assert {
        agent.username for agent in (agent_a, lead_a, agent_b, manager) if visible_cases(agent).filter(pk=case.pk)
    } == {
        "bob",
        "manon",
    }
    entry = AuditEntry.objects.get(action="customer_restricted")
    assert (entry.data, entry.personal_details) == ({"people": sorted([agent_b.pk, manager.pk])}, {"reason": REASON})


def test_a_case_opened_later_for_them_is_restricted_to_the_same_people(
    colleague: Customer, team_a: Team, agent_a: Agent, agent_b: Agent, manager: Agent
) -> None:
    services.set_customer_restriction(customer=colleague, by=manager, restricted=True, people=[agent_b], reason=REASON)
    later = factories.case(customer_=colleague, team_=team_a, subject="Follow-up")
    assert later.is_restricted
    assert set(CaseAccess.objects.filter(case=later).values_list("agent_id", flat=True)) == {agent_b.pk, manager.pk}
    assert not visible_cases(agent_a).filter(pk=later.pk).exists()


def test_lifting_it_shows_the_record_again_and_leaves_case_restrictions(
    colleague: Customer, agent_a: Agent, agent_b: Agent, manager: Agent
) -> None:
    services.set_customer_restriction(customer=colleague, by=manager, restricted=True, people=[agent_b], reason=REASON)
    services.set_customer_restriction(customer=colleague, by=manager, restricted=False, reason="Grievance closed")
    assert Customer.objects.get(pk=colleague.pk).is_restricted is False
    assert not CustomerAccess.objects.filter(customer=colleague).exists()
    # The case stays restricted until lifted on its own; then the team sees the record again.
    case = Case.objects.get(customer=colleague)
    assert case.is_restricted
    assert not _sees_customer(agent_a, colleague)
    services.set_restriction(case=case, by=manager, restricted=False, reason="Grievance closed")
    assert _sees_customer(agent_a, colleague)


def test_restricting_needs_a_role_that_answers_for_every_record_and_a_reason(
    colleague: Customer, lead_a: Agent, manager: Agent
) -> None:
    with pytest.raises(NotAllowed):
        services.set_customer_restriction(customer=colleague, by=lead_a, restricted=True, reason=REASON)
    with pytest.raises(ValidationFailed, match="Say why"):
        services.set_customer_restriction(customer=colleague, by=manager, restricted=True, reason="  ")
    assert Customer.objects.get(pk=colleague.pk).is_restricted is False


def test_through_the_api(colleague: Customer, agent_a: Agent, agent_b: Agent, manager: Agent) -> None:
    api = client_for(manager)
    done = api.raw(
        "put",
        f"/customers/{colleague.pk}/restriction",
        f'{{"restricted": true, "people": ["{agent_b.username}"], "reason": "{REASON}"}}',
    )
    assert done.status_code == 200, done.content
    assert [person["username"] for person in done.json()["people"]] == sorted([agent_b.username, manager.username])
    assert client_for(agent_a).get(f"/customers/{colleague.pk}").status_code == 404
    assert client_for(agent_b).get(f"/customers/{colleague.pk}").status_code == 200
    refused = client_for(agent_a).raw(
        "put", f"/customers/{colleague.pk}/restriction", '{"restricted": false, "reason": "x"}'
    )
    assert refused.status_code == 404


def test_a_case_opened_for_a_restricted_customer_by_someone_not_named_does_not_show_who_they_are() -> None:
    harriet = factories.customer("Harriet HR", email="harriet@example.org")
    officer, named, outsider = factories.agent(role=Role.PRIVACY_OFFICER), factories.agent(), factories.agent()
    services.set_customer_restriction(customer=harriet, by=officer, restricted=True, people=[named], reason=REASON)
    body = {"subject": "Hello", "body": "Question", "customer": {"email": "harriet@example.org"}}

    response = client_for(outsider).post("/cases", body)
    opened = Case.objects.get(customer=harriet)
    assert response.status_code == 202
    assert response.json() == {
        "reference": opened.reference,
        "restricted": True,
        "detail": "The case was opened. It is restricted: only the people named on it can see it.",
    }
    assert client_for(outsider).get(f"/cases/{opened.reference}").status_code == 404

    shown = client_for(named).post("/cases", body)
    assert (shown.status_code, shown.json()["customer"]["name"]) == (201, "Harriet HR")
