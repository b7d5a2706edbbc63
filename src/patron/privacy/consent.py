"""Consent and lawful basis, per customer and purpose: recorded with what the customer was told,
withdrawn when they say so, and asked before anything beyond serving their own cases is done
with their data (`has_basis`: no survey is sent without one)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from patron.accounts.models import Agent
from patron.customers.models import Customer
from patron.errors import Conflict, ValidationFailed
from patron.privacy import audit
from patron.privacy.models import ConsentRecord, LawfulBasis, Purpose


def _checked_choice(value: str, choices: type[Purpose] | type[LawfulBasis], field: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(
            f"“{value[:40]}” is not a {field}. Choose one of: {', '.join(choices.values)}.", fields={field: "Unknown."}
        )
    return value


def record_consent(*, customer: Customer, purpose: str, basis: str, detail: str, by: Agent) -> ConsentRecord:
    """A basis for one purpose. Consent needs `detail`: what exactly the customer was told and
    agreed to, and how (the ICO's record of consent)."""
    _checked_choice(purpose, Purpose, "purpose")
    _checked_choice(basis, LawfulBasis, "basis")
    detail = " ".join(detail.split())[:500]
    if basis == LawfulBasis.CONSENT and not detail:
        raise ValidationFailed(
            "Record what the customer was told and how they agreed.", fields={"detail": "Enter what they agreed to."}
        )
    if customer.erased_at is not None:
        raise Conflict("This customer's data was erased.")
    now = timezone.now()
    with transaction.atomic():
        # A new basis for a purpose replaces the one before, which stays as history.
        ConsentRecord.objects.filter(customer=customer, purpose=purpose, withdrawn_at__isnull=True).update(
            withdrawn_at=now
        )
        record = ConsentRecord.objects.create(
            customer=customer, purpose=purpose, basis=basis, detail=detail, given_at=now, recorded_by=by
        )
        audit.record(
            actor=by,
            action="consent_recorded",
            object_type="customer",
            object_id=customer.pk,
            data={"purpose": purpose, "basis": basis},
        )
    return record


def withdraw_consent(*, record: ConsentRecord, by: Agent) -> ConsentRecord:
    if record.withdrawn_at is not None:
        raise Conflict("This was already withdrawn.")
    with transaction.atomic():
        record.withdrawn_at = timezone.now()
        record.save(update_fields=["withdrawn_at"])
        audit.record(
            actor=by,
            action="consent_withdrawn",
            object_type="customer",
            object_id=record.customer_id,
            data={"purpose": record.purpose},
        )
    return record


def consents_of(customer: Customer) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(customer=customer).order_by("purpose", "-given_at", "-id")


def has_basis(customer: Customer, purpose: str) -> bool:
    """Whether the customer's data may be used for this purpose today: a basis recorded and not
    withdrawn, and processing not restricted."""
    if customer.processing_restricted_since is not None or customer.erased_at is not None:
        return False
    return ConsentRecord.objects.filter(customer=customer, purpose=purpose, withdrawn_at__isnull=True).exists()
