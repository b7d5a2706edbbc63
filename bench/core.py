"""Speed of Patron's core paths on SQLite, against a desk of 100,000 cases and 500,000 messages.

    PATRON_LOCAL=1 .venv/bin/python bench/core.py [--quick] [--rebuild] [--repeat N]

The dataset is built once and kept in bench/.cache/ (keyed by the dataset version, its size
and the migrations), then copied into a temporary PATRON_DATA_DIR for each run, so the
measurements never change the cached file. Cases are opened through `open_cases` in batches;
the later messages and their events are bulk-inserted rows (replies, customer messages and
notes with REPLIED / MESSAGE_RECEIVED / NOTE_ADDED events and one STATUS_CHANGED event per
case), which is what makes 500,000 messages quick to build.

Each page and API request is timed as server time through Django's test client: from the
handler taking the request to the response it gives back (URL routing, middleware, session,
view, template, the database), as a WSGI server would call it; the client's own making of the
request and reading of the answer are left out, and shown beside the API figures. Reads are
the median of N runs after a warm-up; cases opened through the API, the median rate of ten
runs. Where a page does not exist yet, the query behind it is timed instead, and the table
says which. Results are printed and written to bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = ROOT / "bench" / ".cache"
RESULTS_DIR = ROOT / "bench" / "results"
# Raise when the dataset's shape or content changes, so stale cached files are not reused.
DATASET_VERSION = 1
SEED = 424242
API_WARMUP = 20
API_RUNS = 10

if TYPE_CHECKING:
    from django.test import Client

    from patron.accounts.models import Agent, Team
    from patron.cases.queries import InboxFilters
    from patron.customers.models import Customer


@dataclass(frozen=True)
class Size:
    cases: int
    messages: int
    customers: int
    service_cases: int  # opened through open_cases during the measurement
    api_cases: int  # opened through POST /api/v1/cases during the measurement
    repeat: int = 10
    batch: int = 500


FULL = Size(cases=100_000, messages=500_000, customers=3_000, service_cases=10_000, api_cases=2_000)
QUICK = Size(cases=2_000, messages=10_000, customers=200, service_cases=1_000, api_cases=300)


@dataclass
class Result:
    name: str
    measured: str  # what was timed: the page, or the query behind it
    value: float | None
    unit: str
    target: float
    higher_is_better: bool = False
    note: str = ""
    # The timed action, to profile it when the figure misses its target.
    action: Callable[[], object] | None = field(default=None, repr=False, compare=False)

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "n/a"
        ok = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return "PASS" if ok else "FAIL"

    def as_dict(self) -> dict[str, Any]:
        fields = {key: value for key, value in vars(self).items() if key != "action"}
        return {**fields, "verdict": self.verdict}


@dataclass
class Desk:
    """The people and teams the measurements act as."""

    lead: Agent
    agents: list[Agent]
    teams: dict[str, Team]
    members: dict[str, list[Agent]]
    customers: list[Customer] = field(default_factory=list)


# --- building the dataset -----------------------------------------------------------------------


def create_desk(size: Size) -> Desk:
    """Teams and agents as in the demo, and customers, all through the services."""
    from patron.accounts.models import Role
    from patron.accounts.services import create_agent, create_team
    from patron.customers.services import CustomerDetails, create_customer
    from patron.demo import LOGINS, TEAMS
    from patron.demo_text import FIRST_NAMES, SURNAMES

    teams = {
        key: create_team(name=name, is_internal_desk=internal, email=email) for key, name, internal, email in TEAMS
    }
    agents = [
        create_agent(
            username=username,
            email=f"{username}@example.org",
            role=role,
            first_name=first,
            last_name=last,
            teams=[teams[key] for key in keys],
        )
        for username, first, last, role, keys in LOGINS
    ]
    lead = next(agent for agent in agents if agent.username == "lead")
    assert lead.role == Role.TEAM_LEAD
    rng = random.Random(SEED)  # noqa: S311 - repeatable on purpose
    customers = []
    for number in range(size.customers):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        details = CustomerDetails(name=f"{first} {last}", emails=[f"customer{number}@example.com"])
        customers.append(create_customer(details=details, by=None))
    return Desk(lead=lead, agents=agents, teams=teams, members=_members(teams, agents), customers=customers)


def _members(teams: dict[str, Team], agents: Sequence[Agent]) -> dict[str, list[Agent]]:
    keys_of = {team.pk: key for key, team in teams.items()}
    members: dict[str, list[Agent]] = {key: [] for key in teams}
    for agent in agents:
        for team_id in agent.teams.values_list("id", flat=True):
            members[keys_of[team_id]].append(agent)
    return members


def load_desk() -> Desk:
    from patron.accounts.models import Agent, Team
    from patron.customers.models import Customer
    from patron.demo import TEAMS

    by_name = {team.name: team for team in Team.objects.all()}
    teams = {key: by_name[name] for key, name, *_ in TEAMS}
    agents = list(Agent.objects.order_by("id"))
    lead = next(agent for agent in agents if agent.username == "lead")
    customers = list(Customer.objects.order_by("id")[:5000])
    return Desk(lead=lead, agents=agents, teams=teams, members=_members(teams, agents), customers=customers)


def build_dataset(size: Size, *, progress: bool = True) -> dict[str, Any]:
    """Fill an empty, migrated database with `size.cases` cases and about `size.messages` messages."""
    from django.db import transaction
    from tqdm import tqdm  # type: ignore[import-untyped,unused-ignore]

    from patron.cases.models import Case, Message

    started = time.perf_counter()
    desk = create_desk(size)
    customers_done = time.perf_counter()
    rng = random.Random(SEED + 1)  # noqa: S311 - repeatable on purpose
    extra_per_case = max(size.messages - size.cases, 0) / max(size.cases, 1)
    now = _now()
    opening = 0.0
    with tqdm(total=size.cases, desc="Building the dataset", unit="case", disable=not progress) as bar:
        for start in range(0, size.cases, size.batch):
            count = min(size.batch, size.cases - start)
            with transaction.atomic():
                began = time.perf_counter()
                opened, slots = _open_batch(rng, desk, count, now)
                opening += time.perf_counter() - began
                _add_history(rng, desk, opened, slots, extra_per_case, now)
            bar.update(count)
    return {
        "cases": Case.objects.count(),
        "messages": Message.objects.count(),
        "customers": len(desk.customers),
        "customers_seconds": round(customers_done - started, 1),
        "open_cases_per_second": round(size.cases / opening) if opening else None,
        "build_seconds": round(time.perf_counter() - started, 1),
    }


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now()


def _open_batch(
    rng: random.Random, desk: Desk, count: int, now: datetime, *, age_days: float = 365
) -> tuple[list[Any], list[Any]]:
    from patron.cases.services import open_cases

    new_cases, all_slots = _new_batch(rng, desk, count, now, age_days=age_days)
    return open_cases(new_cases=new_cases, by=None), all_slots


def _new_batch(
    rng: random.Random, desk: Desk, count: int, now: datetime, *, age_days: float = 365
) -> tuple[list[Any], list[Any]]:
    """`count` new cases with realistic text, received over the last `age_days`, and the words
    their text was made from."""
    from patron import demo_text as text
    from patron.cases.services import NewCase

    weights = [scenario.weight for scenario in text.SCENARIOS]
    new_cases, all_slots = [], []
    received = sorted(now - timedelta(days=age_days * rng.random(), minutes=10) for _ in range(count))
    for received_at in received:
        scenario = rng.choices(text.SCENARIOS, weights=weights)[0]
        variant = rng.choice(scenario.variants)
        customer = rng.choice(desk.customers)
        members = desk.members[scenario.team]
        slots = text.Slots(rng, first=customer.name.split()[0], agent=rng.choice(members).first_name)
        new_cases.append(
            NewCase(
                customer=customer,
                subject=variant.subject.format_map(slots),
                body=variant.body.format_map(slots),
                channel=rng.choice(scenario.channels),
                kind=scenario.kind,
                team=desk.teams[scenario.team],
                assignee=rng.choice(members) if rng.random() < 0.6 else None,
                category=scenario.category,
                tags=[tag for tag in scenario.tags if rng.random() < 0.5],
                received_at=received_at,
            )
        )
        all_slots.append((slots, scenario, variant))
    return new_cases, all_slots


def _add_history(
    rng: random.Random, desk: Desk, opened: Sequence[Any], slots: Sequence[Any], per_case: float, now: datetime
) -> None:
    """Replies, customer messages and notes after each case's first message, as bulk rows."""
    from django.db import connection

    from patron import demo_text as text
    from patron.cases.models import CaseEvent, Channel, Direction, EventKind, Message, Status

    messages: list[Message] = []
    events: list[CaseEvent] = []
    updates = []
    for case, (case_slots, scenario, variant) in zip(opened, slots, strict=True):
        count = max(0, round(rng.gauss(per_case, per_case / 2))) if per_case else 0
        at, first_response = case.created_at, None
        handler = case.assignee or rng.choice(desk.members[scenario.team])
        for index in range(count):
            at = min(at + timedelta(minutes=rng.randint(20, 2 * 24 * 60)), now - timedelta(minutes=1))
            if index % 2 == 0:
                core = variant.resolution if index == count - 1 else rng.choice(text.ACKNOWLEDGEMENTS["default"])
                body = f"Hello {{first}},\n\n{core}\n\n{{agent}}\n{case.team.name}".format_map(case_slots)
                message = Message(
                    case=case, direction=Direction.OUTBOUND, channel=Channel.EMAIL, author_agent=handler,
                    body_text=body, created_at=at,
                )  # fmt: skip
                first_response = first_response or at
                kind = EventKind.REPLIED
            elif rng.random() < 0.3:
                body = rng.choice(scenario.notes + text.NOTES).format_map(case_slots)
                message = Message(
                    case=case, direction=Direction.NOTE, channel=Channel.INTERNAL, author_agent=handler,
                    body_text=body, created_at=at,
                )  # fmt: skip
                kind = EventKind.NOTE_ADDED
            else:
                said = rng.choice(text.CHASERS["default"] + text.ADDITIONS).format_map(case_slots)
                message = Message(
                    case=case, direction=Direction.INBOUND, channel=case.channel, author_customer=case.customer,
                    body_text=said, created_at=at,
                )  # fmt: skip
                kind = EventKind.MESSAGE_RECEIVED
            messages.append(message)
            actor = None if kind == EventKind.MESSAGE_RECEIVED else handler
            events.append(CaseEvent(case=case, kind=kind, actor=actor, message=message, created_at=at))
        age = (now - case.created_at).days
        status = Status.NEW if count == 0 and age < 3 else _final_status(rng, age, replied=count > 0)
        if status != Status.NEW:
            events.append(
                CaseEvent(case=case, kind=EventKind.STATUS_CHANGED, actor=handler, created_at=at,
                          data={"before": Status.NEW, "after": status})
            )  # fmt: skip
        done = status in (Status.RESOLVED, Status.CLOSED)
        updates.append(
            (status, at, first_response, at if done else None, at if status == Status.CLOSED else None, case.pk)
        )
    Message.objects.bulk_create(messages, batch_size=2000)
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE cases_case SET status = %s, updated_at = %s, first_response_at = %s, resolved_at = %s, "
            "closed_at = %s WHERE id = %s",
            updates,
        )


def _final_status(rng: random.Random, age_days: int, *, replied: bool) -> str:
    from patron.cases.models import Status

    if age_days > 14:
        weights = (0, 2, 2, 1, 15, 80)
    elif age_days > 2:
        weights = (0, 20, 20, 10, 35, 15)
    else:
        weights = (0, 45, 25, 10, 20, 0)
    choices = (Status.NEW, Status.OPEN, Status.AWAITING_CUSTOMER, Status.AWAITING_THIRD_PARTY, Status.RESOLVED)
    status: str = rng.choices((*choices, Status.CLOSED), weights=weights)[0]
    return status if replied or status != Status.OPEN else Status.OPEN


# --- measuring ----------------------------------------------------------------------------------


def median_ms(action: Callable[[], object], repeat: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        action()
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        timings.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(timings), 2)


class ServerClock:
    """Server time of a test client's requests: from its handler taking a request to the response
    it returns, as a WSGI server calls the application. Installed as the client's handler."""

    def __init__(self, client: Client) -> None:
        self.last = 0.0
        self._handler = client.handler
        client.handler = self  # type: ignore[assignment]

    def __call__(self, environ: dict[str, Any]) -> Any:
        began = time.perf_counter()
        try:
            return self._handler(environ)
        finally:
            self.last = time.perf_counter() - began


def median_server_ms(request: Callable[[], object], clock: ServerClock, repeat: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        request()
    timings = []
    for _ in range(repeat):
        request()
        timings.append(clock.last * 1000)
    return round(statistics.median(timings), 2)


def _client_for(agent: Agent) -> Client:
    from django.test import Client

    client = Client()
    client.force_login(agent, backend="django.contrib.auth.backends.ModelBackend")
    return client


def measure_reads(desk: Desk, repeat: int) -> list[Result]:
    from patron.cases import queries
    from patron.cases.models import Status

    lead = desk.lead
    client = _client_for(lead)
    clock = ServerClock(client)
    results: list[Result] = []

    everything = queries.InboxFilters()
    open_in_team = queries.InboxFilters(view="team", statuses=(Status.NEW, Status.OPEN))
    first = queries.list_inbox(agent=lead, filters=everything).items
    run = _inbox_page(lead, everything)
    results.append(
        Result("inbox, first page (all I may see)", "list_inbox()", median_ms(run, repeat), "ms", 25, action=run)
    )
    run = _inbox_page(lead, open_in_team)
    results.append(
        Result("inbox, my teams' new and open cases", "list_inbox()", median_ms(run, repeat), "ms", 25, action=run)
    )
    results.append(_page(client, clock, "inbox page GET /", "/", first[0].reference if first else None, 25, repeat))
    results.extend(_deep_in_the_inbox(lead, client, clock, repeat))
    results.append(_slowest_inbox(lead, repeat))

    case = _busy_case(lead)
    case_page = f"/cases/{case.reference}"

    def one_case() -> object:
        agent = _fresh(lead)
        found = queries.case_for_agent(agent=agent, reference=case.reference)
        return queries.timeline(found), queries.other_cases_of_customer(found, agent)

    note = f"{case.reference}, {case.messages.count()} messages, {case.events.count()} events"
    timed = median_ms(one_case, repeat)
    results.append(Result("case page", "case_for_agent() + timeline()", timed, "ms", 25, note=note, action=one_case))
    results.append(_page(client, clock, f"case page GET {case_page}", case_page, case.reference, 25, repeat))
    # The complaint panel (handling steps, tiers, letters, remedies) adds its forms to the page.
    for kind in ("enquiry", "complaint"):
        busy = _busy_case(lead, kind=kind)
        results.append(
            _page(
                client,
                clock,
                f"{kind} case page GET /cases/{busy.reference}",
                f"/cases/{busy.reference}",
                busy.reference,
                25,
                repeat,
            )
        )

    for label, text in _searches(lead):
        found = queries.search_cases(agent=lead, text=text)
        matches = _matching_cases(text)
        note = f"{matches:,} matching cases in all"

        def search(text: str = text) -> object:
            return [case.customer.name for case in queries.search_cases(agent=_fresh(lead), text=text)]

        timed = median_ms(search, repeat)
        name = f"search, {label}: “{text}”"
        results.append(Result(name, "search_cases()", timed, "ms", 30, note=note, action=search))
        path = f"/search?q={text.replace(' ', '+')}"
        results.append(
            _page(client, clock, f"search page GET {path}", path, found[0].reference if found else None, 30, repeat)
        )
    return results


def _deep_in_the_inbox(lead: Agent, client: Client, clock: ServerClock, repeat: int) -> list[Result]:
    """A page halfway down the inbox, reached as an agent reaches it: page after page by cursor.
    Keyset pagination should make it cost what the first page costs."""
    from patron.cases import queries

    everything = queries.InboxFilters()
    depth = queries.visible_cases(lead).count() // 2
    cursor, walked = _cursor_after(lead, everything, depth)
    if cursor is None:
        return []
    note = f"after {walked:,} cases, reached page by page"

    run = _inbox_page(lead, everything, cursor)
    deep = queries.list_inbox(agent=lead, filters=everything, cursor=cursor).items
    timed = median_ms(run, repeat)
    path = f"/?cursor={cursor}"
    expected = deep[0].reference if deep else None
    return [
        Result("inbox, a page halfway down", "list_inbox()", timed, "ms", 25, note=note, action=run),
        _page(client, clock, "inbox page halfway down GET /?cursor=…", path, expected, 25, repeat),
    ]


def _inbox_page(agent: Agent, filters: InboxFilters, cursor: str | None = None) -> Callable[[], object]:
    """A page of the inbox as a request makes it: the agent loaded afresh, and each case's
    customer, team, assignee and tags read as the page shows them."""
    from patron.cases import queries

    def run() -> object:
        page = queries.list_inbox(agent=_fresh(agent), filters=filters, cursor=cursor)
        return [(case.customer.name, case.team, case.assignee, list(case.tags.all())) for case in page.items]

    return run


def _inbox_choices(agent: Agent) -> list[tuple[str, InboxFilters]]:
    """Every view in every sort order, and each kind of filter in two orders: what agents choose."""
    from patron.cases import queries
    from patron.cases.models import Priority, Status

    team = queries.visible_cases(agent).exclude(team=None).values_list("team_id", flat=True).first()
    tag = queries.visible_cases(agent).exclude(tags=None).values_list("tags__name", flat=True).first()
    choices = [
        (f"{view} by {sort}", queries.InboxFilters(view=view, sort=sort))
        for view in queries.VIEWS
        for sort in queries.SORTS
    ]
    filters: dict[str, dict[str, Any]] = {
        "new and open": {"statuses": (Status.NEW, Status.OPEN)},
        "closed": {"statuses": (Status.CLOSED,)},
        "complaints": {"kind": "complaint"},
        "phone": {"channel": "phone"},
        "urgent": {"priority": Priority.URGENT},
        "assigned to them": {"assignee_id": agent.pk},
    }
    # A team and a tag the agent's cases have, when they have any.
    if team is not None:
        filters["one team"] = {"team_id": team}
    if tag is not None:
        filters[f"tagged {tag}"] = {"tag": tag}
    for label, chosen in filters.items():
        for sort in ("updated", "oldest"):
            choices.append((f"{label} by {sort}", queries.InboxFilters(sort=sort, **chosen)))
    return choices


def _slowest_inbox(lead: Agent, repeat: int) -> Result:
    """The first page of each view, filter and sort, timed alike: the slowest is the figure."""

    timings = []
    for label, filters in _inbox_choices(lead):
        run = _inbox_page(lead, filters)
        timings.append((median_ms(run, repeat), label, run))
    slowest, label, run = max(timings, key=lambda timing: timing[0])
    note = f"{label}; {len(timings)} views, filters and sorts, {min(t for t, _, _ in timings)} ms the quickest"
    return Result("inbox, the slowest view, filter or sort", "list_inbox()", slowest, "ms", 25, note=note, action=run)


def _cursor_after(agent: Agent, filters: InboxFilters, cases: int, *, page: int = 1_000) -> tuple[str | None, int]:
    """The cursor an agent holds after paging through this many cases, and how many it passed."""
    from patron.cases import queries

    cursor: str | None = None
    walked = 0
    while walked < cases:
        found = queries.list_inbox(agent=agent, filters=filters, cursor=cursor, limit=min(page, cases - walked))
        walked += len(found.items)
        cursor = found.next_cursor
        if cursor is None:
            break
    return cursor, walked


def _page(
    client: Client, clock: ServerClock, name: str, path: str, expected: str | None, target: float, repeat: int
) -> Result:
    """Time the page if it exists and shows what it should; a placeholder page does not count."""
    if expected is None:
        return Result(name, "page", None, "ms", target, note="nothing to show")
    response = client.get(path)
    if response.status_code != 200 or expected not in response.content.decode(errors="replace"):
        return Result(name, "page", None, "ms", target, note=f"page not there yet (HTTP {response.status_code})")

    def get() -> object:
        return client.get(path)

    return Result(name, "page", median_server_ms(get, clock, repeat), "ms", target, action=get)


def _searches(agent: Agent) -> list[tuple[str, str]]:
    """A common word, a rare word and two words, as agents search. The rare word is an order
    number from one of the cases the agent can see, as agents search for one a customer quotes."""
    from patron.cases import queries

    quoted = queries.visible_cases(agent).filter(subject__contains="ORD-").order_by("-id").first()
    rare = quoted.subject.split("ORD-", 1)[1][:6] if quoted else "swore"
    return [("a common word", "refund"), ("a rare word", rare), ("two words", "smart meter")]


def _fresh(agent: Agent) -> Agent:
    """The agent as a new request would load it, without per-request caches."""
    from patron.accounts.models import Agent

    return Agent.objects.get(pk=agent.pk)


def _busy_case(agent: Agent, *, kind: str | None = None) -> Any:
    from django.db.models import Count

    from patron.cases import queries

    cases = queries.visible_cases(agent)
    if kind is not None:
        cases = cases.filter(kind=kind)
    return (
        cases.annotate(message_count=Count("messages")).filter(message_count__gte=8).order_by("-updated_at").first()
    ) or queries.visible_cases(agent).order_by("-updated_at").first()


def _matching_cases(text: str) -> int:
    from patron.cases import search
    from patron.cases.models import Case

    return Case.objects.filter(id__in=search.matching_case_ids(text)).count()


def measure_writes(desk: Desk, size: Size) -> list[Result]:
    results = [_measure_open_cases(desk, size), _measure_api(desk, size), _measure_api_batches(desk, size)]
    # A working desk has service levels: each new case then gets its clocks, due time and
    # wake-up time too. Set up last, so the figures above stay comparable with earlier days.
    _set_up_service_levels(desk)
    return [
        *results,
        # Received in the last minutes, as the API's are: a day's backlog would breach its urgent
        # cases' first response on arrival, and the escalation rules acting on each would be timed.
        _measure_open_cases(desk, size, name="open cases in bulk (services), with service levels", age_days=0),
        _measure_api(desk, size, name="open cases through the API, with service levels", offset=3 * 10**9),
        _measure_backlog(desk, size),
    ]


def _measure_backlog(desk: Desk, size: Size) -> Result:
    """A day's backlog imported at once: many cases are past their first-response target on
    arrival, and the escalation rules act on each (alerts to the leads, priority raised)."""
    from patron.standards.models import RuleFiring

    before = RuleFiring.objects.count()
    result = _measure_open_cases(
        desk, size, name="a day's backlog in bulk (services), with service levels and rules", age_days=1
    )
    fired = RuleFiring.objects.count() - before
    result.note += f"; {fired:,} rule firings"
    return result


def _set_up_service_levels(desk: Desk) -> None:
    """The demo's calendars, service level policies and escalation rules."""
    from patron.accounts.models import Role
    from patron.demo import create_escalation_rules, create_service_standards

    manager = next(agent for agent in desk.agents if agent.role == Role.SERVICE_MANAGER)
    create_service_standards(teams=desk.teams.values(), by=manager)
    create_escalation_rules()


def _measure_open_cases(
    desk: Desk, size: Size, *, name: str = "open cases in bulk (services)", age_days: float = 1
) -> Result:
    """Cases received over the last `age_days`, opened `size.batch` at a time."""
    from patron.cases.services import open_cases

    rng = random.Random(SEED + 2)  # noqa: S311 - repeatable on purpose
    now, elapsed, made = _now(), 0.0, 0
    while made < size.service_cases:
        count = min(size.batch, size.service_cases - made)
        # The benchmark's own work, making up the text, is done before the clock starts.
        new_cases, _ = _new_batch(rng, desk, count, now, age_days=age_days)
        began = time.perf_counter()
        open_cases(new_cases=new_cases, by=None)
        elapsed += time.perf_counter() - began
        made += count
    rate = round(made / elapsed) if elapsed else None
    note = f"{made:,} cases in batches of {size.batch}, the text made beforehand"

    def one_batch() -> object:
        return _open_batch(rng, desk, size.batch, now, age_days=age_days)

    return Result(name, "open_cases()", rate, "cases/s", 2000, True, note, one_batch)


def _api_case(desk: Desk, number: int) -> dict[str, Any]:
    """A case as an integration sends it: for a customer the desk knows when `number` is odd, a
    new one (an address no other number gives) when it is even."""
    known = f"customer{number % max(len(desk.customers), 1)}@example.com"
    return {
        "subject": f"Order {number} has not arrived",
        "body": "I ordered a kettle last week and it has not arrived. Could you look into it, please?",
        "customer": {"email": known if number % 2 else f"api{number}@example.net"},
        "kind": "enquiry",
        "channel": "api",
    }


def _measure_api(desk: Desk, size: Size, *, name: str = "open cases through the API", offset: int = 0) -> Result:
    """`POST /api/v1/cases` one after another; `offset` keeps a later run's new customers new."""
    from django.test import Client

    from patron.accounts.services import create_token

    _, secret = create_token(agent=desk.lead, name="Benchmark")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    clock = ServerClock(client)

    def post(number: int) -> Any:
        return client.post("/api/v1/cases", data=_api_case(desk, offset + number), content_type="application/json")

    first = post(0)
    if first.status_code in (404, 405):
        return Result(name, "POST /api/v1/cases", None, "cases/s", 500, True, note="API not available yet")
    if first.status_code >= 300:
        detail = first.content.decode(errors="replace")[:200]
        return Result(
            name, "POST /api/v1/cases", None, "cases/s", 500, True, note=f"HTTP {first.status_code}: {detail}"
        )
    # A server answers many requests in a process: the first few pay for one-time work (compiled
    # queries and patterns, the database's first reads of its indexes), as the reads' warm-up does.
    for number in range(1, API_WARMUP + 1):
        post(-number)
    per_run = max(1, size.api_cases // API_RUNS)
    numbers = iter(range(1, 10**9))
    rates, began = [], time.perf_counter()
    for _ in range(API_RUNS):
        server_time = 0.0
        for _ in range(per_run):
            response = post(next(numbers))
            if response.status_code >= 300:
                note = f"HTTP {response.status_code}"
                return Result(name, "POST /api/v1/cases", None, "cases/s", 500, True, note=note)
            server_time += clock.last
        rates.append(per_run / server_time)
    through_client = API_RUNS * per_run / (time.perf_counter() - began)
    rate = round(statistics.median(rates))
    note = (
        f"median of {API_RUNS} runs of {per_run:,} requests one after another (runs {min(rates):,.0f}–"
        f"{max(rates):,.0f}/s), after {API_WARMUP}; {through_client:,.0f}/s with the test client's own work"
    )

    def one_post() -> object:
        return post(next(numbers))

    return Result(name, "POST /api/v1/cases", rate, "cases/s", 500, True, note, one_post)


API_BATCH = 100


def _measure_api_batches(desk: Desk, size: Size) -> Result:
    """As `_measure_api`, with the cases sent a hundred to a request (`POST /api/v1/cases/batch`),
    as an integration importing them would."""
    from django.test import Client

    from patron.accounts.services import create_token

    _, secret = create_token(agent=desk.lead, name="Benchmark batches")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    clock = ServerClock(client)
    name = "open cases through the API, 100 a request"
    numbers = iter(range(10**9, 2 * 10**9))

    def post() -> Any:
        cases = [_api_case(desk, next(numbers)) for _ in range(API_BATCH)]
        return client.post("/api/v1/cases/batch", data={"cases": cases}, content_type="application/json")

    first = post()
    if first.status_code != 201:
        return Result(name, "POST /api/v1/cases/batch", None, "cases/s", 500, True, note=f"HTTP {first.status_code}")
    requests = max(1, size.api_cases // API_BATCH)
    rates = []
    for _ in range(requests):
        response = post()
        if response.status_code != 201:
            return Result(
                name, "POST /api/v1/cases/batch", None, "cases/s", 500, True, note=f"HTTP {response.status_code}"
            )
        rates.append(API_BATCH / clock.last)
    rate = round(statistics.median(rates))
    note = f"median of {requests} requests of {API_BATCH} cases, half for new customers, after one"
    return Result(name, "POST /api/v1/cases/batch", rate, "cases/s", 500, True, note, post)


def measure_all(size: Size, desk: Desk | None = None) -> list[Result]:
    desk = desk or load_desk()
    return measure_reads(desk, size.repeat) + measure_writes(desk, size)


# --- reporting ----------------------------------------------------------------------------------


def table(results: Sequence[Result]) -> str:
    rows = [("measure", "timed", "value", "target", "verdict", "note")]
    for result in results:
        value = "-" if result.value is None else f"{result.value:,g} {result.unit}"
        target = f"{'≥' if result.higher_is_better else '≤'} {result.target:,g} {result.unit}"
        rows.append((result.name, result.measured, value, target, result.verdict, result.note))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def report(results: Sequence[Result], dataset: dict[str, Any], path: Path) -> dict[str, Any]:
    import django

    document = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "machine": platform.machine(),
        "dataset": dataset,
        "results": [result.as_dict() for result in results],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return document


def profile(results: Sequence[Result], runs: int = 10, lines: int = 25) -> str:
    """cProfile of each figure that missed its target: where the time goes."""
    import cProfile
    import io
    import pstats

    out = io.StringIO()
    for result in results:
        if result.verdict != "FAIL" or result.action is None:
            continue
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(runs):
            result.action()
        profiler.disable()
        stats = pstats.Stats(profiler, stream=out)
        # Patron's own functions by the time spent in and under them, then any function by its own
        # time: the first says which step is slow, the second what it is slow at.
        out.write(f"\n=== {result.name}: {runs} runs, Patron's functions by cumulative time ===\n")
        stats.sort_stats("cumulative").print_stats("src/patron", lines)
        out.write(f"\n=== {result.name}: {runs} runs, by own time ===\n")
        stats.sort_stats("tottime").print_stats(lines)
    return out.getvalue()


# --- running it ---------------------------------------------------------------------------------


def _migrations_digest() -> str:
    names = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "src" / "patron").glob("*/migrations/0*.py"))
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:10]


def _forget_other_datasets(kept: Path, size: Size) -> None:
    """Each cached dataset is hundreds of megabytes: keep only the current one of this size."""
    for stale in CACHE_DIR.glob(f"dataset-v*-{size.cases}-{size.messages}-*"):
        if stale.stem != kept.stem:
            stale.unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="2,000 cases instead of 100,000")
    parser.add_argument("--rebuild", action="store_true", help="build the dataset again, ignoring the cache")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs of each read (default 10)")
    parser.add_argument("--output", type=Path, default=None, help="default bench/results/latest.json (quick.json)")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a figure misses its target")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of each figure that misses")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    output: Path = args.output or RESULTS_DIR / ("quick.json" if args.quick else "latest.json")
    if args.repeat:
        size = Size(**{**asdict(size), "repeat": args.repeat})

    data_dir = Path(tempfile.mkdtemp(prefix="patron-bench-"))
    # Quiet logs: a "Not Found" line or a login notice per request would be timed too.
    os.environ.update({"PATRON_DATA_DIR": str(data_dir), "PATRON_LOCAL": "1", "PATRON_LOG_LEVEL": "ERROR"})
    os.environ.pop("PATRON_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    cached = CACHE_DIR / f"dataset-v{DATASET_VERSION}-{size.cases}-{size.messages}-{_migrations_digest()}.sqlite3"
    database = data_dir / "patron.sqlite3"
    try:
        import django

        from_cache = cached.exists() and not args.rebuild
        if from_cache:
            shutil.copyfile(cached, database)
        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", "--no-input", "-v", "0")
        if from_cache:
            dataset = json.loads(cached.with_suffix(".json").read_text())
            dataset["from_cache"] = True
            print(f"Dataset from the cache: {dataset['cases']:,} cases, {dataset['messages']:,} messages.")
        else:
            print(f"Building the dataset: {size.cases:,} cases, about {size.messages:,} messages (cached afterwards).")
            dataset = build_dataset(size)
            dataset["from_cache"] = False
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(".partial")
            shutil.copyfile(database, partial)
            partial.replace(cached)
            cached.with_suffix(".json").write_text(json.dumps(dataset, indent=2) + "\n")
            _forget_other_datasets(cached, size)
            print(
                f"Built in {dataset['build_seconds']} s: {dataset['cases']:,} cases through open_cases "
                f"({dataset['open_cases_per_second']:,} cases/s) and {dataset['messages']:,} messages, the later "
                "ones as bulk-inserted rows."
            )
        # As `patron migrate`, `patron run` and `patron worker` do on a desk's own database.
        from patron.db import refresh_statistics

        refresh_statistics()
        dataset["statistics"] = True
        results = measure_all(size)
        print()
        print(table(results))
        document = report(results, dataset, output)
        if args.profile:
            print(profile(results))
        print(f"\nWritten to {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}.")
        missed = [result["name"] for result in document["results"] if result["verdict"] == "FAIL"]
        print(f"{len(missed)} figure(s) missed the target." if missed else "Every measured figure met its target.")
        return 1 if missed and args.strict else 0
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
