"""Edits in the administration site are on the audit trail, chained like every other entry."""

from __future__ import annotations

import pytest
from django.test import Client

from patron.accounts.models import Role
from patron.customers.models import Organisation
from patron.privacy.audit import verify_chain
from patron.privacy.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def test_adding_changing_and_deleting_in_the_admin_is_audited() -> None:
    admin = factories.agent(role=Role.ADMIN, username="root")
    client = Client()
    client.force_login(admin)

    added = client.post(
        "/admin/customers/organisation/add/", {"name": "Acme Ltd", "kind": "company", "email_domains": "acme.example"}
    )
    assert added.status_code == 302
    acme = Organisation.objects.get(name="Acme Ltd")
    client.post(
        f"/admin/customers/organisation/{acme.pk}/change/",
        {"name": "Acme Limited", "kind": "company", "email_domains": "acme.example"},
    )
    client.post(f"/admin/customers/organisation/{acme.pk}/delete/", {"post": "yes"})
    assert not Organisation.objects.filter(pk=acme.pk).exists()

    entries = AuditEntry.objects.filter(object_type="customers.organisation", object_id=str(acme.pk))
    assert [(entry.action, entry.actor_id) for entry in entries] == [
        ("admin_added", admin.pk),
        ("admin_changed", admin.pk),
        ("admin_deleted", admin.pk),
    ]
    assert "Name" in entries[1].personal_details["change"]
    assert entries[2].personal_details["object"] == "Acme Limited"
    assert verify_chain().intact
