"""Reads of cases, always scoped to what the agent may see and already prefetched."""

from __future__ import annotations

import base64
import binascii
import functools
import json
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.dateparse import parse_datetime

from patron.accounts.models import Agent, Role
from patron.accounts.queries import team_ids_of
from patron.cases import search
from patron.cases.models import Attachment, Case, CaseAccess, CaseEvent, Message, Tag, parse_reference
from patron.customers.models import ContactPoint, Customer
from patron.db import PreparedQuery, remember_related
from patron.errors import NotFound, ValidationFailed


def can_see_case(agent: Agent, case: Case) -> bool:
    """Agents see their teams' cases, cases assigned to them and cases not yet routed to a
    team; managers, privacy officers and admins see every case. A restricted case only the
    people named on it see; privacy officers and admins may open one, giving a reason."""
    if case.is_restricted:
        return may_open_restricted(agent) or is_named_on(agent, case)
    if agent.sees_all_cases:
        return True
    return case.team_id is None or case.assignee_id == agent.pk or case.team_id in team_ids_of(agent)


def may_open_restricted(agent: Agent) -> bool:
    """Privacy officers and administrators answer for every record (subject requests, breaches):
    they may open a restricted case they are not named on, and say why each time."""
    return agent.role in (Role.PRIVACY_OFFICER, Role.ADMIN) or agent.is_superuser


def is_named_on(agent: Agent, case: Case) -> bool:
    return CaseAccess.objects.filter(case_id=case.pk, agent_id=agent.pk).exists()


def people_named_on(case: Case) -> list[Agent]:
    return list(Agent.objects.filter(case_access__case_id=case.pk).order_by("first_name", "last_name", "username"))


def scope_customers(agent: Agent, customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """Agents and team leads see the customers on cases they can see, and customers no team
    has served yet (so a new case can be opened for them); the roles that see every case see
    every customer. A customer known only through a restricted case stays hidden."""
    if agent.sees_all_cases:
        return customers
    on_visible_case = Exists(visible_cases(agent).filter(customer_id=OuterRef("pk")))
    on_no_case = ~Exists(Case.objects.filter(customer_id=OuterRef("pk")))
    return customers.filter(on_visible_case | on_no_case)


def visible_cases(agent: Agent) -> QuerySet[Case]:
    """The cases an agent sees in lists and finds by reference, as a query (`can_see_case`,
    except that restricted cases appear only for the people named on them). Teams and assignee
    are compared through an expression no index covers, so a listing walks the index of its sort
    order and stops after a page rather than gathering a team's tens of thousands of cases and
    sorting them (125 ms to 3 ms on 100,000 cases); a look-up by id or customer still uses its
    own index."""
    return _visible_to(
        agent.pk, sees_all=agent.sees_all_cases, team_ids=() if agent.sees_all_cases else team_ids_of(agent)
    )


def _visible_to(agent_id: int, *, sees_all: bool, team_ids: Sequence[int]) -> QuerySet[Case]:
    cases = Case.objects.alias(team_key=Coalesce("team_id", Value(0)), assignee_key=Coalesce("assignee_id", Value(0)))
    named = Q(pk__in=CaseAccess.objects.filter(agent_id=agent_id).values("case_id"))
    if sees_all:
        return cases.filter(Q(is_restricted=False) | named)
    in_reach = Q(team_key__in=[0, *team_ids]) | Q(assignee_key=agent_id)
    return cases.filter((in_reach & Q(is_restricted=False)) | named)


def case_for_agent(*, agent: Agent, reference: str) -> Case:
    """The case with this reference, if the agent may see it; otherwise NotFound, so a case the
    agent may not see is indistinguishable from one that does not exist. A restricted case comes
    back to privacy officers and admins too; whoever opens it must record why
    (`services.record_restricted_opening`). Every page and call about one case starts here, so
    its queries are prepared once and the agent's sight of it is checked on the row found."""
    pk = parse_reference(reference)
    found = _CASE_WITH_PEOPLE(case_id=pk) if pk is not None else []
    if not found or not _in_sight(agent, found[0]):
        raise NotFound(f"There is no case {reference.strip()[:20]} that you can see.")
    case = found[0]
    remember_related(case, "tags", _TAGS_OF_CASE(case_id=case.pk))
    remember_related(case.customer, "contact_points", _POINTS_OF_CUSTOMER(customer_id=case.customer_id))
    return case


def _in_sight(agent: Agent, case: Case) -> bool:
    """`visible_cases` for one case, and a restricted one for those who may open it: as
    `can_see_case`, and the people named on a case that is no longer restricted still see it."""
    return can_see_case(agent, case) or (not case.is_restricted and is_named_on(agent, case))


_CASE_WITH_PEOPLE = PreparedQuery(
    lambda case_id: Case.objects.filter(pk=case_id).select_related(
        "customer", "customer__organisation", "team", "assignee"
    )
)
_TAGS_OF_CASE = PreparedQuery(lambda case_id: Tag.objects.filter(cases__id=case_id))
_POINTS_OF_CUSTOMER = PreparedQuery(lambda customer_id: ContactPoint.objects.filter(customer_id=customer_id))


# --- the inbox ----------------------------------------------------------------------------------

# Service-level clocks are kept by the standards app on the reverse relation `sla_clocks`.
SERVICE_LEVEL_PREFETCH = ("sla_clocks", "sla_clocks__policy")

SORTS: dict[str, tuple[str, bool]] = {
    # name: (field, descending)
    "updated": ("updated_at", True),
    "oldest_update": ("updated_at", False),
    "newest": ("created_at", True),
    "oldest": ("created_at", False),
    # Soonest due first; only cases with a running service target have a due time.
    "due": ("due_at", False),
}
VIEWS = ("all", "mine", "team", "unassigned")


@dataclass(frozen=True)
class InboxFilters:
    view: str = "all"
    statuses: tuple[str, ...] = ()
    kind: str = ""
    channel: str = ""
    priority: int | None = None
    team_id: int | None = None
    assignee_id: int | None = None
    tag: str = ""
    text: str = ""
    sort: str = "updated"


@dataclass(frozen=True)
class CasePage:
    items: list[Case]
    next_cursor: str | None
    filters: InboxFilters = field(default_factory=InboxFilters)


def list_inbox(*, agent: Agent, filters: InboxFilters, cursor: str | None = None, limit: int = 25) -> CasePage:
    """One page of the cases the agent may see, filtered and sorted, by keyset pagination: the
    cost of a page does not grow with how far the agent has paged."""
    if filters.sort not in SORTS:
        raise ValidationFailed(f"“{filters.sort}” is not a way to sort. Choose one of: {', '.join(SORTS)}.")
    if filters.view not in VIEWS:
        raise ValidationFailed(f"“{filters.view}” is not an inbox view. Choose one of: {', '.join(VIEWS)}.")
    sort_field, descending = SORTS[filters.sort]
    cases = _filtered(visible_cases(agent), agent, filters)
    if sort_field == "due_at":
        cases = cases.filter(due_at__isnull=False)
    key = sort_field
    few = _few_matching(agent, filters) if sort_field != "updated_at" else None
    if few is not None:
        # Few cases hold the values filtered on: those are taken by key and sorted. Compared
        # through an expression, the sort key cannot lead the database to walk every case in
        # this order looking for them. (The filters' own indexes are in order of update.)
        cases = cases.filter(id__in=few).alias(sort_key=Coalesce(sort_field, Value(_EARLIEST)))
        key = "sort_key"
    cases = _from_where_the_page_starts(cases, key, descending, _decode_cursor(cursor) if cursor else None)
    order = [f"-{key}", "-id"] if descending else [key, "id"]
    rows = list(
        cases.order_by(*order)
        .select_related("customer", "team", "assignee")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))[: limit + 1]
    )
    next_cursor = (
        _encode_cursor(getattr(rows[limit - 1], sort_field), rows[limit - 1].pk) if len(rows) > limit else None
    )
    return CasePage(items=rows[:limit], next_cursor=next_cursor, filters=filters)


# Bounds no case is beyond: where the first page starts.
_EARLIEST, _LATEST = datetime(1, 1, 2, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC)


# Fewer matching cases than this are sorted rather than looked for in the order of the sort.
FEW_MATCHES = 2000


def _few_matching(agent: Agent, filters: InboxFilters) -> list[int] | None:
    """The cases the filters with an index of their own leave, when they are fewer than
    FEW_MATCHES: read from that index alone, at most that many entries. None when they are more,
    or no such filter is set. Who may see them is left to the query of the page."""
    narrowing = _indexed_filters(agent, filters)
    if narrowing is None:
        return None
    ids = list(Case.objects.filter(narrowing).order_by().values_list("id", flat=True)[:FEW_MATCHES])
    return ids if len(ids) < FEW_MATCHES else None


def _indexed_filters(agent: Agent, filters: InboxFilters) -> Q | None:
    conditions = [
        Q(assignee_id=agent.pk) if filters.view == "mine" else None,
        Q(status__in=filters.statuses) if filters.statuses else None,
        Q(kind=filters.kind) if filters.kind else None,
        Q(channel=filters.channel) if filters.channel else None,
        Q(priority=filters.priority) if filters.priority is not None else None,
        Q(team_id=filters.team_id) if filters.team_id is not None else None,
        Q(assignee_id=filters.assignee_id) if filters.assignee_id is not None else None,
    ]
    chosen = [condition for condition in conditions if condition is not None]
    return functools.reduce(operator.and_, chosen) if chosen else None


def _from_where_the_page_starts(
    cases: QuerySet[Case], sort_field: str, descending: bool, start: tuple[datetime, int] | None
) -> QuerySet[Case]:
    """The cases from the cursor on, in sort order. Every page, the first included, starts with
    a plain range on the sort field, from which the database walks the index of the sort order,
    keeping the cases that pass the filters, until the page is full. Left to itself on a large
    desk, SQLite planned some pages otherwise: with a cursor, its OR alone (every customer's
    cases, then a sort: 46 ms for a page halfway down 100,000 cases, 0.2 ms with the range); on a
    first page filtered on a common value and sorted by when cases were opened, every case
    holding the value, then a sort (64 ms for the closed cases oldest first, 4 ms walking)."""
    before, at_or_before = ("lt", "lte") if descending else ("gt", "gte")
    if start is None:
        return cases.filter(**{f"{sort_field}__{at_or_before}": _LATEST if descending else _EARLIEST})
    value, last_id = start
    return cases.filter(
        Q(**{f"{sort_field}__{at_or_before}": value})
        & (Q(**{f"{sort_field}__{before}": value}) | Q(**{sort_field: value, f"id__{before}": last_id}))
    )


def _filtered(cases: QuerySet[Case], agent: Agent, filters: InboxFilters) -> QuerySet[Case]:
    if filters.view == "mine":
        # The assignee's own index holds their cases in order of update: no case of anyone else is read.
        cases = cases.filter(assignee_id=agent.pk)
    elif filters.view == "team":
        teams = team_ids_of(agent)
        cases = cases.filter(Q(team_key__in=teams)) if teams else cases.none()
    elif filters.view == "unassigned":
        cases = cases.filter(assignee__isnull=True)
    if filters.statuses:
        cases = cases.filter(status__in=filters.statuses)
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.priority is not None:
        cases = cases.filter(priority=filters.priority)
    if filters.team_id is not None:
        cases = cases.filter(team_id=filters.team_id)
    if filters.assignee_id is not None:
        cases = cases.filter(assignee_id=filters.assignee_id)
    if filters.tag:
        cases = cases.filter(tags__name=filters.tag.strip().lower())
    if filters.text.strip():
        matches = search.matching_case_ids(filters.text)
        if search.is_common(filters.text):
            # Compared through an expression, the ids cannot drive the plan: the database walks
            # the sort order and keeps the matching cases, stopping after a page.
            cases = cases.alias(id_key=Coalesce("id", Value(0))).filter(Q(id_key__in=matches))
        else:
            cases = cases.filter(id__in=matches)
    return cases


def _encode_cursor(value: datetime, pk: int) -> str:
    raw = json.dumps([value.isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        moment = parse_datetime(value)
        if moment is None or not isinstance(pk, int):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValidationFailed(
            "The page cursor is not valid. Start again from the first page.",
            fields={"cursor": "Not a cursor this server gave out."},
        ) from error
    return moment, pk


# --- one case -----------------------------------------------------------------------------------


def messages_of(case: Case) -> QuerySet[Message]:
    """The case's messages, oldest first, with their authors."""
    return (
        Message.objects.filter(case=case)
        .select_related("author_agent", "author_customer")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


_TIMELINE = PreparedQuery(
    lambda case_id: (
        CaseEvent.objects.filter(case_id=case_id)
        .select_related("actor", "message", "message__author_agent", "message__author_customer")
        .order_by("created_at", "id")
    )
)
_ATTACHMENTS_OF_CASE = PreparedQuery(lambda case_id: Attachment.objects.filter(message__case_id=case_id).order_by("id"))


def timeline(case: Case) -> list[CaseEvent]:
    """Everything that happened on the case, oldest first, messages and their attachments
    included: two queries, each prepared once (every case page reads them)."""
    events = _TIMELINE(case_id=case.pk)
    attachments: dict[int, list[Attachment]] = {}
    for attachment in _ATTACHMENTS_OF_CASE(case_id=case.pk):
        attachments.setdefault(attachment.message_id, []).append(attachment)
    for event in events:
        if event.message is not None:
            remember_related(event.message, "attachments", attachments.get(event.message.pk, []))
    return events


def attachment_of(*, case: Case, attachment_id: int) -> Attachment:
    """An attachment of this case (which the caller has already checked the agent may see)."""
    found = Attachment.objects.filter(pk=attachment_id, message__case=case).select_related("message").first()
    if found is None:
        raise NotFound("This case has no such attachment.")
    return found


OTHER_CASES_SHOWN = 10


def other_cases_of_customer(case: Case, agent: Agent) -> list[Case]:
    """The customer's other cases the agent may see, most recently active first: on every case
    page, so prepared once for each shape the agent's sight takes (how many teams they are in)."""
    team_ids = () if agent.sees_all_cases else tuple(team_ids_of(agent))
    prepared = _other_cases_query(agent.sees_all_cases, len(team_ids))
    teams = {f"team{index}": team_id for index, team_id in enumerate(team_ids)}
    return prepared(agent_id=agent.pk, customer_id=case.customer_id, case_id=case.pk, **teams)


@functools.cache
def _other_cases_query(sees_all: bool, team_count: int) -> PreparedQuery[Case]:
    team_names = [f"team{index}" for index in range(team_count)]

    def build(**values: int) -> QuerySet[Case]:
        visible = _visible_to(values["agent_id"], sees_all=sees_all, team_ids=[values[name] for name in team_names])
        return (
            visible.filter(customer_id=values["customer_id"])
            .exclude(pk=values["case_id"])
            .order_by("-updated_at", "-id")[:OTHER_CASES_SHOWN]
        )

    return PreparedQuery(build, names=["agent_id", "customer_id", "case_id", *team_names])


def search_cases(*, agent: Agent, text: str, limit: int = 25) -> list[Case]:
    """Cases whose subject or messages contain every word of `text`, most recent first."""
    if not search.search_terms(text):
        return []
    return list_inbox(agent=agent, filters=InboxFilters(text=text), limit=limit).items


def cases_of_customer(*, agent: Agent, customer_id: int, limit: int = 50) -> list[Case]:
    """The customer's cases the agent may see, most recently active first, with team and
    assignee loaded for listing."""
    return list(
        visible_cases(agent)
        .filter(customer_id=customer_id)
        .select_related("team", "assignee")
        .order_by("-updated_at", "-id")[:limit]
    )
