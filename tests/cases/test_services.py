from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from patron.accounts.models import Agent, Team
from patron.cases import services
from patron.cases.models import Case, CaseEvent, Channel, Direction, EventKind, Message, Priority, Status
from patron.cases.services import CaseChanges, NewCase
from patron.customers.models import Adjustment
from patron.errors import Conflict, NotAllowed, ValidationFailed
from tests import factories


def test_open_case_stores_first_message_and_opened_event(team_a: Team, agent_a: Agent) -> None:
    customer = factories.customer("Priya Shah")
    case = services.open_case(
        customer=customer,
        subject="  Parcel   missing ",
        body="Where is my parcel?\r\n",
        channel=Channel.EMAIL,
        by=None,
        team=team_a,
        priority=Priority.HIGH,
    )

    case.refresh_from_db()
    assert case.reference == f"C-{case.pk:06d}"
    assert (case.subject, case.status, case.priority, case.version) == ("Parcel missing", Status.NEW, 3, 1)
    message = case.messages.get()
    assert (message.direction, message.body_text, message.author_customer) == (
        Direction.INBOUND,
        "Where is my parcel?",
        customer,
    )
    event = case.events.get()
    assert (event.kind, event.message_id, event.data["channel"]) == (EventKind.OPENED, message.pk, "email")


def test_open_case_refuses_empty_subject_and_changes_nothing(db: None) -> None:
    customer = factories.customer()
    with pytest.raises(ValidationFailed, match="needs a subject"):
        services.open_case(customer=customer, subject=" \x00 ", body="Hello", channel=Channel.WEB, by=None)
    assert Case.objects.count() == 0
    assert Message.objects.count() == 0


def test_open_case_refuses_future_received_at(db: None) -> None:
    with pytest.raises(ValidationFailed, match="cannot be in the future"):
        factories.case(received_at=timezone.now() + timedelta(hours=1))
    assert Case.objects.count() == 0


def test_open_case_keeps_received_at_of_a_contact_logged_later(db: None) -> None:
    earlier = timezone.now() - timedelta(days=2)
    case = factories.case(received_at=earlier)
    assert case.created_at == earlier
    assert case.messages.get().created_at == earlier


def test_text_with_nul_bytes_is_cleaned_identically(db: None) -> None:
    case = factories.case(subject="Bad\x00 subject", body="Line one\x00\r\nline two")
    case.refresh_from_db()
    assert case.subject == "Bad subject"
    assert case.messages.get().body_text == "Line one\nline two"


def test_open_cases_in_bulk_is_all_or_nothing(db: None) -> None:
    customer = factories.customer()
    good = NewCase(customer=customer, subject="Fine", body="A fine message", channel=Channel.API)
    bad = NewCase(customer=customer, subject="Bad", body="", channel=Channel.API)
    with pytest.raises(ValidationFailed, match=r"empty \(case 2\)"):
        services.open_cases(new_cases=[good, bad], by=None)
    assert Case.objects.count() == 0

    cases = services.open_cases(new_cases=[good, good], by=None)
    assert [c.messages.count() for c in cases] == [1, 1]
    assert CaseEvent.objects.filter(kind=EventKind.OPENED).count() == 2


def test_first_reply_sets_first_response_and_opens_case(agent_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    message = services.reply(case=case, by=agent_a, body="Thank you for telling us.")

    case.refresh_from_db()
    assert case.first_response_at == message.created_at
    assert (case.status, case.version) == (Status.OPEN, 2)
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [EventKind.OPENED, EventKind.REPLIED, EventKind.STATUS_CHANGED]


def test_note_is_internal_and_does_not_count_as_response(agent_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    note = services.add_note(case=case, by=agent_a, body="Customer sounded upset.")
    case.refresh_from_db()
    assert note.direction == Direction.NOTE
    assert case.first_response_at is None
    assert case.version == 1


def test_reply_refused_on_closed_case(agent_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    case = services.set_status(case=case, by=agent_a, status=Status.RESOLVED, expected_version=1)
    case = services.set_status(case=case, by=agent_a, status=Status.CLOSED, expected_version=2)
    with pytest.raises(Conflict, match="closed"):
        services.reply(case=case, by=agent_a, body="Hello again")
    assert case.messages.count() == 1


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([Status.OPEN, Status.AWAITING_CUSTOMER, Status.OPEN, Status.RESOLVED, Status.CLOSED], None),
        ([Status.AWAITING_THIRD_PARTY, Status.RESOLVED, Status.OPEN], None),
        ([Status.CLOSED], Status.CLOSED),
        ([Status.RESOLVED, Status.AWAITING_CUSTOMER], Status.AWAITING_CUSTOMER),
        ([Status.OPEN, Status.NEW], Status.NEW),
    ],
)
def test_status_transitions(agent_a: Agent, team_a: Team, path: list[str], refused: str | None) -> None:
    case = factories.case(team_=team_a)
    for status in path:
        if status == refused:
            version = case.version
            with pytest.raises(ValidationFailed, match="cannot go from"):
                services.set_status(case=case, by=agent_a, status=status, expected_version=version)
            case.refresh_from_db()
            assert case.version == version
            return
        case = services.set_status(case=case, by=agent_a, status=status, expected_version=case.version)
        assert case.status == status
    assert refused is None


def test_resolve_then_reopen_clears_resolution_time(agent_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    case = services.set_status(case=case, by=agent_a, status=Status.RESOLVED, expected_version=1)
    assert case.resolved_at is not None
    case = services.set_status(case=case, by=agent_a, status=Status.OPEN, expected_version=2)
    assert case.resolved_at is None
    assert case.events.filter(kind=EventKind.REOPENED).count() == 1


def test_customer_writing_again_reopens_resolved_case(agent_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    case = services.set_status(case=case, by=agent_a, status=Status.RESOLVED, expected_version=1)
    services.receive_message(case=case, customer=None, body="It broke again.", channel=Channel.EMAIL)
    case.refresh_from_db()
    assert (case.status, case.resolved_at, case.version) == (Status.OPEN, None, 3)


def test_second_save_from_stale_version_is_refused(agent_a: Agent, lead_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    first = services.update_case(
        case=case, by=agent_a, expected_version=1, changes=CaseChanges(priority=Priority.URGENT)
    )
    assert first.version == 2
    with pytest.raises(Conflict, match="Someone else changed this case"):
        services.update_case(case=case, by=lead_a, expected_version=1, changes=CaseChanges(priority=Priority.LOW))
    case.refresh_from_db()
    assert (case.priority, case.version) == (Priority.URGENT, 2)


def test_agent_cannot_assign_to_someone_else_but_lead_can(agent_a: Agent, lead_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    with pytest.raises(NotAllowed, match="team lead or manager"):
        services.assign(case=case, by=agent_a, assignee=lead_a, expected_version=1)
    taken = services.assign(case=case, by=agent_a, assignee=agent_a, expected_version=1)
    assert taken.assignee == agent_a
    handed = services.assign(case=case, by=lead_a, assignee=lead_a, expected_version=2)
    assert handed.assignee == lead_a
    event = handed.events.filter(kind=EventKind.ASSIGNED).last()
    assert event is not None
    assert event.data["before"]["id"] == agent_a.pk


def test_assignee_must_be_in_the_case_team(lead_a: Agent, agent_b: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    with pytest.raises(ValidationFailed, match="not in the Customer Care team"):
        services.assign(case=case, by=lead_a, assignee=agent_b, expected_version=1)


def test_agent_cannot_act_on_another_teams_case(agent_b: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    with pytest.raises(NotAllowed):
        services.reply(case=case, by=agent_b, body="Not mine")
    with pytest.raises(NotAllowed):
        services.update_case(case=case, by=agent_b, expected_version=1, changes=CaseChanges(priority=4))
    assert case.messages.count() == 1


def test_tags_are_normalised_and_recorded(agent_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    case = services.update_case(
        case=case, by=agent_a, expected_version=1, changes=CaseChanges(tags=["Refund", " refund ", "Delivery  late"])
    )
    assert sorted(case.tags.values_list("name", flat=True)) == ["delivery late", "refund"]
    unchanged = services.update_case(
        case=case, by=agent_a, expected_version=2, changes=CaseChanges(tags=["refund", "delivery late"])
    )
    assert unchanged.version == 2


def test_log_phone_call_as_new_case(agent_a: Agent, team_a: Team) -> None:
    customer = factories.customer(phone="07700 900123")
    when = timezone.now() - timedelta(minutes=30)
    message = services.log_contact(
        by=agent_a,
        channel=Channel.PHONE,
        customer=customer,
        summary="Caller asked when the engineer will arrive.\nPromised a call back.",
        occurred_at=when,
        team=team_a,
    )
    case = message.case
    assert (case.channel, case.subject, case.created_at) == (
        Channel.PHONE,
        "Caller asked when the engineer will arrive.",
        when,
    )
    assert case.events.get().data["logged_by"]["id"] == agent_a.pk


def test_log_outbound_call_on_existing_case_counts_as_response(agent_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    services.log_contact(
        by=agent_a,
        channel=Channel.FACE_TO_FACE,
        customer=case.customer,
        case=case,
        summary="Explained the refund at the counter.",
        outbound=True,
    )
    case.refresh_from_db()
    assert case.first_response_at is not None
    assert case.events.filter(kind=EventKind.CONTACT_LOGGED).count() == 1


def test_a_customer_who_asked_for_written_contact_only_is_not_called(agent_a: Agent, team_a: Team) -> None:
    customer = factories.customer("Ann Smith", adjustments=[Adjustment.WRITTEN_ONLY])
    case = factories.case(team_=team_a, customer_=customer)
    call = {"by": agent_a, "channel": Channel.PHONE, "customer": customer, "case": case, "summary": "Rang her."}
    with pytest.raises(Conflict, match="asked for written contact only"):
        services.log_contact(**call, outbound=True)
    assert case.messages.count() == 1
    # Her own call is logged as usual.
    services.log_contact(**{**call, "summary": "She rang about the refund."})
    assert case.messages.count() == 2


def test_log_contact_refuses_email_channel(agent_a: Agent) -> None:
    with pytest.raises(ValidationFailed, match="phone calls and face-to-face"):
        services.log_contact(by=agent_a, channel=Channel.EMAIL, customer=factories.customer(), summary="x")


def test_merge_customers_keeps_every_case_and_contact(lead_a: Agent, team_a: Team) -> None:
    keep = factories.customer("Sam Taylor", email="sam@example.com")
    duplicate = factories.customer(
        "Samuel Taylor", email="sam.taylor@work.example", phone="+44 20 7946 0958", adjustments=["large_print"]
    )
    case_one = factories.case(customer_=keep, team_=team_a)
    case_two = factories.case(customer_=duplicate, team_=team_a)

    merged = services.merge_customers(source=duplicate, target=keep, by=lead_a)

    assert set(merged.contact_points.values_list("normalised", flat=True)) == {
        "sam@example.com",
        "sam.taylor@work.example",
        "+442079460958",
    }
    assert set(merged.cases.values_list("id", flat=True)) == {case_one.pk, case_two.pk}
    assert merged.adjustments == ["large_print"]
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep
    assert case_two.events.filter(kind=EventKind.CUSTOMER_CHANGED).count() == 1
    assert Message.objects.filter(author_customer=duplicate).count() == 0


def test_agent_cannot_merge_customers(agent_a: Agent) -> None:
    one, two = factories.customer(), factories.customer()
    with pytest.raises(NotAllowed):
        services.merge_customers(source=one, target=two, by=agent_a)
    two.refresh_from_db()
    assert two.contact_points.count() == 1


def test_a_new_case_answers_for_its_tags_without_a_query_and_as_usual(
    agent_a: Agent, team_a: Team, django_assert_num_queries: Any
) -> None:
    case = factories.case(team_=team_a, tags=["refund", "courier"])
    with django_assert_num_queries(0):
        assert sorted(tag.name for tag in case.tags.all()) == ["courier", "refund"]
    assert sorted(case.tags.values_list("name", flat=True)) == ["courier", "refund"]
    updated = services.update_case(case=case, by=agent_a, expected_version=1, changes=CaseChanges(tags=["refund"]))
    assert list(updated.tags.values_list("name", flat=True)) == ["refund"]


def test_deferred_case_changes_tell_observers_once_at_the_end(team_a: Team, agent_a: Agent) -> None:
    from patron.cases.observers import _observers, deferred_case_changes

    seen: list[tuple[list[int], bool]] = []

    def watcher(cases: object, opened: bool) -> None:
        seen.append(([case.pk for case in cases], opened))  # type: ignore[attr-defined]

    _observers.append(watcher)
    try:
        with deferred_case_changes():
            fresh = factories.case(team_=team_a)
            changed = factories.case(team_=team_a)
            services.add_note(case=changed, by=agent_a, body="Checked.")
            assert seen == []
    finally:
        _observers.remove(watcher)
    # The case opened and then changed is read again, not taken as just opened.
    assert seen == [([fresh.pk], True), ([changed.pk], False)]
