"""An administrator's pages in a real browser: quarantined email set aside with a reason, and a
restricted case opened with one, each page checked with axe-core."""

from __future__ import annotations

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from patron.accounts.models import Role
from patron.cases.services import set_restriction
from patron.channels.models import InboundEmail, InboundStatus
from patron.channels.services import ingest_email
from tests import factories
from tests.channels.conftest import make_email
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e


def _sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")


def test_admin_sets_quarantined_email_aside_and_opens_a_restricted_case(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    care = factories.team("Customer Care")
    admin = factories.agent(role=Role.ADMIN, username="ada", teams=[care])
    with override_settings(PATRON_MAX_EMAIL_BYTES=300):
        ingest_email(make_email(subject="Huge", body="A long message. " * 50), source="smtp")
    case = factories.case(team_=care, subject="Grievance")
    complaint = factories.case(team_=care, subject="Rude driver", kind="complaint")
    set_restriction(case=case, by=admin, restricted=True, reason="HR matter")

    _sign_in(page, live_server, "ada")
    page.get_by_role("link", name="Quarantine").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarantined email")
    expect(page.locator("table")).to_contain_text("The email is too large")
    assert_accessible(page)
    page.get_by_role("button", name="Set aside").click()
    expect(page.locator("main")).to_contain_text("Say why the email is set aside.")
    assert_accessible(page)
    page.get_by_label("Why set it aside?").fill("Spam")
    page.get_by_role("button", name="Set aside").click()
    expect(page.locator("main")).to_contain_text("was set aside. Its original is kept.")
    assert InboundEmail.objects.get().status == InboundStatus.DISCARDED

    page.goto(f"{live_server.url}/cases/{case.reference}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case.reference} is restricted")
    assert_accessible(page)
    page.get_by_label("Why are you opening this case?").fill("Checking the grievance process")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grievance")
    expect(page.locator("#timeline")).to_contain_text("restricted the case to")
    assert_accessible(page)

    page.get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy")
    expect(page.locator("main")).to_contain_text("No open subject requests.")
    assert_accessible(page)

    page.goto(f"{live_server.url}/cases/{complaint.reference}")
    expect(page.locator(".complaint")).to_contain_text("Listen: next")
    assert_accessible(page)
    page.get_by_label("The customer's account, in their own words").fill("The driver shouted at me.")
    page.get_by_label("What the customer wants to happen").fill("An apology.")
    page.get_by_role("button", name="Record “Listen”").click()
    expect(page.locator(".complaint")).to_contain_text("Apologise: next")
    assert_accessible(page)

    page.goto(f"{live_server.url}/cases/{complaint.reference}/complaint/letters/acknowledgement")
    expect(page.get_by_role("heading", level=1)).to_have_text("We have received your complaint")
    assert_accessible(page)
    page.get_by_role("button", name="Send by email").click()
    expect(page.locator("main")).to_contain_text("was sent by email and is on the timeline")

    page.goto(f"{live_server.url}/complaints/register")
    expect(page.locator("main")).to_contain_text(complaint.reference)
    assert_accessible(page)

    page.goto(f"{live_server.url}/privacy/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    expect(page.locator("table")).to_contain_text("restricted_case_opened")
    assert_accessible(page)
