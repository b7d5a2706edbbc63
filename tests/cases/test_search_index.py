"""New cases and messages are searchable at once, whichever database; on SQLite they are indexed
in batches, and changes and removals reach the index in their own transaction."""

from __future__ import annotations

from django.db import connection

from patron.accounts.models import Agent, Team
from patron.cases import search
from patron.cases.models import Case, Message
from patron.cases.queries import search_cases
from patron.cases.services import add_note
from tests import factories


def _indexed_ids() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid FROM case_fts")
        return {row[0] for row in cursor.fetchall()}


def _waiting_ids() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT case_id FROM case_fts_pending")
        return {row[0] for row in cursor.fetchall()}


def _index_text(case: Case) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject || ' ' || body FROM case_fts WHERE rowid = %s", [case.pk])
        row = cursor.fetchone()
    return "" if row is None else str(row[0])


def test_a_case_and_a_note_are_found_by_the_next_search(agent_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a, subject="Wobbly table", body="The leg is loose.")
    assert [found.pk for found in search_cases(agent=agent_a, text="wobbly loose")] == [case.pk]
    add_note(case=case, by=agent_a, body="Carpenter visiting Friday.")
    assert [found.pk for found in search_cases(agent=agent_a, text="carpenter table")] == [case.pk]


def test_new_cases_wait_and_are_indexed_together_once_a_batch_is_waiting(agent_a: Agent, team_a: Team) -> None:
    """Whatever waits, a search finds every case; on SQLite, cases wait until a batch is full."""
    sqlite = connection.vendor == "sqlite"
    search.catch_up()
    first = [factories.case(team_=team_a, subject=f"Parcel {n}") for n in range(search.INDEX_BATCH - 1)]
    if sqlite:
        assert _waiting_ids() == {case.pk for case in first}
        assert not _indexed_ids() & _waiting_ids()
    # The batch's last case was indexed with its subject, before its first message was
    # written; that message has it wait for the next batch.
    last = factories.case(team_=team_a, subject="Parcel last")
    if sqlite:
        assert {case.pk for case in first} <= _indexed_ids()
        assert _waiting_ids() == {last.pk}
        assert "My order has not arrived." in _index_text(first[0])
    found = search_cases(agent=agent_a, text="parcel arrived", limit=search.INDEX_BATCH + 1)
    assert {case.pk for case in found} == {case.pk for case in [*first, last]}
    if sqlite:
        assert _waiting_ids() == set()
        assert _index_text(last) == "Parcel last My order has not arrived."


def test_a_redacted_message_leaves_the_index_at_once_while_newer_ones_wait(agent_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a, subject="Account", body="My card is 4111 1111 1111 1111.")
    search.catch_up()
    add_note(case=case, by=agent_a, body="Called back.")
    opening = Message.objects.filter(case=case).order_by("pk").first()
    assert opening is not None
    Message.objects.filter(pk=opening.pk).update(body_text="[removed]")
    if connection.vendor == "sqlite":
        assert "4111" not in _index_text(case)
    assert search_cases(agent=agent_a, text="4111") == []
    assert [found.pk for found in search_cases(agent=agent_a, text="called removed")] == [case.pk]


def test_a_deleted_case_leaves_the_index_and_the_queue(agent_a: Agent, team_a: Team) -> None:
    waiting = factories.case(team_=team_a, subject="Gazebo waiting")
    indexed = factories.case(team_=team_a, subject="Gazebo indexed")
    if connection.vendor == "sqlite":
        search.catch_up()
        waiting_again = factories.case(team_=team_a, subject="Gazebo again")
        Case.objects.filter(pk__in=[waiting_again.pk, indexed.pk]).delete()
        assert {waiting_again.pk, indexed.pk}.isdisjoint(_indexed_ids() | _waiting_ids())
    else:
        Case.objects.filter(pk=indexed.pk).delete()
    assert [found.pk for found in search_cases(agent=agent_a, text="gazebo")] == [waiting.pk]
