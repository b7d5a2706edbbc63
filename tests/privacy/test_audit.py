from __future__ import annotations

import importlib

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from patron.privacy import audit
from patron.privacy.models import AuditEntry, AuditHead
from tests import factories
from tests.audit_guard import lift_removal_guard


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


def _empty_the_trail() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL truncates only once the checks of this transaction's own writes are done.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE privacy_auditentry")
        else:
            cursor.execute("DELETE FROM privacy_auditentry")


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


def _with_reasons(*reasons: str, first_customer: int = 0) -> list[AuditEntry]:
    officer = factories.agent()
    return [
        audit.record(
            actor=officer,
            action="processing_restricted",
            object_type="customer",
            object_id=first_customer + n,
            data={"fields": ["name"]},
            personal={"reason": reason},
        )
        for n, reason in enumerate(reasons)
    ]


def test_personal_details_are_blanked_once_and_the_chain_still_verifies(db: None) -> None:
    entries = _with_reasons("Ada Lovelace disputes her address", "Call 07700 900123 back", "Nothing personal")
    assert entries[0].personal_details == {"reason": "Ada Lovelace disputes her address"}
    # The same words twice do not give the same digest: the digest confirms no guess.
    twin = _with_reasons("Nothing personal", first_customer=10)[0]
    assert twin.personal_digest != entries[2].personal_digest

    blanked = audit.blank_personal_details(about={"customer": [0]}, mentions=lambda text: "07700 900123" in text)
    assert blanked == 2
    stored = {entry.pk: entry for entry in AuditEntry.objects.all()}
    assert [stored[e.pk].personal for e in entries] == [{}, {}, entries[2].personal]
    assert stored[entries[0].pk].personal_erased_at is not None
    assert [stored[e.pk].entry_hash for e in entries] == [e.entry_hash for e in entries]
    assert [stored[e.pk].data for e in entries] == [{"fields": ["name"]}] * 3
    check = audit.verify_chain()
    assert (check.intact, check.entries) == (True, 4)
    # Blanked already: nothing more to do.
    assert audit.blank_personal_details(about={"customer": [0, 1]}) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"personal": {"reason": "something else"}},
        {"personal": {}},  # blanked without saying when
        {"personal_erased_at": timezone.now()},  # said to be blanked but still there
        {"personal": {}, "personal_erased_at": timezone.now(), "action": "nothing_to_see"},
        {"personal": {}, "personal_erased_at": timezone.now(), "personal_digest": ""},
    ],
    ids=["rewritten", "no_time", "not_blanked", "and_more", "digest_dropped"],
)
def test_the_database_allows_no_other_change_to_personal_details(db: None, change: dict[str, object]) -> None:
    entry = _with_reasons("Ada Lovelace disputes her address")[0]
    with pytest.raises(DatabaseError, match="only their personal details can be erased"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(**change)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.personal, stored.personal_erased_at, stored.action) == (entry.personal, None, entry.action)


def test_a_blanked_entry_cannot_be_blanked_again_or_refilled(db: None) -> None:
    entry = _with_reasons("Ada Lovelace disputes her address")[0]
    audit.blank_personal_details(about={"customer": [0]})
    for change in ({"personal_erased_at": timezone.now()}, {"personal": entry.personal}):
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).update(**change)
    assert AuditEntry.objects.get(pk=entry.pk).personal == {}


def test_altered_or_added_personal_details_are_named(db: None) -> None:
    altered, plain, added = _with_reasons("Ada Lovelace", "Grace Hopper", "Alan Turing")
    _without_guard()
    AuditEntry.objects.filter(pk=altered.pk).update(personal={**altered.personal, "reason": "Someone else"})
    check = audit.verify_chain()
    assert (check.first_broken, check.entries) == (altered.pk, 0)
    assert "personal details no longer match" in check.reason

    AuditEntry.objects.filter(pk=altered.pk).update(personal=altered.personal)
    AuditEntry.objects.filter(pk=plain.pk).update(personal={}, personal_erased_at=timezone.now())
    assert audit.verify_chain().intact
    entry_without_details = _log(1)[0]
    AuditEntry.objects.filter(pk=entry_without_details.pk).update(personal={"reason": "Slipped in later"})
    check = audit.verify_chain()
    assert (check.first_broken, "added" in check.reason) == (entry_without_details.pk, True)
    assert added.pk < entry_without_details.pk


def test_entries_without_personal_details_hash_as_they_always_did(db: None) -> None:
    first_definition = importlib.import_module("patron.privacy.migrations.0002_chained_audit_entries")
    entry = _log(1)[0]
    assert entry.personal_digest == ""
    assert audit.entry_hash(entry) == first_definition._hash(entry, entry.previous_hash) == entry.entry_hash


def test_the_database_refuses_to_remove_an_entry_or_the_head(db: None) -> None:
    entries = _log(2)
    with pytest.raises(DatabaseError, match="cannot be removed"), transaction.atomic():
        AuditEntry.objects.filter(pk=entries[1].pk).delete()
    with pytest.raises(DatabaseError, match="cannot be removed"), transaction.atomic():
        _empty_the_trail()
    with pytest.raises(DatabaseError, match="cannot be removed"), transaction.atomic():
        AuditHead.objects.all().delete()
    assert AuditEntry.objects.count() == 2
    assert audit.verify_chain().intact


def test_the_head_follows_every_entry(db: None) -> None:
    entries = _log(3)
    head = AuditHead.objects.get()
    assert (head.entries, head.last_entry_id, head.last_hash) == (3, entries[-1].pk, entries[-1].entry_hash)


def test_a_removed_entry_is_found_at_the_next_one(db: None) -> None:
    entries = _log(4)
    lift_removal_guard()
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    check = audit.verify_chain()
    assert (check.first_broken, check.entries) == (entries[2].pk, 1)
    assert "removed" in check.reason


def test_entries_removed_from_the_end_are_found_against_the_head(db: None) -> None:
    entries = _log(4)
    lift_removal_guard()
    AuditEntry.objects.filter(pk__in=[entries[2].pk, entries[3].pk]).delete()
    check = audit.verify_chain()
    assert (check.intact, check.entries, check.first_broken) == (False, 2, entries[3].pk)
    assert check.reason == (
        f"the trail ends at entry {entries[1].pk}, but 4 entries were written, the last being entry "
        f"{entries[3].pk}: the last 2 were removed"
    )


def test_an_emptied_trail_is_found_against_the_head(db: None) -> None:
    entries = _log(2)
    lift_removal_guard()
    AuditEntry.objects.all().delete()
    check = audit.verify_chain()
    assert (check.intact, check.entries, check.first_broken) == (False, 0, entries[1].pk)
    assert "the trail ends at entry none, but 2 entries were written" in check.reason


def test_an_entry_added_behind_the_heads_back_is_named(db: None) -> None:
    entries = _log(2)
    forged = AuditEntry(
        created_at=entries[1].created_at,
        action="customer_viewed",
        object_type="customer",
        object_id="99",
        data={},
        previous_hash=entries[1].entry_hash,
    )
    forged.entry_hash = audit.entry_hash(forged)
    forged.save()
    check = audit.verify_chain()
    assert (check.intact, check.entries, check.first_broken) == (False, 2, forged.pk)
    assert "added without it" in check.reason


def test_a_removed_head_is_named(db: None) -> None:
    entries = _log(2)
    lift_removal_guard()
    AuditHead.objects.all().delete()
    check = audit.verify_chain()
    assert (check.intact, check.first_broken) == (False, entries[1].pk)
    assert check.reason == "the record of where the trail ends was removed"


def test_values_that_json_cannot_hold_are_stored_as_text(db: None) -> None:
    from datetime import date

    entry = audit.record(
        actor=None, action="export", object_type="customer", object_id=1, data={"on": date(2026, 11, 23)}
    )
    assert AuditEntry.objects.get(pk=entry.pk).data == {"on": "2026-11-23"}
    assert audit.verify_chain().intact


def test_privacy_officer_searches_the_trail_and_others_may_not(db: None) -> None:
    from patron.accounts.models import Role
    from tests.api.conftest import client_for

    _log(3)
    officer = client_for(factories.agent(role=Role.PRIVACY_OFFICER))
    page = officer.get("/audit", object_type="customer", limit=2).json()
    assert [item["object_id"] for item in page["items"]] == ["2", "1"]
    rest = officer.get("/audit", object_type="customer", limit=2, before_id=page["next_before_id"]).json()
    assert ([item["object_id"] for item in rest["items"]], rest["next_before_id"]) == (["0"], None)
    assert officer.get("/audit/verify").json() == {"intact": True, "entries": 4, "first_broken": None, "reason": ""}
    agent = client_for(factories.agent(role=Role.SERVICE_MANAGER))
    refused = agent.get("/audit")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only a privacy officer or an administrator can read the audit trail."


def test_audit_verify_command_reports_intact_and_broken_chains(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    from patron.cli import main

    entries = _log(3)
    assert main(["audit", "verify"]) == 0
    assert "intact: 3 entries" in capsys.readouterr().out
    lift_removal_guard()
    AuditEntry.objects.filter(pk=entries[2].pk).delete()
    assert main(["audit", "verify"]) == 1
    assert f"broken at entry {entries[2].pk}: the trail ends at entry {entries[1].pk}" in capsys.readouterr().err
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    assert main(["audit", "verify"]) == 1
    assert f"broken at entry {entries[2].pk}: the trail ends at entry {entries[0].pk}" in capsys.readouterr().err
