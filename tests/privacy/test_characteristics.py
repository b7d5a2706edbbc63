"""The customer record holds what a customer needs, not why: a protected characteristic written
into the notes is refused unless a lawful basis for holding it is recorded for that customer."""

from __future__ import annotations

import pytest

from patron.accounts.models import Agent, Role, Team
from patron.customers.models import Customer
from patron.customers.services import CustomerDetails, create_customer, update_customer
from patron.errors import NotAllowed, ValidationFailed
from patron.privacy.characteristics import characteristics_in
from patron.privacy.consent import record_consent, withdraw_consent
from patron.privacy.models import AuditEntry, ConsentRecord
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
    with pytest.raises(ValidationFailed, match="to record a lawful basis"):
        update_customer(customer=ann, details=CustomerDetails(notes="Pregnant, due in March."), by=agent_a)
    officer = factories.agent(role=Role.PRIVACY_OFFICER, username="petra")
    basis = {
        "customer": ann,
        "purpose": "protected_characteristic",
        "basis": "consent",
        "detail": "Pregnancy: asked us to note it so staff offer a seat; explicit consent given by email.",
    }
    # Special category data: an agent may not record the basis, and it needs its article 9 condition.
    with pytest.raises(NotAllowed):
        record_consent(**basis, special_condition="explicit_consent", by=agent_a)
    with pytest.raises(ValidationFailed, match="choose the article 9 condition"):
        record_consent(**basis, by=officer)
    with pytest.raises(ValidationFailed, match="is not a special_condition"):
        record_consent(**basis, special_condition="because", by=officer)
    with pytest.raises(ValidationFailed, match="only for holding a protected characteristic"):
        record_consent(**{**basis, "purpose": "surveys"}, special_condition="explicit_consent", by=officer)
    assert not ConsentRecord.objects.exists()

    record_consent(**basis, special_condition="explicit_consent", by=officer)
    updated = update_customer(customer=ann, details=CustomerDetails(notes="Pregnant, due in March."), by=agent_a)
    assert updated.notes == "Pregnant, due in March."


def test_withdrawing_the_basis_removes_what_the_record_says_of_the_characteristic(team_a: Team) -> None:
    officer = factories.agent(role=Role.PRIVACY_OFFICER, username="petra")
    ann = factories.customer("Ann Smith")
    record = record_consent(
        customer=ann,
        purpose="protected_characteristic",
        basis="legitimate_interests",
        detail="Deafness, so that staff book a BSL interpreter for visits.",
        special_condition="substantial_public_interest",
        by=officer,
    )
    update_customer(
        customer=ann,
        details=CustomerDetails(
            notes="Prefers mornings. She is Deaf and uses BSL.\nDaughter may speak for her.",
            adjustments_note="Deaf: book an interpreter.",
        ),
        by=officer,
    )
    withdraw_consent(record=record, by=officer)
    ann.refresh_from_db()
    assert ann.notes == "Prefers mornings. Daughter may speak for her."
    assert ann.adjustments_note == ""
    entry = AuditEntry.objects.get(action="consent_withdrawn", object_id=str(ann.pk))
    assert entry.data["sentences_removed"] == 2


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


def test_the_customer_page_records_and_withdraws_a_basis_with_its_condition(team_a: Team, agent_a: Agent) -> None:
    officer = factories.agent(role=Role.PRIVACY_OFFICER, username="petra")
    ann = factories.customer("Ann Smith")
    factories.case(customer_=ann, team_=team_a)
    form = {
        "purpose": "protected_characteristic",
        "basis": "consent",
        "special_condition": "explicit_consent",
        "detail": "Deafness, so staff book an interpreter; she agreed in writing.",
    }
    refused = signed_in(agent_a).post(f"/customers/{ann.pk}/consents", form, follow=True)
    assert not ConsentRecord.objects.exists()
    assert "privacy officer" in visible_text(refused).lower()

    browser = signed_in(officer)
    recorded = visible_text(browser.post(f"/customers/{ann.pk}/consents", form, follow=True))
    assert "Recorded." in recorded
    assert "Consent, Explicit consent, naming the data (art. 9(2)(a))" in recorded
    record = ConsentRecord.objects.get()
    assert (record.special_condition, record.recorded_by) == ("explicit_consent", officer)

    browser.post(f"/customers/{ann.pk}/consents", {"withdraw": record.pk})
    record.refresh_from_db()
    assert record.withdrawn_at is not None
