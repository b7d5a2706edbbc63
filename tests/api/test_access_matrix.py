"""Least privilege, route by route: every operation of the API is called, with valid input, as
each role, as an agent of another team, with no credentials and with an administrator's token
capped at the agent role, and must answer exactly as the table says. Records the caller may not
see answer 404, as if they did not exist; a role that may not act answers 403.

The routes are read from the API itself, so a route added without a line in the table fails
`test_every_route_has_an_entry`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from patron.api.app import api
from patron.cases.models import Case
from patron.customers.models import Customer
from patron.standards.models import BusinessCalendar, SlaPolicy
from tests.access import (
    ADMINS,
    AGENT,
    ANONYMOUS,
    ASSIGNERS,
    CAPPED_TOKEN,
    CASE_KEYS,
    EVERYONE,
    EXPORTERS,
    LEADS_AND_UP,
    MANAGERS,
    NAMED,
    OTHER_TEAM_AGENT,
    PEOPLE,
    PRIVACY,
    PRIVACY_OFFICER,
    REASON_HEADER,
    ROLE_OF,
    SERVICE_MANAGER,
    TEAM,
    TRIERS,
    Desk,
    current_version,
    desk_for_module,
    hidden_without_scope,
    restricted_status,
    restricted_tries,
)

Body = dict[str, Any] | Callable[[Desk], dict[str, Any]] | None


@dataclass(frozen=True)
class Probe:
    """One request to a route, and who it must succeed for (with status `ok`)."""

    path: str  # filled in from Desk.keys
    allowed: frozenset[str]
    ok: int = 200
    body: Body = None
    query: dict[str, str] = field(default_factory=dict)
    # The record the route reads or changes, restricted in `test_restricted_records_need_naming`:
    # the Desk key naming it, "case", "complaint" (the complaint's case), "customer" or
    # "processing_restricted" (the customer who restricted processing).
    scope: str | None = None
    # Whether a record outside the caller's reach answers 404 before any role is checked.
    hides: bool = False
    label: str = ""


def _case(path: str, allowed: frozenset[str] = TEAM, **kwargs: Any) -> Probe:
    return Probe(path, allowed, scope="case", hides=True, **kwargs)


def _complaint(path: str, allowed: frozenset[str] = TEAM, **kwargs: Any) -> Probe:
    return Probe(path, allowed, scope="complaint", hides=True, **kwargs)


def _customer(path: str, allowed: frozenset[str] = TEAM, **kwargs: Any) -> Probe:
    return Probe(path, allowed, scope="customer", hides=True, **kwargs)


def _privacy(path: str, ok: int = 200, *, scope: str = "customer", **kwargs: Any) -> Probe:
    """A privacy officer's work on one customer: Ann, whom the desk's subject requests and legal
    hold are about, unless `scope` names another. The role is checked before the customer is looked up, so an
    agent who may not see her is refused, not told she is missing."""
    return Probe(path, PRIVACY, ok, scope=scope, **kwargs)


def _today() -> str:
    return timezone.localdate().isoformat()


RESTRICT = {"restricted": True, "people": [], "reason": "An HR matter."}
START, END = "2026-03-02T09:00:00+00:00", "2026-03-03T09:00:00+00:00"

ROUTES: dict[str, tuple[Probe, ...]] = {
    # cases
    "GET /cases": (Probe("/cases", EVERYONE),),
    "POST /cases": (
        Probe(
            "/cases",
            EVERYONE,
            201,
            body={"subject": "A question", "body": "Hello.", "customer": {"email": "new@example.com", "name": "New"}},
        ),
    ),
    "POST /cases/batch": (
        Probe(
            "/cases/batch",
            EVERYONE,
            201,
            body={"cases": [{"subject": "A question", "body": "Hello.", "customer": {"email": "batch@example.com"}}]},
        ),
    ),
    "GET /cases/export": (Probe("/cases/export", EXPORTERS),),
    "PUT /cases/{reference}/restriction": (_case("/cases/{case}/restriction", LEADS_AND_UP, body=RESTRICT),),
    "PUT /customers/{customer_id}/restriction": (
        _customer("/customers/{customer}/restriction", EXPORTERS, body=RESTRICT),
    ),
    "GET /cases/{reference}": (_case("/cases/{case}"),),
    "PATCH /cases/{reference}": (
        _case("/cases/{case}", body=lambda desk: {"version": current_version(Case, desk.case.pk), "subject": "Late"}),
    ),
    "GET /cases/{reference}/messages": (_case("/cases/{case}/messages"),),
    "POST /cases/{reference}/messages": (
        _case("/cases/{case}/messages", ok=201, body={"type": "note", "body": "Called the courier."}),
    ),
    "GET /cases/{reference}/attachments/{attachment_id}": (_case("/cases/{case}/attachments/{attachment}"),),
    "GET /cases/{reference}/events": (_case("/cases/{case}/events"),),
    # feedback
    "GET /cases/{reference}/survey": (_case("/cases/{case}/survey"),),
    "GET /feedback/figures": (Probe("/feedback/figures", ASSIGNERS, query={"measure": "csat"}),),
    # customers
    "GET /customers": (Probe("/customers", EVERYONE, query={"q": "Ann"}),),
    "POST /customers": (Probe("/customers", EVERYONE, 201, body={"name": "Nora New", "emails": ["nora@example.com"]}),),
    "GET /customers/{customer_id}": (_customer("/customers/{customer}"),),
    "PATCH /customers/{customer_id}": (
        _customer(
            "/customers/{customer}",
            body=lambda desk: {"version": current_version(Customer, desk.customer.pk), "notes": "Mornings."},
        ),
    ),
    "POST /customers/{customer_id}/contact-points": (
        _customer("/customers/{customer}/contact-points", ok=201, body={"kind": "phone", "value": "020 7946 0000"}),
    ),
    "GET /organisations": (Probe("/organisations", EVERYONE),),
    "POST /organisations": (
        Probe("/organisations", EVERYONE, 201, body={"name": "Acme Ltd"}),
        Probe("/organisations", MANAGERS, 201, body={"name": "Acme Ltd", "email_domains": ["acme.example"]}),
    ),
    "GET /organisations/{organisation_id}": (Probe("/organisations/{organisation}", EVERYONE),),
    "PATCH /organisations/{organisation_id}": (
        Probe("/organisations/{organisation}", MANAGERS, body={"email_domains": ["kettles.example.net"]}),
    ),
    # standards
    "GET /calendars": (Probe("/calendars", EVERYONE),),
    "POST /calendars": (
        Probe("/calendars", MANAGERS, 201, body={"name": "Weekends", "weekly_hours": {"sat": [["09:00", "13:00"]]}}),
    ),
    "GET /calendars/{calendar_id}": (Probe("/calendars/{calendar}", EVERYONE),),
    "PATCH /calendars/{calendar_id}": (
        Probe(
            "/calendars/{calendar}",
            MANAGERS,
            body=lambda desk: {
                "version": current_version(BusinessCalendar, desk.keys["calendar"]),
                "name": "Opening hours",
            },
        ),
    ),
    "POST /calendars/{calendar_id}/add": (
        Probe("/calendars/{calendar}/add", EVERYONE, body={"start": START, "minutes": 60}),
    ),
    "POST /calendars/{calendar_id}/between": (
        Probe("/calendars/{calendar}/between", EVERYONE, body={"start": START, "end": END}),
    ),
    "PUT /teams/{team}/calendar": (
        Probe("/teams/{team}/calendar", MANAGERS, body=lambda desk: {"calendar_id": desk.keys["calendar"]}),
    ),
    "GET /sla-policies": (Probe("/sla-policies", EVERYONE),),
    "POST /sla-policies": (Probe("/sla-policies", MANAGERS, 201, body={"name": "VIP", "first_response_minutes": 30}),),
    "POST /sla-policies/order": (
        Probe(
            "/sla-policies/order",
            MANAGERS,
            body=lambda desk: {"ids": list(SlaPolicy.objects.order_by("-position").values_list("pk", flat=True))},
        ),
    ),
    "PATCH /sla-policies/{policy_id}": (Probe("/sla-policies/{policy}", MANAGERS, body={"name": "Standard"}),),
    "GET /alerts": (Probe("/alerts", EVERYONE),),
    # the audit trail and privacy
    "GET /audit": (Probe("/audit", PRIVACY),),
    "GET /audit/verify": (Probe("/audit/verify", PRIVACY),),
    "POST /privacy/requests": (
        _privacy(
            "/privacy/requests",
            201,
            body=lambda desk: {"customer": desk.customer.pk, "type": "erasure", "received_on": _today()},
        ),
    ),
    "GET /privacy/requests": (Probe("/privacy/requests", PRIVACY),),
    "POST /privacy/requests/{request_id}/extend": (
        _privacy("/privacy/requests/{open_request}/extend", body={"reason": "Ten years of records."}),
    ),
    "POST /privacy/requests/{request_id}/identity/request": (
        _privacy(
            "/privacy/requests/{open_request}/identity/request",
            body=lambda desk: {"requested_on": _today(), "what": "A copy of her passport."},
        ),
    ),
    "POST /privacy/requests/{request_id}/identity": (
        _privacy(
            "/privacy/requests/{identity_awaited}/identity",
            body=lambda desk: {"received_on": _today(), "method": "Utility bill seen, address matches the account."},
        ),
    ),
    "POST /privacy/requests/{request_id}/fee/request": (
        _privacy(
            "/privacy/requests/{open_request}/fee/request",
            body=lambda desk: {"requested_on": _today(), "reason": "The same records asked for five times this month."},
        ),
    ),
    "POST /privacy/requests/{request_id}/fee": (
        _privacy("/privacy/requests/{fee_awaited}/fee", body=lambda desk: {"received_on": _today()}),
    ),
    "POST /privacy/requests/{request_id}/clarification/request": (
        _privacy(
            "/privacy/requests/{open_request}/clarification/request",
            body=lambda desk: {"asked_on": _today(), "what": "Which accounts she means."},
        ),
    ),
    "POST /privacy/requests/{request_id}/clarification": (
        _privacy(
            "/privacy/requests/{clarification_awaited}/clarification",
            body=lambda desk: {"received_on": _today()},
        ),
    ),
    "POST /privacy/requests/{request_id}/due-date": (
        _privacy(
            "/privacy/requests/{open_request}/due-date",
            body=lambda desk: {
                "due_on": (timezone.localdate() + timedelta(days=40)).isoformat(),
                "reason": "Received after hours on the last day of the month.",
            },
        ),
    ),
    "POST /privacy/breaches": (
        Probe(
            "/privacy/breaches",
            PRIVACY,
            201,
            body=lambda desk: {"summary": "A letter went astray.", "aware_at": timezone.now().isoformat()},
        ),
    ),
    "GET /privacy/breaches": (Probe("/privacy/breaches", PRIVACY),),
    "PATCH /privacy/breaches/{breach_id}": (
        Probe(
            "/privacy/breaches/{breach}",
            PRIVACY,
            body={"reportable": False, "reportable_reason": "One letter, returned unopened: no risk to her."},
        ),
    ),
    "POST /privacy/requests/{request_id}/fulfil": (_privacy("/privacy/requests/{open_request}/fulfil", body={}),),
    "POST /privacy/requests/{request_id}/refuse": (
        _privacy("/privacy/requests/{open_request}/refuse", body={"reason": "Manifestly unfounded."}),
    ),
    "GET /privacy/requests/{request_id}/bundle": (_privacy("/privacy/requests/{built_request}/bundle"),),
    "GET /privacy/customers/{customer_id}/erasure-check": (_privacy("/privacy/customers/{customer}/erasure-check"),),
    "POST /privacy/customers/{customer_id}/legal-holds": (
        _privacy("/privacy/customers/{customer}/legal-holds", 201, body={"reason": "A claim."}),
    ),
    "POST /privacy/legal-holds/{hold_id}/lift": (_privacy("/privacy/legal-holds/{hold}/lift", body={}),),
    "POST /privacy/customers/{customer_id}/restriction/lift": (
        _privacy(
            "/privacy/customers/{processing_restricted}/restriction/lift",
            body={"reason": "Corrected; she was told on 1 December."},
            scope="processing_restricted",
        ),
    ),
    "GET /customers/{customer_id}/consents": (_customer("/customers/{customer}/consents"),),
    "POST /customers/{customer_id}/consents": (
        _customer(
            "/customers/{customer}/consents",
            ok=201,
            body={"purpose": "marketing", "basis": "consent", "detail": "Said yes on the phone."},
        ),
    ),
    "POST /customers/{customer_id}/consents/{consent_id}/withdraw": (
        _customer("/customers/{customer}/consents/{consent}/withdraw", body={}),
    ),
    "POST /privacy/retention/run": (Probe("/privacy/retention/run", PRIVACY, body={"dry_run": True}),),
    # email
    "GET /quarantine": (Probe("/quarantine", ADMINS),),
    "GET /quarantine/{email_id}/original": (Probe("/quarantine/{quarantined}/original", ADMINS),),
    "POST /quarantine/{email_id}/reprocess": (Probe("/quarantine/{quarantined}/reprocess", ADMINS, body={}),),
    "POST /quarantine/{email_id}/discard": (
        Probe("/quarantine/{quarantined}/discard", ADMINS, 204, body={"reason": "Spam."}),
    ),
    "GET /cases/{reference}/emails": (_case("/cases/{case}/emails"),),
    "GET /cases/{reference}/emails/{email_id}/original": (_case("/cases/{case}/emails/{email}/original"),),
    "POST /cases/{reference}/emails/{email_id}/retry": (_case("/cases/{case}/emails/{email}/retry", body={}),),
    # complaints
    "GET /cases/{reference}/complaint": (_complaint("/cases/{complaint}/complaint"),),
    "PATCH /cases/{reference}/complaint": (
        _complaint("/cases/{complaint}/complaint", body={"root_cause": "delivery"}),
    ),
    "PUT /cases/{reference}/complaint/purchase": (
        _complaint("/cases/{complaint}/complaint/purchase", body={"type": "service", "purchased_on": "2026-01-10"}),
    ),
    "GET /cases/{reference}/complaint/remedies": (_complaint("/cases/{complaint}/complaint/remedies"),),
    "GET /cases/{reference}/complaint/remedies/path": (_complaint("/cases/{complaint}/complaint/remedies/path"),),
    "POST /cases/{reference}/complaint/remedies": (
        _complaint("/cases/{complaint}/complaint/remedies", ok=201, body={"step": "repair_requested"}),
    ),
    "GET /complaints/root-causes": (Probe("/complaints/root-causes", EVERYONE),),
    "GET /complaints/register": (
        Probe("/complaints/register", LEADS_AND_UP, label="json"),
        Probe("/complaints/register", EXPORTERS, query={"format": "csv"}, label="csv"),
    ),
    "GET /cases/{reference}/complaint/letters/{kind}": (
        _complaint("/cases/{complaint}/complaint/letters/acknowledgement"),
    ),
    "GET /cases/{reference}/complaint/letters/{kind}/pdf": (
        _complaint("/cases/{complaint}/complaint/letters/acknowledgement/pdf"),
    ),
    "POST /cases/{reference}/complaint/letters/{kind}/send": (
        _complaint("/cases/{complaint}/complaint/letters/acknowledgement/send", body={}),
    ),
    # corrective actions: read with the complaints register, changed by service managers and administrators
    "GET /complaints/corrective-actions": (Probe("/complaints/corrective-actions", LEADS_AND_UP),),
    "POST /complaints/corrective-actions": (
        Probe(
            "/complaints/corrective-actions",
            MANAGERS,
            201,
            body=lambda desk: {
                "title": "Call before a second delivery attempt",
                "owner": desk.people[SERVICE_MANAGER].username,
                "root_causes": ["delivery"],
                "complaints": [desk.keys["complaint"]],
            },
        ),
    ),
    "GET /complaints/corrective-actions/{action_id}": (Probe("/complaints/corrective-actions/{action}", LEADS_AND_UP),),
    "PATCH /complaints/corrective-actions/{action_id}": (
        Probe("/complaints/corrective-actions/{action}", MANAGERS, body={"status": "in_progress"}),
    ),
}

CALLERS = (ANONYMOUS, *PEOPLE, CAPPED_TOKEN)


def _routes_of_the_api() -> set[str]:
    found: set[str] = set()
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                found.update(f"{method} {prefix.rstrip('/')}{path}" for method in operation.methods)
    return found


def expected_status(probe: Probe, caller: str) -> int:
    """A capped token acts exactly as its role; someone not allowed is refused with 401 when
    unknown, 404 when the record is out of their reach, else 403."""
    role = AGENT if caller == CAPPED_TOKEN else caller
    if role in probe.allowed:
        return probe.ok
    if caller == ANONYMOUS:
        return 401
    if caller == OTHER_TEAM_AGENT and probe.hides:
        return 404
    return 403


def _probes() -> Iterator[Any]:
    for route, probes in ROUTES.items():
        for probe in probes:
            name = f"{route} {probe.label}".strip()
            for caller in CALLERS:
                yield pytest.param(route, probe, caller, id=f"{name} as {caller}")


def call(desk: Desk, route: str, probe: Probe, token: str | None, headers: dict[str, str] | None = None) -> Any:
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = f"Bearer {token}"
    path = "/api/v1" + probe.path.format(**desk.keys)
    body = probe.body(desk) if callable(probe.body) else probe.body
    method = route.split()[0]
    if method == "GET":
        return Client().get(path, probe.query, headers=sent)
    return Client().generic(method, path, json.dumps(body or {}), content_type="application/json", headers=sent)


@pytest.fixture(scope="module")
def desk(django_db_setup: None, django_db_blocker: Any) -> Iterator[Desk]:
    yield from desk_for_module(django_db_blocker, tokens=True)


def test_every_route_has_an_entry() -> None:
    assert _routes_of_the_api() == set(ROUTES)


@pytest.mark.parametrize(("route", "probe", "caller"), list(_probes()))
def test_each_route_answers_each_caller_as_the_table_says(
    desk: Desk, db: None, route: str, probe: Probe, caller: str
) -> None:
    response = call(desk, route, probe, desk.tokens.get(caller))
    assert response.status_code == expected_status(probe, caller), response.content[:300]
    if response.status_code >= 400:
        assert isinstance(response.json()["detail"], str)


# --- restricted records -------------------------------------------------------------------------

# A privacy officer who opens a restricted case without saying why (REASON_HEADER) is refused.
OFFICER_WITHOUT_REASON = "privacy officer giving no reason"


def _whom(probe: Probe) -> tuple[str, ...]:
    """A restricted customer's own record asks for no reason; their cases do."""
    return (*TRIERS, OFFICER_WITHOUT_REASON) if probe.scope in CASE_KEYS else TRIERS


def _token(desk: Desk, who: str) -> str:
    return desk.tokens["named" if who == NAMED else ROLE_OF[who]]


@pytest.mark.parametrize(
    ("route", "probe", "who"),
    [pytest.param(route, probe, who, id=f"{route} as {who}") for route, probe, who in restricted_tries(ROUTES, _whom)],
)
def test_restricted_records_need_naming(desk: Desk, db: None, route: str, probe: Probe, who: str) -> None:
    """A restricted case or customer is out of reach, as if it did not exist, for everyone not
    named on it, even a service manager; the people named act on it as their role allows, and
    so do privacy officers and administrators, who must say why they open a restricted case."""
    assert probe.scope is not None
    desk.restrict(probe.scope)
    reason = {REASON_HEADER: "Answering her subject access request."}
    token, headers, expected = (
        (desk.tokens[PRIVACY_OFFICER], {}, 403)
        if who == OFFICER_WITHOUT_REASON
        else (_token(desk, who), reason, restricted_status(probe, who, expected_status))
    )
    response = call(desk, route, probe, token, headers)
    assert response.status_code == expected, response.content[:300]


def test_every_hidden_record_is_tried_restricted() -> None:
    assert hidden_without_scope(ROUTES) == []


# --- lists --------------------------------------------------------------------------------------

SEES_TEAM_A = TEAM | {CAPPED_TOKEN}


@pytest.mark.parametrize("caller", [*PEOPLE, CAPPED_TOKEN])
@pytest.mark.parametrize("restricted", [False, True], ids=["open", "restricted"])
def test_lists_show_a_case_and_its_customer_only_to_those_who_may_see_them(
    desk: Desk, db: None, caller: str, restricted: bool
) -> None:
    """A list is as scoped as the record: another team's agent never finds the case or its
    customer; once the customer is restricted, only the people named on them (here the privacy
    officer who restricted them) find their cases, and privacy officers and administrators the
    customer."""
    if restricted:
        desk.restrict_customer(desk.customer)
    headers = {"Authorization": f"Bearer {desk.tokens[caller]}"}
    cases = Client().get("/api/v1/cases", {"limit": 100}, headers=headers).json()["items"]
    customers = Client().get("/api/v1/customers", {"q": "Ann Smith"}, headers=headers).json()["items"]
    finds_case = {PRIVACY_OFFICER} if restricted else SEES_TEAM_A
    finds_customer = PRIVACY if restricted else SEES_TEAM_A
    assert (desk.case.reference in [case["reference"] for case in cases]) == (caller in finds_case)
    assert ("Ann Smith" in [customer["name"] for customer in customers]) == (caller in finds_customer)


def test_the_person_named_on_a_restricted_customer_finds_them_and_their_cases(desk: Desk, db: None) -> None:
    desk.restrict_customer(desk.customer)
    headers = {"Authorization": f"Bearer {desk.tokens['named']}"}
    cases = Client().get("/api/v1/cases", {"limit": 100}, headers=headers).json()["items"]
    customers = Client().get("/api/v1/customers", {"q": "Ann Smith"}, headers=headers).json()["items"]
    assert desk.case.reference in [case["reference"] for case in cases]
    assert [customer["name"] for customer in customers] == ["Ann Smith"]
