"""The "Consumer rights" part of a complaint's panel on the case page: what was bought and
when, the remedies open today with the day each runs out and why, the path taken so far, and
the forms to record the purchase and the next step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from patron.complaints.models import Complaint
from patron.complaints.queries import purchase_of, remedy_path_of
from patron.complaints.remedies import REGION_NAMES, STATE_NAMES, LegalRegion, StepKind
from patron.web.forms.remedies import TYPE_CHOICES, PurchaseForm, RemedyStepForm

TYPE_NAMES = dict(TYPE_CHOICES)


def next_steps_of(complaint: Complaint) -> list[StepKind]:
    """The steps the path allows today; none until the purchase is recorded."""
    if purchase_of(complaint) is None:
        return []
    return remedy_path_of(complaint, as_of=timezone.localdate()).next_steps


def remedy_context(complaint: Complaint | None, given: Mapping[str, Any]) -> dict[str, Any]:
    """The panel's context for the case's complaint (none for a case that is not one); `given`
    holds a form the agent sent back with its errors."""
    if complaint is None:
        return {}
    purchase = purchase_of(complaint)
    path = remedy_path_of(complaint, as_of=timezone.localdate()) if purchase is not None else None
    steps = path.next_steps if path is not None else []
    return {
        "remedy_purchase": purchase,
        "remedy_purchase_type": TYPE_NAMES.get(purchase.type, purchase.type) if purchase is not None else "",
        "remedy_region": REGION_NAMES[LegalRegion(purchase.region)] if purchase is not None else "",
        "remedy_path": path,
        "remedy_state": STATE_NAMES[path.state] if path is not None else "",
        "purchase_form": given.get("purchase_form") or PurchaseForm.for_purchase(purchase),
        "remedy_step_form": given.get("remedy_step_form") or RemedyStepForm(steps=steps),
    }
