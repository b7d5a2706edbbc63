"""The cases API: list, open, read, change; messages and events of a case."""

from __future__ import annotations

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from ninja import Field, Query, Router, Schema
from ninja import Status as Created
from ninja.renderers import JSONRenderer

from patron.accounts.models import Agent, Team
from patron.accounts.queries import acting_agent, agent_by_key, team_by_key
from patron.cases import queries, services
from patron.cases.downloads import attachment_response, csv_response
from patron.cases.exports import export_cases_csv
from patron.cases.models import Case, CaseEvent, Message, Status
from patron.cases.outgoing import call_back_asked, personal_data_in_reply
from patron.cases.schemas import (
    PRIORITY_BY_NAME,
    AgentOut,
    CaseIn,
    CaseList,
    CaseOut,
    CasePatch,
    EventOut,
    MessageIn,
    MessageOut,
    PriorityName,
    case_out,
)
from patron.cases.services import CaseChanges
from patron.customers.models import Customer
from patron.customers.queries import customer_by_id
from patron.errors import NotAllowed, NotFound, ValidationFailed
from patron.sentinels import UNSET

router = Router(tags=["cases"])


class CaseFilters(Schema):
    status: list[Status] = []
    kind: str = ""
    channel: str = ""
    priority: PriorityName | None = None
    team: str | None = None
    assignee: str | None = None
    tag: str = ""
    q: str = ""
    view: str = "all"
    sort: str = "updated"
    limit: int = 25
    cursor: str | None = None


@router.get("/cases", response=CaseList)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> queries.CasePage:
    """The cases you may see, newest activity first, a page at a time: pass `next_cursor` back as
    `cursor` for the next page."""
    agent = acting_agent(request.user)
    inbox_filters = _inbox_filters(filters)
    limit = max(1, min(filters.limit, settings.PATRON_MAX_PAGE_SIZE))
    page = queries.list_inbox(agent=agent, filters=inbox_filters, cursor=filters.cursor, limit=limit)
    prefetch_related_objects(page.items, *queries.SERVICE_LEVEL_PREFETCH)
    return page


@router.get("/cases/export")
def export_cases(request: HttpRequest, filters: Query[CaseFilters]) -> StreamingHttpResponse:
    """Every case the filters find, as CSV (text/csv), streamed. Service managers, privacy
    officers and administrators only; each export is audited."""
    lines = export_cases_csv(agent=acting_agent(request.user), filters=_inbox_filters(filters))
    return csv_response(lines)


def _inbox_filters(filters: CaseFilters) -> queries.InboxFilters:
    return queries.InboxFilters(
        view=filters.view,
        statuses=tuple(filters.status),
        kind=filters.kind,
        channel=filters.channel,
        priority=PRIORITY_BY_NAME[filters.priority] if filters.priority else None,
        team_id=_team(filters.team).pk if filters.team else None,
        assignee_id=_assignee(filters.assignee).pk if filters.assignee else None,
        tag=filters.tag,
        text=filters.q,
        sort=filters.sort,
    )


class OpenedOutOfSightOut(Schema):
    reference: str
    restricted: bool
    detail: str


@router.post("/cases", response={201: CaseOut, 202: OpenedOutOfSightOut})
def open_case(request: HttpRequest, body: CaseIn) -> HttpResponse | Created[dict[str, object]]:
    """Open a case. 202, with the reference alone, when it is for a restricted customer you are
    not named on: the case is opened, and who the customer is stays with the people named."""
    agent = acting_agent(request.user)
    opened = services.open_case_for_contact(_contact_case(body, agent, {}), by=agent)
    if opened.is_restricted and not queries.can_see_case(agent, opened):
        detail = "The case was opened. It is restricted: only the people named on it can see it."
        return Created(202, {"reference": opened.reference, "restricted": True, "detail": detail})
    prefetch_related_objects([opened], *queries.SERVICE_LEVEL_PREFETCH)
    return _created(request, case_out(opened))


_JSON = JSONRenderer()


def _created(request: HttpRequest, body: dict[str, object]) -> HttpResponse:
    """A 201 answer rendered as the API renders every answer, for a body already made."""
    content = _JSON.render(request, body, response_status=201)
    return HttpResponse(content, status=201, content_type=f"{_JSON.media_type}; charset={_JSON.charset}")


class CaseBatchIn(Schema):
    cases: list[CaseIn] = Field(
        description=f"Up to {services.MAX_CASES_AT_ONCE} cases, each as `POST /cases` takes one."
    )


class OpenedInBatchOut(Schema):
    """A case the batch opened. `customer`, `status` and `version` are left out (null) for a
    restricted customer you are not named on."""

    reference: str
    restricted: bool
    customer: int | None
    status: str | None
    version: int | None


class CaseBatchOut(Schema):
    cases: list[OpenedInBatchOut]


@router.post("/cases/batch", response={201: CaseBatchOut})
def open_case_batch(request: HttpRequest, body: CaseBatchIn) -> Created[dict[str, object]]:
    """Open up to 100 cases at once, for imports and integrations that send many: each as
    `POST /cases` opens one, in one transaction. If any is refused, none is opened (422; when there
    are several, naming which, counting from 1). The cases come back in the order sent."""
    agent = acting_agent(request.user)
    teams: dict[str, Team] = {}
    contacts = []
    for position, case in enumerate(body.cases):
        try:
            contacts.append(_contact_case(case, agent, teams))
        except ValidationFailed as refusal:
            if len(body.cases) == 1:
                raise
            raise services.numbered_refusal(refusal, position) from refusal
    opened = services.open_cases_for_contacts(contacts=contacts, by=agent)
    return Created(201, {"cases": [_opened_in_batch(case, agent) for case in opened]})


def _contact_case(case: CaseIn, agent: Agent, teams: dict[str, Team]) -> services.ContactCase:
    ref = case.customer
    if case.team and case.team not in teams:
        teams[case.team] = _team(case.team)
    return services.ContactCase(
        customer=_customer_by_id(ref.id, agent) if ref.id is not None else None,
        email=ref.email,
        phone=ref.phone,
        name=ref.name,
        customer_kind=ref.kind,
        subject=case.subject,
        body=case.body,
        channel=case.channel,
        kind=case.kind,
        priority=PRIORITY_BY_NAME[case.priority],
        team=teams[case.team] if case.team else None,
        category=case.category,
        tags=case.tags,
        received_at=case.received_at,
    )


def _opened_in_batch(case: Case, agent: Agent) -> dict[str, object]:
    if case.is_restricted and not queries.can_see_case(agent, case):
        return {"reference": case.reference, "restricted": True, "customer": None, "status": None, "version": None}
    return {
        "reference": case.reference,
        "restricted": case.is_restricted,
        "customer": case.customer_id,
        "status": case.status,
        "version": case.version,
    }


REASON_HEADER = "X-Patron-Reason"


def case_for_request(request: HttpRequest, reference: str) -> Case:
    """The case asked for, if the caller may see it. A restricted case also needs the reason for
    opening it, in the X-Patron-Reason header; the reason goes on the audit trail."""
    agent = acting_agent(request.user)
    case = queries.case_for_agent(agent=agent, reference=reference)
    if case.is_restricted:
        reason = request.headers.get(REASON_HEADER, "")
        if not reason.strip():
            raise NotAllowed(
                f"This case is restricted. Say why you are opening it in the {REASON_HEADER} header; "
                "the reason is recorded."
            )
        services.record_restricted_opening(case=case, by=agent, reason=reason)
    return case


class RestrictionIn(Schema):
    restricted: bool
    people: list[str] = Field(default_factory=list, description="Usernames or ids of the agents who may see the case.")
    reason: str


class RestrictionOut(Schema):
    restricted: bool
    people: list[AgentOut]


@router.put("/cases/{reference}/restriction", response=RestrictionOut)
def set_restriction(request: HttpRequest, reference: str, body: RestrictionIn) -> dict[str, object]:
    """Restrict the case to the people named (you are always among them), or lift the
    restriction. Team leads, service managers, privacy officers and administrators only."""
    agent = acting_agent(request.user)
    case = case_for_request(request, reference)
    people = [_named_agent(key) for key in body.people]
    updated = services.set_restriction(
        case=case, by=agent, restricted=body.restricted, people=people, reason=body.reason
    )
    return {"restricted": updated.is_restricted, "people": queries.people_named_on(updated)}


class CustomerRestrictionOut(Schema):
    customer: int
    restricted: bool
    people: list[AgentOut]


@router.put("/customers/{customer_id}/restriction", response=CustomerRestrictionOut)
def set_customer_restriction(request: HttpRequest, customer_id: int, body: RestrictionIn) -> dict[str, object]:
    """Restrict a customer's record, and all their cases, to the people named (you are always
    among them), or lift it. Service managers, privacy officers and administrators only."""
    agent = acting_agent(request.user)
    customer = customer_by_id(customer_id, agent=agent)
    people = [_named_agent(key) for key in body.people]
    updated = services.set_customer_restriction(
        customer=customer, by=agent, restricted=body.restricted, people=people, reason=body.reason
    )
    named = Agent.objects.filter(customer_access__customer=updated).order_by("first_name", "last_name", "pk")
    return {"customer": updated.pk, "restricted": updated.is_restricted, "people": list(named)}


def _named_agent(key: str) -> Agent:
    found = agent_by_key(key)
    if found is None:
        raise ValidationFailed(f"There is no agent “{key[:50]}”.", fields={"people": "Unknown agent."})
    return found


@router.get("/cases/{reference}", response=CaseOut)
def get_case(request: HttpRequest, reference: str) -> Case:
    case = case_for_request(request, reference)
    services.record_case_viewed(case=case, by=acting_agent(request.user))
    prefetch_related_objects([case], *queries.SERVICE_LEVEL_PREFETCH)
    return case


@router.patch("/cases/{reference}", response=CaseOut)
def update_case(request: HttpRequest, reference: str, body: CasePatch) -> Case:
    """Change a case. 409 when someone changed it since the `version` you send."""
    agent = acting_agent(request.user)
    case = case_for_request(request, reference)
    sent = body.model_fields_set
    changes = CaseChanges(
        status=body.status if body.status is not None else UNSET,
        priority=PRIORITY_BY_NAME[body.priority] if body.priority is not None else UNSET,
        kind=body.kind if body.kind is not None else UNSET,
        subject=body.subject if body.subject is not None else UNSET,
        category=body.category if body.category is not None else UNSET,
        team=(_team(body.team) if body.team is not None else None) if "team" in sent else UNSET,
        assignee=(_assignee(body.assignee) if body.assignee is not None else None) if "assignee" in sent else UNSET,
        tags=body.tags if body.tags is not None else UNSET,
        reason=body.reason or "",
        exception=body.exception or "",
    )
    services.update_case(case=case, by=agent, expected_version=body.version, changes=changes)
    updated = queries.case_for_agent(agent=agent, reference=reference)
    prefetch_related_objects([updated], *queries.SERVICE_LEVEL_PREFETCH)
    return updated


@router.get("/cases/{reference}/messages", response=list[MessageOut])
def list_messages(request: HttpRequest, reference: str) -> list[Message]:
    case = case_for_request(request, reference)
    services.record_case_viewed(case=case, by=acting_agent(request.user), what="messages")
    return list(queries.messages_of(case))


@router.post("/cases/{reference}/messages", response={201: MessageOut})
def add_message(request: HttpRequest, reference: str, body: MessageIn) -> Created[Message]:
    """Reply to the customer (`type: reply`) or add an internal note (`type: note`)."""
    agent = acting_agent(request.user)
    case = case_for_request(request, reference)
    if body.type == "reply":
        found = personal_data_in_reply(body.body, case)
        if found and not body.confirm_personal_data:
            raise ValidationFailed(
                f"The reply contains {', '.join(found)}. Check it is right to send this to the customer, then "
                "send it again with confirm_personal_data true.",
                fields={"confirm_personal_data": "Needed for a reply carrying personal data."},
            )
        call_back = call_back_asked(case)
        if call_back and not body.confirm_written_reply:
            raise ValidationFailed(
                f"{call_back} To send it, send it again with confirm_written_reply true.",
                fields={"confirm_written_reply": "Needed for a written reply to someone who asked to be called back."},
            )
        return Created(201, services.reply(case=case, by=agent, body=body.body, status=body.status, reason=body.reason))
    if body.type == "note":
        return Created(201, services.add_note(case=case, by=agent, body=body.body, exception=body.exception or ""))
    raise ValidationFailed("A message's type is either “reply” or “note”.", fields={"type": "Choose reply or note."})


@router.get("/cases/{reference}/attachments/{attachment_id}")
def download_attachment(request: HttpRequest, reference: str, attachment_id: int) -> HttpResponseBase:
    """A file that came with a message, exactly as it came, always as a download."""
    case = case_for_request(request, reference)
    return attachment_response(
        queries.attachment_of(case=case, attachment_id=attachment_id), acting_agent(request.user)
    )


@router.get("/cases/{reference}/events", response=list[EventOut])
def list_events(request: HttpRequest, reference: str) -> list[CaseEvent]:
    """Everything that happened on the case, oldest first: who, when, what, before and after."""
    case = case_for_request(request, reference)
    return queries.timeline(case)


def _customer_by_id(customer_id: int, agent: Agent) -> Customer:
    try:
        customer = customer_by_id(customer_id, agent=agent)
    except NotFound as error:
        raise ValidationFailed(
            f"There is no customer with id {customer_id}.", fields={"customer": "Unknown."}
        ) from error
    return customer.merged_into if customer.merged_into_id and customer.merged_into else customer


def _team(key: str) -> Team:
    team = team_by_key(key)
    if team is None:
        raise ValidationFailed(f"There is no team “{key}”.", fields={"team": "Use a team's short name or id."})
    return team


def _assignee(key: str) -> Agent:
    agent = agent_by_key(key)
    if agent is None:
        raise ValidationFailed(f"There is no active agent “{key}”.", fields={"assignee": "Use a username or id."})
    return agent
