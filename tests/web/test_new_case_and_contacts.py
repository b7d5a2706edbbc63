from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import timezone

from patron.accounts.models import Agent, Team
from patron.cases.models import Case, CaseKind, Channel, Direction, EventKind, Message, Priority
from patron.customers.models import Customer, CustomerKind
from tests import factories
from tests.web.reading import page, visible_text


def _new_case(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "subject": "Boiler not working",
        "body": "No hot water since Monday.",
        "channel": "phone",
        "kind": "request",
        "priority": "3",
        "team": "",
        "new_kind": "external",
    }
    data.update(fields)
    return data


def test_new_case_page_finds_customers_to_choose_from(client_a: Client) -> None:
    priya = factories.customer("Priya Shah", email="priya@example.com", phone="07700 900123")
    factories.customer("Tom Evans")

    response = client_a.get("/cases/new", {"customer_search": "07700900123"})

    html = page(response)
    assert response.status_code == 200
    assert f'value="{priya.pk}"' in html
    assert "Priya Shah (external) – priya@example.com, 07700 900123" in html
    assert "Tom Evans" not in html


def test_new_case_for_an_existing_customer(client_a: Client, agent_a: Agent, team_a: Team) -> None:
    customer = factories.customer("Priya Shah")

    response = client_a.post(
        "/cases/new?customer_search=Priya", _new_case(customer=customer.pk, team=team_a.pk), follow=True
    )

    case = Case.objects.get()
    assert response.redirect_chain == [(case.get_absolute_url(), 302)]
    assert (case.customer, case.subject, case.channel, case.kind, case.priority, case.team) == (
        customer,
        "Boiler not working",
        Channel.PHONE,
        CaseKind.REQUEST,
        Priority.HIGH,
        team_a,
    )
    assert case.messages.get().body_text == "No hot water since Monday."
    assert case.events.get().actor == agent_a
    assert f"Case {case.reference} was opened." in page(response)


def test_new_case_for_a_new_colleague_creates_an_internal_customer(client_a: Client) -> None:
    response = client_a.post(
        "/cases/new",
        _new_case(new_kind="internal", new_name="Gwen Roberts", new_email="Gwen.Roberts@council.example"),
    )

    assert response.status_code == 302
    customer = Case.objects.get().customer
    assert (customer.name, customer.kind) == ("Gwen Roberts", CustomerKind.INTERNAL)
    assert list(customer.contact_points.values_list("value", flat=True)) == ["gwen.roberts@council.example"]


def test_new_case_with_a_known_email_goes_to_that_customer_not_a_duplicate(client_a: Client) -> None:
    existing = factories.customer("Priya Shah", email="priya@example.com")

    client_a.post("/cases/new", _new_case(new_name="P. Shah", new_email="PRIYA@example.com"))

    assert Case.objects.get().customer == existing
    assert Customer.objects.count() == 1


def test_new_case_without_a_customer_is_a_form_error_and_opens_nothing(client_a: Client) -> None:
    response = client_a.post("/cases/new", _new_case())

    assert response.status_code == 400
    assert "Choose a customer from the search results, or give the email address or phone number" in page(response)
    assert Case.objects.count() == 0


def test_new_case_with_a_bad_email_creates_neither_customer_nor_case(client_a: Client) -> None:
    response = client_a.post("/cases/new", _new_case(new_name="Someone", new_email="not-an-address"))

    html = page(response)
    assert response.status_code == 400
    assert "“not-an-address” is not a valid email address." in html
    assert 'id="id_new_email_error"' in html
    assert (Case.objects.count(), Customer.objects.count()) == (0, 0)


def test_new_case_page_preselects_the_customer_from_their_page(client_a: Client) -> None:
    customer = factories.customer("Priya Shah")
    html = page(client_a.get("/cases/new", {"customer": customer.pk}))
    assert f'value="{customer.pk}" id="id_customer_0" checked' in html


# --- log a contact ------------------------------------------------------------------------------


def _contact(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "channel": "phone",
        "direction": "inbound",
        "occurred_at": "2025-01-15T14:05",
        "summary": "Asked when the engineer will arrive.\nPromised a call back.",
        "case_reference": "",
        "subject": "",
        "kind": "enquiry",
        "priority": "2",
        "team": "",
        "new_kind": "external",
    }
    data.update(fields)
    return data


def test_log_a_phone_call_as_a_new_case(client_a: Client, agent_a: Agent, team_a: Team) -> None:
    customer = factories.customer("Priya Shah", phone="07700 900123")

    response = client_a.post("/contacts/log", _contact(customer=customer.pk, team=team_a.pk))

    case = Case.objects.get()
    assert (response.status_code, response["Location"]) == (302, case.get_absolute_url())
    assert (case.subject, case.channel, case.team, case.customer) == (
        "Asked when the engineer will arrive.",
        Channel.PHONE,
        team_a,
        customer,
    )
    assert case.created_at == datetime(2025, 1, 15, 14, 5, tzinfo=UTC)  # Greenwich Mean Time in January
    assert case.events.get().data["logged_by"] == {"id": agent_a.pk, "name": agent_a.display_name}


def test_log_a_face_to_face_visit_on_an_existing_case_by_reference(
    client_a: Client, agent_a: Agent, team_a: Team
) -> None:
    case = factories.case(team_=team_a)

    response = client_a.post(
        "/contacts/log",
        _contact(customer=case.customer.pk, channel="face_to_face", case_reference=case.reference.lower()),
    )

    assert response.status_code == 302
    message = case.messages.get(channel=Channel.FACE_TO_FACE)
    assert (message.direction, message.author_customer) == (Direction.INBOUND, case.customer)
    assert case.events.filter(kind=EventKind.CONTACT_LOGGED, actor=agent_a).count() == 1


def test_log_a_call_for_a_new_caller_by_phone_number(client_a: Client) -> None:
    response = client_a.post("/contacts/log", _contact(new_name="Sam Taylor", new_phone="020 7946 0958"))

    assert response.status_code == 302
    customer = Case.objects.get().customer
    assert customer.name == "Sam Taylor"
    assert list(customer.contact_points.values_list("normalised", flat=True)) == ["+442079460958"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"case_reference": "C-999999"}, "There is no case C-999999 that you can see."),
        ({"channel": "email"}, "Choose phone or face to face."),
        ({"direction": "outbound"}, "A call you made belongs on the case it was about; choose the case."),
        ({"summary": ""}, "Write what was said."),
        ({"occurred_at": "2099-01-01T10:00"}, "The time a contact was received cannot be in the future."),
    ],
)
def test_log_a_contact_refusals_are_form_errors_and_record_nothing(
    client_a: Client, team_a: Team, fields: dict[str, object], message: str
) -> None:
    customer = factories.customer()

    response = client_a.post("/contacts/log", _contact(customer=customer.pk, **fields))

    assert response.status_code == 400
    assert message in page(response)
    assert (Case.objects.count(), Message.objects.count()) == (0, 0)


def test_log_a_contact_on_another_teams_case_is_refused(client_b: Client, team_a: Team) -> None:
    case = factories.case(team_=team_a)

    response = client_b.post("/contacts/log", _contact(customer=case.customer.pk, case_reference=case.reference))

    assert response.status_code == 400
    assert f"There is no case {case.reference} that you can see." in page(response)
    assert case.messages.count() == 1


def test_log_a_contact_page_explains_the_time_zone(client_a: Client) -> None:
    text = visible_text(client_a.get("/contacts/log"))
    assert "When it happened Day and time in Europe/London." in text


def test_logging_a_call_shows_each_candidates_adjustments(client_a: Client) -> None:
    factories.customer("Priya Shah", email="priya@example.com", adjustments=["written_only"])
    html = page(client_a.get("/contacts/log", {"customer_search": "Priya"}))
    assert "Priya Shah (external) – priya@example.com – adjustments: Written contact only" in html


def test_the_customers_adjustments_and_restriction_are_shown_when_logging_a_call(client_a: Client) -> None:
    priya = factories.customer(
        "Priya Shah", adjustments=["call_back", "large_print"], adjustments_note="Calls after 10am."
    )
    text = visible_text(client_a.get("/contacts/log", {"customer": priya.pk}))
    assert "Priya Shah: asked for call-back preferred, large print (Calls after 10am.)." in text
    Customer.objects.filter(pk=priya.pk).update(processing_restricted_since=timezone.now())
    text = visible_text(client_a.get("/contacts/log", {"customer": priya.pk}))
    assert (
        "Processing of their data is restricted: what they tell you is kept, but nothing may be sent to them." in text
    )
