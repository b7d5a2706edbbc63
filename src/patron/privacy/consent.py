"""Consent and lawful basis, per customer and purpose: recorded with what the customer was told,
withdrawn when they say so, and asked before anything beyond serving their own cases is done
with their data (`has_basis`: no survey is sent without one)."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from patron.accounts.models import Agent
from patron.customers.models import Customer
from patron.customers.queries import purpose_refusal
from patron.errors import Conflict, NotAllowed, ValidationFailed
from patron.feedback.services import close_open_surveys
from patron.privacy import audit
from patron.privacy.characteristics import characteristics_in
from patron.privacy.models import ConsentRecord, LawfulBasis, Purpose, SpecialCondition
from patron.privacy.rights import PRIVACY_ROLES


def _checked_choice(value: str, choices: type[Purpose] | type[LawfulBasis] | type[SpecialCondition], field: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(
            f"“{value[:40]}” is not a {field}. Choose one of: {', '.join(choices.values)}.", fields={field: "Unknown."}
        )
    return value


def record_consent(
    *, customer: Customer, purpose: str, basis: str, detail: str, by: Agent, special_condition: str = ""
) -> ConsentRecord:
    """A basis for one purpose. Consent needs `detail`: what exactly the customer was told and
    agreed to, and how (the ICO's record of consent). Holding a protected characteristic is
    special category data: it also needs an article 9 condition, a `detail` naming what is held
    and why the adjustment needs it, and a privacy officer or administrator to record it."""
    _checked_choice(purpose, Purpose, "purpose")
    _checked_choice(basis, LawfulBasis, "basis")
    detail = " ".join(detail.split())[:500]
    if basis == LawfulBasis.CONSENT and not detail:
        raise ValidationFailed(
            "Record what the customer was told and how they agreed.", fields={"detail": "Enter what they agreed to."}
        )
    if purpose == Purpose.PROTECTED_CHARACTERISTIC:
        _check_special_category(special_condition, detail, by)
    elif special_condition:
        raise ValidationFailed(
            "An article 9 condition is recorded only for holding a protected characteristic.",
            fields={"special_condition": "Leave it empty for this purpose."},
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
            customer=customer,
            purpose=purpose,
            basis=basis,
            detail=detail,
            special_condition=special_condition,
            given_at=now,
            recorded_by=by,
        )
        audit.record(
            actor=by,
            action="consent_recorded",
            object_type="customer",
            object_id=customer.pk,
            data={"purpose": purpose, "basis": basis, "special_condition": special_condition},
        )
    return record


def _check_special_category(special_condition: str, detail: str, by: Agent) -> None:
    if by.role not in PRIVACY_ROLES and not by.is_superuser:
        raise NotAllowed(
            "Only a privacy officer or an administrator can record a basis for holding a protected characteristic."
        )
    if not special_condition:
        raise ValidationFailed(
            "A protected characteristic is special category data: choose the article 9 condition that allows "
            "holding it, as well as the article 6 basis.",
            fields={"special_condition": "Choose the article 9 condition."},
        )
    _checked_choice(special_condition, SpecialCondition, "special_condition")
    if not detail:
        raise ValidationFailed(
            "Record what is held and why the adjustment needs it (and, for explicit consent, what the customer "
            "agreed to).",
            fields={"detail": "Enter what is held and why."},
        )


def withdraw_consent(*, record: ConsentRecord, by: Agent | None) -> ConsentRecord:
    """Withdrawn now, by an agent or (`by` None) by the customer themselves, from a survey's page.
    Surveys sent and not yet answered close. Without a basis for holding a protected
    characteristic, what the record says of one goes too: every sentence of the customer's notes
    that states one is removed."""
    if record.withdrawn_at is not None:
        raise Conflict("This was already withdrawn.")
    with transaction.atomic():
        record.withdrawn_at = timezone.now()
        record.save(update_fields=["withdrawn_at"])
        removed = closed = 0
        if record.purpose == Purpose.PROTECTED_CHARACTERISTIC:
            removed = _remove_characteristics(record.customer_id)
        if record.purpose == Purpose.SURVEYS:
            closed = close_open_surveys(customer_id=record.customer_id, now=record.withdrawn_at)
        audit.record(
            actor=by,
            action="consent_withdrawn",
            object_type="customer",
            object_id=record.customer_id,
            data={
                "purpose": record.purpose,
                "sentences_removed": removed,
                "surveys_closed": closed,
                "by_customer": by is None,
            },
        )
    return record


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_FREE_TEXT_FIELDS = ("notes", "adjustments_note")


def _remove_characteristics(customer_id: int) -> int:
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    removed = 0
    changed: dict[str, str] = {}
    for field_name in _FREE_TEXT_FIELDS:
        sentences = [part for part in _SENTENCE_END.split(getattr(customer, field_name)) if part.strip()]
        kept = [sentence for sentence in sentences if not characteristics_in(sentence)]
        if len(kept) != len(sentences):
            removed += len(sentences) - len(kept)
            changed[field_name] = " ".join(kept)
    if changed:
        Customer.objects.filter(pk=customer_id).update(
            **changed, version=customer.version + 1, updated_at=timezone.now()
        )
    return removed


def stop_surveys(*, customer: Customer) -> ConsentRecord | None:
    """The customer asked for no more surveys (from a survey's own page): their basis for
    surveys is withdrawn. None when there was none in force."""
    record = ConsentRecord.objects.filter(customer=customer, purpose=Purpose.SURVEYS, withdrawn_at__isnull=True).first()
    return withdraw_consent(record=record, by=None) if record is not None else None


def consents_of(customer: Customer) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(customer=customer).order_by("purpose", "-given_at", "-id")


def has_basis(customer: Customer, purpose: str) -> bool:
    """Whether the customer's data may be used for this purpose today: a basis recorded and not
    withdrawn, and processing not restricted."""
    return not purpose_refusal(customer, purpose)
