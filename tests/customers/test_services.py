from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from patron.customers.contact_points import normalise_email, normalise_phone
from patron.customers.models import ContactPoint, Customer, CustomerKind
from patron.customers.queries import find_customers
from patron.customers.services import (
    CustomerDetails,
    add_contact_point,
    find_or_create_customer,
    update_customer,
)
from patron.errors import Conflict, ValidationFailed
from patron.privacy.models import AuditEntry
from tests import factories


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 (0)7700 900123", "+447700900123"),
        ("0044 7700 900123", "+447700900123"),
        ("020 7946 0958", "+442079460958"),
        ("+33 1 42 68 53 00", "+33142685300"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12", "not a number", "0770090012345678901"])
def test_impossible_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValidationFailed):
        normalise_phone(raw)


@given(st.text(max_size=40))
def test_phone_normalisation_never_fails_unexpectedly(raw: str) -> None:
    try:
        result = normalise_phone(raw)
    except ValidationFailed:
        return
    assert result.startswith("+")
    assert result[1:].isdigit()


def test_email_is_lower_cased_and_validated() -> None:
    assert normalise_email("  Jane.Doe@Example.COM ") == "jane.doe@example.com"
    with pytest.raises(ValidationFailed, match="not a valid email"):
        normalise_email("jane@")


def test_find_or_create_reuses_the_same_customer(db: None) -> None:
    first = find_or_create_customer(email="Pat@Example.com", name="Pat Lee")
    again = find_or_create_customer(email="pat@example.com")
    assert first.pk == again.pk
    assert Customer.objects.count() == 1
    assert first.name == "Pat Lee"


def test_find_or_create_follows_a_merge(db: None) -> None:
    from patron.accounts.models import Role
    from patron.cases.services import merge_customers

    lead = factories.agent(role=Role.TEAM_LEAD)
    keep = factories.customer(email="keep@example.com")
    duplicate = factories.customer(email="dup@example.com")
    merge_customers(source=duplicate, target=keep, by=lead)
    assert find_or_create_customer(email="dup@example.com").pk == keep.pk


def test_internal_customer_is_created_like_an_external_one(db: None) -> None:
    colleague = find_or_create_customer(
        email="finance.lead@ourcompany.example", name="Finance Lead", kind=CustomerKind.INTERNAL
    )
    assert colleague.kind == CustomerKind.INTERNAL


def test_contact_point_on_another_customer_is_a_conflict(db: None) -> None:
    one = factories.customer("One", phone="07700 900001")
    two = factories.customer("Two")
    with pytest.raises(Conflict, match="already belongs to One"):
        add_contact_point(customer=two, kind="phone", value="+447700900001", by=None)
    assert two.contact_points.count() == 1
    assert one.contact_points.count() == 2


def test_update_customer_records_audit_and_refuses_stale_version(db: None) -> None:
    customer = factories.customer("Ann")
    updated = update_customer(
        customer=customer,
        details=CustomerDetails(adjustments=["bsl_interpreter"], adjustments_note="Prefers mornings."),
        by=None,
        expected_version=1,
    )
    assert (updated.adjustments, updated.version) == (["bsl_interpreter"], 2)
    assert AuditEntry.objects.filter(action="customer_changed", object_id=str(customer.pk)).count() == 1
    with pytest.raises(Conflict):
        update_customer(customer=customer, details=CustomerDetails(name="Bob"), by=None, expected_version=1)
    customer.refresh_from_db()
    assert customer.name == "Ann"


def test_unknown_adjustment_is_refused(db: None) -> None:
    customer = factories.customer()
    with pytest.raises(ValidationFailed, match="Unknown reasonable adjustment"):
        update_customer(customer=customer, details=CustomerDetails(adjustments=["mind_reading"]), by=None)
    customer.refresh_from_db()
    assert customer.adjustments == []


def test_find_customers_by_name_email_and_any_phone_spelling(db: None) -> None:
    wanted = factories.customer("Gareth Bale", email="gareth@example.com", phone="029 2018 0000")
    factories.customer("Someone Else")
    agent = factories.agent()
    for text in ("gareth", "GARETH@example.com", "02920180000", "+44 29 2018 0000"):
        assert [c.pk for c in find_customers(agent=agent, text=text)] == [wanted.pk], text
    assert ContactPoint.objects.filter(customer=wanted).count() == 2


def test_a_new_customer_keeps_both_email_and_phone(db: None) -> None:
    customer = find_or_create_customer(email="both@example.com", phone="07700 900555", name="Both Ways")
    assert sorted(customer.contact_points.values_list("kind", "value")) == [
        ("email", "both@example.com"),
        ("phone", "07700 900555"),
    ]


def test_uk_numbers_are_shown_the_uk_way() -> None:
    from patron.customers.contact_points import display_phone

    assert display_phone("+447700900123") == "07700 900123"
    assert display_phone("+442079460958") == "020 7946 0958"
    assert display_phone("+33142685300") == "+33 1 42 68 53 00"


@pytest.mark.django_db(transaction=True)
def test_a_sender_recorded_by_someone_else_between_the_look_up_and_the_write_is_found_not_doubled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from patron.customers import services

    ann = factories.customer("Ann Smith", email="ann@example.com")
    look_up = services._CUSTOMER_BY_POINT
    calls: list[str] = []

    def too_early(**values: str) -> list[Customer]:
        # The first look-up runs before the other request's write landed.
        calls.append(values["normalised"])
        return [] if len(calls) == 1 else look_up(**values)

    monkeypatch.setattr(services, "_CUSTOMER_BY_POINT", too_early)
    with transaction.atomic():
        found = find_or_create_customer(email="Ann@Example.com", name="Ann")
    assert found == ann
    assert calls == ["ann@example.com", "ann@example.com"]
    assert Customer.objects.count() == 1
    assert ContactPoint.objects.count() == 1
    assert not AuditEntry.objects.filter(action="customer_created").exclude(object_id=str(ann.pk)).exists()
