"""Every write to customers, organisations and contact points. Each change is audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from patron.accounts.models import Agent, Role
from patron.customers.contact_points import normalise
from patron.customers.models import (
    Adjustment,
    ContactKind,
    ContactPoint,
    Customer,
    CustomerKind,
    Organisation,
    OrganisationDomain,
    OrganisationKind,
    PreferredChannel,
    held_domains_message,
    malformed_domains_message,
)
from patron.db import PreparedInsert, PreparedQuery, PreparedUpdate
from patron.errors import Conflict, NotAllowed, ValidationFailed
from patron.privacy import audit
from patron.privacy.characteristics import characteristics_in
from patron.privacy.models import ConsentRecord, Purpose
from patron.sentinels import UNSET
from patron.text import clean_text

# Kept under this name for callers; the one project-wide "not given" value.
UNSET_ORGANISATION: Any = UNSET


@dataclass(frozen=True)
class CustomerDetails:
    """The editable facts about a customer. Fields left as None are not changed by an update."""

    name: str | None = None
    kind: str | None = None
    organisation: Organisation | None = UNSET_ORGANISATION
    job_title: str | None = None
    preferred_channel: str | None = None
    preferred_language: str | None = None
    adjustments: Sequence[str] | None = None
    adjustments_note: str | None = None
    notes: str | None = None
    emails: Sequence[str] = field(default_factory=tuple)
    phones: Sequence[str] = field(default_factory=tuple)


def create_organisation(
    *,
    name: str,
    kind: str = OrganisationKind.COMPANY,
    email_domains: Sequence[str] = (),
    by: Agent | None = None,
) -> Organisation:
    """The organisation of that name and kind, made if it is new. Email domains, which decide
    whose new senders belong to it, are set by a service manager or an administrator."""
    name = _organisation_name(name)
    _require_organisation_kind(kind)
    if email_domains and by is not None:
        _require_domain_keeper(by)
    wanted = Organisation(kind=kind, name=name, email_domains=_domains_text(email_domains))
    existing = Organisation.objects.filter(kind=kind, name=name).first()
    if existing is not None:
        return _existing_organisation(existing, wanted)
    _check_domains(wanted)
    try:
        _save_audited(wanted, by, "organisation_created", {"email_domains": wanted.domains} if wanted.domains else {})
    except IntegrityError:
        # Made by another request since we looked: the same name, or one of these domains.
        existing = Organisation.objects.filter(kind=kind, name=name).first()
        if existing is None:
            wanted.pk = None
            _check_domains(wanted)
            raise
        return _existing_organisation(existing, wanted)
    return wanted


def _existing_organisation(existing: Organisation, wanted: Organisation) -> Organisation:
    """Asking again for an organisation that exists gives it, unless other domains were asked for."""
    if wanted.domains and set(wanted.domains) != set(existing.domains):
        raise Conflict(
            f"{existing.name} already exists with other email domains; change them on it instead.",
            fields={"email_domains": "Change them on the existing organisation."},
        )
    return existing


def update_organisation(
    *,
    organisation: Organisation,
    by: Agent,
    name: str | None = None,
    kind: str | None = None,
    email_domains: Sequence[str] | None = None,
) -> Organisation:
    """Rename an organisation, change its kind or its email domains (None leaves each as it is).
    A service manager's or an administrator's change: it decides who new senders belong to."""
    _require_domain_keeper(by)
    changed: dict[str, Any] = {}
    if name is not None and (cleaned := _organisation_name(name)) != organisation.name:
        organisation.name = changed["name"] = cleaned
    if kind is not None and kind != organisation.kind:
        _require_organisation_kind(kind)
        organisation.kind = changed["kind"] = kind
    if email_domains is not None:
        before = organisation.domains
        organisation.email_domains = _domains_text(email_domains)
        if organisation.domains != before:
            changed["email_domains"] = organisation.domains
    if not changed:
        return organisation
    _check_organisation_is_free(organisation)
    try:
        data = {"changed": sorted(changed), "email_domains": organisation.domains}
        _save_audited(organisation, by, "organisation_changed", data)
    except IntegrityError:
        # Another request took the name or a domain since we looked: say which.
        _check_organisation_is_free(organisation)
        raise
    return organisation


def _save_audited(organisation: Organisation, by: Agent | None, action: str, data: dict[str, Any]) -> None:
    with transaction.atomic():
        organisation.save()
        audit.record(actor=by, action=action, object_type="organisation", object_id=organisation.pk, data=data)


def _check_organisation_is_free(organisation: Organisation) -> None:
    _check_domains(organisation)
    namesakes = Organisation.objects.filter(kind=organisation.kind, name=organisation.name)
    if namesakes.exclude(pk=organisation.pk).exists():
        raise Conflict(
            f"There is already an organisation called {organisation.name}.", fields={"name": "Choose another name."}
        )


def _organisation_name(name: str) -> str:
    cleaned = " ".join(clean_text(name).split())
    if not cleaned:
        raise ValidationFailed("An organisation needs a name.", fields={"name": "Enter a name."})
    return cleaned


def _require_organisation_kind(kind: str) -> None:
    if kind not in OrganisationKind.values:
        raise ValidationFailed(f"“{kind}” is not a kind of organisation.", fields={"kind": "Choose a kind."})


def _require_domain_keeper(by: Agent) -> None:
    if not (by.is_admin or by.role == Role.SERVICE_MANAGER):
        raise NotAllowed("Only a service manager or an administrator can change an organisation or its email domains.")


def _domains_text(domains: Sequence[str]) -> str:
    text = ", ".join(clean_text(domain).strip() for domain in domains)
    if len(text) > Organisation._meta.get_field("email_domains").max_length:  # type: ignore[operator]
        raise ValidationFailed(
            "Too many email domains for one organisation.", fields={"email_domains": "Keep them under 500 characters."}
        )
    return text


def _check_domains(organisation: Organisation) -> None:
    malformed = organisation.malformed_domains()
    if malformed:
        raise ValidationFailed(
            malformed_domains_message(malformed), fields={"email_domains": "Write each like example.org."}
        )
    taken = organisation.domains_held_elsewhere()
    if taken:
        raise Conflict(held_domains_message(taken), fields={"email_domains": "Held by another organisation."})


# Every new sender, on every channel, is one of each.
_INSERT_CUSTOMERS = PreparedInsert(Customer)
_INSERT_POINTS = PreparedInsert(ContactPoint)


def create_customer(*, details: CustomerDetails, by: Agent | None) -> Customer:
    """Create a customer with their contact points. An email or phone already on another
    customer is refused, naming that customer, so duplicates are merged rather than made."""
    return _create_customer(details, by, looked_up=frozenset())


def _create_customer(details: CustomerDetails, by: Agent | None, *, looked_up: frozenset[tuple[str, str]]) -> Customer:
    """As `create_customer`. `looked_up` are the (kind, normalised) contact points the caller has
    just looked up and found on no one: they are not looked up again. One taken since is still
    refused, by the unique index, as an IntegrityError the caller handles."""
    if not details.name or not details.name.strip():
        raise ValidationFailed("A customer needs a name.", fields={"name": "Enter the customer's name."})
    customer = Customer(kind=CustomerKind.EXTERNAL)
    _apply_details(customer, details)
    points = _new_points(
        [(ContactKind.EMAIL, email) for email in details.emails]
        + [(ContactKind.PHONE, phone) for phone in details.phones],
        looked_up,
    )
    # Part of the caller's transaction when there is one (no savepoint of its own): a refusal
    # here refuses the whole change.
    with transaction.atomic(savepoint=False):
        _INSERT_CUSTOMERS([customer])
        _INSERT_POINTS(
            [
                ContactPoint(customer=customer, kind=kind, value=display, normalised=normalised, is_primary=primary)
                for kind, display, normalised, primary in points
            ]
        )
        audit.record(actor=by, action="customer_created", object_type="customer", object_id=customer.pk)
    return customer


def _new_points(
    given: Sequence[tuple[str, str]], looked_up: frozenset[tuple[str, str]]
) -> list[tuple[str, str, str, bool]]:
    """The contact points of a new customer, normalised and checked in one query: any already
    on another customer is refused, naming them. The first of each kind is the primary one."""
    points: dict[tuple[str, str], str] = {}
    for kind, value in given:
        display, normalised = normalise(kind, value)
        points.setdefault((kind, normalised), display)
    unread = [point for point in points if point not in looked_up]
    if unread:
        taken = _taken_point(unread)
        if taken is not None:
            raise Conflict(
                f"{taken.value} already belongs to {taken.customer.name}. Merge the two customers instead.",
                fields={taken.kind: "Already on another customer."},
            )
    seen: set[str] = set()
    result = []
    for (kind, normalised), display in points.items():
        result.append((kind, display, normalised, kind not in seen))
        seen.add(kind)
    return result


def update_customer(
    *, customer: Customer, details: CustomerDetails, by: Agent | None, expected_version: int | None = None
) -> Customer:
    """Change a customer's details. With `expected_version`, a change based on an old read is
    refused rather than silently overwriting someone else's."""
    with transaction.atomic():
        current = Customer.objects.select_for_update().get(pk=customer.pk)
        if current.merged_into_id is not None:
            raise Conflict("This customer was merged into another record; edit that one instead.")
        if current.erased_at is not None:
            raise Conflict("This customer's personal data was erased; the record cannot be edited.")
        if current.processing_restricted_since is not None:
            raise Conflict(
                "The customer has restricted the processing of their data, so the record cannot be changed "
                "until a privacy officer lifts the restriction (record a rectification request to correct it)."
            )
        if expected_version is not None and current.version != expected_version:
            raise Conflict("Someone else changed this customer since you opened it. Reload to see their change.")
        before = _snapshot(current)
        _apply_details(current, details)
        for email in details.emails:
            _add_point(current, ContactKind.EMAIL, email)
        for phone in details.phones:
            _add_point(current, ContactKind.PHONE, phone)
        after = _snapshot(current)
        changed = {key: {"before": before[key], "after": after[key]} for key in after if before[key] != after[key]}
        if changed:
            current.version += 1
            current.save()
        audit.record(
            actor=by,
            action="customer_changed",
            object_type="customer",
            object_id=current.pk,
            data={"changed": sorted(changed)},
        )
    return current


def add_contact_point(
    *, customer: Customer, kind: str, value: str, by: Agent | None, primary: bool = False
) -> ContactPoint:
    with transaction.atomic():
        point = _add_point(customer, kind, value, primary=primary)
        audit.record(
            actor=by, action="contact_point_added", object_type="customer", object_id=customer.pk, data={"kind": kind}
        )
    return point


def remove_contact_point(*, point: ContactPoint, by: Agent | None) -> None:
    with transaction.atomic():
        customer_id = point.customer_id
        point.delete()
        audit.record(
            actor=by,
            action="contact_point_removed",
            object_type="customer",
            object_id=customer_id,
            data={"kind": point.kind},
        )


def find_or_create_customer(
    *,
    email: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    kind: str = CustomerKind.EXTERNAL,
    by: Agent | None = None,
) -> Customer:
    """The customer an email address or phone number belongs to (following merges), or a new
    one. Used by every channel, so the same person always lands on the same record."""
    if not email and not phone:
        raise ValidationFailed(
            "Give the customer's email address or phone number.",
            fields={"customer": "Enter an email address or a phone number."},
        )
    kind_of_point, raw = (ContactKind.EMAIL, email) if email else (ContactKind.PHONE, phone)
    assert raw is not None
    display, normalised = normalise(kind_of_point, raw)
    existing = _customer_by_point(kind_of_point, normalised)
    if existing is not None:
        return existing
    fallback_name = display.split("@")[0] if kind_of_point == ContactKind.EMAIL else display
    organisation = organisation_for_email(normalised) if kind_of_point == ContactKind.EMAIL else None
    if organisation is not None and organisation.kind == OrganisationKind.DEPARTMENT:
        kind = CustomerKind.INTERNAL
    # A new customer keeps every way to reach them that was given, email and phone alike.
    details = CustomerDetails(
        name=(name or "").strip() or fallback_name,
        kind=kind,
        organisation=organisation,
        emails=[email] if email else [],
        phones=[phone] if phone else [],
    )
    try:
        with transaction.atomic():
            return _create_customer(details, by, looked_up=frozenset({(kind_of_point, normalised)}))
    except IntegrityError:
        # Another request created the same contact point between our read and our write.
        found = _customer_by_point(kind_of_point, normalised)
        if found is None:
            raise
        return found


def record_customer_viewed(*, customer: Customer, by: Agent) -> None:
    """Who looked at a customer's record, and when, for the audit trail (UK GDPR art. 5(2))."""
    audit.record(actor=by, action="customer_viewed", object_type="customer", object_id=customer.pk)


def mark_undeliverable(*, emails: Sequence[str], reason: str, at: datetime) -> int:
    """Email to these addresses bounced for good (a delivery report said so): the customer's
    record shows it, so an agent knows to reach them another way. Returns how many were known."""
    normalised = [normalise(ContactKind.EMAIL, address)[1] for address in emails if "@" in address]
    points = list(ContactPoint.objects.filter(kind=ContactKind.EMAIL, normalised__in=normalised))
    for point in points:
        point.undeliverable_since = point.undeliverable_since or at
        point.undeliverable_reason = clean_text(reason)[:300]
        point.save(update_fields=["undeliverable_since", "undeliverable_reason", "updated_at"])
        audit.record(
            actor=None,
            action="contact_point_undeliverable",
            object_type="customer",
            object_id=point.customer_id,
            data={"kind": point.kind},
            personal={"reason": point.undeliverable_reason},
        )
    return len(points)


def mark_deliverable(*, email: str) -> None:
    """The customer wrote from this address: whatever bounced before, it works now."""
    if "@" not in email:
        return
    _CLEAR_UNDELIVERABLE(normalised=normalise(ContactKind.EMAIL, email)[1])


# Every email taken in makes it, and almost always finds nothing to clear.
_CLEAR_UNDELIVERABLE = PreparedUpdate(
    lambda normalised: (
        ContactPoint.objects.filter(kind=ContactKind.EMAIL, normalised=normalised, undeliverable_since__isnull=False),
        {"undeliverable_since": None, "undeliverable_reason": ""},
    )
)


# The domains a new sender's organisation may hold: the address's own and each above it
# (staff.example.org, example.org, org), up to this many, as one prepared query.
_DOMAIN_DEPTH = 8
_DOMAIN_SLOTS = [f"domain{level}" for level in range(_DOMAIN_DEPTH)]
_ORGANISATION_DOMAINS = PreparedQuery(
    lambda **domains: OrganisationDomain.objects.filter(domain__in=list(domains.values())).select_related(
        "organisation"
    ),
    names=_DOMAIN_SLOTS,
)


def organisation_for_email(address: str) -> Organisation | None:
    """The organisation holding the address's email domain or, failing that, the nearest domain
    above it (staff.example.org belongs to example.org unless another holds staff.example.org)."""
    domain = address.rpartition("@")[2].lower().rstrip(".")
    if not domain:
        return None
    labels = domain.split(".")
    candidates = [".".join(labels[level:]) for level in range(len(labels))]
    if len(candidates) <= _DOMAIN_DEPTH:
        padded = candidates + [candidates[-1]] * (_DOMAIN_DEPTH - len(candidates))
        held = _ORGANISATION_DOMAINS(**dict(zip(_DOMAIN_SLOTS, padded, strict=True)))
    else:
        held = list(OrganisationDomain.objects.filter(domain__in=candidates).select_related("organisation"))
    if not held:
        return None
    return max(held, key=lambda row: len(row.domain)).organisation


def merge_customer_records(*, source: Customer, target: Customer, by: Agent | None) -> list[int]:
    """Move every contact point of `source` to `target`, copy over what the target lacks, and
    mark `source` as merged. Returns the moved contact point ids. Cases are moved by the
    caller (cases.services.merge_customers), which owns them."""
    if source.pk == target.pk:
        raise ValidationFailed("A customer cannot be merged into itself.")
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise Conflict("One of these customers has already been merged into another record.")
    if source.erased_at is not None or target.erased_at is not None:
        raise Conflict("An erased customer's record cannot be merged.")
    if source.processing_restricted_since is not None or target.processing_restricted_since is not None:
        raise Conflict("One of these customers has restricted the processing of their data, so they cannot be merged.")
    moved = list(source.contact_points.values_list("id", flat=True))
    ContactPoint.objects.filter(pk__in=moved).update(customer=target, is_primary=False)
    for field_name in (
        "organisation_id",
        "job_title",
        "preferred_channel",
        "preferred_language",
        "notes",
        "adjustments_note",
    ):
        if not getattr(target, field_name) and getattr(source, field_name):
            setattr(target, field_name, getattr(source, field_name))
    target.adjustments = sorted(set(target.adjustments) | set(source.adjustments))
    target.version += 1
    target.save()
    source.merged_into = target
    source.version += 1
    source.save(update_fields=["merged_into", "version", "updated_at"])
    Customer.objects.filter(merged_into=source).update(merged_into=target)
    audit.record(
        actor=by,
        action="customer_merged",
        object_type="customer",
        object_id=target.pk,
        data={"merged": source.pk, "contact_points": moved},
    )
    return moved


_POINT = PreparedQuery(
    lambda kind, normalised: ContactPoint.objects.filter(kind=kind, normalised=normalised).order_by()[:1]
)


def _taken_point(points: list[tuple[str, str]]) -> ContactPoint | None:
    """The first of these (kind, normalised) points already on a customer, if any."""
    if len(points) == 1:
        # The usual case, a new sender: the prepared lookup.
        found = _POINT(kind=points[0][0], normalised=points[0][1])
        return found[0] if found else None
    taken_query = Q()
    for kind, normalised in points:
        taken_query |= Q(kind=kind, normalised=normalised)
    return ContactPoint.objects.filter(taken_query).first()


# Every email and call asks it. (kind, normalised) is unique: no ordering needed to take the one row.
_CUSTOMER_BY_POINT = PreparedQuery(
    lambda kind, normalised: Customer.objects.filter(
        contact_points__kind=kind, contact_points__normalised=normalised
    ).order_by()[:1]
)


def _customer_by_point(kind: str, normalised: str) -> Customer | None:
    found = _CUSTOMER_BY_POINT(kind=kind, normalised=normalised)
    if not found:
        return None
    customer = found[0]
    while customer.merged_into_id is not None:
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer


def _add_point(customer: Customer, kind: str, value: str, *, primary: bool = False) -> ContactPoint:
    display, normalised = normalise(kind, value)
    existing = ContactPoint.objects.filter(kind=kind, normalised=normalised).select_related("customer").first()
    if existing is not None:
        if existing.customer_id == customer.pk:
            return existing
        raise Conflict(
            f"{display} already belongs to {existing.customer.name}. Merge the two customers instead.",
            fields={kind: "Already on another customer."},
        )
    is_first = not customer.contact_points.filter(kind=kind).exists()
    return ContactPoint.objects.create(
        customer=customer, kind=kind, value=display, normalised=normalised, is_primary=primary or is_first
    )


def _apply_details(customer: Customer, details: CustomerDetails) -> None:
    if details.name is not None:
        name = " ".join(clean_text(details.name).split())
        if not name:
            raise ValidationFailed("A customer needs a name.", fields={"name": "Enter the customer's name."})
        if len(name) > 200:
            raise ValidationFailed("A name can be at most 200 characters long.", fields={"name": "Shorten it."})
        customer.name = name
    if details.kind is not None:
        if details.kind not in CustomerKind.values:
            raise ValidationFailed(f"“{details.kind}” is not a kind of customer.", fields={"kind": "Choose one."})
        customer.kind = details.kind
    if details.organisation is not UNSET_ORGANISATION:
        customer.organisation = details.organisation
    if details.preferred_channel is not None:
        if details.preferred_channel and details.preferred_channel not in PreferredChannel.values:
            raise ValidationFailed(
                f"“{details.preferred_channel}” is not a channel.", fields={"preferred_channel": "Choose a channel."}
            )
        customer.preferred_channel = details.preferred_channel
    if details.adjustments is not None:
        unknown = sorted(set(details.adjustments) - set(Adjustment.values))
        if unknown:
            raise ValidationFailed(
                f"Unknown reasonable adjustment: {', '.join(unknown)}.",
                fields={"adjustments": "Choose from the list, or describe it in the note."},
            )
        customer.adjustments = sorted(set(details.adjustments))
    for text_field in ("job_title", "preferred_language", "adjustments_note", "notes"):
        value = getattr(details, text_field)
        if value is not None:
            setattr(customer, text_field, clean_text(value).strip())
    _refuse_unbased_characteristics(customer, details)


# Free text about the customer, and what the field is called when telling the agent.
_FREE_TEXT = {"adjustments_note": "other adjustments", "notes": "notes"}


def _refuse_unbased_characteristics(customer: Customer, details: CustomerDetails) -> None:
    """A protected characteristic is held only with a lawful basis recorded for holding it."""
    for field_name, label in _FREE_TEXT.items():
        if getattr(details, field_name) is None:
            continue
        found = characteristics_in(getattr(customer, field_name))
        if found and not _may_hold_characteristics(customer):
            characteristic, words = found[0]
            raise ValidationFailed(
                f"“{words}” in {label} records a protected characteristic ({characteristic}). Record the "
                "adjustment the customer needs instead, or ask a privacy officer first to record a lawful basis "
                "and article 9 condition for holding it (purpose: a protected characteristic, for an adjustment).",
                fields={field_name: "Describe the need, not the characteristic."},
            )


def _may_hold_characteristics(customer: Customer) -> bool:
    if customer.pk is None:
        return False
    return ConsentRecord.objects.filter(
        customer_id=customer.pk, purpose=Purpose.PROTECTED_CHARACTERISTIC, withdrawn_at__isnull=True
    ).exists()


def _snapshot(customer: Customer) -> dict[str, object]:
    return {
        "name": customer.name,
        "kind": customer.kind,
        "organisation": customer.organisation_id,
        "job_title": customer.job_title,
        "preferred_channel": customer.preferred_channel,
        "preferred_language": customer.preferred_language,
        "adjustments": list(customer.adjustments),
        "adjustments_note": customer.adjustments_note,
        "notes": customer.notes,
    }
