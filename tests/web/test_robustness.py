"""No input gives a 500: every page answers odd, hostile and oversized input with a page."""

from __future__ import annotations

import pytest
from django.test import Client

from patron.accounts.models import Team
from tests import factories

ODD_VALUES = ["", " ", "\x00", "x" * 5000, "' OR 1=1 --", "<script>alert(1)</script>", "-1", "9" * 40, "%", "😀"]
GET_PARAMETERS = {
    "/": ["view", "status", "priority", "kind", "channel", "team", "assignee", "tag", "text", "sort", "cursor"],
    "/search": ["q"],
    "/customers": ["q"],
    "/cases/new": ["customer_search", "customer"],
    "/contacts/log": ["customer_search", "customer"],
}


@pytest.mark.parametrize("value", ODD_VALUES)
def test_odd_query_values_never_cause_a_server_error(client_a: Client, team_a: Team, value: str) -> None:
    customer = factories.customer()
    factories.case(customer_=customer, team_=team_a)
    pages = {**GET_PARAMETERS, f"/customers/{customer.pk}/merge": ["q", "duplicate"]}
    for path, names in pages.items():
        for name in names:
            response = client_a.get(path, {name: value})
            assert response.status_code in (200, 302, 400, 403, 404), (path, name, response.status_code)
            assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize("value", ODD_VALUES)
def test_odd_form_values_never_cause_a_server_error(client_lead: Client, team_a: Team, value: str) -> None:
    customer = factories.customer()
    case = factories.case(customer_=customer, team_=team_a)
    forms = {
        f"/cases/{case.reference}/reply": ["reply-body", "reply-status"],
        f"/cases/{case.reference}/note": ["note-body"],
        f"/cases/{case.reference}/properties": [
            "case-version",
            "case-status",
            "case-priority",
            "case-team",
            "case-assignee",
            "case-tags",
            "case-category",
        ],
        f"/cases/{case.reference}/take": ["take-version"],
        f"/cases/{case.reference}/log": ["call-channel", "call-occurred_at", "call-summary"],
        "/cases/new": ["customer", "new_email", "new_phone", "subject", "body", "team", "priority"],
        "/contacts/log": ["customer", "new_phone", "occurred_at", "case_reference", "summary"],
        "/customers/new": ["name", "email", "phone", "kind", "adjustments"],
        f"/customers/{customer.pk}/edit": ["version", "name", "organisation", "preferred_channel", "adjustments"],
        f"/customers/{customer.pk}/contact-points": ["point-kind", "point-value"],
        f"/customers/{customer.pk}/merge": ["duplicate"],
    }
    for path, names in forms.items():
        for name in names:
            response = client_lead.post(path, {name: value, "case-version": "1", "version": "1"} | {name: value})
            assert response.status_code in (200, 302, 400, 403, 404, 409), (path, name, response.status_code)
