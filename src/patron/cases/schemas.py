"""What the API takes and gives for cases, messages and events."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from ninja import Field, Schema

from patron.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseKind,
    Channel,
    Direction,
    Message,
    Priority,
    Status,
    format_reference,
)
from patron.customers.models import CustomerKind, ProcessingException
from patron.customers.schemas import CustomerBrief


class PriorityName(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


PRIORITY_BY_NAME = {
    PriorityName.LOW: Priority.LOW,
    PriorityName.NORMAL: Priority.NORMAL,
    PriorityName.HIGH: Priority.HIGH,
    PriorityName.URGENT: Priority.URGENT,
}
NAME_BY_PRIORITY = {value: name for name, value in PRIORITY_BY_NAME.items()}


class CustomerRefIn(Schema):
    """Who the case is for: an existing customer by `id`, or by `email`, or by `phone` (with
    `name` for a new customer). An unknown email or phone makes a new customer."""

    id: int | None = None
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=50)
    name: str | None = Field(None, max_length=200)
    kind: CustomerKind = CustomerKind.EXTERNAL


class CaseIn(Schema):
    subject: str = Field(max_length=1000)
    body: str
    customer: CustomerRefIn
    kind: CaseKind = CaseKind.ENQUIRY
    channel: Channel = Channel.API
    priority: PriorityName = PriorityName.NORMAL
    team: str | None = Field(None, description="The team's short name (slug) or id.")
    category: str = Field("", max_length=100)
    tags: list[str] = Field(default_factory=list, max_length=20)
    received_at: datetime | None = Field(
        None, description="When the contact really happened, for calls logged later and imports. Needs a time zone."
    )


class CasePatch(Schema):
    """Send the `version` you last read; the change is refused with 409 if the case changed since.
    Only the fields sent are changed; `team` and `assignee` may be null to clear them."""

    version: int
    status: Status | None = None
    priority: PriorityName | None = None
    kind: CaseKind | None = None
    subject: str | None = Field(None, max_length=1000)
    category: str | None = Field(None, max_length=100)
    team: str | None = Field(None, description="Slug or id; null clears it.")
    assignee: str | None = Field(None, description="Username or id; null clears it.")
    tags: list[str] | None = Field(None, max_length=20)
    reason: str | None = Field(
        None, max_length=500, description="Why, when resolving a complaint with handling steps not recorded."
    )
    exception: ProcessingException | None = Field(
        None, description="While the customer has restricted processing: the exception that allows the change."
    )


class TeamOut(Schema):
    id: int
    slug: str
    name: str


class AgentOut(Schema):
    id: int
    username: str
    name: str = Field(alias="display_name")


class ServiceTargetOut(Schema):
    """One service target's clock on the case."""

    target: str
    policy: str | None
    state: str = Field(description="running, paused, met or breached")
    due_at: datetime | None
    target_minutes: int
    used_minutes: float
    met_at: datetime | None
    breached_at: datetime | None


class CaseOut(Schema):
    reference: str
    subject: str
    kind: CaseKind
    channel: Channel
    status: Status
    priority: PriorityName
    customer: CustomerBrief
    team: TeamOut | None
    assignee: AgentOut | None
    category: str
    tags: list[str]
    restricted: bool = Field(alias="is_restricted")
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    due_at: datetime | None = Field(description="The soonest due time of a running service target.")
    service_levels: list[ServiceTargetOut]
    version: int

    @staticmethod
    def resolve_service_levels(case: Case) -> list[dict[str, Any]]:
        clocks = getattr(case, "sla_clocks", None)
        if clocks is None:
            return []
        return [
            {
                "target": clock.target,
                "policy": clock.policy.name if clock.policy else None,
                "state": clock.state,
                "due_at": clock.due_at,
                "target_minutes": clock.target_minutes,
                "used_minutes": round(clock.used_seconds / 60, 2),
                "met_at": clock.met_at,
                "breached_at": clock.breached_at,
            }
            for clock in clocks.all()
        ]

    @staticmethod
    def resolve_priority(case: Case) -> PriorityName:
        return NAME_BY_PRIORITY[Priority(case.priority)]

    @staticmethod
    def resolve_tags(case: Case) -> list[str]:
        return [tag.name for tag in case.tags.all()]


def case_out(case: Case) -> dict[str, Any]:
    """What `CaseOut` gives for a case, made directly. Every case opened through the API is
    answered with it, and validating a model whose values all come from the database took
    a tenth of such a request; tests/api/test_case_out.py holds the two to the same answer."""
    team, assignee, customer = case.team, case.assignee, case.customer
    return {
        "reference": case.reference,
        "subject": case.subject,
        "kind": case.kind,
        "channel": case.channel,
        "status": case.status,
        "priority": CaseOut.resolve_priority(case),
        "customer": {"id": customer.pk, "name": customer.name, "kind": customer.kind},
        "team": None if team is None else {"id": team.pk, "slug": team.slug, "name": team.name},
        "assignee": None
        if assignee is None
        else {"id": assignee.pk, "username": assignee.username, "name": assignee.display_name},
        "category": case.category,
        "tags": CaseOut.resolve_tags(case),
        "restricted": case.is_restricted,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "first_response_at": case.first_response_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "due_at": case.due_at,
        "service_levels": CaseOut.resolve_service_levels(case),
        "version": case.version,
    }


class CaseList(Schema):
    items: list[CaseOut]
    next_cursor: str | None


class MessageIn(Schema):
    type: str = Field(description="`reply` (sent to the customer) or `note` (internal).")
    body: str
    status: Status | None = Field(None, description="For a reply: the status the case takes afterwards.")
    confirm_personal_data: bool = Field(
        False,
        description="For a reply that carries personal data not the customer's own (a card or bank number, "
        "someone else's email address or phone number): true once the sender has checked it may go. "
        "Without it such a reply is refused with 422, naming what was found.",
    )
    confirm_written_reply: bool = Field(
        False,
        description="For a reply to a customer who asked to be called back (a reasonable adjustment): true once "
        "the sender has checked a written reply is right this time. Without it such a reply is refused with 422.",
    )
    reason: str = Field(
        "",
        max_length=500,
        description="For a reply that resolves a complaint with handling steps not recorded: why.",
    )
    exception: ProcessingException | None = Field(
        None, description="For a note while the customer has restricted processing: the exception that allows it."
    )


class AuthorOut(Schema):
    kind: str
    id: int
    name: str


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str = Field(description="SHA-256 of the content; empty when it is kept only in the original email.")
    inline: bool = Field(alias="is_inline")
    download: str | None = Field(description="Where to download it; null when it is kept only in the original email.")

    @staticmethod
    def resolve_download(attachment: Attachment) -> str | None:
        if not attachment.is_stored:
            return None
        return f"/api/v1/cases/{format_reference(attachment.message.case_id)}/attachments/{attachment.pk}"


class MessageOut(Schema):
    id: int
    direction: Direction
    channel: Channel
    author: AuthorOut | None
    body: str = Field(alias="body_text")
    body_html: str
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(message: Message) -> list[Attachment]:
        return list(message.attachments.all())

    @staticmethod
    def resolve_author(message: Message) -> dict[str, Any] | None:
        if message.author_agent_id is not None and message.author_agent is not None:
            agent = message.author_agent
            return {"kind": "agent", "id": agent.pk, "name": agent.display_name}
        if message.author_customer_id is not None and message.author_customer is not None:
            customer = message.author_customer
            return {"kind": "customer", "id": customer.pk, "name": customer.name}
        return None


class EventOut(Schema):
    id: int
    kind: str
    actor: AgentOut | None
    message_id: int | None
    data: dict[str, Any]
    created_at: datetime

    @staticmethod
    def resolve_kind(event: CaseEvent) -> str:
        return event.kind
