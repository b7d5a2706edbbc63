from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from patron.accounts.models import Agent, Role, Team
from patron.cases import queries
from patron.cases.models import Case, Channel, Priority
from patron.cases.queries import (
    InboxFilters,
    case_for_agent,
    list_inbox,
    other_cases_of_customer,
    search_cases,
    visible_cases,
)
from patron.cases.services import NewCase, assign, open_cases, set_restriction
from patron.errors import NotFound, ValidationFailed
from tests import factories


def _page_through(agent: Agent, filters: InboxFilters, limit: int) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        page = list_inbox(agent=agent, filters=filters, cursor=cursor, limit=limit)
        seen.extend(case.pk for case in page.items)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


class KeysetPaginationLaws(HypothesisTestCase):
    @settings(max_examples=15, deadline=None)
    @given(
        moments=st.lists(st.integers(min_value=0, max_value=5), min_size=0, max_size=30),
        limit=st.integers(min_value=1, max_value=7),
        sort=st.sampled_from(["updated", "oldest_update", "newest", "oldest"]),
        filtered=st.booleans(),
    )
    def test_paging_visits_every_case_once_in_order(
        self, moments: list[int], limit: int, sort: str, filtered: bool
    ) -> None:
        """Many cases share a timestamp (bulk imports): ties are broken by id, so no case is
        skipped or shown twice whatever the page size, whether the cases are found by walking
        the sort order or, filtered on a value few hold, taken by key and sorted."""
        manager = factories.agent(role=Role.SERVICE_MANAGER)
        customer = factories.customer()
        base = timezone.now() - timedelta(days=1)
        open_cases(
            new_cases=[
                NewCase(
                    customer=customer,
                    subject=f"S{i}",
                    body="b",
                    channel=Channel.API,
                    received_at=base + timedelta(minutes=m),
                )
                for i, m in enumerate(moments)
            ],
            by=None,
        )
        field, descending = {
            "updated": ("updated_at", True),
            "oldest_update": ("updated_at", False),
            "newest": ("created_at", True),
            "oldest": ("created_at", False),
        }[sort]
        order = [f"-{field}", "-id"] if descending else [field, "id"]
        expected = list(Case.objects.order_by(*order).values_list("id", flat=True))
        filters = InboxFilters(sort=sort, channel=Channel.API if filtered else "")
        assert _page_through(manager, filters, limit) == expected


def test_agent_sees_own_teams_unrouted_and_assigned_cases_only(
    agent_a: Agent, team_a: Team, team_b: Team, lead_a: Agent
) -> None:
    mine = factories.case(team_=team_a, subject="Team A")
    unrouted = factories.case(subject="No team yet")
    other = factories.case(team_=team_b, subject="Team B")
    visible = set(visible_cases(agent_a).values_list("subject", flat=True))
    assert visible == {"Team A", "No team yet"}
    with pytest.raises(NotFound):
        case_for_agent(agent=agent_a, reference=other.reference)
    assert case_for_agent(agent=agent_a, reference=mine.reference.lower()) == mine
    assert unrouted.team is None


def test_manager_sees_every_case(manager: Agent, team_a: Team, team_b: Team) -> None:
    factories.case(team_=team_a)
    factories.case(team_=team_b)
    assert visible_cases(manager).count() == 2


def test_views_mine_team_and_unassigned(agent_a: Agent, team_a: Team) -> None:
    taken = factories.case(team_=team_a, subject="Taken")
    assign(case=taken, by=agent_a, assignee=agent_a, expected_version=1)
    factories.case(team_=team_a, subject="Waiting")
    factories.case(subject="Unrouted")

    def subjects(view: str) -> set[str]:
        return {case.subject for case in list_inbox(agent=agent_a, filters=InboxFilters(view=view)).items}

    assert subjects("mine") == {"Taken"}
    assert subjects("team") == {"Taken", "Waiting"}
    assert subjects("unassigned") == {"Waiting", "Unrouted"}
    assert subjects("all") == {"Taken", "Waiting", "Unrouted"}


def test_bad_sort_view_and_cursor_are_refused(agent_a: Agent) -> None:
    for filters, cursor in (
        (InboxFilters(sort="random"), None),
        (InboxFilters(view="everyone"), None),
        (InboxFilters(), "bm9wZQ"),
        (InboxFilters(), "\x00"),
    ):
        with pytest.raises(ValidationFailed):
            list_inbox(agent=agent_a, filters=filters, cursor=cursor)


def test_inbox_query_count_does_not_grow_with_the_page(lead_a: Agent, team_a: Team) -> None:
    def count_queries() -> int:
        fresh = Agent.objects.get(pk=lead_a.pk)
        with CaptureQueriesContext(connection) as captured:
            page = list_inbox(agent=fresh, filters=InboxFilters(), limit=25)
            for case in page.items:
                _ = (case.customer.name, case.team and case.team.name, case.assignee, list(case.tags.all()))
        return len(captured)

    factories.case(team_=team_a, tags=["one"])
    few = count_queries()
    for n in range(12):
        factories.case(team_=team_a, tags=[f"tag{n}", "shared"])
    assert count_queries() == few == 3  # the agent's teams, the page, the page's tags


def test_search_matches_stems_and_needs_every_word(agent_a: Agent, team_a: Team) -> None:
    factories.case(team_=team_a, subject="Charged twice", body="I was charged twice for my subscription.")
    factories.case(team_=team_a, subject="Subscription renewal", body="When does it renew?")
    assert {c.subject for c in search_cases(agent=agent_a, text="subscriptions")} == {
        "Charged twice",
        "Subscription renewal",
    }
    assert [c.subject for c in search_cases(agent=agent_a, text="charge subscription")] == ["Charged twice"]
    assert search_cases(agent=agent_a, text="   ") == []
    assert search_cases(agent=agent_a, text='"*) OR NEAR(') == []


def test_search_sees_messages_added_later_and_edited_subjects(agent_a: Agent, team_a: Team) -> None:
    from patron.cases.services import CaseChanges, add_note, update_case

    case = factories.case(team_=team_a, subject="Kettle", body="It leaks.")
    add_note(case=case, by=agent_a, body="Supplier confirmed a faulty thermostat batch.")
    assert [c.pk for c in search_cases(agent=agent_a, text="thermostat")] == [case.pk]
    update_case(case=case, by=agent_a, expected_version=1, changes=CaseChanges(subject="Toaster"))
    assert [c.pk for c in search_cases(agent=agent_a, text="toaster")] == [case.pk]
    assert search_cases(agent=agent_a, text="kettle") == []


def test_search_finds_words_spread_over_subject_and_messages(agent_a: Agent, team_a: Team) -> None:
    from patron.cases.services import add_note

    case = factories.case(team_=team_a, subject="Boiler", body="It makes a banging noise.")
    add_note(case=case, by=agent_a, body="Engineer booked for Tuesday.")
    assert [c.pk for c in search_cases(agent=agent_a, text="boiler engineer banging")] == [case.pk]


def test_search_index_is_kept_by_the_database_itself(db: None) -> None:
    """The index is maintained by triggers on SQLite (a table rebuild by a later migration would
    drop them silently) and by expression indexes on PostgreSQL."""
    from patron.cases.search import SQLITE_TRIGGERS

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            assert set(SQLITE_TRIGGERS) <= {row[0] for row in cursor.fetchall()}
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname IN ('case_subject_fts', 'message_fts')")
            assert {row[0] for row in cursor.fetchall()} == {"case_subject_fts", "message_fts"}


def test_search_gives_the_same_page_however_common_the_words(
    agent_a: Agent, team_a: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Very common words are searched by walking the inbox order instead of sorting every match;
    the page must be the same either way."""
    from patron.cases import search

    for n in range(6):
        factories.case(team_=team_a, subject=f"Refund {n}", body="Please refund me.")
    factories.case(team_=team_a, subject="Unrelated", body="Nothing to see.")
    rare_path = [c.pk for c in search_cases(agent=agent_a, text="refund", limit=4)]
    monkeypatch.setattr(search, "COMMON_MATCHES", 1)
    assert search.is_common("refund") is (connection.vendor == "sqlite")
    assert [c.pk for c in search_cases(agent=agent_a, text="refund", limit=4)] == rare_path
    assert len(rare_path) == 4


def test_other_cases_of_a_customer_are_those_the_agent_sees_for_every_shape_of_sight(
    team_a: Team, team_b: Team, lead_a: Agent
) -> None:
    """The list on the case page is prepared once per shape (sees all, or in so many teams):
    each shape lists exactly the customer's other cases that `visible_cases` gives."""
    team_c = factories.team("Billing")
    ann = factories.customer("Ann Smith")
    shown = factories.case(customer_=ann, team_=team_a)
    others = [
        factories.case(customer_=ann, team_=team_a),
        factories.case(customer_=ann, team_=team_b),
        factories.case(customer_=ann, team_=team_c),
        factories.case(customer_=ann),
    ]
    factories.case(team_=team_a)  # another customer's
    outsider = factories.agent(teams=[team_b])
    secret = factories.case(customer_=ann, team_=team_a)
    set_restriction(case=secret, by=lead_a, restricted=True, people=[outsider], reason="A colleague's HR matter")
    agents = [
        factories.agent(),
        factories.agent(teams=[team_a]),
        factories.agent(teams=[team_a, team_c]),
        outsider,
        factories.agent(role=Role.SERVICE_MANAGER),
    ]
    for agent in agents:
        expected = list(
            visible_cases(agent).filter(customer=ann).exclude(pk=shown.pk).order_by("-updated_at", "-id")[:10]
        )
        assert other_cases_of_customer(shown, agent) == expected, agent.username
    sightings = {agent.username: {case.pk for case in other_cases_of_customer(shown, agent)} for agent in agents}
    assert sightings[agents[2].username] == {others[0].pk, others[2].pk, others[3].pk}
    assert secret.pk in sightings[outsider.username]
    assert sightings[agents[4].username] == {case.pk for case in others}


# What ANALYZE records (sqlite_stat1) on the bench's desk of 100,000 cases: a plan made with
# them is the plan a large desk gets.
_LARGE_DESK_STATISTICS = [
    ("cases_case", "case_due_idx", "100000 100000 1"),
    ("cases_case", "case_customer_idx", "100000 34 1"),
    ("cases_case", "case_priority_idx", "100000 100000 1 1"),
    ("cases_case", "case_channel_idx", "100000 12500 1 1"),
    ("cases_case", "case_kind_idx", "100000 20000 1 1"),
    ("cases_case", "case_assignee_idx", "100000 10000 1 1"),
    ("cases_case", "case_team_idx", "100000 16667 1 1"),
    ("cases_case", "case_status_idx", "100000 16667 1 1"),
    ("cases_case", "case_created_idx", "100000 1 1"),
    ("cases_case", "case_updated_idx", "100000 1 1"),
    ("customers_customer", "customer_name_idx", "3000 2"),
]


def _plan_on_a_large_desk(page: Callable[[], object]) -> list[str]:
    """SQLite's plan for the inbox query `page` makes, given a large desk's statistics, with its
    values as parameters (as the page sends them)."""
    with connection.cursor() as db:
        db.execute("ANALYZE")
        db.execute("DELETE FROM sqlite_stat1")
        db.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)", _LARGE_DESK_STATISTICS)
        db.execute("ANALYZE sqlite_schema")  # reads the statistics again
    statements: list[tuple[str, Any]] = []

    def keep(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        page()
    sql, params = next((sql, params) for sql, params in statements if "ORDER BY" in sql and "cases_case" in sql)
    with connection.cursor() as db:
        db.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [row[-1] for row in db.fetchall()]


def _walks(index: str, plan: list[str]) -> bool:
    return any(index in step for step in plan) and not any(
        "TEMP B-TREE" in step or step.startswith("SCAN") for step in plan
    )


large_desk_plans = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="asks SQLite's planner, given a large desk's statistics"
)


@large_desk_plans
def test_a_page_deep_in_the_inbox_walks_the_sort_order_from_the_cursor(lead_a: Agent, team_a: Team) -> None:
    """Keyset pagination costs the same on every page only if the database starts walking the
    sort order at the cursor. Given the cursor as a parameter, SQLite once planned the cursor's
    OR on its own: every customer's cases, then a sort."""
    for subject in ("One", "Two", "Three"):
        factories.case(team_=team_a, subject=subject)
    cursor = list_inbox(agent=lead_a, filters=InboxFilters(), limit=1).next_cursor
    pages: list[list[str]] = []

    plan = _plan_on_a_large_desk(
        lambda: pages.append([c.subject for c in list_inbox(agent=lead_a, filters=InboxFilters(), cursor=cursor).items])
    )

    assert pages == [["Two", "One"]]
    assert _walks("case_updated_idx", plan), plan


@large_desk_plans
def test_a_first_page_of_a_common_status_in_opening_order_walks_that_order(
    lead_a: Agent, team_a: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closed cases, oldest first: a sixth of the desk. Walking the cases in order of opening
    finds a page of them at once; SQLite preferred reading every closed case and sorting them."""
    monkeypatch.setattr(queries, "FEW_MATCHES", 2)  # three cases are many here
    for subject in ("One", "Two", "Three"):
        factories.case(team_=team_a, subject=subject)
    filters = InboxFilters(statuses=("new",), sort="oldest")
    pages: list[list[str]] = []

    plan = _plan_on_a_large_desk(
        lambda: pages.append([c.subject for c in list_inbox(agent=lead_a, filters=filters).items])
    )

    assert pages == [["One", "Two", "Three"]]
    assert _walks("case_created_idx", plan), plan


@large_desk_plans
def test_a_page_of_a_value_few_hold_in_opening_order_takes_those_cases_by_key(lead_a: Agent, team_a: Team) -> None:
    """Urgent cases, newest first, when there are a handful: walking every case in order of
    opening looking for them would read the whole desk."""
    for subject in ("One", "Two", "Three"):
        factories.case(team_=team_a, subject=subject, priority=Priority.URGENT)
    factories.case(team_=team_a, subject="Not urgent")
    filters = InboxFilters(priority=Priority.URGENT, sort="newest")
    pages: list[list[str]] = []

    plan = _plan_on_a_large_desk(
        lambda: pages.append([c.subject for c in list_inbox(agent=lead_a, filters=filters).items])
    )

    assert pages == [["Three", "Two", "One"]]
    assert any("cases_case USING INTEGER PRIMARY KEY" in step for step in plan), plan
    assert not any(step.startswith("SCAN cases_case") or "case_created_idx" in step for step in plan), plan


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_a_value_few_hold_shows_only_the_cases_the_agent_may_see(
    agent_a: Agent, team_a: Team, team_b: Team, sort: str
) -> None:
    """Taken by key from the filter's own index, the cases still pass the agent's visibility."""
    first = factories.case(team_=team_a, subject="Ours, first", priority=Priority.URGENT)
    factories.case(team_=team_b, subject="Theirs", priority=Priority.URGENT)
    second = factories.case(team_=team_a, subject="Ours, second", priority=Priority.URGENT)
    factories.case(team_=team_a, subject="Ours, not urgent")

    page = list_inbox(agent=agent_a, filters=InboxFilters(priority=Priority.URGENT, sort=sort))

    expected = [second, first] if sort == "newest" else [first, second]
    assert [case.subject for case in page.items] == [case.subject for case in expected]


def test_the_team_view_of_someone_in_no_team_is_empty_without_reading_cases(team_a: Team) -> None:
    manager = factories.agent(role=Role.SERVICE_MANAGER)
    factories.case(team_=team_a)
    with CaptureQueriesContext(connection) as captured:
        page = list_inbox(agent=manager, filters=InboxFilters(view="team"))
    assert page.items == []
    assert not [q["sql"] for q in captured if "cases_case" in q["sql"]]
