"""The retention schedule: what is due, a dry run that changes nothing, a run that anonymises
finished cases and removes old originals, legal holds honoured, and the nightly task."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from patron.accounts.models import Role, Team
from patron.cases.models import Case, CaseEvent, CaseKind, EventKind, Message, Status
from patron.cases.services import record_event
from patron.channels.models import InboundEmail
from patron.channels.services import ingest_email
from patron.cli import main
from patron.complaints import services as complaints
from patron.complaints.models import Complaint, RootCause
from patron.customers.models import ContactPoint, Customer
from patron.privacy.models import (
    AuditEntry,
    ConsentRecord,
    DataCategory,
    LawfulBasis,
    LegalHold,
    Purpose,
    RequestType,
    RetentionRule,
    SubjectRequest,
)
from patron.privacy.retention import kept_from, run_retention
from patron.privacy.tasks import next_run_after
from tests import factories
from tests.api.conftest import client_for


@pytest.fixture
def desk(db: None) -> Team:
    return factories.team("Help desk")


def _finished(case: Case, *, days_ago: int, status: str = Status.CLOSED) -> Case:
    at = timezone.now() - timedelta(days=days_ago)
    Case.objects.filter(pk=case.pk).update(
        status=status, resolved_at=at, closed_at=at if status == Status.CLOSED else None
    )
    return case


def _said(case: Case) -> list[str]:
    return list(Message.objects.filter(case=case).values_list("body_text", flat=True))


@pytest.fixture
def desk_history(desk: Team) -> dict[str, Case]:
    """An enquiry closed three years ago, one closed last month, one still open, a complaint
    resolved three years ago and one resolved seven years ago."""
    return {
        "old_enquiry": _finished(factories.case(team_=desk, body="Old question"), days_ago=3 * 365),
        "recent_enquiry": _finished(factories.case(team_=desk, body="Recent question"), days_ago=30),
        "open_enquiry": factories.case(team_=desk, body="Open question"),
        "complaint_3y": _finished(
            factories.case(team_=desk, kind=CaseKind.COMPLAINT, body="Complaint 3y"),
            days_ago=3 * 365,
            status=Status.RESOLVED,
        ),
        "complaint_7y": _finished(
            factories.case(team_=desk, kind=CaseKind.COMPLAINT, body="Complaint 7y"), days_ago=7 * 366
        ),
    }


@pytest.mark.django_db
def test_built_in_schedule() -> None:
    rules = {rule.category: (rule.keep_months, rule.keep_days, rule.action) for rule in RetentionRule.objects.all()}
    assert rules == {
        DataCategory.CLOSED_CASES: (24, None, "anonymise"),
        DataCategory.CLOSED_COMPLAINTS: (72, None, "anonymise"),
        DataCategory.RAW_EMAILS: (None, 90, "delete"),
        DataCategory.SURVEY_ANSWERS: (12, None, "anonymise"),
        DataCategory.FORMER_CUSTOMERS: (24, None, "anonymise"),
    }


@pytest.mark.django_db
def test_kept_from_counts_calendar_months_and_days() -> None:
    cases = RetentionRule(category=DataCategory.CLOSED_CASES, keep_months=24, action="anonymise")
    emails = RetentionRule(category=DataCategory.RAW_EMAILS, keep_days=90, action="delete")
    assert kept_from(cases, date(2026, 2, 28)) == date(2024, 2, 28)
    assert kept_from(cases, date(2028, 2, 29)) == date(2026, 2, 28)
    assert kept_from(emails, date(2026, 11, 24)) == date(2026, 8, 26)


def test_a_dry_run_names_what_would_go_and_changes_nothing(desk_history: dict[str, Case]) -> None:
    outcomes = {outcome.category: outcome for outcome in run_retention(dry_run=True)}
    assert outcomes[DataCategory.CLOSED_CASES].count == 1
    assert outcomes[DataCategory.CLOSED_CASES].examples == [desk_history["old_enquiry"].reference]
    assert outcomes[DataCategory.CLOSED_COMPLAINTS].examples == [desk_history["complaint_7y"].reference]
    assert outcomes[DataCategory.SURVEY_ANSWERS].count == 0
    assert _said(desk_history["old_enquiry"]) == ["Old question"]
    assert not AuditEntry.objects.filter(action="retention_run").exists()


def test_a_run_anonymises_only_what_is_due(desk_history: dict[str, Case]) -> None:
    run_retention(dry_run=False)
    for name in ("old_enquiry", "complaint_7y"):
        assert _said(desk_history[name]) == ["[erased]"], name
        assert Case.objects.get(pk=desk_history[name].pk).status in (Status.CLOSED, Status.RESOLVED)
    for name, said in (
        ("recent_enquiry", "Recent question"),
        ("open_enquiry", "Open question"),
        ("complaint_3y", "Complaint 3y"),
    ):
        assert _said(desk_history[name]) == [said], name
    entry = AuditEntry.objects.get(action="retention_run")
    assert entry.data[DataCategory.CLOSED_CASES] == 1
    assert entry.data[DataCategory.CLOSED_COMPLAINTS] == 1
    # Run again: nothing more is due.
    again = {outcome.category: outcome.count for outcome in run_retention(dry_run=True)}
    assert again[DataCategory.CLOSED_CASES] == again[DataCategory.CLOSED_COMPLAINTS] == 0


def test_a_legal_hold_keeps_everything(desk_history: dict[str, Case], desk: Team) -> None:
    held = desk_history["old_enquiry"].customer
    LegalHold.objects.create(customer=held, reason="Claim", placed_at=timezone.now())
    run_retention(dry_run=False)
    assert _said(desk_history["old_enquiry"]) == ["Old question"]


def test_originals_older_than_ninety_days_lose_their_bytes_but_still_thread(desk: Team) -> None:
    factories.mailbox(team_=desk)
    raw = b"From: ann@example.com\r\nTo: help@desk.example\r\nSubject: Kettle\r\nMessage-ID: <old@x>\r\n\r\nBroken.\r\n"
    first = ingest_email(raw, source="stdin")
    second = ingest_email(raw.replace(b"<old@x>", b"<new@x>").replace(b"Kettle", b"Toaster"), source="stdin")
    InboundEmail.objects.filter(pk=first.inbound_id).update(received_at=timezone.now() - timedelta(days=91))

    run_retention(dry_run=False)
    old, new = InboundEmail.objects.get(pk=first.inbound_id), InboundEmail.objects.get(pk=second.inbound_id)
    assert (bytes(old.raw), old.raw_removed_at is not None) == (b"", True)
    assert bytes(new.raw) != b""
    assert new.raw_removed_at is None

    officer = factories.agent(role=Role.ADMIN, username="ada")
    response = client_for(officer).get(f"/cases/{first.case_reference}/emails/in-{old.pk}/original")
    assert response.status_code == 404
    assert "removed on" in response.json()["detail"]
    # A late reply to the old email still finds its case.
    reply = ingest_email(
        b"From: ann@example.com\r\nTo: help@desk.example\r\nSubject: Re: Kettle\r\nIn-Reply-To: <old@x>\r\n"
        b"Message-ID: <late@x>\r\n\r\nStill broken.\r\n",
        source="stdin",
    )
    assert reply.case_reference == first.case_reference


def test_the_command_reports_a_dry_run(desk_history: dict[str, Case], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["retention", "run", "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "Closed cases other than complaints, finished before" in printed
    assert f"would anonymise 1 (e.g. {desk_history['old_enquiry'].reference})" in printed
    assert printed.strip().endswith("Dry run: nothing was changed.")
    assert _said(desk_history["old_enquiry"]) == ["Old question"]


def test_only_privacy_officers_run_it_through_the_api(desk_history: dict[str, Case]) -> None:
    agent = factories.agent(username="sam")
    officer = factories.agent(role=Role.PRIVACY_OFFICER, username="petra")
    assert client_for(agent).post("/privacy/retention/run", {"dry_run": True}).status_code == 403
    dry = client_for(officer).post("/privacy/retention/run", {})
    assert {row["category"]: row["count"] for row in dry.json()}[DataCategory.CLOSED_CASES] == 1
    assert _said(desk_history["old_enquiry"]) == ["Old question"]


@pytest.mark.parametrize(
    ("now", "next_run"),
    [
        (datetime(2026, 11, 24, 1, 0, tzinfo=UTC), datetime(2026, 11, 24, 2, 30, tzinfo=UTC)),
        (datetime(2026, 11, 24, 9, 0, tzinfo=UTC), datetime(2026, 11, 25, 2, 30, tzinfo=UTC)),
    ],
)
def test_the_nightly_run_is_at_half_past_two(now: datetime, next_run: datetime) -> None:
    assert next_run_after(now) == next_run


def _untouched_for(customer: Customer, *, days: int) -> Customer:
    Customer.objects.filter(pk=customer.pk).update(updated_at=timezone.now() - timedelta(days=days))
    return customer


@pytest.fixture
def former_customers(desk: Team) -> dict[str, Customer]:
    """Customers whose records have not changed for three years, in every situation that decides
    whether the record may go."""
    now = timezone.now()
    served_long_ago = _finished(factories.case(team_=desk, body="Long ago"), days_ago=3 * 365).customer
    never_served = factories.customer("Never Served")
    with_recent_case = _finished(factories.case(team_=desk, body="Last month"), days_ago=30).customer
    held = _finished(factories.case(team_=desk, body="Held"), days_ago=3 * 365).customer
    LegalHold.objects.create(customer=held, reason="Claim", placed_at=now)
    asking = factories.customer("Open Request")
    SubjectRequest.objects.create(
        customer=asking, type=RequestType.ACCESS, received_on=now.date(), due_on=now.date(), created_at=now
    )
    consenting = factories.customer("Still Consenting")
    ConsentRecord.objects.create(customer=consenting, purpose=Purpose.SURVEYS, basis=LawfulBasis.CONSENT, given_at=now)
    people = {
        "served_long_ago": served_long_ago,
        "never_served": never_served,
        "with_recent_case": with_recent_case,
        "held": held,
        "asking": asking,
        "consenting": consenting,
    }
    for customer in people.values():
        _untouched_for(customer, days=3 * 365)
    people["recently_changed"] = factories.customer("Recently Changed")
    return people


def _erased(customer: Customer) -> bool:
    return Customer.objects.get(pk=customer.pk).erased_at is not None


def test_a_customer_record_goes_once_nothing_is_left_to_serve(former_customers: dict[str, Customer]) -> None:
    gone = {"served_long_ago", "never_served"}
    dry = {outcome.category: outcome for outcome in run_retention(dry_run=True)}
    # The dry run counts the customer whose last case goes in the same run.
    assert dry[DataCategory.FORMER_CUSTOMERS].count == len(gone)
    assert sorted(dry[DataCategory.FORMER_CUSTOMERS].examples) == sorted(
        f"customer {former_customers[name].pk}" for name in gone
    )
    assert not any(_erased(customer) for customer in former_customers.values())

    done = {outcome.category: outcome.count for outcome in run_retention(dry_run=False)}
    assert done[DataCategory.FORMER_CUSTOMERS] == len(gone)
    for name, customer in former_customers.items():
        assert _erased(customer) == (name in gone), name
    erased = Customer.objects.get(pk=former_customers["served_long_ago"].pk)
    assert erased.name == f"Erased customer {erased.pk}"
    assert not ContactPoint.objects.filter(customer=erased).exists()
    # The case stays for the figures, now under the placeholder.
    assert Case.objects.filter(customer=erased).count() == 1
    assert AuditEntry.objects.filter(action="customer_erased", object_id=str(erased.pk)).exists()
    again = {outcome.category: outcome.count for outcome in run_retention(dry_run=True)}
    assert again[DataCategory.FORMER_CUSTOMERS] == 0


def test_a_rule_switched_off_keeps_customer_records(former_customers: dict[str, Customer]) -> None:
    RetentionRule.objects.filter(category=DataCategory.FORMER_CUSTOMERS).update(active=False)
    run_retention(dry_run=False)
    assert not any(_erased(customer) for customer in former_customers.values())


def test_a_run_takes_the_words_off_complaints_and_timelines_and_keeps_the_codes(desk: Team) -> None:
    agent = factories.agent(teams=[desk])
    case = factories.case(team_=desk, kind=CaseKind.COMPLAINT, body="Rude on the phone")
    complaint = Complaint.objects.get(case=case)
    complaints.record_step(
        complaint=complaint,
        by=agent,
        step="listen",
        details=factories.step_details("listen", account="Mr Able was upset"),
    )
    complaints.set_root_cause(complaint=complaint, by=agent, root_cause=RootCause.objects.get(code="communication"))
    complaints.record_five_whys(complaint=complaint, by=agent, whys=["Mr Able waited"], statement="No call-backs")
    record_event(case=case, kind=EventKind.ACKNOWLEDGED, at=timezone.now(), data={"to": "able@example.com"})
    _finished(case, days_ago=7 * 366)

    run_retention(dry_run=False)

    complaint.refresh_from_db()
    assert (complaint.whys, complaint.root_cause_statement, complaint.root_cause.code) == (  # type: ignore[union-attr]
        ["[erased]"],
        "[erased]",
        "communication",
    )
    steps = [event.data for event in CaseEvent.objects.filter(case=case, kind=EventKind.COMPLAINT_STEP).order_by("id")]
    assert steps == [
        {
            "step": "listen",
            "account": "[erased]",
            "desired_outcome": "[erased]",
            "summary_confirmed": True,
            "summary": "[erased]",
        },
        {"root_cause": "communication", "before": None},
        {"whys": ["[erased]"], "root_cause_statement": "[erased]"},
    ]
    assert CaseEvent.objects.get(case=case, kind=EventKind.ACKNOWLEDGED).data == {"to": "[erased]"}
