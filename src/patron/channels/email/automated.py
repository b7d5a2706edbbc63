"""Mail no person wrote: out-of-office replies, delivery reports (bounces), bulk and list mail.
Recognised by the headers RFC 3834 and common practice give them, so they never open a case."""

from __future__ import annotations

from collections.abc import Callable

from patron.channels.models import AutomatedKind

_DAEMONS = {"mailer-daemon", "postmaster"}


def automated_kind(header: Callable[[str], str], *, content_type: str, sender: str) -> str:
    """The kind of automated mail this is (an AutomatedKind value), or "" when a person wrote it.
    `header` returns a header's value, "" when absent."""
    if content_type == "multipart/report" or sender.split("@")[0].lower() in _DAEMONS:
        return AutomatedKind.BOUNCE
    auto_submitted = header("Auto-Submitted").strip().lower()
    # RFC 3834 §5: any value but "no" marks automatic mail.
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return AutomatedKind.AUTO_REPLY
    if header("X-Autoreply") or header("X-Autorespond"):
        return AutomatedKind.AUTO_REPLY
    precedence = header("Precedence").strip().lower()
    if precedence == "list" or header("List-Id"):
        return AutomatedKind.MAILING_LIST
    if precedence in ("bulk", "junk"):
        return AutomatedKind.BULK
    return ""
