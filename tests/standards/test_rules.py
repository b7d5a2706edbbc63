from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patron.accounts.models import Agent, Role, Team
from patron.cases import services as cases
from patron.cases.models import Case, CaseEvent, Channel, Direction, EventKind, Priority, Status
from patron.customers.models import Adjustment
from patron.standards import services
from patron.standards.models import CaseWake, EscalationRule, RuleFiring, ServiceAlert
from patron.standards.services import PolicyDetails
from tests import factories

H = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def manager_agent(db: None) -> Agent:
    return factories.agent(role=Role.SERVICE_MANAGER)


def rule(name: str, **fields: Any) -> EscalationRule:
    created = EscalationRule(name=name, **fields)
    created.full_clean()
    created.save()
    return created


def standard_policy(manager: Agent, **targets: int) -> None:
    services.create_policy(details=PolicyDetails(name="Standard", business_hours=False, **targets), by=manager)


def test_warning_at_75_percent_alerts_team_leads_once(manager_agent: Agent, lead_a: Agent, team_a: Team) -> None:
    standard_policy(manager_agent, resolution_minutes=400)
    rule(
        "Warn at three quarters",
        trigger="target_used",
        target="resolution",
        threshold_percent=75,
        actions=["notify_team_leads"],
    )
    case = factories.case(team_=team_a)
    wake = CaseWake.objects.get(case=case).wake_at
    assert wake == case.created_at + timedelta(minutes=300)
    assert services.check_due_clocks_now(now=case.created_at + timedelta(minutes=299)) == 0
    assert ServiceAlert.objects.count() == 0
    assert services.check_due_clocks_now(now=case.created_at + timedelta(minutes=301)) == 1
    services.check_due_clocks_now(now=case.created_at + timedelta(minutes=302))
    services.sync_service_levels([case], now=case.created_at + timedelta(minutes=303))
    alerts = list(ServiceAlert.objects.values_list("agent__username", "text"))
    assert alerts == [(lead_a.username, f"{case.reference}: Warn at three quarters")]


def test_on_breach_raise_priority_and_move_to_escalation_team(manager_agent: Agent, team_a: Team) -> None:
    escalations = factories.team("Escalations")
    standard_policy(manager_agent, first_response_minutes=60)
    rule(
        "Escalate on breach",
        trigger="target_breached",
        target="first_response",
        actions=["raise_priority", "move_to_team"],
        move_to_team=escalations,
    )
    case = factories.case(team_=team_a, priority=Priority.HIGH)
    services.check_due_clocks_now(now=case.created_at + 2 * H)
    case.refresh_from_db()
    assert (case.priority, case.team) == (Priority.URGENT, escalations)
    automation = CaseEvent.objects.filter(case=case, actor__username="patron-automation")
    assert sorted(automation.values_list("kind", flat=True)) == [EventKind.PRIORITY_CHANGED, EventKind.TEAM_CHANGED]
    services.check_due_clocks_now(now=case.created_at + 3 * H)
    assert RuleFiring.objects.count() == 1


def test_waiting_for_the_customer_reminds_then_resolves(manager_agent: Agent, agent_a: Agent, team_a: Team) -> None:
    rule(
        "Remind after 2 days",
        position=1,
        trigger="awaiting_customer",
        wait_minutes=2 * 24 * 60,
        actions=["remind_customer"],
        message="Just checking in: do you still need our help?",
    )
    rule(
        "Close after 7 days",
        position=2,
        trigger="awaiting_customer",
        wait_minutes=7 * 24 * 60,
        actions=["resolve_with_note"],
        message="No reply after seven days, so we resolved the case.",
    )
    case = factories.case(team_=team_a)
    cases.reply(case=case, by=agent_a, body="Could you send your order number?", status=Status.AWAITING_CUSTOMER)
    waiting_since = CaseEvent.objects.get(case=case, kind=EventKind.STATUS_CHANGED).created_at
    assert CaseWake.objects.get(case=case).wake_at == waiting_since + 2 * DAY
    services.check_due_clocks_now(now=waiting_since + 2 * DAY + H)
    replies = list(case.messages.filter(direction=Direction.OUTBOUND).values_list("body_text", flat=True))
    assert replies[-1] == "Just checking in: do you still need our help?"
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CUSTOMER
    assert CaseWake.objects.get(case=case).wake_at == waiting_since + 7 * DAY
    services.check_due_clocks_now(now=waiting_since + 7 * DAY + H)
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    assert case.messages.filter(direction=Direction.NOTE, body_text__startswith="No reply after seven days").exists()
    assert not CaseWake.objects.filter(case=case).exists()


def test_a_customer_given_extra_time_is_waited_on_twice_as_long(
    manager_agent: Agent, agent_a: Agent, team_a: Team
) -> None:
    rule(
        "Close after 7 days",
        trigger="awaiting_customer",
        wait_minutes=7 * 24 * 60,
        actions=["resolve_with_note"],
        message="No reply after seven days, so we resolved the case.",
    )
    given_time = factories.customer("Ann Smith", adjustments=[Adjustment.EXTRA_TIME])
    case = factories.case(team_=team_a, customer_=given_time)
    cases.reply(case=case, by=agent_a, body="Could you send your order number?", status=Status.AWAITING_CUSTOMER)
    waiting_since = CaseEvent.objects.get(case=case, kind=EventKind.STATUS_CHANGED).created_at
    assert CaseWake.objects.get(case=case).wake_at == waiting_since + 14 * DAY
    services.check_due_clocks_now(now=waiting_since + 7 * DAY + H)
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CUSTOMER
    services.check_due_clocks_now(now=waiting_since + 14 * DAY + H)
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def test_customer_answering_starts_a_new_waiting_cycle(manager_agent: Agent, agent_a: Agent, team_a: Team) -> None:
    rule(
        "Remind after 2 days",
        trigger="awaiting_customer",
        wait_minutes=2 * 24 * 60,
        actions=["remind_customer"],
        message="Any news?",
    )
    case = factories.case(team_=team_a)
    cases.reply(case=case, by=agent_a, body="Which size?", status=Status.AWAITING_CUSTOMER)
    cases.receive_message(case=case, customer=None, body="Medium.", channel=Channel.EMAIL)
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert not CaseWake.objects.filter(case=case).exists()
    services.check_due_clocks_now(now=timezone.now() + 3 * DAY)
    assert RuleFiring.objects.count() == 0


def test_a_rule_only_for_another_policy_does_not_fire(manager_agent: Agent, lead_a: Agent, team_a: Team) -> None:
    standard_policy(manager_agent, first_response_minutes=60)
    other = services.create_policy(
        details=PolicyDetails(name="VIP", kinds=["complaint"], first_response_minutes=5, business_hours=False),
        by=manager_agent,
    )
    rule("VIP alert", trigger="target_breached", target="first_response", policy=other, actions=["notify_team_leads"])
    case = factories.case(team_=team_a)
    services.check_due_clocks_now(now=case.created_at + 2 * H)
    assert ServiceAlert.objects.count() == 0
    assert Case.objects.get(pk=case.pk).priority == Priority.NORMAL


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"trigger": "target_used", "target": "resolution", "actions": ["notify_team_leads"]}, "threshold_percent"),
        ({"trigger": "target_breached", "actions": ["notify_team_leads"]}, "target"),
        ({"trigger": "awaiting_customer", "wait_minutes": 60, "actions": []}, "actions"),
        ({"trigger": "awaiting_customer", "wait_minutes": 60, "actions": ["remind_customer"]}, "message"),
        ({"trigger": "target_breached", "target": "resolution", "actions": ["move_to_team"]}, "move_to_team"),
    ],
)
def test_half_configured_rules_are_refused(db: None, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        rule("Broken", **fields)
    assert field in refused.value.message_dict
    assert EscalationRule.objects.count() == 0


def test_alerts_are_listed_in_the_api_for_their_agent_only(
    manager_agent: Agent, lead_a: Agent, agent_a: Agent, team_a: Team
) -> None:
    from tests.api.conftest import client_for

    standard_policy(manager_agent, first_response_minutes=60)
    rule("Alert on breach", trigger="target_breached", target="first_response", actions=["notify_team_leads"])
    case = factories.case(team_=team_a)
    services.check_due_clocks_now(now=case.created_at + 2 * H)
    listed = client_for(lead_a).get("/alerts").json()
    assert [(a["case_reference"], a["text"], a["read_at"]) for a in listed] == [
        (case.reference, f"{case.reference}: Alert on breach", None)
    ]
    assert client_for(agent_a).get("/alerts").json() == []


def test_a_backlog_opened_at_once_fires_each_rule_once_and_shares_the_work(
    manager_agent: Agent, lead_a: Agent, team_a: Team
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    high = services.create_policy(
        details=PolicyDetails(name="High", business_hours=False, priorities=[Priority.HIGH], first_response_minutes=30),
        by=manager_agent,
    )
    standard_policy(manager_agent, first_response_minutes=60)
    rule(
        "Escalate on breach",
        trigger="target_breached",
        target="first_response",
        actions=["notify_team_leads", "raise_priority"],
    )
    yesterday = timezone.now() - DAY
    backlog = [
        cases.NewCase(
            customer=factories.customer(),
            subject=f"Order {number}",
            body="It has not come.",
            channel=Channel.EMAIL,
            team=team_a if number % 2 else None,
            received_at=yesterday,
        )
        for number in range(12)
    ]
    with CaptureQueriesContext(connection) as captured:
        opened = cases.open_cases(new_cases=backlog, by=None)
    leads_queries = [query for query in captured if "team_lead" in query["sql"] or "service_manager" in query["sql"]]
    assert len(leads_queries) == 2  # one for the team's leads, one for the managers of cases without a team

    assert RuleFiring.objects.count() == 12
    for case in opened:
        case.refresh_from_db()
        assert case.priority == Priority.HIGH
        # Read again after the rule raised it: the clocks follow the policy for high priority.
        assert set(case.sla_clocks.values_list("policy_id", flat=True)) == {high.pk}
    alerts = sorted(ServiceAlert.objects.values_list("agent__username", "case_id"))
    assert alerts == sorted(
        [(lead_a.username, case.pk) for case in opened if case.team_id]
        + [(manager_agent.username, case.pk) for case in opened if not case.team_id]
    )
    services.check_due_clocks_now(now=timezone.now() + H)
    assert RuleFiring.objects.count() == 12
    assert ServiceAlert.objects.count() == 12


def test_a_rule_fired_again_for_the_same_cycle_is_refused_and_does_nothing(
    manager_agent: Agent, lead_a: Agent, team_a: Team
) -> None:
    from patron.standards.services.rules import DueFiring, fire

    warn = rule("Tell the leads", trigger="target_breached", target="first_response", actions=["notify_team_leads"])
    case = factories.case(team_=team_a)
    firing = DueFiring(warn, case.pk, "1")
    assert fire([firing], now=timezone.now()) == 1
    # As another process that read the case before the first firing was recorded would try.
    assert fire([firing, firing], now=timezone.now()) == 0
    assert RuleFiring.objects.count() == 1
    assert list(ServiceAlert.objects.values_list("agent", flat=True)) == [lead_a.pk]
