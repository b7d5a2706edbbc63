"""Escalating a complaint hands the case to the next tier's queue where one is set; the wording
agents start each LATER step from is the desk's own, edited in the admin; and the complaint's
letters are read, sent and printed from the case page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from patron.accounts.models import Agent, Role, Team
from patron.cases.models import Case, CaseEvent, CaseKind, EventKind, Message
from patron.complaints.models import StepTemplate, Tier, TierQueue
from patron.complaints.queries import complaint_of
from patron.complaints.services import escalate, record_step
from tests import factories
from tests.web.conftest import signed_in
from tests.web.reading import visible_text

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def complaint_case(team_a: Team, agent_a: Agent) -> Case:
    case = factories.case(team_=team_a, kind=CaseKind.COMPLAINT, subject="Rude driver", received_at=RECEIVED)
    case.assignee = agent_a
    case.save(update_fields=["assignee"])
    return case


@pytest.fixture
def leads_desk() -> tuple[Team, Agent]:
    desk = factories.team("Complaints leads")
    lead = factories.agent(role=Role.TEAM_LEAD, teams=[desk], username="leo")
    TierQueue.objects.create(tier=Tier.TEAM_LEAD, team=desk)
    return desk, lead


def test_escalating_hands_the_case_to_the_tiers_queue(
    complaint_case: Case, agent_a: Agent, leads_desk: tuple[Team, Agent]
) -> None:
    desk, _ = leads_desk
    escalate(complaint=complaint_of(complaint_case), by=agent_a, to=Tier.TEAM_LEAD, reason="Asked for a manager")
    case = Case.objects.get(pk=complaint_case.pk)
    # The frontline agent is not in the leads' team: the case waits in their queue, unassigned.
    assert (case.team, case.assignee) == (desk, None)
    kinds = list(CaseEvent.objects.filter(case=case).order_by("pk").values_list("kind", flat=True))
    assert kinds[-3:] == [EventKind.COMPLAINT_ESCALATED, EventKind.TEAM_CHANGED, EventKind.ASSIGNED]


def test_an_assignee_in_the_queues_team_keeps_the_case(
    complaint_case: Case, agent_a: Agent, leads_desk: tuple[Team, Agent]
) -> None:
    desk, lead = leads_desk
    Case.objects.filter(pk=complaint_case.pk).update(assignee=lead)
    escalate(complaint=complaint_of(complaint_case), by=lead, to=Tier.TEAM_LEAD, reason="Taking it on")
    case = Case.objects.get(pk=complaint_case.pk)
    assert (case.team, case.assignee) == (desk, lead)


def test_a_tier_without_a_queue_leaves_the_case_where_it_is(complaint_case: Case, agent_a: Agent, team_a: Team) -> None:
    escalate(complaint=complaint_of(complaint_case), by=agent_a, to=Tier.SERVICE_MANAGER, reason="Serious")
    case = Case.objects.get(pk=complaint_case.pk)
    assert (case.team, case.assignee) == (team_a, agent_a)


def test_the_desks_own_wording_is_offered_for_the_next_step(complaint_case: Case, agent_a: Agent) -> None:
    client_a = signed_in(agent_a)
    assert "The customer told us: …" in visible_text(client_a.get(f"/cases/{complaint_case.reference}"))
    StepTemplate.objects.filter(step="listen").update(text="In their words: … What they want: …")
    assert "In their words: … What they want: …" in client_a.get(f"/cases/{complaint_case.reference}").content.decode()
    StepTemplate.objects.all().delete()
    # Wording deleted in the admin: the built-in wording is offered rather than nothing.
    assert "The customer told us: …" in visible_text(client_a.get(f"/cases/{complaint_case.reference}"))


def test_a_letter_is_read_sent_and_printed_from_the_case_page(complaint_case: Case, agent_a: Agent) -> None:
    client_a = signed_in(agent_a)
    page = visible_text(client_a.get(f"/cases/{complaint_case.reference}"))
    assert "Letters We have received your complaint Your complaint is resolved" in page

    url = f"/cases/{complaint_case.reference}/complaint/letters/final_response"
    letter = visible_text(client_a.get(url))
    assert "Before it can be sent" in letter
    assert "Not recorded yet: Listen, Apologise, Thank, Explain and empathise, Resolve." in letter
    assert "Send by email" not in letter
    refused = client_a.post(f"{url}/send", follow=True)
    assert "The letter is not ready" in visible_text(refused)

    complaint = complaint_of(complaint_case)
    for step in ("listen", "apologise", "thank", "explain", "resolve"):
        record_step(complaint=complaint, by=agent_a, step=step, details=factories.step_details(step))
    assert "Give the outcome: upheld, partly upheld or not upheld." in visible_text(client_a.get(url))
    assert "Send by email" in visible_text(client_a.get(url, {"outcome": "upheld"}))
    sent = client_a.post(f"{url}/send", {"outcome": "upheld"}, follow=True)
    assert "“Our final response to your complaint” was sent by email" in visible_text(sent)
    assert Message.objects.filter(case=complaint_case, direction="outbound").count() == 1

    pdf = client_a.get(f"{url}.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client_a.get(f"/cases/{complaint_case.reference}/complaint/letters/poem").status_code == 400


def test_escalation_and_de_escalation_record_who_and_why(complaint_case: Case, agent_a: Agent, lead_a: Agent) -> None:
    complaint = complaint_of(complaint_case)
    escalate(complaint=complaint, by=agent_a, to=Tier.SERVICE_MANAGER, reason="  Asked for   a manager ")
    escalate(complaint=complaint_of(complaint_case), by=lead_a, to=Tier.TEAM_LEAD, reason="Settled by the lead")
    assert complaint_of(complaint_case).tier == Tier.TEAM_LEAD
    changes = CaseEvent.objects.filter(
        case=complaint_case, kind__in=[EventKind.COMPLAINT_ESCALATED, EventKind.COMPLAINT_DEESCALATED]
    ).order_by("pk")
    assert [(event.kind, event.actor, event.data) for event in changes] == [
        (EventKind.COMPLAINT_ESCALATED, agent_a, {"before": 1, "after": 3, "reason": "Asked for a manager"}),
        (EventKind.COMPLAINT_DEESCALATED, lead_a, {"before": 3, "after": 2, "reason": "Settled by the lead"}),
    ]


def test_de_escalating_hands_the_case_back_to_the_lower_tiers_queue(
    complaint_case: Case, agent_a: Agent, leads_desk: tuple[Team, Agent], team_a: Team
) -> None:
    TierQueue.objects.create(tier=Tier.FRONTLINE, team=team_a)
    desk, lead = leads_desk
    escalate(complaint=complaint_of(complaint_case), by=agent_a, to=Tier.TEAM_LEAD, reason="Asked for a manager")
    assert Case.objects.get(pk=complaint_case.pk).team == desk
    escalate(complaint=complaint_of(complaint_case), by=lead, to=Tier.FRONTLINE, reason="Back to the frontline")
    assert Case.objects.get(pk=complaint_case.pk).team == team_a
    [event] = CaseEvent.objects.filter(case=complaint_case, kind=EventKind.COMPLAINT_DEESCALATED)
    assert (event.actor, event.data["reason"]) == (lead, "Back to the frontline")
