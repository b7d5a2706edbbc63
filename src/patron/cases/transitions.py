"""Which status a case may move to from which: the service cycle as a state machine."""

from __future__ import annotations

from patron.cases.models import Status

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.AWAITING_CUSTOMER, Status.AWAITING_THIRD_PARTY, Status.RESOLVED}),
    Status.OPEN: frozenset({Status.AWAITING_CUSTOMER, Status.AWAITING_THIRD_PARTY, Status.RESOLVED}),
    Status.AWAITING_CUSTOMER: frozenset({Status.OPEN, Status.AWAITING_THIRD_PARTY, Status.RESOLVED}),
    Status.AWAITING_THIRD_PARTY: frozenset({Status.OPEN, Status.AWAITING_CUSTOMER, Status.RESOLVED}),
    # Reopening sends a case back to open; a resolved case is closed once the follow-up is done.
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
}


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED_TRANSITIONS.get(from_status, frozenset())


def is_reopening(from_status: str, to_status: str) -> bool:
    return from_status in (Status.RESOLVED, Status.CLOSED) and to_status == Status.OPEN


def allowed_next(from_status: str) -> list[str]:
    return [status for status in Status.values if can_move(from_status, status)]
