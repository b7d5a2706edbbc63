"""Which case an incoming email belongs to: the conversation it replies to, else the case
reference in its subject, else none (a new case)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from patron.cases.models import REFERENCE_PREFIX
from patron.channels.queries import case_ids_for_message_ids

_SUBJECT_REFERENCE = re.compile(rf"\[?\b{re.escape(REFERENCE_PREFIX)}(\d{{6,12}})\b\]?", re.IGNORECASE)
# Forwarding starts a new conversation even when the client keeps the original's headers.
_FORWARD = re.compile(r"^\s*(fwd?|fw|wg|tr|rv|vs|doorst)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class Thread:
    """The case an email continues, and how that was found ("reply" or "subject")."""

    case_id: int
    found_by: str


def find_thread(*, in_reply_to: tuple[str, ...], references: tuple[str, ...], subject: str) -> Thread | None:
    """In-Reply-To and References (newest first) matched against emails Patron took into a
    case; then a reference such as [C-000123] in the subject. A forwarded email (Fwd:) is
    threaded only by a reference in its subject."""
    if not is_forward(subject):
        candidates = list(dict.fromkeys([*in_reply_to, *reversed(references)]))
        known = case_ids_for_message_ids(message_ids=candidates)
        for message_id in candidates:
            if message_id in known:
                return Thread(case_id=known[message_id], found_by="reply")
    case_id = case_id_in_subject(subject)
    return None if case_id is None else Thread(case_id=case_id, found_by="subject")


def case_id_in_subject(subject: str) -> int | None:
    """The case id of the first reference in the subject (C-000123, [C-000123]), if any."""
    found = _SUBJECT_REFERENCE.search(subject or "")
    return int(found.group(1)) if found else None


def is_forward(subject: str) -> bool:
    return bool(_FORWARD.match(subject or ""))
