"""Consent and lawful basis per customer and purpose: what the customer was told, replaced by a
newer basis, withdrawn at once, and no basis while processing is restricted."""

from __future__ import annotations

import pytest
from django.utils import timezone

from patron.accounts.models import Agent, Team
from patron.customers.models import Customer
from patron.privacy.consent import has_basis
from patron.privacy.models import AuditEntry, ConsentRecord
from tests import factories
from tests.api.conftest import ApiClient, client_for


@pytest.fixture
def desk(db: None) -> Team:
    return factories.team("Help desk")


@pytest.fixture
def agent(desk: Team) -> Agent:
    return factories.agent(teams=[desk], username="sam")


@pytest.fixture
def ann(desk: Team) -> Customer:
    customer = factories.customer("Ann Smith")
    factories.case(customer_=customer, team_=desk)
    return customer


def _record(api: ApiClient, customer: Customer, **body: str) -> object:
    return api.post(f"/customers/{customer.pk}/consents", body)


def test_an_agent_records_consent_with_what_the_customer_was_told(agent: Agent, ann: Customer) -> None:
    api = client_for(agent)
    made = _record(api, ann, purpose="surveys", basis="consent", detail="Asked on the phone; agreed to one survey.")
    assert made.status_code == 201, made.content
    assert has_basis(ann, "surveys")
    assert not has_basis(ann, "marketing")
    listed = api.get(f"/customers/{ann.pk}/consents").json()
    assert [(row["purpose"], row["basis"], row["withdrawn_at"]) for row in listed] == [("surveys", "consent", None)]
    assert AuditEntry.objects.filter(action="consent_recorded", object_id=str(ann.pk)).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"purpose": "surveys", "basis": "consent", "detail": ""}, "detail"),
        ({"purpose": "horoscopes", "basis": "consent", "detail": "x"}, "purpose"),
        ({"purpose": "surveys", "basis": "whim", "detail": "x"}, "basis"),
    ],
)
def test_bad_consent_is_refused_and_nothing_is_recorded(
    agent: Agent, ann: Customer, body: dict[str, str], field: str
) -> None:
    refused = _record(client_for(agent), ann, **body)
    assert refused.status_code == 422
    assert field in refused.json()["fields"]
    assert not ConsentRecord.objects.exists()


def test_a_new_basis_replaces_the_old_and_withdrawal_is_honoured_at_once(agent: Agent, ann: Customer) -> None:
    api = client_for(agent)
    first = _record(api, ann, purpose="surveys", basis="consent", detail="Ticked the box on the web form.").json()
    second = _record(api, ann, purpose="surveys", basis="legitimate_interests", detail="Service follow-up.").json()
    assert ConsentRecord.objects.get(pk=first["id"]).withdrawn_at is not None
    withdrawn = api.post(f"/customers/{ann.pk}/consents/{second['id']}/withdraw", {})
    assert withdrawn.json()["withdrawn_at"] is not None
    assert not has_basis(ann, "surveys")
    assert api.post(f"/customers/{ann.pk}/consents/{second['id']}/withdraw", {}).status_code == 409


def test_no_basis_while_processing_is_restricted(agent: Agent, ann: Customer) -> None:
    _record(client_for(agent), ann, purpose="surveys", basis="consent", detail="Agreed by email.")
    Customer.objects.filter(pk=ann.pk).update(processing_restricted_since=timezone.now())
    ann.refresh_from_db()
    assert not has_basis(ann, "surveys")


def test_an_agent_of_another_team_cannot_see_or_record_consent(ann: Customer) -> None:
    stranger = client_for(factories.agent(teams=[factories.team("Other")], username="olly"))
    assert stranger.get(f"/customers/{ann.pk}/consents").status_code == 404
    assert _record(stranger, ann, purpose="surveys", basis="consent", detail="x").status_code == 404
