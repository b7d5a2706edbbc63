from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from patron.accounts.models import Agent, Team
from patron.cases.models import Case, EventKind
from patron.customers.models import ContactKind, Customer, CustomerKind
from patron.customers.services import CustomerDetails, update_customer
from tests import factories
from tests.web.reading import page, visible_text


def _details(customer: Customer, **fields: object) -> dict[str, object]:
    customer.refresh_from_db()
    data: dict[str, object] = {
        "version": customer.version,
        "name": customer.name,
        "kind": customer.kind,
        "organisation": customer.organisation.name if customer.organisation else "",
        "job_title": customer.job_title,
        "preferred_channel": customer.preferred_channel,
        "preferred_language": customer.preferred_language,
        "adjustments": list(customer.adjustments),
        "adjustments_note": customer.adjustments_note,
        "notes": customer.notes,
    }
    data.update(fields)
    return data


@pytest.mark.parametrize("query", ["priya", "PRIYA@example.com", "07700 900123", "+447700900123"])
def test_customer_search_finds_by_name_email_or_phone(client_a: Client, query: str) -> None:
    priya = factories.customer("Priya Shah", email="priya@example.com", phone="07700 900123")
    factories.customer("Tom Evans")

    html = page(client_a.get("/customers", {"q": query}))

    assert f'<a href="/customers/{priya.pk}">Priya Shah</a>' in html
    assert "Tom Evans" not in html
    assert "1 customer found" in html


def test_customer_page_shows_card_adjustments_and_the_cases_the_agent_may_see(
    client_a: Client, team_a: Team, team_b: Team
) -> None:
    customer = factories.customer(
        "Priya Shah",
        email="priya@example.com",
        adjustments=["bsl_interpreter"],
        preferred_channel="text_relay",
        preferred_language="Welsh",
    )
    visible = factories.case(customer_=customer, team_=team_a, subject="Parcel missing")
    hidden = factories.case(customer_=customer, team_=team_b, subject="Laptop broken")

    response = client_a.get(f"/customers/{customer.pk}")

    text = visible_text(response)
    assert response.status_code == 200
    assert "Reasonable adjustments for Priya Shah British Sign Language interpreter" in text
    assert "Prefers Relay UK (text relay) Language Welsh" in text
    assert "priya@example.com (main)" in text
    assert f"{visible.reference} Parcel missing" in text
    assert hidden.reference not in text
    assert "Laptop broken" not in text


def test_customer_page_query_count_does_not_grow_with_their_cases(
    client_a: Client, team_a: Team, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    customer = factories.customer()
    for _ in range(3):
        factories.case(customer_=customer, team_=team_a)
    client_a.get("/")
    # Session, agent, customer (scoped to the agent's teams), contact points, teams of agent,
    # cases, their uses of data beyond their cases (consents), and the audit entry of the viewing
    # (the chain's last hash, the new entry, its head moved on; on PostgreSQL also the lock that
    # keeps the chain in order).
    expected = 11 if connection.vendor == "postgresql" else 10
    with django_assert_num_queries(expected):
        client_a.get(f"/customers/{customer.pk}")
    for _ in range(27):
        factories.case(customer_=customer, team_=team_a)
    with django_assert_num_queries(expected):
        client_a.get(f"/customers/{customer.pk}")


@pytest.mark.parametrize("path", ["/customers/999999", "/customers/9999999999999999999999", "/customers/abc"])
def test_unknown_customer_is_not_found(client_a: Client, path: str) -> None:
    assert client_a.get(path).status_code == 404


def test_edit_customer_records_adjustments_and_preferences(client_a: Client) -> None:
    customer = factories.customer("Priya Shah")

    response = client_a.post(
        f"/customers/{customer.pk}/edit",
        _details(
            customer,
            adjustments=["large_print", "extra_time"],
            adjustments_note="Reads best in 18pt.",
            preferred_channel="post",
            preferred_language="Polish",
            organisation="Acme Ltd",
        ),
    )

    assert (response.status_code, response["Location"]) == (302, f"/customers/{customer.pk}")
    customer.refresh_from_db()
    assert (customer.adjustments, customer.adjustments_note, customer.preferred_channel) == (
        ["extra_time", "large_print"],
        "Reads best in 18pt.",
        "post",
    )
    assert (customer.preferred_language, customer.organisation and customer.organisation.name, customer.version) == (
        "Polish",
        "Acme Ltd",
        2,
    )


def test_edit_customer_form_shows_adjustments_as_labelled_checkboxes(client_a: Client) -> None:
    customer = factories.customer(adjustments=["braille"])
    html = page(client_a.get(f"/customers/{customer.pk}/edit"))
    assert "<legend>Reasonable adjustments</legend>" in html
    assert '<input type="checkbox" name="adjustments" value="braille"' in html
    assert 'id="id_adjustments_5" checked' in html
    assert '<label for="id_adjustments_5">' in html


def test_edit_customer_from_a_stale_read_is_refused_and_shows_current_details(client_a: Client) -> None:
    customer = factories.customer("Priya Shah")
    stale = _details(customer, name="Priya S.")
    update_customer(customer=customer, details=CustomerDetails(name="Priya Shah-Patel"), by=None)

    response = client_a.post(f"/customers/{customer.pk}/edit", stale)

    html = page(response)
    assert response.status_code == 409
    assert "Someone else changed this customer while you had the form open" in html
    assert 'value="Priya Shah-Patel"' in html
    customer.refresh_from_db()
    assert (customer.name, customer.version) == ("Priya Shah-Patel", 2)


def test_edit_customer_with_an_unknown_adjustment_is_a_form_error(client_a: Client) -> None:
    customer = factories.customer()
    response = client_a.post(f"/customers/{customer.pk}/edit", _details(customer, adjustments=["mind_reading"]))
    assert response.status_code == 400
    assert "Select a valid choice. mind_reading is not one of the available choices." in page(response)
    customer.refresh_from_db()
    assert customer.version == 1


def test_add_a_contact_point(client_a: Client) -> None:
    customer = factories.customer(email="priya@example.com")

    response = client_a.post(
        f"/customers/{customer.pk}/contact-points",
        {"point-kind": "phone", "point-value": "020 7946 0958", "point-is_primary": "on"},
    )

    assert response.status_code == 302
    phone = customer.contact_points.get(kind=ContactKind.PHONE)
    assert (phone.value, phone.is_primary) == ("020 7946 0958", True)


def test_a_contact_point_of_another_customer_is_refused_naming_them(client_a: Client) -> None:
    factories.customer("Tom Evans", email="tom@example.org")
    customer = factories.customer("Priya Shah")

    response = client_a.post(
        f"/customers/{customer.pk}/contact-points", {"point-kind": "email", "point-value": "TOM@example.org"}
    )

    assert response.status_code == 409
    assert "tom@example.org already belongs to Tom Evans. Merge the two customers instead." in page(response)
    assert 'id="id_point-value_error"' in page(response)
    assert customer.contact_points.count() == 1


def test_add_a_customer(client_a: Client) -> None:
    response = client_a.post(
        "/customers/new",
        {
            "name": "Gwen Roberts",
            "kind": "internal",
            "email": "gwen@council.example",
            "phone": "",
            "organisation": "Finance",
            "adjustments": ["easy_read"],
        },
    )

    customer = Customer.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/customers/{customer.pk}")
    assert (customer.name, customer.kind, customer.adjustments) == (
        "Gwen Roberts",
        CustomerKind.INTERNAL,
        ["easy_read"],
    )
    assert customer.organisation is not None
    assert (customer.organisation.name, customer.organisation.kind) == ("Finance", "department")


# --- merging ------------------------------------------------------------------------------------


def test_merge_is_refused_for_a_plain_agent_and_changes_nothing(client_a: Client, team_a: Team) -> None:
    keep = factories.customer("Sam Taylor")
    duplicate = factories.customer("Samuel Taylor")
    case = factories.case(customer_=duplicate, team_=team_a)

    shown = client_a.get(f"/customers/{keep.pk}/merge", {"duplicate": duplicate.pk})
    posted = client_a.post(f"/customers/{keep.pk}/merge", {"duplicate": duplicate.pk})

    assert shown.status_code == 403
    assert "Only team leads, service managers and administrators can merge customer records." in page(shown)
    assert 'name="duplicate"' not in page(shown)
    assert posted.status_code == 403
    assert "Only a team lead or manager can merge customer records." in page(posted)
    duplicate.refresh_from_db()
    case.refresh_from_db()
    assert (duplicate.merged_into, case.customer) == (None, duplicate)


def test_team_lead_merges_a_duplicate_after_confirming(client_lead: Client, lead_a: Agent, team_a: Team) -> None:
    keep = factories.customer("Sam Taylor", email="sam@example.com")
    duplicate = factories.customer("Samuel Taylor", email="sam.taylor@work.example", adjustments=["large_print"])
    case = factories.case(customer_=duplicate, team_=team_a)

    found = page(client_lead.get(f"/customers/{keep.pk}/merge", {"q": "Samuel"}))
    assert f"?duplicate={duplicate.pk}" in found
    confirm = page(client_lead.get(f"/customers/{keep.pk}/merge", {"duplicate": duplicate.pk}))
    assert "Check these are the same person" in confirm
    assert "Merge Samuel Taylor into Sam Taylor" in confirm

    response = client_lead.post(f"/customers/{keep.pk}/merge", {"duplicate": duplicate.pk}, follow=True)

    assert response.redirect_chain == [(f"/customers/{keep.pk}", 302)]
    assert "Samuel Taylor was merged into this record, with every case and contact point." in page(response)
    case.refresh_from_db()
    duplicate.refresh_from_db()
    assert (case.customer, duplicate.merged_into) == (keep, keep)
    assert case.events.filter(kind=EventKind.CUSTOMER_CHANGED, actor=lead_a).count() == 1
    assert "Reasonable adjustments for Sam Taylor Large print" in visible_text(response)
    moved = client_lead.get(f"/customers/{duplicate.pk}")
    assert (moved.status_code, moved["Location"]) == (302, f"/customers/{keep.pk}")


def test_merging_a_customer_into_itself_is_refused(client_lead: Client) -> None:
    customer = factories.customer()
    response = client_lead.post(f"/customers/{customer.pk}/merge", {"duplicate": customer.pk})
    assert response.status_code == 400
    assert "A customer cannot be merged into itself." in page(response)


def test_merging_an_unknown_duplicate_is_a_clear_error(client_lead: Client) -> None:
    customer = factories.customer()
    response = client_lead.post(f"/customers/{customer.pk}/merge", {"duplicate": "424242"})
    assert response.status_code == 400
    assert "There is no customer with that number that you can see." in page(response)
    assert Case.objects.count() == 0
