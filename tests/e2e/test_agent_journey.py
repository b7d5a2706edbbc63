"""An agent's day in a real browser: keyboard sign-in, the inbox, a case worked from first reply
to resolution, and a phone call logged as a new case, with axe-core run on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from patron.cases.models import Case, Channel, Direction, Status
from tests import factories
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e


def _tab_to(page: Page, element_id: str) -> None:
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Could not reach #{element_id} with the Tab key.")


def test_agent_journey(live_server: LiveServer, page: Page, transactional_db: None) -> None:
    care = factories.team("Customer Care")
    factories.agent(teams=[care], username="alice", first_name="Alice", last_name="Morgan")
    priya = factories.customer(
        "Priya Shah", email="priya@example.com", phone="07700 900123", adjustments=["large_print"]
    )
    case = factories.case(customer_=priya, team_=care, subject="Parcel has not arrived", body="Where is it?")
    factories.case(team_=care, subject="Refund for kettle")

    # Sign in with the keyboard alone.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    assert_accessible(page)
    _tab_to(page, "id_username")
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator("#inbox-results")).to_contain_text("Showing 2 cases")
    assert_accessible(page)

    # Filter with htmx: only the results change, and the address follows.
    page.get_by_label("Words").fill("parcel")
    page.get_by_label("Words").press("Enter")
    expect(page.locator("#inbox-results")).to_contain_text("Showing 1 case")
    expect(page).to_have_url(re.compile(r"text=parcel"))
    assert_accessible(page)

    # Open the case from the inbox.
    page.get_by_role("link", name="Parcel has not arrived").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Parcel has not arrived")
    expect(page.locator(".adjustments")).to_contain_text("Large print")
    expect(page.locator(".facts")).to_contain_text("New")
    assert_accessible(page)

    # Reply: the timeline and header update in place.
    page.get_by_label("Your reply").fill("Dear Priya, I have asked the courier to trace it.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#messages")).to_contain_text("Your reply was sent.")
    expect(page.locator("#timeline")).to_contain_text("I have asked the courier to trace it.")
    expect(page.locator(".facts")).to_contain_text("Open")
    expect(page.get_by_label("Your reply")).to_have_value("")
    assert_accessible(page)

    # A reply with nothing in it is refused on the form, with the error summary focused.
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".panel--reply .error-summary")).to_contain_text("Write your reply before you send it.")
    expect(page.locator(".panel--reply .error-summary")).to_be_focused()
    assert_accessible(page)

    # An internal note, labelled as such.
    page.get_by_role("textbox", name="Internal note").fill("Courier reference TRK-555.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#messages")).to_contain_text("Your internal note was added.")
    expect(page.locator(".entry--note")).to_contain_text("Internal note")
    expect(page.locator(".entry--note")).to_contain_text("Courier reference TRK-555.")
    assert_accessible(page)

    # Assign to me.
    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator("#messages")).to_contain_text("The case is now assigned to you.")
    expect(page.locator(".facts div", has_text="Assigned to")).to_contain_text("Alice Morgan")
    expect(page.locator("#timeline")).to_contain_text("Alice Morgan took the case.")
    assert_accessible(page)

    # Resolve through the case details.
    page.get_by_label("Status", exact=True).select_option("resolved")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#messages")).to_contain_text("The case was updated.")
    expect(page.locator(".facts")).to_contain_text("Resolved")
    expect(page.locator("#timeline")).to_contain_text("Alice Morgan changed the status from open to resolved.")
    assert_accessible(page)
    case.refresh_from_db()
    assert (case.status, case.assignee and case.assignee.username) == (Status.RESOLVED, "alice")
    assert list(case.messages.values_list("direction", flat=True)) == [
        Direction.INBOUND,
        Direction.OUTBOUND,
        Direction.NOTE,
    ]

    # Log a phone call as a new case.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Log a contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a phone call or visit")
    assert_accessible(page)
    page.get_by_label("Find an existing customer").fill("07700 900123")
    page.get_by_role("button", name="Find customer").click()
    page.get_by_role("radio", name=re.compile(r"Priya Shah \(external\)")).check()
    page.get_by_label("What was said").fill("Asked for large-print copies of her bills.\nSending them by post.")
    page.get_by_role("button", name="Log contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Asked for large-print copies of her bills.")
    expect(page.locator("#messages")).to_contain_text("The contact was logged on case")
    expect(page.locator("#timeline")).to_contain_text("Phone call from the customer")
    expect(page.locator("#timeline")).to_contain_text("Phone, logged by Alice Morgan.")
    assert_accessible(page)
    logged = Case.objects.exclude(pk=case.pk).get(channel=Channel.PHONE)
    assert logged.customer == priya

    # Sign out.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Patron")
