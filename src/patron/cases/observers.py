"""Who else must know when cases change. Apps above `cases` (service standards, for one) register
here once, at start-up; every case service calls them inside its own transaction, after the
case and its events are written, so what they derive commits or rolls back with the change."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from patron.cases.models import Case, Message

# Called with the cases that changed; `opened` when they were all just opened, so an observer
# may take them as they are in memory, with no history yet to read.
CaseObserver = Callable[[Sequence[Case], bool], None]
_observers: list[CaseObserver] = []


def observe_case_changes(observer: CaseObserver) -> None:
    if observer not in _observers:
        _observers.append(observer)


def notify_case_changes(cases: Sequence[Case], *, opened: bool = False) -> None:
    pending = _deferred.get()
    if pending is not None:
        pending.extend((case, opened) for case in cases)
        return
    for observer in _observers:
        observer(cases, opened)


# Called with new cases before they are written (no key yet), so an observer may fill in what is
# stored with them (the service levels' due time) instead of writing each case a second time.
OpeningObserver = Callable[[Sequence[Case]], None]
_opening_observers: list[OpeningObserver] = []


def observe_case_openings(observer: OpeningObserver) -> None:
    if observer not in _opening_observers:
        _opening_observers.append(observer)


def prepare_case_openings(cases: Sequence[Case]) -> None:
    for observer in _opening_observers:
        observer(cases)


_deferred: ContextVar[list[tuple[Case, bool]] | None] = ContextVar("deferred_case_changes", default=None)


@contextmanager
def deferred_case_changes() -> Iterator[None]:
    """Tell the observers about the cases changed in this block once, at its end, all together:
    for imports, where reading a hundred cases' service levels at once costs far less than a
    hundred times one. Use it inside the transaction that makes the changes."""
    token = _deferred.set([])
    try:
        yield
        pending = _deferred.get() or []
    finally:
        _deferred.reset(token)
    latest: dict[int, tuple[Case, bool]] = {}
    for case, opened in pending:
        # A case changed again after it was opened in the block is read from the database.
        latest[case.pk] = (case, opened and case.pk not in latest)
    opened_cases = [case for case, opened in latest.values() if opened]
    changed_cases = [case for case, opened in latest.values() if not opened]
    if opened_cases:
        notify_case_changes(opened_cases, opened=True)
    if changed_cases:
        notify_case_changes(changed_cases)


# Called with each reply to a customer as it is written, so a channel can deliver it. The
# delivery is queued in the same transaction: a reply that rolls back is never sent.
ReplyObserver = Callable[[Message], object]
_reply_observers: list[ReplyObserver] = []


def observe_replies(observer: ReplyObserver) -> None:
    if observer not in _reply_observers:
        _reply_observers.append(observer)


def notify_reply(message: Message) -> None:
    for observer in _reply_observers:
        observer(message)


# Called before an agent resolves or closes a case, with the status and the reason they gave
# (possibly empty); a check refuses by raising a domain error, and nothing changes. Complaints
# use it: resolving one with a handling step missing needs a reason.
ResolutionCheck = Callable[[Case, str, str, datetime], None]
_resolution_checks: list[ResolutionCheck] = []


def check_resolutions_with(check: ResolutionCheck) -> None:
    if check not in _resolution_checks:
        _resolution_checks.append(check)


def check_resolution(case: Case, status: str, reason: str, at: datetime) -> None:
    for check in _resolution_checks:
        check(case, status, reason, at)
