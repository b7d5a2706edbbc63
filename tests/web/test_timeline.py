from __future__ import annotations

import pytest
from django.utils import timezone

from patron.accounts.models import Agent, Team
from patron.cases import services
from patron.cases.models import CaseEvent, Channel, EventKind, Status
from patron.cases.queries import timeline
from patron.cases.services import CaseChanges
from patron.web import timeline as presented
from tests import factories


def _change(kind: str, data: dict[str, object], actor: Agent | None) -> str:
    event = CaseEvent(kind=kind, data=data, actor=actor, created_at=timezone.now())
    return presented.change(event)


@pytest.mark.parametrize(
    ("kind", "data", "sentence"),
    [
        (EventKind.STATUS_CHANGED, {"before": "new", "after": "open"}, "Ann Lee changed the status from new to open."),
        (EventKind.REOPENED, {"before": "resolved", "after": "open"}, "Ann Lee reopened the case (it was resolved)."),
        (EventKind.PRIORITY_CHANGED, {"before": 2, "after": 4}, "Ann Lee changed the priority from normal to urgent."),
        (
            EventKind.KIND_CHANGED,
            {"before": "enquiry", "after": "complaint"},
            "Ann Lee changed the kind from enquiry to complaint.",
        ),
        (
            EventKind.TEAM_CHANGED,
            {"before": None, "after": {"id": 1, "name": "Billing"}},
            "Ann Lee moved the case from no team to Billing.",
        ),
        (
            EventKind.ASSIGNED,
            {"before": None, "after": {"id": 99, "name": "Bo Chan"}},
            "Ann Lee assigned the case to Bo Chan.",
        ),
        (
            EventKind.ASSIGNED,
            {"before": {"id": 99, "name": "Bo Chan"}, "after": None},
            "Ann Lee unassigned the case (it was with Bo Chan).",
        ),
        (
            EventKind.SUBJECT_CHANGED,
            {"before": "Help", "after": "Refund"},
            "Ann Lee changed the subject from “Help” to “Refund”.",
        ),
        (EventKind.CATEGORY_CHANGED, {"before": "", "after": "Billing"}, "Ann Lee set the category to “Billing”."),
        (
            EventKind.CATEGORY_CHANGED,
            {"before": "Billing", "after": ""},
            "Ann Lee cleared the category (it was “Billing”).",
        ),
        (
            EventKind.TAGS_CHANGED,
            {"before": ["a"], "after": ["b", "c"]},
            "Ann Lee added the tags b, c and removed the tag a.",
        ),
        (
            EventKind.CUSTOMER_CHANGED,
            {"before": {"id": 1, "name": "Sam T"}, "after": {"id": 2, "name": "Sam Taylor"}, "reason": "merged"},
            "Ann Lee merged customer Sam T into Sam Taylor; the case moved with them.",
        ),
    ],
)
def test_each_change_reads_as_one_sentence_with_who_before_and_after(
    db: None, kind: str, data: dict[str, object], sentence: str
) -> None:
    ann = factories.agent(first_name="Ann", last_name="Lee")
    assert _change(kind, data, ann) == sentence


@pytest.mark.parametrize(
    ("kind", "data", "sentence"),
    [
        (
            EventKind.COMPLAINT_STEP,
            {"step": "apologise", "apology": "Sorry for the delay", "admission_of_liability": False},
            "Ann Lee recorded the step “Apologise”. The apology made: Sorry for the delay. "
            "Made as an admission of liability: No.",
        ),
        (
            EventKind.COMPLAINT_STEP,
            {"step": "listen", "note": "Driver was rude."},
            "Ann Lee recorded the step “Listen”. Note: Driver was rude.",
        ),
        (EventKind.COMPLAINT_STEP, {"step": "thank", "thanks": ""}, "Ann Lee recorded the step “Thank”."),
        (
            EventKind.COMPLAINT_ESCALATED,
            {"before": 1, "after": 2, "reason": "Asked for a manager."},
            "Ann Lee escalated the complaint from frontline to team lead: Asked for a manager.",
        ),
        (
            EventKind.COMPLAINT_DEESCALATED,
            {"before": 3, "after": 1, "reason": "Settled."},
            "Ann Lee de-escalated the complaint from service manager to frontline: Settled.",
        ),
        (
            EventKind.COMPLAINT_STEP,
            {"regime": "fca_disp", "before": "general"},
            "Ann Lee put the complaint under the FCA DISP (financial services) regime.",
        ),
        (
            EventKind.COMPLAINT_STEP,
            {"resolved_without": ["thank", "resolve"], "reason": "Withdrawn."},
            "Resolved without these steps recorded: thank, resolve. Reason: Withdrawn.",
        ),
        (EventKind.COMPLAINT_STEP, {"root_cause": "delivery", "before": None}, "Complaint handled by Ann Lee."),
    ],
)
def test_complaint_events_say_what_was_recorded_and_why(
    db: None, kind: str, data: dict[str, object], sentence: str
) -> None:
    ann = factories.agent(first_name="Ann", last_name="Lee")
    assert _change(kind, data, ann) == sentence


def test_taking_a_case_reads_as_taking_it(db: None) -> None:
    ann = factories.agent(first_name="Ann", last_name="Lee")
    assert _change(EventKind.ASSIGNED, {"before": None, "after": {"id": ann.pk, "name": "Ann Lee"}}, ann) == (
        "Ann Lee took the case."
    )


def test_a_change_without_an_agent_says_it_was_automatic(db: None) -> None:
    assert _change(EventKind.STATUS_CHANGED, {"before": "resolved", "after": "open"}, None) == (
        "The status changed automatically from resolved to open."
    )


def test_unexpected_event_data_still_reads_sensibly(db: None) -> None:
    assert _change(EventKind.STATUS_CHANGED, {"before": "mystery"}, None) == (
        "The status changed automatically from mystery to none."
    )
    assert _change(EventKind.TAGS_CHANGED, {"before": "oops"}, None) == "Patron changed the tags."


def test_messages_are_told_apart_by_who_and_how(agent_a: Agent, team_a: Team) -> None:
    customer = factories.customer("Priya Shah")
    case = factories.case(customer_=customer, team_=team_a)
    services.reply(case=case, by=agent_a, body="Hello", status=Status.AWAITING_CUSTOMER)
    services.add_note(case=case, by=agent_a, body="Private")
    services.log_contact(by=agent_a, channel=Channel.PHONE, customer=customer, case=case, summary="Rang", outbound=True)
    services.receive_message(case=case, customer=None, body="Thanks", channel=Channel.EMAIL)
    services.update_case(case=case, by=agent_a, expected_version=3, changes=CaseChanges(category="Post"))

    entries = presented.entries(timeline(case))

    assert [(entry.style, entry.title, entry.byline) for entry in entries] == [
        ("inbound", "Case opened: message from the customer", "Priya Shah"),
        ("reply", "Reply to the customer", agent_a.display_name),
        ("change", "Status changed", agent_a.display_name),
        ("note", "Internal note", agent_a.display_name),
        ("call", "Phone call to the customer", agent_a.display_name),
        ("inbound", "Customer wrote", "Priya Shah"),
        ("change", "Status changed", "Patron"),
        ("change", "Category changed", agent_a.display_name),
    ]
    assert entries[4].detail == f"Phone, logged by {agent_a.display_name}."


def test_a_logged_call_from_the_customer_names_who_logged_it(agent_a: Agent, team_a: Team) -> None:
    customer = factories.customer("Priya Shah")
    message = services.log_contact(by=agent_a, channel=Channel.FACE_TO_FACE, customer=customer, summary="Came in")

    (entry,) = presented.entries(timeline(message.case))

    assert (entry.style, entry.title, entry.byline, entry.detail) == (
        "call",
        "Customer visited",
        "Priya Shah",
        f"Face to face, logged by {agent_a.display_name}.",
    )
