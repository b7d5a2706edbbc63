"""Edits made in the administration site go on the audit trail like every other change.

The admin writes its own log entry for each addition, change and deletion, inside the same
transaction as the edit; that entry is the one point every admin edit passes through, whatever
the model (policies, calendars, rules, mailboxes, regimes, agents), so it is copied to the
chained audit trail from there rather than from each model admin."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType

from patron.privacy import audit

_ACTIONS = {ADDITION: "admin_added", CHANGE: "admin_changed", DELETION: "admin_deleted"}


def copy_to_audit_trail(sender: type[LogEntry], instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    content_type = ContentType.objects.get_for_id(instance.content_type_id) if instance.content_type_id else None
    audit.record(
        actor=cast(AbstractBaseUser, instance.user),
        action=_ACTIONS.get(instance.action_flag, "admin_edited"),
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "unknown",
        object_id=instance.object_id or "",
        # The object's name and the change message may name someone (an agent, a colleague).
        personal={"object": instance.object_repr[:200], "change": instance.get_change_message()[:500]},
    )
