"""The privacy officer's dashboard: subject requests by urgency, breaches with their 72-hour
clock, in words as well as colour; only for privacy officers and administrators."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from patron.accounts.models import Role
from patron.cases.models import Case, Message
from patron.customers.models import Customer
from patron.privacy import audit
from patron.privacy.models import AuditEntry, Breach, ConsentRecord, SubjectRequest
from tests import factories
from tests.api.conftest import client_for
from tests.web.conftest import signed_in
from tests.web.reading import page as html_of
from tests.web.reading import visible_text

pytestmark = pytest.mark.django_db


def test_requests_by_urgency_and_breaches_with_their_clock() -> None:
    officer = factories.agent(role=Role.PRIVACY_OFFICER)
    today = timezone.localdate()
    for days, name in ((-2, "Late Larry"), (3, "Soon Sue"), (20, "Fine Fran")):
        SubjectRequest.objects.create(
            customer=factories.customer(name),
            type="access",
            received_on=today - timedelta(days=25),
            due_on=today + timedelta(days=days),
            created_at=timezone.now(),
        )
    Breach.objects.create(
        summary="Email to the wrong person", aware_at=timezone.now() - timedelta(hours=80), created_at=timezone.now()
    )
    response = signed_in(officer).get("/privacy")
    (title,) = re.findall(r"<title>(.*?)</title>", html_of(response), flags=re.DOTALL)
    assert title == "Privacy – Patron"
    text = visible_text(response)
    assert "1 overdue, 1 due within 7 days, 1 on time." in text
    assert text.index("Late Larry") < text.index("Soon Sue") < text.index("Fine Fran")
    assert "Overdue" in text
    assert "Due soon" in text
    assert "Email to the wrong person" in text
    assert "Not decided yet" in text


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER])
def test_other_roles_do_not_see_it(role: Role) -> None:
    browser = signed_in(factories.agent(role=role))
    assert browser.get("/privacy").status_code == 403
    assert 'href="/privacy"' not in browser.get("/").content.decode()


def _request(type_: str, customer_name: str = "Ann Smith") -> SubjectRequest:
    return SubjectRequest.objects.create(
        customer=factories.customer(customer_name),
        type=type_,
        received_on=timezone.localdate(),
        due_on=timezone.localdate() + timedelta(days=30),
        created_at=timezone.now(),
    )


def test_an_access_request_is_fulfilled_and_its_copy_read_in_the_browser() -> None:
    officer = factories.agent(role=Role.PRIVACY_OFFICER)
    request = _request("access")
    factories.case(customer_=request.customer, body="Please call bob@elsewhere.example about it.")
    browser = signed_in(officer)
    assert "Build the copy" in visible_text(browser.get("/privacy"))

    done = browser.post(f"/privacy/requests/{request.pk}/fulfil", follow=True)
    text = visible_text(done)
    assert "Access (subject access request) request fulfilled." in text
    assert "Read and review (1 to check)" in text

    copy = browser.get(f"/privacy/requests/{request.pk}/copy.html")
    assert copy["Content-Security-Policy"].startswith("default-src 'none'")
    page = visible_text(copy)
    assert "For review before release (1)" in page
    assert "bob@elsewhere.example" in page
    assert browser.get(f"/privacy/requests/{request.pk}/copy.exe").status_code == 404
    assert browser.get(f"/privacy/requests/{request.pk}/copy.json").json()["customer"]["name"] == "Ann Smith"

    release = visible_text(browser.get(f"/privacy/requests/{request.pk}/copy.html?release=1"))
    assert "For review before release" not in release
    assert "bob@elsewhere.example" not in release
    assert "Please call [withheld: email address, possibly another person's] about it." in release
    printed = browser.get(f"/privacy/requests/{request.pk}/copy.pdf")
    assert (printed["Content-Type"], printed.content[:5]) == ("application/pdf", b"%PDF-")


def test_an_erasure_that_must_wait_says_why_and_offers_no_button() -> None:
    officer = factories.agent(role=Role.PRIVACY_OFFICER)
    request = _request("erasure")
    open_case = factories.case(customer_=request.customer)
    text = visible_text(signed_in(officer).get("/privacy"))
    assert f"Cannot be erased yet: {open_case.reference} is still open; resolve or close it first." in text
    assert "Erase their data" not in text
    refused = signed_in(officer).post(f"/privacy/requests/{request.pk}/fulfil", follow=True)
    assert "The records cannot be erased" in visible_text(refused)
    request.refresh_from_db()
    assert request.status == "open"


def test_a_request_is_refused_with_a_reason() -> None:
    officer = factories.agent(role=Role.PRIVACY_OFFICER)
    request = _request("objection")
    browser = signed_in(officer)
    assert "Give the reason" in visible_text(browser.post(f"/privacy/requests/{request.pk}/refuse", follow=True))
    browser.post(f"/privacy/requests/{request.pk}/refuse", {"reason": "Compelling legitimate grounds."})
    request.refresh_from_db()
    assert (request.status, request.outcome) == ("refused", "Compelling legitimate grounds.")


def test_the_retention_schedule_shows_what_is_due_and_applies_it() -> None:
    officer = factories.agent(role=Role.PRIVACY_OFFICER)
    old = factories.case(body="Old question")
    long_ago = timezone.now() - timedelta(days=800)
    Case.objects.filter(pk=old.pk).update(status="closed", closed_at=long_ago, resolved_at=long_ago)
    browser = signed_in(officer)
    text = visible_text(browser.get("/privacy"))
    assert "Closed cases other than complaints 24 months Anonymise (counts and dates kept)" in text
    assert f"1 (e.g. {old.reference})" in text
    applied = visible_text(browser.post("/privacy/retention", follow=True))
    assert "closed cases other than complaints: 1" in applied
    assert Message.objects.get(case=old).body_text == "[erased]"
    assert signed_in(factories.agent(role=Role.SERVICE_MANAGER)).post("/privacy/retention").status_code == 403


def test_an_agent_records_and_withdraws_consent_on_the_customer_page() -> None:
    desk = factories.team("Help desk")
    agent = factories.agent(teams=[desk])
    ann = factories.customer("Ann Smith")
    factories.case(customer_=ann, team_=desk)
    browser = signed_in(agent)
    assert "None recorded: no surveys, marketing or research use their data." in visible_text(
        browser.get(f"/customers/{ann.pk}")
    )
    refused = browser.post(f"/customers/{ann.pk}/consents", {"purpose": "surveys", "basis": "consent"}, follow=True)
    assert "Record what the customer was told" in visible_text(refused)
    page = browser.post(
        f"/customers/{ann.pk}/consents",
        {"purpose": "surveys", "basis": "consent", "detail": "Agreed on the phone to one survey."},
        follow=True,
    )
    assert "Satisfaction surveys: Consent since" in visible_text(page)
    record = ConsentRecord.objects.get(customer=ann)
    browser.post(f"/customers/{ann.pk}/consents", {"withdraw": str(record.pk)})
    record.refresh_from_db()
    assert record.withdrawn_at is not None
    assert browser.post(f"/customers/{ann.pk}/consents", {"withdraw": "x"}, follow=True).status_code == 200


def test_a_restricted_customer_is_marked_wherever_they_are_served() -> None:
    desk = factories.team("Help desk")
    agent = factories.agent(teams=[desk])
    ann = factories.customer("Ann Smith")
    case = factories.case(customer_=ann, team_=desk)
    Customer.objects.filter(pk=ann.pk).update(processing_restricted_since=timezone.now())
    browser = signed_in(agent)
    for page in (f"/customers/{ann.pk}", f"/cases/{case.reference}"):
        assert "Processing restricted since" in visible_text(browser.get(page)), page
    replied = browser.post(f"/cases/{case.reference}/reply", {"body": "Hello Ann"}, follow=True)
    assert "nothing is sent to them" in visible_text(replied)
    assert not Message.objects.filter(case=case, direction="outbound").exists()


def test_a_restricted_customers_case_takes_a_note_or_change_only_under_a_named_exception() -> None:
    desk = factories.team("Help desk")
    agent = factories.agent(teams=[desk])
    case = factories.case(customer_=factories.customer("Ann Smith"), team_=desk)
    browser = signed_in(agent)
    assert "Exception to the customer's restriction" not in visible_text(browser.get(f"/cases/{case.reference}"))
    Customer.objects.filter(pk=case.customer_id).update(processing_restricted_since=timezone.now())
    assert "Exception to the customer's restriction" in visible_text(browser.get(f"/cases/{case.reference}"))

    refused = browser.post(f"/cases/{case.reference}/note", {"note-body": "Ann rang.", "note-exception": ""})
    assert refused.status_code == 409
    assert "say which exception applies" in visible_text(refused)
    properties = {
        "case-version": case.version,
        "case-status": case.status,
        "case-priority": 3,
        "case-kind": case.kind,
        "case-team": desk.pk,
    }
    changed = browser.post(f"/cases/{case.reference}/properties", properties)
    assert changed.status_code == 409
    assert "say which exception applies" in visible_text(changed)
    assert "Someone else changed this case" not in visible_text(changed)
    assert not Message.objects.filter(case=case, direction="note").exists()

    browser.post(f"/cases/{case.reference}/note", {"note-body": "Letter of claim.", "note-exception": "legal_claims"})
    assert Message.objects.get(case=case, direction="note").body_text == "Letter of claim."
    browser.post(f"/cases/{case.reference}/properties", {**properties, "case-exception": "legal_claims"})
    assert Case.objects.get(pk=case.pk).priority == 3


def test_privacy_officers_search_the_audit_trail_a_page_at_a_time() -> None:
    officer = factories.agent(role=Role.PRIVACY_OFFICER)
    agent = factories.agent()
    ann = factories.customer("Ann Smith")
    for _ in range(55):
        AuditEntry.objects.create(
            created_at=timezone.now(), actor=agent, action="customer_viewed", object_type="customer", object_id=ann.pk
        )
    browser = signed_in(officer)
    first = visible_text(browser.get("/privacy/audit", {"object_type": "customer", "object_id": ann.pk}))
    row = f"customer_viewed customer {ann.pk}"
    assert first.count(row) == 50
    assert "Older entries" in first
    oldest_shown = AuditEntry.objects.filter(object_id=str(ann.pk)).order_by("-id")[49].pk
    second = visible_text(
        browser.get("/privacy/audit", {"object_type": "customer", "object_id": ann.pk, "before": oldest_shown})
    )
    assert second.count(row) == 5
    assert "Older entries" not in second
    bad = browser.get("/privacy/audit", {"since": "2026-11-24", "until": "2026-11-01"})
    assert bad.status_code == 400
    assert "The end is before the start." in visible_text(bad)
    assert signed_in(agent).get("/privacy/audit").status_code == 403


def test_the_audit_trail_shows_personal_details_until_they_are_erased() -> None:
    officer = factories.agent(role=Role.PRIVACY_OFFICER)
    kept, erased = (factories.customer(name) for name in ("Ann Smith", "Bob Jones"))
    for customer in (kept, erased):
        audit.record(
            actor=officer,
            action="processing_restricted",
            object_type="customer",
            object_id=customer.pk,
            personal={"reason": f"{customer.name} disputes the record"},
        )
    audit.blank_personal_details(about={"customer": [erased.pk]})
    page = visible_text(signed_in(officer).get("/privacy/audit", {"action": "processing_restricted"}))
    assert "reason: Ann Smith disputes the record" in page
    assert "Bob Jones disputes" not in page
    assert page.count("Personal details erased") == 1
    assert "_salt" not in page
    api = client_for(officer).get("/audit", action="processing_restricted").json()
    by_customer = {entry["object_id"]: entry for entry in api["items"]}
    assert by_customer[str(kept.pk)]["personal"] == {"reason": "Ann Smith disputes the record"}
    assert (by_customer[str(erased.pk)]["personal"], by_customer[str(erased.pk)]["personal_erased_at"] is None) == (
        {},
        False,
    )
