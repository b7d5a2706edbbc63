"""The customer record holds what a customer needs, not why: a protected characteristic written
into the notes is refused unless a lawful basis for holding it is recorded for that customer."""

from __future__ import annotations

import pytest

from patron.accounts.models import Agent, Team
from patron.customers.models import Customer
from patron.customers.services import CustomerDetails, create_customer, update_customer
from patron.errors import ValidationFailed
from patron.privacy.characteristics import characteristics_in
from patron.privacy.consent import record_consent
from tests import factories
from tests.web.conftest import signed_in
from tests.web.reading import visible_text


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("She is Deaf and uses BSL.", [("disability or health", "Deaf")]),
        ("Pregnant; cannot queue for long.", [("pregnancy and maternity", "Pregnant")]),
        ("Muslim, so no calls at prayer times", [("religion or belief", "Muslim")]),
        ("Has dementia; speak to his daughter", [("disability or health", "dementia")]),
        ("Transgender customer, use the name Alex", [("gender reassignment", "Transgender")]),
    ],
)
def test_stated_characteristics_are_found(text: str, found: list[tuple[str, str]]) -> None:
    assert characteristics_in(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "Call via Relay UK or write.",
        "Anxious about the delivery date.",
        "Transferred to billing twice; do not transfer again.",
        "Send letters in 16-point type.",
        "Their daughter, Sarah, has permission to speak for them.",
        "Blinds were delivered in the wrong colour.",
    ],
)
def test_needs_and_ordinary_notes_pass(text: str) -> None:
    assert characteristics_in(text) == []


def test_a_new_customer_with_a_characteristic_in_the_notes_is_refused(db: None) -> None:
    with pytest.raises(ValidationFailed, match="“deaf” in other adjustments records a protected characteristic"):
        create_customer(
            details=CustomerDetails(name="Ann Smith", emails=["ann@example.com"], adjustments_note="Is deaf."),
            by=None,
        )
    assert not Customer.objects.exists()


def test_held_once_a_lawful_basis_is_recorded(team_a: Team, agent_a: Agent) -> None:
    ann = factories.customer("Ann Smith")
    factories.case(customer_=ann, team_=team_a)
    with pytest.raises(ValidationFailed, match="first record a lawful basis"):
        update_customer(customer=ann, details=CustomerDetails(notes="Pregnant, due in March."), by=agent_a)
    record_consent(
        customer=ann,
        purpose="protected_characteristic",
        basis="consent",
        detail="Asked us to note it so staff offer a seat; explicit consent given by email.",
        by=agent_a,
    )
    updated = update_customer(customer=ann, details=CustomerDetails(notes="Pregnant, due in March."), by=agent_a)
    assert updated.notes == "Pregnant, due in March."


def test_the_edit_page_says_what_to_do(team_a: Team, agent_a: Agent) -> None:
    ann = factories.customer("Ann Smith")
    factories.case(customer_=ann, team_=team_a)
    form = {
        "name": "Ann Smith",
        "kind": "external",
        "version": ann.version,
        "adjustments_note": "Autistic: avoid phone calls.",
    }
    response = signed_in(agent_a).post(f"/customers/{ann.pk}/edit", form)
    assert response.status_code == 400
    assert "“Autistic” in other adjustments records a protected characteristic (disability or health)" in (
        visible_text(response)
    )
    assert Customer.objects.get(pk=ann.pk).adjustments_note == ""
