"""The audit writer. At the bottom of the dependency graph: every app may call it.

Entries form a hash chain (UK GDPR Art. 5(1)(f) and 32: integrity; DOMAIN.md §1.4): each entry's
hash covers its own content and the previous entry's hash, so `verify_chain` finds the first
entry that was altered, removed or inserted out of turn. The database refuses to change or remove
an entry; and since removing the last entries would leave a chain that still links up, its end is
anchored apart (`AuditHead`: how many entries were written and the last one's hash), moved on in
the transaction that adds each entry. Writers take the chain in turn: SQLite serialises write
transactions, PostgreSQL takes a transaction-scoped advisory lock.

Free text that may identify someone goes in an entry's `personal` details, whose salted digest
the hash covers: erasing a person (art. 17) blanks those details in place, which the database
allows as the one change to an entry, and the chain still verifies."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from patron.db import PreparedInsert, PreparedQuery, PreparedUpdate, hold_advisory_lock
from patron.privacy.models import PERSONAL_SALT, AuditEntry, AuditHead

GENESIS = "0" * 64
# Every change to personal data reads it.
_INSERT_ENTRY = PreparedInsert(AuditEntry)
_LAST_ENTRY = PreparedQuery(lambda: AuditEntry.objects.order_by("-id").only("id", "entry_hash")[:1])
HEAD = 1
# Any fixed number: the advisory lock that orders writers of the chain on PostgreSQL.
_CHAIN_LOCK = 7_270_101


def record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    object_type: str,
    object_id: object,
    data: Mapping[str, Any] | None = None,
    personal: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit row, chained to the last. Call it inside the same transaction as the
    change it records. `data` holds what is not about anyone in particular (numbers, choices,
    references); `personal` free text such as a reason given, which erasing its subject blanks."""
    details = _as_json({PERSONAL_SALT: secrets.token_hex(16), **personal}) if personal else {}
    entry = AuditEntry(
        created_at=timezone.now(),
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=_as_json(data or {}),
        personal=details,
        personal_digest=personal_digest(details) if details else "",
    )
    with transaction.atomic(savepoint=False):
        hold_advisory_lock(_CHAIN_LOCK)
        last = _LAST_ENTRY()
        entry.previous_hash = last[0].entry_hash if last else GENESIS
        entry.entry_hash = entry_hash(entry)
        _INSERT_ENTRY([entry])
        _move_head_to(entry)
    return entry


def _as_json(values: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(dict(values), default=str))
    return result


def _canonical(content: Mapping[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def personal_digest(details: Mapping[str, Any]) -> str:
    return hashlib.sha256(_canonical(details)).hexdigest()


_MOVE_HEAD = PreparedUpdate(
    lambda entry_id, entry_hash: (
        AuditHead.objects.filter(pk=HEAD),
        {"entries": F("entries") + 1, "last_entry_id": entry_id, "last_hash": entry_hash},
    )
)


def _move_head_to(entry: AuditEntry) -> None:
    moved = _MOVE_HEAD(entry_id=entry.pk, entry_hash=entry.entry_hash)
    if not moved:
        # Only an empty trail has no head yet (a database emptied as a whole); had one been removed
        # from a trail with entries, the count starting again here tells `verify_chain` so.
        AuditHead.objects.create(pk=HEAD, entries=1, last_entry_id=entry.pk, last_hash=entry.entry_hash)


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over the entry's content and its predecessor's hash, in a canonical form that
    reads back the same from either database."""
    content = {
        "created_at": entry.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "data": entry.data,
        "previous": entry.previous_hash,
    }
    # Entries without personal details hash as they did before such details existed.
    if entry.personal_digest:
        content["personal"] = entry.personal_digest
    return hashlib.sha256(_canonical(content)).hexdigest()


def _personal_details_broken(entry: AuditEntry) -> str:
    """Why an entry's personal details do not stand as written, or "" when they do: blanked by
    erasure, or matching the digest the hash covers."""
    if entry.personal_erased_at is not None or not entry.personal_digest:
        return "" if entry.personal == {} else "it holds personal details it was not written with (they were added)"
    if personal_digest(entry.personal) != entry.personal_digest:
        return "its personal details no longer match their digest (they were altered)"
    return ""


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    first_broken: int | None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.first_broken is None


def verify_chain() -> ChainCheck:
    """Walk the whole log in order; the first entry whose hash or link does not match names
    where the log was tampered with. A chain intact link by link must also end where its head
    says: entries removed from the end, or added without it, are named too."""
    head = AuditHead.objects.filter(pk=HEAD).first()
    previous = GENESIS
    checked = 0
    last_id: int | None = None
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.previous_hash != previous:
            return ChainCheck(checked, entry.pk, "it does not follow the entry before it (one was removed or inserted)")
        if entry_hash(entry) != entry.entry_hash:
            return ChainCheck(checked, entry.pk, "its content no longer matches its hash (it was altered)")
        if broken := _personal_details_broken(entry):
            return ChainCheck(checked, entry.pk, broken)
        if head is not None and checked == head.entries:
            return ChainCheck(
                checked,
                entry.pk,
                f"the trail's head records {head.entries:,} entries, ending at entry {head.last_entry_id}; "
                "this one and any after it were added without it",
            )
        previous = entry.entry_hash
        last_id = entry.pk
        checked += 1
    return _against_head(head, checked, last_id, previous)


def _against_head(head: AuditHead | None, checked: int, last_id: int | None, last_hash: str) -> ChainCheck:
    if head is None:
        if checked == 0:
            return ChainCheck(0, None)
        return ChainCheck(checked, last_id, "the record of where the trail ends was removed")
    if checked < head.entries:
        return ChainCheck(
            checked,
            head.last_entry_id,
            f"the trail ends at entry {last_id or 'none'}, but {head.entries:,} entries were written, the last "
            f"being entry {head.last_entry_id}: the last {head.entries - checked:,} were removed",
        )
    if checked and (last_id != head.last_entry_id or last_hash != head.last_hash):
        return ChainCheck(
            checked,
            last_id,
            f"the trail's head records entry {head.last_entry_id} as the last, with another hash: the end was replaced",
        )
    return ChainCheck(checked, None)


def blank_personal_details(
    *, about: Mapping[str, Iterable[object]] | None = None, mentions: Callable[[str], bool] | None = None
) -> int:
    """Blank the personal details of the entries about these objects (object type → ids) and
    of any entry whose details `mentions` finds someone in: erasure reaches the trail too, and
    the chain still verifies. Inside the caller's transaction; returns how many were blanked."""
    pending = AuditEntry.objects.filter(personal_erased_at__isnull=True).exclude(personal_digest="")
    subjects = Q(pk__in=[])
    for object_type, object_ids in (about or {}).items():
        subjects |= Q(object_type=object_type, object_id__in=[str(pk) for pk in object_ids])
    ids: set[int] = set(pending.filter(subjects).values_list("pk", flat=True))
    if mentions is not None:
        # Free text is matched the way the caller recognises someone (a number however spaced),
        # which no index can do: the entries that have details are read through once.
        for pk, details in pending.values_list("pk", "personal").iterator(chunk_size=2000):
            if pk not in ids and any(mentions(str(value)) for key, value in details.items() if key != PERSONAL_SALT):
                ids.add(pk)
    ordered = sorted(ids)
    now = timezone.now()
    for start in range(0, len(ordered), 500):
        AuditEntry.objects.filter(pk__in=ordered[start : start + 500]).update(personal={}, personal_erased_at=now)
    return len(ordered)
