"""What the API takes and gives for customers and organisations."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from patron.customers.models import (
    Adjustment,
    ContactKind,
    CustomerKind,
    Organisation,
    OrganisationKind,
    PreferredChannel,
)


class OrganisationOut(Schema):
    id: int
    name: str
    kind: OrganisationKind
    email_domains: list[str] = Field(
        description="Its people's email domains: someone new writing from one, or from a domain below it, "
        "belongs to it (the nearest held domain wins); from an internal department's, they are a colleague."
    )

    @staticmethod
    def resolve_email_domains(organisation: Organisation) -> list[str]:
        return organisation.domains


class OrganisationIn(Schema):
    name: str = Field(max_length=200)
    kind: OrganisationKind = OrganisationKind.COMPANY
    email_domains: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Set by a service manager or an administrator. A domain is held by one organisation.",
    )


class OrganisationPatch(Schema):
    """Only the fields sent are changed. A service manager's or an administrator's change."""

    name: str | None = Field(None, max_length=200)
    kind: OrganisationKind | None = None
    email_domains: list[str] | None = Field(None, max_length=50, description="The whole list: it replaces the old one.")


class ContactPointOut(Schema):
    id: int
    kind: ContactKind
    value: str
    normalised: str
    is_primary: bool


class ContactPointIn(Schema):
    kind: ContactKind
    value: str = Field(max_length=320)
    primary: bool = False


class CustomerOut(Schema):
    id: int
    kind: CustomerKind
    name: str
    organisation: OrganisationOut | None
    job_title: str
    preferred_channel: str
    preferred_language: str
    adjustments: list[Adjustment]
    adjustments_note: str
    notes: str
    contact_points: list[ContactPointOut]
    merged_into_id: int | None = Field(None, description="Set when this record was merged into another.")
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_contact_points(customer: object) -> list[object]:
        return list(customer.contact_points.all())  # type: ignore[attr-defined]


class CustomerBrief(Schema):
    id: int
    name: str
    kind: CustomerKind


class CustomerIn(Schema):
    name: str = Field(max_length=200)
    kind: CustomerKind = CustomerKind.EXTERNAL
    organisation_id: int | None = None
    job_title: str = Field("", max_length=200)
    emails: list[str] = Field(default_factory=list, max_length=20)
    phones: list[str] = Field(default_factory=list, max_length=20)
    preferred_channel: PreferredChannel | None = None
    preferred_language: str = Field("", max_length=35)
    adjustments: list[Adjustment] = Field(default_factory=list)
    adjustments_note: str = Field("", max_length=5000)
    notes: str = Field("", max_length=20000)


class CustomerPatch(Schema):
    """Only the fields sent are changed. Send `version` (last read) to be told when someone else
    changed the customer in the meantime."""

    version: int | None = None
    name: str | None = Field(None, max_length=200)
    kind: CustomerKind | None = None
    organisation_id: int | None = None
    job_title: str | None = Field(None, max_length=200)
    add_emails: list[str] = Field(default_factory=list, max_length=20)
    add_phones: list[str] = Field(default_factory=list, max_length=20)
    preferred_channel: PreferredChannel | None = None
    preferred_language: str | None = Field(None, max_length=35)
    adjustments: list[Adjustment] | None = None
    adjustments_note: str | None = Field(None, max_length=5000)
    notes: str | None = Field(None, max_length=20000)


class CustomerList(Schema):
    items: list[CustomerOut]


class MergeIn(Schema):
    source_id: int = Field(description="The duplicate record, merged into this one and then kept only as a pointer.")
