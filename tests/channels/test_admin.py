"""Operators see quarantined email in the admin, with the reason, and cannot change it there."""

from __future__ import annotations

from django.test import Client

from patron.accounts.models import Role
from patron.channels.models import InboundEmail
from patron.channels.services import ingest_email
from tests import factories


def _admin_client() -> Client:
    client = Client()
    client.force_login(factories.agent(role=Role.ADMIN, username="root"))
    return client


def test_admin_lists_quarantined_email_with_its_reason(db: None) -> None:
    ingest_email(b"To: help@desk.example\r\nSubject: Who sent this\r\n\r\nHello.\r\n", source="stdin")
    response = _admin_client().get("/admin/channels/inboundemail/?status__exact=quarantined")
    assert response.status_code == 200
    assert "The email has no sender address, so there is nobody to answer." in response.content.decode()


def test_admin_shows_the_original_and_offers_no_changes(db: None) -> None:
    ingest_email(b"To: help@desk.example\r\nSubject: Who sent this\r\n\r\nHello.\r\n", source="stdin")
    inbound = InboundEmail.objects.get()
    client = _admin_client()
    response = client.get(f"/admin/channels/inboundemail/{inbound.pk}/change/")
    assert response.status_code == 200
    assert "Subject: Who sent this" in response.content.decode()
    assert client.post(f"/admin/channels/inboundemail/{inbound.pk}/delete/", {"post": "yes"}).status_code == 403
    assert InboundEmail.objects.filter(pk=inbound.pk).exists()
