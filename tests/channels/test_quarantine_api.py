from __future__ import annotations

from django.test import override_settings

from patron.accounts.models import Role
from patron.channels.models import InboundEmail, InboundStatus
from patron.channels.services import ingest_email
from patron.privacy.models import AuditEntry
from tests import factories
from tests.api.conftest import client_for
from tests.channels.conftest import make_email


def test_admin_lists_downloads_and_reprocesses_quarantined_email(db: None) -> None:
    raw = make_email(body="A long message. " * 200)
    with override_settings(PATRON_MAX_EMAIL_BYTES=500):
        result = ingest_email(raw, source="stdin")
    assert result.outcome == "quarantined"
    admin = client_for(factories.agent(role=Role.ADMIN))
    listed = admin.get("/quarantine").json()
    # Too large to read, so not read: no sender yet, only the reason.
    assert [(item["sender"], item["reason"][:24]) for item in listed] == [("", "The email is too large: ")]
    email_id = listed[0]["id"]
    original = admin.get(f"/quarantine/{email_id}/original")
    assert (original.status_code, original["Content-Type"], original.content) == (200, "message/rfc822", raw)
    again = admin.post(f"/quarantine/{email_id}/reprocess", {})
    assert again.status_code == 200, again.content
    assert again.json()["outcome"] == "stored"
    assert again.json()["case"].startswith("C-")
    assert InboundEmail.objects.get().status == InboundStatus.PROCESSED
    assert AuditEntry.objects.filter(action="quarantined_email_reprocessed").count() == 1
    assert admin.post(f"/quarantine/{email_id}/reprocess", {}).status_code == 404


def test_quarantine_is_for_administrators_only(db: None) -> None:
    ingest_email(b"not an email at all", source="stdin")
    email_id = InboundEmail.objects.get().pk
    for role in (Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.PRIVACY_OFFICER):
        client = client_for(factories.agent(role=role))
        assert client.get("/quarantine").status_code == 403
        assert client.get(f"/quarantine/{email_id}/original").status_code == 403
        assert client.post(f"/quarantine/{email_id}/reprocess", {}).status_code == 403
        assert client.post(f"/quarantine/{email_id}/discard", {"reason": "spam"}).status_code == 403
    assert InboundEmail.objects.get().status == InboundStatus.QUARANTINED


def test_others_are_refused_before_any_email_is_looked_up(db: None) -> None:
    """Whether a quarantined email exists is itself for administrators to know."""
    client = client_for(factories.agent(role=Role.SERVICE_MANAGER))
    for path, body in (("/quarantine/999/reprocess", {}), ("/quarantine/999/discard", {"reason": "spam"})):
        response = client.post(path, body)
        assert response.status_code == 403
        assert response.json()["detail"] == "Only an administrator can see quarantined email."


def test_admin_discards_quarantined_email_with_a_reason(db: None) -> None:
    ingest_email(b"not an email at all", source="stdin")
    email = InboundEmail.objects.get()
    admin = client_for(factories.agent(role=Role.ADMIN))
    refused = admin.post(f"/quarantine/{email.pk}/discard", {"reason": "   "})
    assert refused.status_code == 422
    assert refused.json()["detail"] == "Say why the email is discarded."
    assert InboundEmail.objects.get().status == InboundStatus.QUARANTINED
    assert admin.post(f"/quarantine/{email.pk}/discard", {"reason": "Spam from a loop"}).status_code == 204
    kept = InboundEmail.objects.get()
    assert (kept.status, bytes(kept.raw)) == (InboundStatus.DISCARDED, b"not an email at all")
    assert admin.get("/quarantine").json() == []
    entry = AuditEntry.objects.get(action="quarantined_email_discarded")
    assert (entry.data, entry.personal_details) == ({}, {"reason": "Spam from a loop"})
    assert admin.post(f"/quarantine/{email.pk}/discard", {"reason": "again"}).status_code == 404
