"""Organisations and their email domains through the API: who may set them, what is refused,
and what a new sender from a domain becomes."""

from __future__ import annotations

import pytest

from patron.accounts.models import Role
from patron.customers.models import Customer, CustomerKind, Organisation, OrganisationDomain, OrganisationKind
from patron.privacy.models import AuditEntry
from tests import factories
from tests.api.conftest import ApiClient, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_api() -> ApiClient:
    return client_for(factories.agent(role=Role.SERVICE_MANAGER, username="maria"))


def test_a_manager_sets_domains_and_new_senders_from_them_belong(manager_api: ApiClient) -> None:
    made = manager_api.post(
        "/organisations",
        {"name": "People Services", "kind": "department", "email_domains": ["HR.example.org", "@people.example.org"]},
    )
    assert made.status_code == 201, made.content
    assert made.json()["email_domains"] == ["hr.example.org", "people.example.org"]
    assert manager_api.get(f"/organisations/{made.json()['id']}").json() == made.json()

    opened = manager_api.post(
        "/cases", {"subject": "Payslip", "body": "Where is it?", "customer": {"email": "pat@staff.hr.example.org"}}
    )
    assert opened.status_code == 201, opened.content
    colleague = Customer.objects.get(pk=opened.json()["customer"]["id"])
    assert (colleague.kind, colleague.organisation_id) == (CustomerKind.INTERNAL, made.json()["id"])
    entry = AuditEntry.objects.get(action="organisation_created", object_id=str(made.json()["id"]))
    assert entry.data == {"email_domains": ["hr.example.org", "people.example.org"]}


def test_an_agent_may_add_an_organisation_but_not_its_domains(api_a: ApiClient) -> None:
    refused = api_a.post("/organisations", {"name": "Acme Ltd", "email_domains": ["acme.example"]})
    assert refused.status_code == 403
    assert "service manager" in refused.json()["detail"]
    assert not Organisation.objects.exists()
    made = api_a.post("/organisations", {"name": "Acme Ltd"})
    assert made.status_code == 201
    assert made.json()["email_domains"] == []
    refused = api_a.patch(f"/organisations/{made.json()['id']}", {"email_domains": ["acme.example"]})
    assert refused.status_code == 403
    assert not OrganisationDomain.objects.exists()


def test_a_domain_held_by_another_organisation_is_refused_and_nothing_changes(manager_api: ApiClient) -> None:
    acme = Organisation.objects.create(name="Acme", email_domains="acme.example")
    rival = Organisation.objects.create(name="Rival", email_domains="rival.example")

    refused = manager_api.patch(f"/organisations/{rival.pk}", {"name": "Rival Ltd", "email_domains": ["acme.example"]})
    assert refused.status_code == 409
    assert refused.json()["detail"] == "An email domain has one organisation: acme.example belongs to Acme."
    rival.refresh_from_db()
    assert (rival.name, rival.domains) == ("Rival", ["rival.example"])
    refused = manager_api.post("/organisations", {"name": "Copycat", "email_domains": ["acme.example"]})
    assert refused.status_code == 409
    assert not Organisation.objects.filter(name="Copycat").exists()
    assert dict(OrganisationDomain.objects.values_list("domain", "organisation")) == {
        "acme.example": acme.pk,
        "rival.example": rival.pk,
    }


def test_malformed_or_too_many_domains_are_refused_clearly(manager_api: ApiClient) -> None:
    acme = Organisation.objects.create(name="Acme", email_domains="acme.example")
    refused = manager_api.patch(f"/organisations/{acme.pk}", {"email_domains": ["acme.example", "not a domain"]})
    assert refused.status_code == 422
    assert refused.json()["detail"] == "Not an email domain: not a domain. Write them like example.org."
    long_names = [f"{'x' * 60}{number}.example" for number in range(9)]
    refused = manager_api.patch(f"/organisations/{acme.pk}", {"email_domains": long_names})
    assert refused.status_code == 422
    assert "Too many email domains" in refused.json()["detail"]
    acme.refresh_from_db()
    assert acme.domains == ["acme.example"]


def test_asking_again_for_an_organisation_gives_it_unless_the_domains_differ(manager_api: ApiClient) -> None:
    first = manager_api.post("/organisations", {"name": "Acme", "email_domains": ["acme.example"]})
    again = manager_api.post("/organisations", {"name": "Acme", "email_domains": ["ACME.example"]})
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    other = manager_api.post("/organisations", {"name": "Acme", "email_domains": ["acme.example.net"]})
    assert other.status_code == 409
    assert "already exists with other email domains" in other.json()["detail"]


def test_a_manager_renames_and_changes_an_organisation_and_it_is_audited(manager_api: ApiClient) -> None:
    acme = Organisation.objects.create(name="Acme", email_domains="acme.example")
    Organisation.objects.create(name="Beta", email_domains="")

    changed = manager_api.patch(
        f"/organisations/{acme.pk}",
        {"name": "Acme Staff", "kind": "department", "email_domains": ["acme.example.com"]},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json() == {
        "id": acme.pk,
        "name": "Acme Staff",
        "kind": OrganisationKind.DEPARTMENT,
        "email_domains": ["acme.example.com"],
    }
    entry = AuditEntry.objects.get(action="organisation_changed", object_id=str(acme.pk))
    assert entry.data == {"changed": ["email_domains", "kind", "name"], "email_domains": ["acme.example.com"]}
    clash = manager_api.patch(f"/organisations/{acme.pk}", {"name": "Beta", "kind": "company"})
    assert clash.status_code == 409
    assert manager_api.get("/organisations/999999").status_code == 404
