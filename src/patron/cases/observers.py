"""Who else must know when cases change. Apps above `cases` (service standards, for one) register
here once, at start-up; every case service calls them inside its own transaction, after the
case and its events are written, so what they derive commits or rolls back with the change."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from patron.cases.models import Case, Message

# Called with the cases that changed; `opened` when they were all just opened, so an observer
# may take them as they are in memory, with no history yet to read.
CaseObserver = Callable[[Sequence[Case], bool], None]
_observers: list[CaseObserver] = []


def observe_case_changes(observer: CaseObserver) -> None:
    if observer not in _observers:
        _observers.append(observer)


def notify_case_changes(cases: Sequence[Case], *, opened: bool = False) -> None:
    for observer in _observers:
        observer(cases, opened)


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
