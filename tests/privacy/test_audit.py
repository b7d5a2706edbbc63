from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from patron.privacy import audit
from patron.privacy.models import AuditEntry
from tests import factories


def _log(count: int) -> list[AuditEntry]:
    actor = factories.agent()
    return [
        audit.record(
            actor=actor,
            action="customer_viewed",
            object_type="customer",
            object_id=n,
            data={"reason": f"call {n}", "fields": ["name", "email"]},
        )
        for n in range(count)
    ]


def _without_guard() -> None:
    """What someone with direct access to the database could do: remove the guard first."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_entries_are_final")
        else:
            cursor.execute("DROP TRIGGER audit_entries_are_final ON privacy_auditentry")


def test_entries_are_chained_and_the_chain_verifies(db: None) -> None:
    entries = _log(5)
    assert entries[0].previous_hash == audit.GENESIS
    assert [e.previous_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
    check = audit.verify_chain()
    assert (check.intact, check.entries, check.first_broken) == (True, 5, None)


def test_the_database_refuses_to_change_an_entry(db: None) -> None:
    entry = _log(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="nothing_to_see")
    assert AuditEntry.objects.get(pk=entry.pk).action == "customer_viewed"


def test_an_altered_entry_is_named(db: None) -> None:
    entries = _log(4)
    _without_guard()
    AuditEntry.objects.filter(pk=entries[2].pk).update(data={"reason": "edited later"})
    check = audit.verify_chain()
    assert (check.intact, check.first_broken, check.entries) == (False, entries[2].pk, 2)
    assert "altered" in check.reason


def test_a_removed_entry_is_found_at_the_next_one(db: None) -> None:
    entries = _log(4)
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    check = audit.verify_chain()
    assert (check.first_broken, check.entries) == (entries[2].pk, 1)
    assert "removed" in check.reason


def test_values_that_json_cannot_hold_are_stored_as_text(db: None) -> None:
    from datetime import date

    entry = audit.record(
        actor=None, action="export", object_type="customer", object_id=1, data={"on": date(2026, 11, 23)}
    )
    assert AuditEntry.objects.get(pk=entry.pk).data == {"on": "2026-11-23"}
    assert audit.verify_chain().intact
