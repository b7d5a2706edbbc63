"""Least privilege in the agent UI, page by page: every address of the UI is asked for, with
valid input, by each role, by an agent of another team and by someone not signed in, and must
answer as the table says. Someone not signed in is sent to sign in; a record out of the caller's
reach is a 404, as if it did not exist; a role that may not act gets a 403.

The addresses are read from the URL configuration, so a page added without a line in the
table fails `test_every_page_has_an_entry`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import ERROR, get_messages
from django.test import Client
from django.utils import timezone

from patron.cases.models import Case
from patron.customers.models import Customer
from patron.web.privacy_forms_views import STEPS
from patron.web.urls import urlpatterns
from tests import factories
from tests.access import (
    ADMINS,
    ANONYMOUS,
    ASSIGNERS,
    EVERYONE,
    EXPORTERS,
    GIVE_REASONS,
    LEADS_AND_UP,
    MANAGERS,
    OTHER_TEAM_AGENT,
    PEOPLE,
    PRIVACY,
    SERVICE_MANAGER,
    TEAM,
    Desk,
    current_version,
    desk_for_module,
    hidden_without_scope,
    restricted_status,
    restricted_tries,
)

Data = dict[str, Any] | Callable[[Desk], dict[str, Any]]


@dataclass(frozen=True)
class Page:
    """One request to a page, and who it must succeed for (with status `ok`)."""

    method: str
    path: str  # filled in from Desk.keys
    allowed: frozenset[str]
    ok: int = 200
    data: Data = field(default_factory=dict)
    # Whether a record outside the caller's reach answers 404 before any role is checked.
    hides: bool = False
    label: str = ""
    # The record the page reads or changes, restricted in `test_restricted_records_need_naming`:
    # the Desk key naming the case or customer.
    scope: str | None = None


# The keys of the cases and customers a path can name, so a page about one is scoped to it.
PATH_SCOPES = ("complaint", "email_case", "case", "customer")


def _scope_in(path: str) -> str | None:
    return next((key for key in PATH_SCOPES if f"{{{key}}}" in path), None)


def _get(path: str, allowed: frozenset[str], *, scope: str | None = None, **kwargs: Any) -> Page:
    return Page("GET", path, allowed, scope=scope or _scope_in(path), **kwargs)


def _post(path: str, allowed: frozenset[str], ok: int = 302, *, scope: str | None = None, **kwargs: Any) -> Page:
    return Page("POST", path, allowed, ok, scope=scope or _scope_in(path), **kwargs)


def _privacy_get(path: str, **kwargs: Any) -> Page:
    """A privacy officer's page about Ann, whom the desk's subject requests and legal hold are
    about. The role is checked before she is looked up, so an agent who may not see her is
    refused, not told she is missing."""
    return _get(path, PRIVACY, scope="customer", **kwargs)


def _privacy_post(path: str, **kwargs: Any) -> Page:
    """A privacy officer's change to Ann's record; as `_privacy_get`."""
    return _post(path, PRIVACY, scope="customer", **kwargs)


BUNDLE_FORMATS = ("html", "json", "csv")


def _case_version(desk: Desk) -> int:
    return current_version(Case, desk.case.pk)


def _action_form(desk: Desk, title: str) -> dict[str, Any]:
    return {
        "title": title,
        "owner": str(desk.people[SERVICE_MANAGER].pk),
        "status": "open",
        "root_causes": ["delivery"],
        "complaints": desk.keys["complaint"],
    }


def _today() -> str:
    return timezone.localdate().isoformat()


def _minutes_ago(minutes: int) -> str:
    return f"{timezone.localtime() - timedelta(minutes=minutes):%Y-%m-%dT%H:%M}"


# Each step on a request's clock, the request it is taken on (a Desk key) and its form as sent.
REQUEST_STEPS: tuple[tuple[str, str, Data], ...] = (
    ("extend", "open_request", {"extend-reason": "Ten years of records."}),
    (
        "identity_request",
        "open_request",
        lambda desk: {"identity-request-requested_on": _today(), "identity-request-what": "A copy of her passport."},
    ),
    (
        "identity",
        "identity_awaited",
        lambda desk: {"identity-received_on": _today(), "identity-method": "Utility bill seen."},
    ),
    (
        "fee_request",
        "open_request",
        lambda desk: {"fee-request-requested_on": _today(), "fee-request-reason": "Five times this month."},
    ),
    ("fee", "fee_awaited", lambda desk: {"fee-received_on": _today()}),
    (
        "clarification_request",
        "open_request",
        lambda desk: {"clarification-request-asked_on": _today(), "clarification-request-what": "Which accounts."},
    ),
    ("clarification", "clarification_awaited", lambda desk: {"clarification-received_on": _today()}),
    (
        "due_date",
        "open_request",
        lambda desk: {
            "due-due_on": (timezone.localdate() + timedelta(days=40)).isoformat(),
            "due-reason": "Received after hours on the last day of the month.",
        },
    ),
)


PAGES: dict[str, tuple[Page, ...]] = {
    "inbox": (_get("/", EVERYONE),),
    "search": (_get("/search", EVERYONE, data={"q": "parcel"}),),
    "case_new": (_get("/cases/new", EVERYONE),),
    "contact_log": (_get("/contacts/log", EVERYONE),),
    "inbox_export": (_get("/cases/export", EXPORTERS),),
    # one case
    "case": (_get("/cases/{case}", TEAM, hides=True),),
    "case_open_restricted": (_get("/cases/{case}/open", TEAM, ok=302, hides=True),),
    "case_reply": (_post("/cases/{case}/reply", TEAM, data={"reply-body": "We have found it."}, hides=True),),
    "case_note": (_post("/cases/{case}/note", TEAM, data={"note-body": "Called the courier."}, hides=True),),
    "case_properties": (
        _post(
            "/cases/{case}/properties",
            TEAM,
            data=lambda desk: {
                "case-version": _case_version(desk),
                "case-priority": "3",
                "case-kind": "enquiry",
                "case-team": str(desk.team_a.pk),
                "case-status": "open",
            },
            hides=True,
        ),
    ),
    "case_take": (
        _post("/cases/{case}/take", TEAM, data=lambda desk: {"take-version": _case_version(desk)}, hides=True),
    ),
    "case_log_call": (
        _post(
            "/cases/{case}/log",
            TEAM,
            data=lambda desk: {
                "call-channel": "phone",
                "call-direction": "inbound",
                "call-occurred_at": f"{timezone.localtime() - timedelta(hours=1):%Y-%m-%dT%H:%M}",
                "call-summary": "She rang to chase it.",
            },
            hides=True,
        ),
    ),
    "case_email_retry": (_post("/cases/{case}/emails/{outbound}/retry", TEAM, hides=True),),
    "case_email_original": (_get("/cases/{email_case}/emails/{inbound}/original", TEAM, hides=True),),
    "case_attachment": (_get("/cases/{case}/attachments/{attachment}", TEAM, hides=True),),
    # a complaint
    "case_complaint_step": (
        _post("/cases/{complaint}/complaint/step", TEAM, data=factories.step_posted("listen"), hides=True),
    ),
    "case_complaint_tier": (
        _post(
            "/cases/{complaint}/complaint/tier",
            TEAM,
            data={"tier-tier": "2", "tier-reason": "The customer asked for a manager."},
            hides=True,
        ),
    ),
    "case_complaint_regime": (
        _post("/cases/{complaint}/complaint/regime", TEAM, data={"regime-regime": "fca_disp"}, hides=True),
    ),
    "case_complaint_purchase": (
        _post(
            "/cases/{complaint}/complaint/purchase",
            TEAM,
            data=lambda desk: {
                "purchase-type": "service",
                "purchase-purchased_on": timezone.localdate().isoformat(),
                "purchase-region": "england-and-wales",
            },
            hides=True,
        ),
    ),
    "case_complaint_remedy_step": (
        _post("/cases/{complaint}/complaint/remedies", TEAM, data={"remedy-step": "repair_requested"}, hides=True),
    ),
    "case_complaint_root_cause": (
        _post("/cases/{complaint}/complaint/root-cause", TEAM, data={"root_cause": "delivery"}, hides=True),
    ),
    "case_complaint_five_whys": (
        _post(
            "/cases/{complaint}/complaint/five-whys",
            TEAM,
            data={"why_1": "The parcel was late.", "statement": "The cut-off is too early."},
            hides=True,
        ),
    ),
    "complaint_letter": (_get("/cases/{complaint}/complaint/letters/acknowledgement", TEAM, hides=True),),
    "complaint_letter_pdf": (_get("/cases/{complaint}/complaint/letters/acknowledgement.pdf", TEAM, hides=True),),
    "send_complaint_letter": (_post("/cases/{complaint}/complaint/letters/acknowledgement/send", TEAM, hides=True),),
    # privacy
    "privacy": (_get("/privacy", PRIVACY),),
    "privacy_fulfil": (_privacy_post("/privacy/requests/{open_request}/fulfil"),),
    "privacy_refuse": (
        _privacy_post("/privacy/requests/{open_request}/refuse", data={"reason": "Manifestly unfounded."}),
    ),
    "privacy_bundle": tuple(
        _privacy_get(f"/privacy/requests/{{built_request}}/copy.{kind}", label=kind) for kind in BUNDLE_FORMATS
    ),
    "privacy_request_new": (
        _get("/privacy/requests/new", PRIVACY),
        _privacy_post(
            "/privacy/requests/new",
            data=lambda desk: {"customer": desk.customer.pk, "type": "erasure", "received_on": _today()},
        ),
    ),
    "privacy_request": (_privacy_get("/privacy/requests/{open_request}"),),
    "privacy_request_step": tuple(
        _privacy_post(f"/privacy/requests/{{{request}}}/steps/{step}", data=data, label=step)
        for step, request, data in REQUEST_STEPS
    ),
    "privacy_breach_new": (
        _get("/privacy/breaches/new", PRIVACY),
        _post(
            "/privacy/breaches/new",
            PRIVACY,
            data=lambda desk: {"summary": "A letter went astray.", "aware_at": _minutes_ago(30)},
        ),
    ),
    "privacy_breach": (
        _get("/privacy/breaches/{breach}", PRIVACY),
        _post(
            "/privacy/breaches/{breach}",
            PRIVACY,
            data={
                "summary": "A letter went to the wrong address.",
                "reportable": "no",
                "reportable_reason": "One letter, returned unopened: no risk to her.",
            },
        ),
    ),
    "privacy_holds": (
        _get("/privacy/holds", PRIVACY),
        _privacy_post("/privacy/holds", data=lambda desk: {"customer": desk.customer.pk, "reason": "A claim."}),
    ),
    "privacy_hold_lift": (_privacy_post("/privacy/holds/{hold}/lift"),),
    "privacy_retention": (_post("/privacy/retention", PRIVACY),),
    "privacy_audit": (_get("/privacy/audit", PRIVACY),),
    # complaints register
    "complaints_register": (_get("/complaints/register", LEADS_AND_UP),),
    "complaints_register_export": (_get("/complaints/register/export", EXPORTERS),),
    # corrective actions: read with the complaints register, changed by service managers and administrators
    "corrective_actions": (_get("/complaints/corrective-actions", LEADS_AND_UP),),
    "corrective_action_new": (
        _get("/complaints/corrective-actions/new", MANAGERS),
        _post("/complaints/corrective-actions/new", MANAGERS, data=lambda desk: _action_form(desk, "Call ahead")),
    ),
    "corrective_action": (
        _get("/complaints/corrective-actions/{action}", LEADS_AND_UP),
        _post(
            "/complaints/corrective-actions/{action}",
            MANAGERS,
            data=lambda desk: {**_action_form(desk, "Later cut-off"), "status": "in_progress"},
        ),
    ),
    # quarantine
    "quarantine": (_get("/quarantine", ADMINS),),
    "quarantine_original": (_get("/quarantine/{quarantined}/original", ADMINS),),
    "quarantine_reprocess": (_post("/quarantine/{quarantined}/reprocess", ADMINS),),
    "quarantine_discard": (
        _post(
            "/quarantine/{quarantined}/discard",
            ADMINS,
            data=lambda desk: {f"discard-{desk.keys['quarantined']}-reason": "Spam."},
        ),
    ),
    # customers
    "customers": (_get("/customers", EVERYONE, data={"q": "Ann"}),),
    "customer_new": (
        _get("/customers/new", EVERYONE),
        _post("/customers/new", EVERYONE, data={"name": "Nora New", "kind": "external", "email": "nora@example.com"}),
    ),
    "customer": (_get("/customers/{customer}", TEAM, hides=True),),
    "customer_edit": (
        _get("/customers/{customer}/edit", TEAM, hides=True),
        _post(
            "/customers/{customer}/edit",
            TEAM,
            data=lambda desk: {
                "version": current_version(Customer, desk.customer.pk),
                "name": "Ann Smith",
                "kind": "external",
                "notes": "Prefers mornings.",
            },
            hides=True,
        ),
    ),
    "customer_consent": (
        _post(
            "/customers/{customer}/consents",
            TEAM,
            data={"purpose": "marketing", "basis": "consent", "detail": "Said yes on the phone."},
            hides=True,
        ),
        _post(
            "/customers/{customer}/consents",
            TEAM,
            data=lambda desk: {"withdraw": str(desk.keys["consent"])},
            hides=True,
            label="withdraw",
        ),
    ),
    "customer_contact_point": (
        _post(
            "/customers/{customer}/contact-points",
            TEAM,
            data={"point-kind": "phone", "point-value": "020 7946 0000"},
            hides=True,
        ),
    ),
    "customer_merge": (
        _get("/customers/{customer}/merge", ASSIGNERS, hides=True),
        _post(
            "/customers/{customer}/merge",
            ASSIGNERS,
            data=lambda desk: {"duplicate": desk.keys["duplicate"]},
            hides=True,
        ),
    ),
}

# Signing in and out show nobody's data. A survey's page is the customer's: its link's token is
# the key, whoever is signed in (tests/web/test_survey.py).
NOT_PERSONAL = {"login", "logout"}
FOR_CUSTOMERS = {"survey", "survey_stop"}


def expected_status(page: Page, caller: str) -> int:
    if caller in page.allowed:
        return page.ok
    if caller == ANONYMOUS:
        return 302
    if caller == OTHER_TEAM_AGENT and page.hides:
        return 404
    return 403


def _label(name: str, page: Page) -> str:
    return f"{page.method} {name} {page.label}".strip()


def _pages() -> Iterator[Any]:
    for name, pages in PAGES.items():
        for page in pages:
            for caller in (ANONYMOUS, *PEOPLE):
                yield pytest.param(page, caller, id=f"{_label(name, page)} as {caller}")


def _send(browser: Client, desk: Desk, page: Page) -> Any:
    path = page.path.format(**desk.keys)
    data = page.data(desk) if callable(page.data) else page.data
    return browser.get(path, data) if page.method == "GET" else browser.post(path, data)


def _refusals(response: Any) -> list[str]:
    """Some pages report a refusal on the page they send back to, with a 302 like a success."""
    return [str(message) for message in get_messages(response.wsgi_request) if message.level == ERROR]


@pytest.fixture(scope="module")
def desk(django_db_setup: None, django_db_blocker: Any) -> Iterator[Desk]:
    yield from desk_for_module(django_db_blocker, tokens=False)


def test_every_page_has_an_entry() -> None:
    names = {pattern.name for pattern in urlpatterns}
    assert names - NOT_PERSONAL - FOR_CUSTOMERS == set(PAGES)


def test_every_step_on_a_request_has_an_entry() -> None:
    assert [step for step, _request, _data in REQUEST_STEPS] == list(STEPS)


@pytest.mark.parametrize(("page", "caller"), list(_pages()))
def test_each_page_answers_each_caller_as_the_table_says(desk: Desk, db: None, page: Page, caller: str) -> None:
    browser = Client()
    if caller != ANONYMOUS:
        browser.force_login(desk.people[caller])
    response = _send(browser, desk, page)
    assert response.status_code == expected_status(page, caller), response.content[:300]
    if caller == ANONYMOUS:
        assert response["Location"].startswith("/login?next=")
    elif response.status_code == 302:
        assert _refusals(response) == []


# --- restricted records -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "who"),
    [pytest.param(page, who, id=f"{_label(name, page)} as {who}") for name, page, who in restricted_tries(PAGES)],
)
def test_restricted_records_need_naming(desk: Desk, db: None, page: Page, who: str) -> None:
    """A restricted case or customer is a 404 for everyone not named on it, even their team's
    agents and a service manager; the people named, privacy officers and administrators use it as their role
    allows, once they have said why they open a restricted case."""
    assert page.scope is not None
    case = desk.restrict(page.scope)
    browser = Client()
    browser.force_login(desk.trier(who))
    if who in GIVE_REASONS and case is not None:
        opened = browser.post(f"/cases/{case.reference}/open", {"reason": "Answering her grievance."})
        assert opened.status_code == 302
    response = _send(browser, desk, page)
    assert response.status_code == restricted_status(page, who, expected_status), response.content[:300]
    if response.status_code == 302:
        assert _refusals(response) == []


def test_every_hidden_record_is_tried_restricted() -> None:
    assert hidden_without_scope(PAGES) == []
