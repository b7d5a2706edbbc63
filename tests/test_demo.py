from __future__ import annotations

import random
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.db.models import Count, Q
from django.test import override_settings
from django.utils import timezone
from pytest_django import DjangoDbBlocker
from pytest_django.fixtures import Settings

from patron.accounts.models import Agent, Role, Team
from patron.cases.models import Case, CaseEvent, CaseKind, Channel, Direction, EventKind, Message, Status, Tag
from patron.cases.transitions import can_move
from patron.channels.models import Mailbox
from patron.customers.models import ContactKind, ContactPoint, Customer, CustomerKind, Organisation
from patron.demo import DEMO_PASSWORD, HISTORY_DAYS, LONDON, SEED, DemoResult, _received_at, load_demo
from patron.feedback.models import Survey, SurveyStatus
from patron.feedback.queries import survey_figures
from patron.privacy.models import AuditEntry, AuditHead, ConsentRecord
from patron.standards.models import BusinessCalendar, EscalationRule, SlaPolicy
from tests import factories
from tests.audit_guard import lift_removal_guard

SMALL = 120
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Ofcom's drama ranges, in E.164: 07700 900xxx, 020 7946 0xxx, 0113 496 0xxx, 0161 496 0xxx.
DRAMA_NUMBER = re.compile(r"^\+44(7700900\d{3}|2079460\d{3}|1134960\d{3}|1614960\d{3})$")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    """The demo sets a dozen passwords; Argon2 takes a sixth of a second for each."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _counts() -> dict[str, int]:
    models = (Agent, Team, Customer, ContactPoint, Organisation, Case, Message, CaseEvent, Tag, AuditEntry)
    return {model.__name__: model.objects.count() for model in models}


def test_load_demo_a_second_time_changes_nothing(db: None) -> None:
    first = load_demo(cases=SMALL, progress=False)
    before = _counts()

    second = load_demo(cases=SMALL, progress=False)

    assert second.created is False
    assert _counts() == before
    assert (second.cases, second.customers, second.logins) == (first.cases, first.customers, first.logins)


def test_load_demo_leaves_an_existing_account_alone(db: None) -> None:
    admin = factories.agent(role=Role.ADMIN, username="admin")

    result = load_demo(cases=SMALL, progress=False)

    assert result.created is True
    assert "admin" not in dict(result.logins)
    assert "admin" not in dict(load_demo(cases=SMALL, progress=False).logins)
    admin.refresh_from_db()
    assert admin.check_password(factories.PASSWORD)
    assert Agent.objects.filter(username="admin").count() == 1


@contextmanager
def _clock_from(start: datetime) -> Iterator[None]:
    """The time runs on from `start` as it would from the real present."""
    began = time.monotonic()

    def now() -> datetime:
        return start + timedelta(seconds=time.monotonic() - began)

    with mock.patch.object(timezone, "now", now):
        yield


def test_load_demo_gives_the_same_desk_each_time(db: None) -> None:
    # Both loads start at the same moment, as two loads at the same time of day would: the rules
    # act on how long cases have waited, which would otherwise move on between the two.
    start = timezone.now()
    with _clock_from(start):
        load_demo(cases=SMALL, progress=False)
    first = list(Case.objects.order_by("id").values_list("subject", "channel", "kind", "status"))
    first_messages = list(Message.objects.order_by("id").values_list("body_text", flat=True))
    Case.objects.all().delete()
    # Emptied as a new database is, audit trail and all: only its owner could.
    lift_removal_guard()
    desk = (
        AuditEntry,
        AuditHead,
        Mailbox,
        Customer,
        Organisation,
        Tag,
        Team,
        Agent,
        EscalationRule,
        SlaPolicy,
        BusinessCalendar,
    )
    for model in desk:
        model.objects.all().delete()

    with _clock_from(start):
        load_demo(cases=SMALL, progress=False)

    assert list(Case.objects.order_by("id").values_list("subject", "channel", "kind", "status")) == first
    assert list(Message.objects.order_by("id").values_list("body_text", flat=True)) == first_messages


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[DemoResult]:
    """One small demo desk for the tests that only read it, rolled back when they are done. The
    tests that load a desk of their own come first in this module, before this one exists."""
    fast = override_settings(PASSWORD_HASHERS=FAST_HASHERS)
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield load_demo(cases=SMALL, progress=False)
        transaction.set_rollback(True)


def test_load_demo_creates_a_login_for_every_role(demo: DemoResult, db: None) -> None:
    result = demo

    assert result.created is True
    usernames = {name for name, _ in result.logins}
    assert {"agent", "lead", "manager", "dpo", "admin"} <= usernames
    agents = Agent.objects.filter(username__in=usernames)
    assert {agent.role for agent in agents} == set(Role.values)
    assert all(agent.check_password(DEMO_PASSWORD) for agent in agents)
    assert dict(result.logins)["dpo"] == "Privacy officer"
    assert Agent.objects.get(username="admin").is_superuser is True


def test_load_demo_covers_every_channel_kind_and_status(demo: DemoResult, db: None) -> None:
    result = demo

    assert result.cases == Case.objects.count() == SMALL
    assert set(Case.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert set(Case.objects.values_list("kind", flat=True)) == set(CaseKind.values)
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert Case.objects.filter(team=None).count() == 0
    assert Case.objects.exclude(assignee=None).count() > SMALL // 3
    assert Case.objects.filter(tags__isnull=False).distinct().count() > SMALL // 3
    oldest = Case.objects.order_by("created_at").first()
    assert oldest is not None
    assert 60 <= (timezone.now() - oldest.created_at).days <= 91
    assert Message.objects.filter(direction=Direction.NOTE).exists()
    assert CaseEvent.objects.filter(kind=EventKind.CONTACT_LOGGED).exists()
    assert Team.objects.filter(is_internal_desk=True, name="IT Service Desk").exists()


def test_load_demo_creates_internal_and_external_customers_with_adjustments(demo: DemoResult, db: None) -> None:
    result = demo

    external = Customer.objects.filter(kind=CustomerKind.EXTERNAL)
    internal = Customer.objects.filter(kind=CustomerKind.INTERNAL)
    assert result.customers == external.count() + internal.count()
    assert external.count() >= 150
    assert internal.count() >= 20
    assert not internal.filter(Q(organisation=None) | ~Q(organisation__kind="department")).exists()
    assert {"Finance", "HR", "Facilities", "Sales"} <= set(internal.values_list("organisation__name", flat=True))
    assert external.exclude(organisation=None).exists()
    assert 0 < Customer.objects.exclude(adjustments=[]).count() < result.customers // 4
    assert Customer.objects.exclude(preferred_channel="").exists()
    emails = ContactPoint.objects.filter(kind=ContactKind.EMAIL).values_list("normalised", flat=True)
    assert {email.rsplit("@", 1)[1] for email in emails} <= {"example.com", "example.org", "example.net"}
    phones = list(ContactPoint.objects.filter(kind=ContactKind.PHONE).values_list("normalised", flat=True))
    assert phones
    assert all(DRAMA_NUMBER.match(phone) for phone in phones)
    assert Case.objects.filter(customer__kind=CustomerKind.INTERNAL, team__is_internal_desk=True).exists()


def test_demo_cases_have_consistent_event_streams(demo: DemoResult, db: None) -> None:
    now = timezone.now()

    assert set(
        Case.objects.annotate(opened=Count("events", filter=Q(events__kind=EventKind.OPENED))).values_list(
            "opened", flat=True
        )
    ) == {1}
    events: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in CaseEvent.objects.order_by("created_at", "id"):
        events[event.case_id].append(event)
    for case in Case.objects.all():
        stream = events[case.pk]
        assert stream[0].kind == EventKind.OPENED, case.reference
        assert stream[0].created_at == case.created_at
        assert all(case.created_at <= event.created_at <= now for event in stream), case.reference
        # Service-level outcomes and the survey's progress are derived, recorded at the moment
        # they happened; every other event is something done to the case and moves its last activity.
        derived = (
            EventKind.TARGET_MET,
            EventKind.TARGET_BREACHED,
            EventKind.SURVEY_SENT,
            EventKind.SURVEY_NOT_SENT,
            EventKind.SURVEY_ANSWERED,
        )
        done = [event for event in stream if event.kind not in derived]
        assert case.updated_at == done[-1].created_at, case.reference
        # Replaying the status changes from "new" arrives at the case's status, one allowed step at a time.
        status = Status.NEW
        for event in stream:
            if event.kind in (EventKind.STATUS_CHANGED, EventKind.REOPENED):
                assert event.data["before"] == status, case.reference
                assert can_move(status, event.data["after"]), case.reference
                status = event.data["after"]
        assert status == case.status, case.reference
        responses = [
            event.created_at
            for event in stream
            if event.kind == EventKind.REPLIED or (event.kind == EventKind.CONTACT_LOGGED and event.data["outbound"])
        ]
        assert case.first_response_at == (responses[0] if responses else None), case.reference
        if case.status in (Status.RESOLVED, Status.CLOSED):
            assert case.resolved_at is not None, case.reference
        else:
            assert case.resolved_at is None, case.reference
        assert (case.closed_at is not None) == (case.status == Status.CLOSED), case.reference
    assert Message.objects.count() == CaseEvent.objects.exclude(message=None).count()


def test_demo_desk_keeps_service_standards(demo: DemoResult, db: None) -> None:
    """Every team has a calendar and the demo's cases carry service-level clocks from the policies."""
    from patron.standards.models import SlaClock, TeamCalendar

    assert TeamCalendar.objects.count() == Team.objects.count()
    assert list(SlaPolicy.objects.values_list("name", flat=True)) == ["Urgent", "Complaints", "Colleagues", "Standard"]
    assert EscalationRule.objects.filter(is_active=True).count() == 4
    assert SlaClock.objects.values("case").distinct().count() == Case.objects.count()


def test_demo_history_leaves_nothing_to_email(db: None) -> None:
    from patron.channels.models import OutboundEmail, OutboundStatus

    load_demo(cases=SMALL, progress=False)
    assert OutboundEmail.objects.count() > 0
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {OutboundStatus.SENT}
    assert Mailbox.objects.count() == 6


def test_demo_has_a_survey_history_that_honours_consent(demo: DemoResult, db: None) -> None:
    answered = Survey.objects.filter(status=SurveyStatus.ANSWERED)
    assert answered.exists()
    assert not Survey.objects.filter(status=SurveyStatus.SENT, customer__consents__isnull=True).exists()
    surveyed_customers = set(Survey.objects.exclude(status=SurveyStatus.NOT_SENT).values_list("customer_id", flat=True))
    willing = set(ConsentRecord.objects.filter(purpose="surveys").values_list("customer_id", flat=True))
    assert surveyed_customers <= willing
    # Every answer came after its survey went, and before now.
    now = timezone.now()
    assert all(s.sent_at is not None and s.sent_at < s.answered_at <= now for s in answered)  # type: ignore[operator]
    figures = survey_figures(measure="csat")
    assert figures.answered == answered.count()
    assert figures.score is not None
    assert 0 <= figures.score <= 100


@pytest.mark.parametrize("time_of_day", ["00:04:00", "09:30:00", "14:00:00", "23:50:00"])
def test_loads_minutes_apart_on_one_day_plan_the_cases_in_one_order(time_of_day: str) -> None:
    """The desk's cases are numbered in the order they were received, so that order must not
    hang on the minute the demo is loaded, only on the day."""
    first_load = datetime.fromisoformat(f"2026-11-30T{time_of_day}").replace(tzinfo=LONDON)
    second_load = first_load + timedelta(minutes=5)
    channels = (Channel.EMAIL, Channel.PHONE, Channel.INTERNAL, Channel.FACE_TO_FACE)
    ages = [random.Random(n).uniform(0.01, HISTORY_DAYS) for n in range(3000)]

    def plan(now: datetime) -> list[datetime]:
        rng = random.Random(SEED)
        return [_received_at(rng, age, channels[n % len(channels)], now) for n, age in enumerate(ages)]

    first, second = plan(first_load), plan(second_load)

    assert sorted(range(len(ages)), key=first.__getitem__) == sorted(range(len(ages)), key=second.__getitem__)
    assert max(first) <= first_load - timedelta(minutes=10)
    assert max(second) <= second_load - timedelta(minutes=10)
    # Only the last day is squeezed to fit before the load; the rest of the history stays put.
    older = [n for n, moment in enumerate(first) if moment <= first_load - timedelta(days=1, minutes=10)]
    assert len(older) > 2900
    assert all(first[n] == second[n] for n in older)
