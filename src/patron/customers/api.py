"""The customers API: find, create, read, change, merge."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja import Status as Created

from patron.accounts.queries import acting_agent
from patron.customers import queries, services
from patron.customers.models import Customer, Organisation
from patron.customers.schemas import (
    ContactPointIn,
    CustomerIn,
    CustomerList,
    CustomerOut,
    CustomerPatch,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
)
from patron.customers.services import UNSET_ORGANISATION, CustomerDetails
from patron.errors import ValidationFailed

router = Router(tags=["customers"])


class CustomerFilters(Schema):
    q: str = ""
    limit: int = 25


@router.get("/customers", response=CustomerList)
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> dict[str, object]:
    """Customers by name, email address or phone number (any common spelling of a UK number)."""
    limit = max(1, min(filters.limit, 100))
    return {"items": list(queries.find_customers(agent=acting_agent(request.user), text=filters.q, limit=limit))}


@router.post("/customers", response={201: CustomerOut})
def create_customer(request: HttpRequest, body: CustomerIn) -> Created[Customer]:
    details = CustomerDetails(
        name=body.name,
        kind=body.kind,
        organisation=_organisation(body.organisation_id),
        job_title=body.job_title,
        preferred_channel=body.preferred_channel or "",
        preferred_language=body.preferred_language,
        adjustments=body.adjustments,
        adjustments_note=body.adjustments_note,
        notes=body.notes,
        emails=body.emails,
        phones=body.phones,
    )
    customer = services.create_customer(details=details, by=acting_agent(request.user))
    return Created(201, queries.customer_by_id(customer.pk, agent=acting_agent(request.user)))


@router.get("/customers/{customer_id}", response=CustomerOut)
def get_customer(request: HttpRequest, customer_id: int) -> Customer:
    agent = acting_agent(request.user)
    customer = queries.customer_by_id(customer_id, agent=agent)
    services.record_customer_viewed(customer=customer, by=agent)
    return customer


@router.patch("/customers/{customer_id}", response=CustomerOut)
def update_customer(request: HttpRequest, customer_id: int, body: CustomerPatch) -> Customer:
    customer = queries.customer_by_id(customer_id, agent=acting_agent(request.user))
    sent = body.model_fields_set
    details = CustomerDetails(
        name=body.name,
        kind=body.kind,
        organisation=_organisation(body.organisation_id) if "organisation_id" in sent else UNSET_ORGANISATION,
        job_title=body.job_title,
        preferred_language=body.preferred_language,
        adjustments=body.adjustments,
        adjustments_note=body.adjustments_note,
        notes=body.notes,
        emails=body.add_emails,
        phones=body.add_phones,
        preferred_channel=(body.preferred_channel or "") if "preferred_channel" in sent else None,
    )
    services.update_customer(
        customer=customer, details=details, by=acting_agent(request.user), expected_version=body.version
    )
    return queries.customer_by_id(customer_id, agent=acting_agent(request.user))


@router.post("/customers/{customer_id}/contact-points", response={201: CustomerOut})
def add_contact_point(request: HttpRequest, customer_id: int, body: ContactPointIn) -> Created[Customer]:
    customer = queries.customer_by_id(customer_id, agent=acting_agent(request.user))
    services.add_contact_point(
        customer=customer, kind=body.kind, value=body.value, primary=body.primary, by=acting_agent(request.user)
    )
    return Created(201, queries.customer_by_id(customer_id, agent=acting_agent(request.user)))


@router.get("/organisations", response=list[OrganisationOut])
def list_organisations(request: HttpRequest) -> list[Organisation]:
    return list(queries.list_organisations()[:500])


@router.post("/organisations", response={201: OrganisationOut})
def create_organisation(request: HttpRequest, body: OrganisationIn) -> Created[Organisation]:
    organisation = services.create_organisation(
        name=body.name, kind=body.kind, email_domains=body.email_domains, by=acting_agent(request.user)
    )
    return Created(201, organisation)


@router.get("/organisations/{organisation_id}", response=OrganisationOut)
def get_organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    return queries.organisation_by_id(organisation_id)


@router.patch("/organisations/{organisation_id}", response=OrganisationOut)
def update_organisation(request: HttpRequest, organisation_id: int, body: OrganisationPatch) -> Organisation:
    return services.update_organisation(
        organisation=queries.organisation_by_id(organisation_id),
        name=body.name,
        kind=body.kind,
        email_domains=body.email_domains,
        by=acting_agent(request.user),
    )


def _organisation(organisation_id: int | None) -> Organisation | None:
    if organisation_id is None:
        return None
    organisation = queries.list_organisations().filter(pk=organisation_id).first()
    if organisation is None:
        raise ValidationFailed(
            f"There is no organisation with id {organisation_id}.", fields={"organisation_id": "Unknown organisation."}
        )
    return organisation
