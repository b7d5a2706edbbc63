from __future__ import annotations

from patron.customers.models import Customer
from tests import factories
from tests.api.conftest import ApiClient


def test_create_and_find_customer_by_name_email_and_phone(api_a: ApiClient) -> None:
    response = api_a.post(
        "/customers",
        {
            "name": "Aled Jones",
            "emails": ["Aled@Example.org"],
            "phones": ["029 2018 0000"],
            "preferred_channel": "phone",
            "adjustments": ["large_print", "call_back"],
            "kind": "external",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["adjustments"] == ["call_back", "large_print"]
    assert {p["normalised"] for p in created["contact_points"]} == {"aled@example.org", "+442920180000"}
    for query in ("aled", "ALED@example.org", "+44 29 2018 0000", "02920180000"):
        items = api_a.get("/customers", q=query).json()["items"]
        assert [item["id"] for item in items] == [created["id"]], query


def test_duplicate_contact_point_is_409_naming_the_other_customer(api_a: ApiClient) -> None:
    factories.customer("First Person", email="same@example.com")
    response = api_a.post("/customers", {"name": "Second Person", "emails": ["SAME@example.com"]})
    assert response.status_code == 409
    assert "already belongs to First Person" in response.json()["detail"]
    assert Customer.objects.count() == 1


def test_invalid_phone_and_adjustment_are_422(api_a: ApiClient) -> None:
    response = api_a.post("/customers", {"name": "X", "phones": ["12"]})
    assert response.status_code == 422
    assert "not a possible phone number" in response.json()["detail"]
    response = api_a.post("/customers", {"name": "X", "adjustments": ["telepathy"]})
    assert response.status_code == 422
    assert Customer.objects.count() == 0


def test_patch_customer_with_version(api_a: ApiClient) -> None:
    customer = factories.customer("Old Name")
    response = api_a.patch(
        f"/customers/{customer.pk}", {"version": 1, "name": "New Name", "preferred_language": "Welsh"}
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["preferred_language"], response.json()["version"]) == (
        "New Name",
        "Welsh",
        2,
    )
    stale = api_a.patch(f"/customers/{customer.pk}", {"version": 1, "name": "Other"})
    assert stale.status_code == 409
    customer.refresh_from_db()
    assert customer.name == "New Name"


def test_unknown_customer_is_404(api_a: ApiClient) -> None:
    response = api_a.get("/customers/424242")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no customer with that number that you can see."}
