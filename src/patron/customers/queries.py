"""Reads of customers: find by name, email or phone; one customer with what the desk needs."""

from __future__ import annotations

from contextlib import suppress

from django.db.models import Prefetch, Q, QuerySet

from patron.accounts.models import Agent
from patron.customers.contact_points import normalise_email, normalise_phone
from patron.customers.models import ContactKind, ContactPoint, Customer, Organisation
from patron.customers.visibility import visible_customers
from patron.errors import NotFound, ValidationFailed
from patron.privacy.models import ConsentRecord, Purpose


def processing_refusal(customer: Customer) -> str:
    """Why nothing may be done with this customer's data beyond keeping it (UK GDPR art. 18
    restriction, or erasure), or "" when it may. What they send is stored whatever this says."""
    if customer.erased_at is not None:
        return "This customer's personal data was erased; they cannot be contacted from this case."
    if customer.processing_restricted_since is not None:
        return (
            "The customer has restricted the processing of their data "
            f"(since {customer.processing_restricted_since:%d %B %Y}): what they send is stored, but nothing is sent "
            "to them until a privacy officer lifts the restriction."
        )
    return ""


def purpose_refusal(customer: Customer, purpose: str) -> str:
    """Why the customer's data may not be used today for this purpose beyond serving their own
    cases (surveys, marketing, research…), or "" when a basis is recorded and in force."""
    refusal = processing_refusal(customer)
    if refusal:
        return refusal
    latest = ConsentRecord.objects.filter(customer=customer, purpose=purpose).order_by("-given_at", "-id").first()
    label = Purpose(purpose).label.lower() if purpose in Purpose.values else purpose
    if latest is None:
        return f"No basis is recorded for using their data for {label}."
    if latest.withdrawn_at is not None:
        return f"They withdrew their agreement to {label} on {latest.withdrawn_at:%d %B %Y}."
    return ""


def _with_contacts(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    return queryset.select_related("organisation").prefetch_related(
        Prefetch("contact_points", queryset=ContactPoint.objects.order_by("kind", "-is_primary", "id"))
    )


def find_customers(*, agent: Agent, text: str = "", limit: int = 25) -> QuerySet[Customer]:
    """Customers the agent may see whose name contains the text, or whose email or phone
    number is the text (phone numbers compared in E.164 form, so 07700 900123 finds
    +447700900123)."""
    base = visible_customers(agent).filter(merged_into=None)
    text = text.strip()
    if not text:
        return _with_contacts(base.order_by("name", "id"))[:limit]
    match = Q(name__icontains=text)
    points = Q()
    if "@" in text:
        try:
            points |= Q(kind=ContactKind.EMAIL, normalised=normalise_email(text))
        except ValidationFailed:
            points |= Q(kind=ContactKind.EMAIL, normalised__startswith=text.lower())
    elif sum(ch.isdigit() for ch in text) >= 5:
        with suppress(ValidationFailed):
            points |= Q(kind=ContactKind.PHONE, normalised=normalise_phone(text))
    if points:
        match |= Q(id__in=ContactPoint.objects.filter(points).values("customer_id"))
    return _with_contacts(base.filter(match).order_by("name", "id"))[:limit]


def customer_by_id(customer_id: int, *, agent: Agent) -> Customer:
    """One customer the agent may see, with organisation and contact points; merged records
    lead to where they went. One the agent may not see is as absent as one that does not exist."""
    customer = _with_contacts(visible_customers(agent)).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("There is no customer with that number that you can see.")
    return customer


def list_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.order_by("name")


def organisation_by_id(organisation_id: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound(f"There is no organisation with id {organisation_id}.")
    return organisation
