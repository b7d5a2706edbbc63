"""The privacy officer's forms: recording a subject request and the steps on its clock,
recording and updating a breach, placing and lifting legal holds. Errors are shown on the form
with nothing changed; only privacy officers and administrators reach them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from patron.accounts.models import Agent, Role
from patron.privacy.models import AuditEntry, Breach, ClockPause, LegalHold, SubjectRequest
from tests import factories
from tests.web.conftest import signed_in
from tests.web.reading import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer() -> Agent:
    return factories.agent(role=Role.PRIVACY_OFFICER, username="petra")


@pytest.fixture
def browser(officer: Agent) -> Client:
    return signed_in(officer)


def _request(received_on: date = date(2026, 1, 31)) -> SubjectRequest:
    return SubjectRequest.objects.create(
        customer=factories.customer("Ann Smith"),
        type="access",
        received_on=received_on,
        clock_started_on=received_on,
        due_on=date(2026, 3, 2),
        created_at=timezone.now(),
    )


def test_the_dashboard_links_to_every_form(browser: Client) -> None:
    page = browser.get("/privacy").content.decode()
    for address in ("/privacy/requests/new", "/privacy/breaches/new", "/privacy/holds"):
        assert f'href="{address}"' in page


def test_the_dashboard_shows_the_rule_beside_each_deadline(browser: Client) -> None:
    made = _request()
    made.due_rule = "One calendar month from 31 Jan 2026 (receipt of the request) is 28 Feb 2026."
    made.save()
    Breach.objects.create(
        summary="Lost laptop", aware_at=timezone.now() - timedelta(hours=1), created_at=timezone.now()
    )
    text = visible_text(browser.get("/privacy"))
    assert "One calendar month from 31 Jan 2026 (receipt of the request) is 28 Feb 2026." in text
    assert "counted in calendar hours (nights, weekends and bank holidays included)." in text


def test_a_request_is_recorded_and_its_page_says_how_the_date_was_counted(browser: Client) -> None:
    customer = factories.customer("Ann Smith")
    form = browser.get(f"/privacy/requests/new?customer={customer.pk}").content.decode()
    assert '<label for="id_customer">Customer number</label>' in form
    assert f'value="{customer.pk}"' in form

    done = browser.post(
        "/privacy/requests/new", {"customer": customer.pk, "type": "erasure", "received_on": "2026-01-31"}, follow=True
    )
    made = SubjectRequest.objects.get()
    assert done.redirect_chain == [(f"/privacy/requests/{made.pk}", 302)]
    text = visible_text(done)
    assert "The request was recorded." in text
    assert "How the date was counted: One calendar month from 31 Jan 2026 (receipt of the request)" in text
    assert (made.type, made.due_on) == ("erasure", date(2026, 3, 2))
    assert AuditEntry.objects.filter(action="subject_request_recorded").count() == 1


@pytest.mark.parametrize(
    ("post", "error"),
    [
        (
            {"customer": "999999", "type": "access", "received_on": "2026-01-31"},
            "There is no customer with that number",
        ),
        ({"customer": "", "type": "access", "received_on": "2026-01-31"}, "Enter the customer's number."),
        ({"type": "forgetting", "received_on": "2026-01-31"}, "Choose a right from the list."),
        ({"type": "access", "received_on": "2099-01-31"}, "A request cannot be received in the future."),
        ({"type": "access", "received_on": "31/31/2026"}, "Enter a date, for example 2026-01-31."),
    ],
)
def test_a_bad_request_form_shows_the_error_and_records_nothing(
    browser: Client, post: dict[str, str], error: str
) -> None:
    customer = factories.customer("Ann Smith")
    response = browser.post("/privacy/requests/new", {"customer": str(customer.pk), **post})
    assert response.status_code == 400
    text = visible_text(response)
    assert "There is a problem" in text
    assert error in text
    assert not SubjectRequest.objects.exists()


def test_identity_asked_for_then_verified_on_the_request_page(browser: Client, officer: Agent) -> None:
    made = _request(received_on=date(2025, 12, 30))
    steps = f"/privacy/requests/{made.pk}/steps"
    asked = browser.post(
        f"{steps}/identity_request",
        {"identity-request-requested_on": "2025-12-31", "identity-request-what": "A recent utility bill"},
        follow=True,
    )
    text = visible_text(asked)
    assert "Identity evidence asked for: the clock starts when it arrives." in text
    assert "Not started: waiting for the requester" in text
    assert "No date while the clock is stopped" in text

    verified = browser.post(
        f"{steps}/identity",
        {"identity-received_on": "2026-01-31", "identity-method": "Utility bill checked against the account"},
        follow=True,
    )
    text = visible_text(verified)
    assert f"by {officer.display_name}: Utility bill checked against the account" in text
    made.refresh_from_db()
    assert (made.clock_started_on, made.due_on, made.identity_verified_by) == (
        date(2026, 1, 31),
        date(2026, 3, 2),
        officer,
    )


def test_the_clock_is_stopped_and_restarted_on_the_request_page(browser: Client) -> None:
    made = _request()
    steps = f"/privacy/requests/{made.pk}/steps"
    browser.post(
        f"{steps}/clarification_request",
        {"clarification-request-asked_on": "2026-02-26", "clarification-request-what": "Which accounts?"},
    )
    text = visible_text(browser.get(f"/privacy/requests/{made.pk}"))
    assert "Stopped: waiting for clarification" in text
    assert "Asked 26 Feb 2026: Which accounts? — waiting for the reply" in text

    resumed = visible_text(
        browser.post(f"{steps}/clarification", {"clarification-received_on": "2026-03-03"}, follow=True)
    )
    assert "The clock runs again." in resumed
    assert "5 Mar 2026" in resumed
    assert "restarted in full after the last clarification instead, it would be due 7 Apr 2026" in resumed
    assert ClockPause.objects.get().answered_on == date(2026, 3, 3)


def test_a_refused_step_is_shown_on_its_form(browser: Client) -> None:
    made = _request()
    response = browser.post(
        f"/privacy/requests/{made.pk}/steps/clarification_request",
        {"clarification-request-asked_on": "2026-01-20", "clarification-request-what": "Which?"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The request was received on 31 January 2026; that day is before it." in visible_text(response)
    assert 'id="id_clarification-request-asked_on_error"' in page
    assert not ClockPause.objects.exists()

    empty = browser.post(f"/privacy/requests/{made.pk}/steps/extend", {"extend-reason": ""})
    assert empty.status_code == 400
    assert "Say why the request needs more time." in visible_text(empty)
    assert browser.post(f"/privacy/requests/{made.pk}/steps/nonsense", {}).status_code == 404


def test_an_extension_is_given_with_its_reason(browser: Client) -> None:
    made = _request(received_on=timezone.localdate() - timedelta(days=3))
    done = browser.post(
        f"/privacy/requests/{made.pk}/steps/extend", {"extend-reason": "Ten years of cases"}, follow=True
    )
    assert "The request was extended." in visible_text(done)
    made.refresh_from_db()
    assert (made.extended, made.extension_reason) == (True, "Ten years of cases")
    assert made.due_rule.startswith("Three calendar months (extended)")


def test_the_due_date_is_set_by_hand_on_the_request_page(browser: Client) -> None:
    made = _request()
    steps = f"/privacy/requests/{made.pk}/steps"
    empty = browser.post(f"{steps}/due_date", {"due-due_on": "2026-02-27", "due-reason": ""})
    assert empty.status_code == 400
    assert "Say why the due date is set by hand." in visible_text(empty)
    done = browser.post(
        f"{steps}/due_date", {"due-due_on": "2026-02-27", "due-reason": "Service standard"}, follow=True
    )
    text = visible_text(done)
    assert "The due date was set." in text
    assert "Set instead to 27 Feb 2026 by the privacy officer: Service standard" in text
    made.refresh_from_db()
    assert made.due_on == date(2026, 2, 27)


def test_a_breach_is_recorded_then_decided_and_reported_late_with_reasons(browser: Client) -> None:
    aware = timezone.localtime() - timedelta(days=5)
    missing = browser.post("/privacy/breaches/new", {"summary": "", "aware_at": aware.strftime("%Y-%m-%dT%H:%M")})
    assert missing.status_code == 400
    assert "Say in a sentence what happened." in visible_text(missing)
    assert not Breach.objects.exists()

    made = browser.post(
        "/privacy/breaches/new",
        {"summary": "Laptop left on a train", "aware_at": aware.strftime("%Y-%m-%dT%H:%M"), "people_affected": "400"},
        follow=True,
    )
    breach = Breach.objects.get()
    assert made.redirect_chain == [(f"/privacy/breaches/{breach.pk}", 302)]
    assert "Not decided yet" in visible_text(made)

    form = {
        "summary": "Laptop left on a train",
        "people_affected": "400",
        "reportable": "yes",
        "reportable_reason": "Unencrypted addresses: a risk",
        "reported_to_ico_at": (aware + timedelta(hours=80)).strftime("%Y-%m-%dT%H:%M"),
        "ico_reference": "IC-42",
    }
    late = browser.post(f"/privacy/breaches/{breach.pk}", form)
    assert late.status_code == 400
    assert "give the reasons for the delay" in visible_text(late)
    breach.refresh_from_db()
    assert breach.reportable is None

    saved = browser.post(
        f"/privacy/breaches/{breach.pk}",
        {**form, "report_delay_reason": "The supplier confirmed it on day 3"},
        follow=True,
    )
    text = visible_text(saved)
    assert "The breach record was updated." in text
    assert "(reference IC-42), more than 72 hours after awareness" in text
    breach.refresh_from_db()
    assert (breach.reportable, breach.report_delay_reason) == (True, "The supplier confirmed it on day 3")

    # Sent back as shown, nothing changes and nothing more is audited.
    entries = AuditEntry.objects.filter(action="breach_updated").count()
    again = browser.post(
        f"/privacy/breaches/{breach.pk}",
        {**form, "report_delay_reason": "The supplier confirmed it on day 3"},
    )
    assert again.status_code == 302
    assert AuditEntry.objects.filter(action="breach_updated").count() == entries == 1


def test_legal_holds_are_placed_and_lifted(browser: Client) -> None:
    customer = factories.customer("Ann Smith")
    empty = browser.post("/privacy/holds", {"customer": str(customer.pk), "reason": " "})
    assert empty.status_code == 400
    assert "Say why the records must be kept." in visible_text(empty)
    unknown = browser.post("/privacy/holds", {"customer": "999999", "reason": "A claim"})
    assert unknown.status_code == 400
    assert not LegalHold.objects.exists()

    placed = browser.post(
        "/privacy/holds", {"customer": str(customer.pk), "reason": "A county court claim"}, follow=True
    )
    text = visible_text(placed)
    assert "The legal hold on Ann Smith is placed." in text
    assert "A county court claim" in text
    hold = LegalHold.objects.get()
    lifted = visible_text(browser.post(f"/privacy/holds/{hold.pk}/lift", follow=True))
    assert "The legal hold on Ann Smith is lifted." in lifted
    assert "No legal holds in force." in lifted
    again = visible_text(browser.post(f"/privacy/holds/{hold.pk}/lift", follow=True))
    assert "This hold was already lifted." in again
    assert browser.post("/privacy/holds/999999/lift").status_code == 404


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER])
def test_other_roles_cannot_use_the_forms(role: Role) -> None:
    made = _request()
    breach = Breach.objects.create(summary="Lost laptop", aware_at=timezone.now(), created_at=timezone.now())
    other = signed_in(factories.agent(role=role))
    for address in (
        "/privacy/requests/new",
        f"/privacy/requests/{made.pk}",
        "/privacy/breaches/new",
        f"/privacy/breaches/{breach.pk}",
        "/privacy/holds",
    ):
        assert other.get(address).status_code == 403, address
    assert other.post(f"/privacy/requests/{made.pk}/steps/extend", {"extend-reason": "x"}).status_code == 403
    assert other.post(f"/privacy/breaches/{breach.pk}", {"summary": "Changed"}).status_code == 403
    assert other.post("/privacy/holds", {"customer": str(made.customer_id), "reason": "x"}).status_code == 403
    made.refresh_from_db()
    breach.refresh_from_db()
    assert (made.extended, breach.summary) == (False, "Lost laptop")
    assert not LegalHold.objects.exists()
