"""Every write to service level policies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from patron.accounts.models import Agent
from patron.cases.models import CaseKind, Channel, Priority
from patron.customers.models import CustomerKind
from patron.errors import Conflict, ValidationFailed
from patron.privacy import audit
from patron.sentinels import UNSET, Unset
from patron.standards.models import BusinessCalendar, SlaPolicy
from patron.standards.services.calendars import require_manager
from patron.text import clean_text


@dataclass(frozen=True)
class PolicyDetails:
    """A policy's settings; None leaves a field as it is on update."""

    name: str | None = None
    is_active: bool | None = None
    kinds: Sequence[str] | None = None
    priorities: Sequence[int] | None = None
    channels: Sequence[str] | None = None
    customer_kinds: Sequence[str] | None = None
    organisation_ids: Sequence[int] | None = None
    categories: Sequence[str] | None = None
    first_response_minutes: int | None | Unset = UNSET
    next_response_minutes: int | None | Unset = UNSET
    resolution_minutes: int | None | Unset = UNSET
    business_hours: bool | None = None
    fallback_calendar: BusinessCalendar | None | Unset = UNSET


def create_policy(*, details: PolicyDetails, by: Agent) -> SlaPolicy:
    require_manager(by)
    policy = SlaPolicy(position=(SlaPolicy.objects.aggregate(top=Max("position"))["top"] or 0) + 1)
    with transaction.atomic():
        _apply_policy(policy, details, creating=True)
        policy.save()
        audit.record(actor=by, action="sla_policy_created", object_type="sla_policy", object_id=policy.pk)
    return policy


def update_policy(
    *, policy: SlaPolicy, details: PolicyDetails, by: Agent, expected_version: int | None = None
) -> SlaPolicy:
    """Change a policy. Cases already running keep their clocks until they next change; the
    new targets apply from then on."""
    require_manager(by)
    with transaction.atomic():
        current = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict("Someone else changed this policy since you read it. Reload it and try again.")
        _apply_policy(current, details, creating=False)
        current.version += 1
        current.save()
        audit.record(actor=by, action="sla_policy_changed", object_type="sla_policy", object_id=current.pk)
    return current


def order_policies(*, policy_ids: Sequence[int], by: Agent) -> list[SlaPolicy]:
    """Put the policies in the order they are tried: every policy, each once."""
    require_manager(by)
    with transaction.atomic():
        policies = {policy.pk: policy for policy in SlaPolicy.objects.select_for_update()}
        if sorted(policy_ids) != sorted(policies):
            raise ValidationFailed(
                "Give every policy's id exactly once, in the order they should be tried.",
                fields={"ids": "Every policy, each once."},
            )
        for position, policy_id in enumerate(policy_ids, start=1):
            policies[policy_id].position = position
        SlaPolicy.objects.bulk_update(policies.values(), ["position"])
        audit.record(
            actor=by,
            action="sla_policies_ordered",
            object_type="sla_policy",
            object_id="all",
            data={"order": list(policy_ids)},
        )
    return sorted(policies.values(), key=lambda policy: policy.position)


def _apply_policy(policy: SlaPolicy, details: PolicyDetails, *, creating: bool) -> None:
    if details.name is not None or creating:
        name = " ".join(clean_text(details.name or "").split())
        if not name:
            raise ValidationFailed("A policy needs a name.", fields={"name": "Enter a name."})
        if SlaPolicy.objects.filter(name=name).exclude(pk=policy.pk).exists():
            raise ValidationFailed(f"A policy called “{name}” already exists.", fields={"name": "Choose another."})
        policy.name = name[:100]
    for field_name, allowed in (
        ("kinds", CaseKind.values),
        ("priorities", Priority.values),
        ("channels", Channel.values),
        ("customer_kinds", CustomerKind.values),
    ):
        values = getattr(details, field_name)
        if values is not None:
            unknown = [str(value) for value in values if value not in allowed]
            if unknown:
                raise ValidationFailed(
                    f"Unknown {field_name.replace('_', ' ')}: {', '.join(unknown)}.",
                    fields={field_name: f"Choose from: {', '.join(map(str, allowed))}."},
                )
            setattr(policy, field_name, sorted(set(values)))
    if details.organisation_ids is not None:
        policy.organisation_ids = sorted(set(details.organisation_ids))
    if details.categories is not None:
        policy.categories = sorted({clean_text(c).strip() for c in details.categories} - {""})
    for field_name in ("first_response_minutes", "next_response_minutes", "resolution_minutes"):
        value = getattr(details, field_name)
        if value is not UNSET:
            if value is not None and not 1 <= value <= 60 * 24 * 366:
                raise ValidationFailed(
                    "A target is between one minute and a year.", fields={field_name: "Out of range."}
                )
            setattr(policy, field_name, value)
    if not any((policy.first_response_minutes, policy.next_response_minutes, policy.resolution_minutes)):
        raise ValidationFailed(
            "A policy needs at least one target.", fields={"first_response_minutes": "Set a target."}
        )
    if details.is_active is not None:
        policy.is_active = details.is_active
    if details.business_hours is not None:
        policy.business_hours = details.business_hours
    if not isinstance(details.fallback_calendar, Unset):
        policy.fallback_calendar = details.fallback_calendar
