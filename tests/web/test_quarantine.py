"""Administrators see quarantined email in the agent UI, download it, try it again or set it
aside with a reason; nobody else sees it."""

from __future__ import annotations

import pytest
from django.test import override_settings

from patron.accounts.models import Role
from patron.channels.models import InboundEmail, InboundStatus
from patron.channels.services import ingest_email
from patron.privacy.models import AuditEntry
from tests import factories
from tests.channels.conftest import make_email
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarantined() -> InboundEmail:
    with override_settings(PATRON_MAX_EMAIL_BYTES=300):
        ingest_email(make_email(body="A long message. " * 50), source="smtp")
    return InboundEmail.objects.get(status=InboundStatus.QUARANTINED)


def test_admin_sees_the_reason_downloads_and_tries_again(quarantined: InboundEmail) -> None:
    admin = signed_in(factories.agent(role=Role.ADMIN))
    page = admin.get("/quarantine").content.decode()
    assert "The email is too large:" in page
    assert 'href="/quarantine"' in admin.get("/").content.decode()
    original = admin.get(f"/quarantine/{quarantined.pk}/original")
    assert (original["Content-Type"], original.content) == ("message/rfc822", bytes(quarantined.raw))

    response = admin.post(f"/quarantine/{quarantined.pk}/reprocess", follow=True)
    assert f"Email {quarantined.pk} was taken in. Opened C-" in response.content.decode()
    quarantined.refresh_from_db()
    assert quarantined.status == InboundStatus.PROCESSED
    assert "No email is in quarantine." in admin.get("/quarantine").content.decode()


def test_still_too_large_stays_in_quarantine_and_says_so(quarantined: InboundEmail) -> None:
    admin = signed_in(factories.agent(role=Role.ADMIN))
    with override_settings(PATRON_MAX_EMAIL_BYTES=300):
        response = admin.post(f"/quarantine/{quarantined.pk}/reprocess", follow=True)
    assert f"Email {quarantined.pk} is still in quarantine: The email is too large" in response.content.decode()


def test_setting_aside_needs_a_reason_and_keeps_the_original(quarantined: InboundEmail) -> None:
    admin = signed_in(factories.agent(role=Role.ADMIN))
    refused = admin.post(f"/quarantine/{quarantined.pk}/discard", {f"discard-{quarantined.pk}-reason": "  "})
    assert refused.status_code == 400
    assert "Say why the email is set aside." in refused.content.decode()
    quarantined.refresh_from_db()
    assert quarantined.status == InboundStatus.QUARANTINED

    done = admin.post(
        f"/quarantine/{quarantined.pk}/discard", {f"discard-{quarantined.pk}-reason": "Spam"}, follow=True
    )
    assert f"Email {quarantined.pk} was set aside. Its original is kept." in done.content.decode()
    quarantined.refresh_from_db()
    assert (quarantined.status, bytes(quarantined.raw)[:5]) == (InboundStatus.DISCARDED, b"From:")
    assert AuditEntry.objects.get(action="quarantined_email_discarded").personal_details == {"reason": "Spam"}


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.PRIVACY_OFFICER])
def test_only_administrators_see_quarantine(quarantined: InboundEmail, role: Role) -> None:
    browser = signed_in(factories.agent(role=role))
    assert browser.get("/quarantine").status_code == 403
    assert browser.get(f"/quarantine/{quarantined.pk}/original").status_code == 403
    assert browser.post(f"/quarantine/{quarantined.pk}/reprocess").status_code == 403
    assert (
        browser.post(f"/quarantine/{quarantined.pk}/discard", {f"discard-{quarantined.pk}-reason": "x"}).status_code
        == 403
    )
    assert 'href="/quarantine"' not in browser.get("/").content.decode()
    quarantined.refresh_from_db()
    assert quarantined.status == InboundStatus.QUARANTINED


def test_others_are_refused_before_any_email_is_looked_up(db: None) -> None:
    """Whether a quarantined email exists is itself for administrators to know."""
    browser = signed_in(factories.agent(role=Role.SERVICE_MANAGER))
    assert browser.post("/quarantine/999/reprocess").status_code == 403
    assert browser.post("/quarantine/999/discard", {"discard-999-reason": "x"}).status_code == 403
