from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patron.accounts.models import Agent, Role, Team
from patron.cases import services as cases
from patron.cases.models import Case, CaseEvent, Channel, EventKind, Priority, Status
from patron.cases.queries import InboxFilters, list_inbox
from patron.customers.models import CustomerKind
from patron.standards import services
from patron.standards.models import CaseWake, ScheduledCheck, SlaClock
from patron.standards.services import CalendarDetails, PolicyDetails
from tests import factories

H = timedelta(hours=1)
Capture = Callable[..., AbstractContextManager[Any]]


@pytest.fixture
def manager_agent(db: None) -> Agent:
    return factories.agent(role=Role.SERVICE_MANAGER)


def policy(manager: Agent, name: str, **details: Any) -> Any:
    details.setdefault("business_hours", False)
    return services.create_policy(details=PolicyDetails(name=name, **details), by=manager)


def clocks(case: Case) -> dict[str, SlaClock]:
    return {clock.target: clock for clock in SlaClock.objects.filter(case=case)}


def events(case: Case, kind: str) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, kind=kind))


def test_first_matching_policy_in_order_applies(manager_agent: Agent, team_a: Team) -> None:
    policy(
        manager_agent, "Urgent complaints", kinds=["complaint"], priorities=[Priority.URGENT], first_response_minutes=30
    )
    policy(manager_agent, "Colleagues", customer_kinds=[CustomerKind.INTERNAL], first_response_minutes=240)
    policy(manager_agent, "Everyone else", first_response_minutes=480, resolution_minutes=60 * 24 * 5)
    urgent = factories.case(team_=team_a, kind="complaint", priority=Priority.URGENT)
    colleague = factories.case(team_=team_a, customer_=factories.customer(kind=CustomerKind.INTERNAL))
    other = factories.case(team_=team_a)
    assert {t: c.policy.name for t, c in clocks(urgent).items()} == {"first_response": "Urgent complaints"}
    assert clocks(colleague)["first_response"].target_minutes == 240
    assert set(clocks(other)) == {"first_response", "resolution"}


def test_opening_sets_due_times_on_the_case(manager_agent: Agent, team_a: Team) -> None:
    policy(manager_agent, "Standard", first_response_minutes=120, resolution_minutes=600)
    case = factories.case(team_=team_a)
    case.refresh_from_db()
    first = clocks(case)["first_response"]
    assert (first.running, first.state, first.due_at) == (True, "running", case.created_at + 2 * H)
    assert case.due_at == case.created_at + 2 * H


def test_business_hours_use_the_team_calendar(manager_agent: Agent, team_a: Team) -> None:
    calendar = services.create_calendar(
        details=CalendarDetails(
            name="Office", weekly_hours={d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
        ),
        by=manager_agent,
    )
    services.set_team_calendar(team=team_a, calendar=calendar, by=manager_agent)
    policy(manager_agent, "Office hours", first_response_minutes=120, business_hours=True)
    friday_4pm = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    case = factories.case(team_=team_a, received_at=friday_4pm)
    assert clocks(case)["first_response"].due_at == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_reply_meets_first_response_and_records_it_once(manager_agent: Agent, agent_a: Agent, team_a: Team) -> None:
    policy(manager_agent, "Standard", first_response_minutes=120)
    case = factories.case(team_=team_a)
    cases.reply(case=case, by=agent_a, body="Thank you, we are looking into it.")
    first = clocks(case)["first_response"]
    assert (first.state, first.running) == ("met", False)
    services.sync_service_levels([case])
    services.sync_service_levels([case])
    met = events(case, EventKind.TARGET_MET)
    assert len(met) == 1
    assert met[0].data["target"] == "first_response"
    case.refresh_from_db()
    assert case.due_at is None


def test_waiting_on_the_customer_pauses_the_clock(manager_agent: Agent, agent_a: Agent, team_a: Team) -> None:
    policy(manager_agent, "Standard", resolution_minutes=600)
    case = factories.case(team_=team_a)
    cases.reply(case=case, by=agent_a, body="Could you send a photo?", status=Status.AWAITING_CUSTOMER)
    paused = clocks(case)["resolution"]
    assert (paused.state, paused.due_at) == ("paused", None)
    case.refresh_from_db()
    assert case.due_at is None
    cases.receive_message(case=case, customer=None, body="Photo attached.", channel=Channel.EMAIL)
    resumed = clocks(case)["resolution"]
    assert resumed.state == "running"
    assert resumed.due_at is not None


def test_raising_priority_re_evaluates_the_policy(manager_agent: Agent, agent_a: Agent, team_a: Team) -> None:
    policy(manager_agent, "Urgent", priorities=[Priority.URGENT], first_response_minutes=30)
    policy(manager_agent, "Standard", first_response_minutes=480)
    case = factories.case(team_=team_a)
    assert clocks(case)["first_response"].target_minutes == 480
    cases.update_case(case=case, by=agent_a, expected_version=1, changes=cases.CaseChanges(priority=Priority.URGENT))
    first = clocks(case)["first_response"]
    assert (first.target_minutes, first.policy.name, first.due_at) == (
        30,
        "Urgent",
        case.created_at + timedelta(minutes=30),
    )


def test_breach_is_recorded_once_when_the_due_time_passes(manager_agent: Agent, team_a: Team) -> None:
    policy(manager_agent, "Standard", first_response_minutes=60)
    case = factories.case(team_=team_a)
    later = timezone.now() + 2 * H
    assert services.check_due_clocks_now(now=later) == 1
    assert services.check_due_clocks_now(now=later) == 0
    breached = events(case, EventKind.TARGET_BREACHED)
    assert len(breached) == 1
    assert breached[0].created_at == case.created_at + H
    assert clocks(case)["first_response"].state == "breached"
    services.sync_service_levels([case], now=later)
    assert len(events(case, EventKind.TARGET_BREACHED)) == 1


def test_a_check_is_scheduled_for_the_soonest_due_time(
    manager_agent: Agent, team_a: Team, django_capture_on_commit_callbacks: Capture
) -> None:
    policy(manager_agent, "Standard", first_response_minutes=60)
    with django_capture_on_commit_callbacks(execute=True):
        first = factories.case(team_=team_a)
    checks = list(ScheduledCheck.objects.values_list("run_at", flat=True))
    assert checks == [first.created_at + H + timedelta(seconds=1)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        factories.case(team_=team_a)
    assert callbacks == []
    assert ScheduledCheck.objects.count() == 1
    # A case due sooner than the check already scheduled needs one of its own.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sooner = factories.case(team_=team_a, received_at=first.created_at - H / 2)
    assert len(callbacks) == 1
    assert sorted(ScheduledCheck.objects.values_list("run_at", flat=True)) == [
        sooner.created_at + H + timedelta(seconds=1),
        first.created_at + H + timedelta(seconds=1),
    ]


@pytest.mark.django_db(transaction=True)
def test_the_worker_picks_up_due_work(manager_agent: Agent, team_a: Team) -> None:
    """A target running out a moment from now: once the case commits, a check is queued for that
    moment, and the worker, run once it has passed, records the breach."""
    from django_tasks_db.models import DBTaskResult

    policy(manager_agent, "Standard", first_response_minutes=60)
    case = factories.case(team_=team_a, received_at=timezone.now() - H + timedelta(seconds=1))
    queued = DBTaskResult.objects.get(task_path__endswith="check_due_clocks")
    assert queued.run_after == ScheduledCheck.objects.get().run_at
    assert events(case, EventKind.TARGET_BREACHED) == []
    time.sleep(max(0.0, (queued.run_after - timezone.now()).total_seconds()) + 0.2)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    breached = events(case, EventKind.TARGET_BREACHED)
    assert [e.data["target"] for e in breached] == ["first_response"]
    assert ScheduledCheck.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_a_wake_up_time_stored_while_the_check_runs_is_not_left_without_a_check(team_a: Team) -> None:
    """A writer stores a wake-up time and finds the due check still scheduled, so adds none; the
    check then runs and removes itself before the writer commits. The check must not look for
    the next wake-up time until the writer has committed, or that case waits for no check."""
    import threading

    from django.db import connections, transaction

    now = timezone.now()
    case = factories.case(team_=team_a)
    ScheduledCheck.objects.create(run_at=now - timedelta(seconds=5))
    wake_at = now + H
    writer_checked, writer_may_commit = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def in_thread(work: Callable[[], None]) -> threading.Thread:
        def run() -> None:
            try:
                work()
            except BaseException as error:  # noqa: BLE001 - reported by the test below
                failures.append(error)
            finally:
                connections.close_all()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def writer() -> None:
        with transaction.atomic():
            CaseWake.objects.create(case=case, wake_at=wake_at)
            services.ensure_check_by(wake_at)
            writer_checked.set()
            writer_may_commit.wait(timeout=10)

    def waiting_for_a_lock() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            return bool(cursor.fetchone()[0])

    writing = in_thread(writer)
    assert writer_checked.wait(timeout=10)
    assert ScheduledCheck.objects.filter(run_at__lte=now).exists()  # so the writer added none
    checking = in_thread(lambda: services.check_due_clocks_now(now=now))
    give_up = time.monotonic() + 2
    while checking.is_alive() and not waiting_for_a_lock() and time.monotonic() < give_up:
        time.sleep(0.02)
    writer_may_commit.set()
    writing.join(timeout=20)
    checking.join(timeout=20)
    assert failures == []
    assert not ScheduledCheck.objects.filter(run_at__lte=now).exists()
    assert list(ScheduledCheck.objects.values_list("run_at", flat=True)) == [wake_at + timedelta(seconds=1)]


def test_inbox_sorts_by_what_is_due_soonest(manager_agent: Agent, agent_a: Agent, team_a: Team) -> None:
    policy(manager_agent, "Standard", first_response_minutes=480)
    now = timezone.now()
    older = factories.case(team_=team_a, subject="Older", received_at=now - 3 * H)
    newer = factories.case(team_=team_a, subject="Newer", received_at=now - H)
    answered = factories.case(team_=team_a, subject="Answered")
    cases.reply(case=answered, by=agent_a, body="Done.", status=Status.RESOLVED)
    page = list_inbox(agent=agent_a, filters=InboxFilters(sort="due"))
    assert [case.subject for case in page.items] == ["Older", "Newer"]
    assert older.pk != newer.pk


def test_changing_a_policy_reaches_running_cases_in_the_background(
    manager_agent: Agent, team_a: Team, django_capture_on_commit_callbacks: Capture
) -> None:
    from django_tasks_db.models import DBTaskResult

    from patron.standards.models import SlaPolicy

    policy(manager_agent, "Standard", first_response_minutes=480)
    case = factories.case(team_=team_a)
    resolved = factories.case(team_=team_a)
    cases.set_status(case=resolved, by=manager_agent, status=Status.RESOLVED, expected_version=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_policy(
            policy=SlaPolicy.objects.get(), details=PolicyDetails(first_response_minutes=60), by=manager_agent
        )
    assert clocks(case)["first_response"].target_minutes == 480  # not yet: the worker does it
    assert DBTaskResult.objects.filter(task_path__endswith="apply_new_standards").count() == 1
    assert services.read_open_cases_again() == 1
    assert clocks(case)["first_response"].target_minutes == 60


def test_a_new_case_is_written_once_with_its_due_time(manager_agent: Agent, team_a: Team) -> None:
    policy(manager_agent, "Standard", first_response_minutes=120, resolution_minutes=600)
    customer = factories.customer()
    with CaptureQueriesContext(connection) as captured:
        case = factories.case(team_=team_a, customer_=customer)
    writes_to_case = [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
    writes_to_case = [sql for sql in writes_to_case if '"cases_case"' in sql or " cases_case " in sql]
    assert len(writes_to_case) == 1
    assert writes_to_case[0].upper().startswith("INSERT")
    case.refresh_from_db()
    assert case.due_at == case.created_at + 2 * H == clocks(case)["first_response"].due_at


def test_a_new_case_read_before_a_policy_changed_follows_the_change_with_the_running_cases(
    manager_agent: Agent, team_a: Team
) -> None:
    standard = policy(manager_agent, "Standard", first_response_minutes=120)
    now = timezone.now()
    case = Case(subject="Kettle", customer=factories.customer(), team=team_a, created_at=now, updated_at=now)
    services.plan_service_levels([case])
    assert case.due_at == now + 2 * H
    services.update_policy(
        policy=standard,
        details=PolicyDetails(name="Standard", first_response_minutes=60, business_hours=False),
        by=manager_agent,
    )
    case.save()
    services.sync_service_levels([case], opened=True)
    assert clocks(case)["first_response"].target_minutes == 120
    services.read_open_cases_again()
    case.refresh_from_db()
    assert clocks(case)["first_response"].target_minutes == 60
    assert case.due_at == now + H == clocks(case)["first_response"].due_at


def test_clocks_are_found_by_case_through_their_one_index_per_target(db: None) -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, SlaClock._meta.db_table)
    indexes = [info for info in constraints.values() if (info["index"] or info["unique"]) and not info["primary_key"]]
    by_case = [info for info in indexes if info["columns"][:1] == ["case_id"]]
    assert [(info["columns"], info["unique"]) for info in by_case] == [(["case_id", "target"], True)]


def test_a_case_opened_on_a_desk_without_standards_reads_them_once_and_writes_none(team_a: Team) -> None:
    customer = factories.customer()
    factories.case(team_=team_a, customer_=customer)  # the standards, none, read into memory
    with CaptureQueriesContext(connection) as captured:
        case = factories.case(team_=team_a, customer_=customer)
    standards = [q["sql"] for q in captured if "standards_" in q["sql"]]
    assert len(standards) == 1
    assert "configurationversion" in standards[0]
    assert case.due_at is None
    assert SlaClock.objects.filter(case=case).count() == 0


def test_a_case_changed_on_a_desk_without_standards_reads_no_history(team_a: Team, lead_a: Agent) -> None:
    case = factories.case(team_=team_a)
    with CaptureQueriesContext(connection) as captured:
        cases.add_note(case=case, by=lead_a, body="Called the courier.")
    history_reads = [q["sql"] for q in captured if q["sql"].startswith("SELECT") and "cases_caseevent" in q["sql"]]
    assert history_reads == []
    standards = [q["sql"] for q in captured if "standards_" in q["sql"]]
    assert [sql.split()[0] for sql in standards] == ["SELECT", "DELETE", "DELETE"]
    assert "configurationversion" in standards[0]


def test_when_the_last_standard_goes_a_changed_case_keeps_no_clocks(manager_agent: Agent, lead_a: Agent) -> None:
    standard = policy(manager_agent, "Standard", first_response_minutes=60, resolution_minutes=600)
    case = factories.case(team_=lead_a.teams.first())
    assert set(clocks(case)) == {"first_response", "resolution"}
    assert case.due_at is not None
    services.update_policy(policy=standard, details=PolicyDetails(is_active=False), by=manager_agent)

    cases.add_note(case=case, by=lead_a, body="Called the courier.")
    case.refresh_from_db()
    assert clocks(case) == {}
    assert case.due_at is None
    assert not CaseWake.objects.filter(case=case).exists()


def test_a_case_read_alone_reads_as_it_does_among_others(manager_agent: Agent, agent_a: Agent, team_a: Team) -> None:
    """One changed case takes prepared reads; many take the ORM's: the clocks come out the same."""
    policy(manager_agent, "Standard", first_response_minutes=60, next_response_minutes=120, resolution_minutes=600)
    waiting = factories.case(team_=team_a, received_at=timezone.now() - 3 * H)
    cases.reply(case=waiting, by=agent_a, body="We are on it.")
    waiting = Case.objects.get(pk=waiting.pk)
    cases.set_status(case=waiting, by=agent_a, status=Status.AWAITING_CUSTOMER, expected_version=waiting.version)
    current = Case.objects.select_related("customer").get(pk=waiting.pk)
    cases.receive_message(case=current, customer=current.customer, body="Any news?", channel=Channel.EMAIL)
    other = factories.case(team_=team_a)
    later = timezone.now() + 5 * H

    def readings() -> list[tuple[Any, ...]]:
        return sorted(
            SlaClock.objects.filter(case=waiting).values_list(
                "target", "policy", "used_seconds", "running", "due_at", "met_at", "breached_at"
            )
        )

    services.sync_service_levels([Case(pk=waiting.pk)], now=later)
    alone = readings()
    services.sync_service_levels([Case(pk=waiting.pk), Case(pk=other.pk)], now=later)
    assert readings() == alone
    assert {target for target, *_ in alone} == {"first_response", "next_response", "resolution"}
    assert any(breached for *_, breached in alone)


def test_a_changed_case_moves_its_one_wake_up_time_and_drops_it_when_nothing_runs(
    manager_agent: Agent, agent_a: Agent, team_a: Team
) -> None:
    policy(manager_agent, "Standard", first_response_minutes=60, resolution_minutes=600)
    case = factories.case(team_=team_a)
    assert list(CaseWake.objects.filter(case=case).values_list("wake_at", flat=True)) == [case.created_at + H]

    cases.reply(case=case, by=agent_a, body="We are on it.")
    assert list(CaseWake.objects.filter(case=case).values_list("wake_at", flat=True)) == [case.created_at + 10 * H]
    current = Case.objects.get(pk=case.pk)
    cases.set_status(case=current, by=agent_a, status=Status.RESOLVED, expected_version=current.version)
    assert not CaseWake.objects.filter(case=case).exists()
