from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from patron.accounts.models import Role, Team
from patron.standards import services
from patron.standards.services import PolicyDetails
from tests import factories


def _policy(**targets: int) -> None:
    manager = factories.agent(role=Role.SERVICE_MANAGER)
    services.create_policy(
        details=PolicyDetails(name="Standard", business_hours=False, kinds=["enquiry"], **targets), by=manager
    )


def test_inbox_shows_due_time_with_its_state_in_words(client_a: Client, team_a: Team) -> None:
    _policy(first_response_minutes=240)
    factories.case(team_=team_a, subject="Plenty of time", received_at=timezone.now() - timedelta(minutes=5))
    factories.case(team_=team_a, subject="Nearly due", received_at=timezone.now() - timedelta(minutes=200))
    factories.case(team_=team_a, subject="Already late", received_at=timezone.now() - timedelta(minutes=300))
    factories.case(
        team_=team_a, subject="No target running", received_at=timezone.now() - timedelta(minutes=90), kind="compliment"
    )
    page = client_a.get("/", {"sort": "due"}).content.decode()
    assert page.index("Already late") < page.index("Nearly due") < page.index("Plenty of time")
    assert page.count('class="badge badge--overdue"') == 1
    assert page.count('class="badge badge--due-soon"') == 1
    assert page.count('class="badge badge--due"') == 1


def test_case_page_shows_each_target_and_the_breach_on_the_timeline(client_a: Client, team_a: Team) -> None:
    _policy(first_response_minutes=60, resolution_minutes=60 * 8)
    case = factories.case(team_=team_a, received_at=timezone.now() - timedelta(hours=2))
    page = client_a.get(case.get_absolute_url()).content.decode()
    assert "Service levels" in page
    assert "First response" in page
    assert "Breached" in page
    assert "Resolution" in page
    assert "Target 8 hours; used 2 hours" in page
    assert "The first response target of 1 hour (Standard) was breached." in page


def test_case_without_a_policy_says_so(client_a: Client, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    assert "No service level policy applies to this case." in client_a.get(case.get_absolute_url()).content.decode()


def test_team_lead_sees_alerts_in_the_inbox_until_the_case_is_opened(client_lead: Client, team_a: Team) -> None:
    from patron.standards.models import EscalationRule, ServiceAlert

    _policy(resolution_minutes=400)
    rule = EscalationRule(
        name="Warn at three quarters",
        trigger="target_used",
        target="resolution",
        threshold_percent=75,
        actions=["notify_team_leads"],
    )
    rule.full_clean()
    rule.save()
    case = factories.case(team_=team_a, subject="Slow one")
    services.check_due_clocks_now(now=case.created_at + timedelta(minutes=301))
    inbox = client_lead.get("/").content.decode()
    assert "Cases that need your attention" in inbox
    assert f'href="/cases/{case.reference}">{case.reference}: Warn at three quarters</a>' in inbox
    client_lead.get(case.get_absolute_url())
    assert ServiceAlert.objects.get().read_at is not None
    assert "Cases that need your attention" not in client_lead.get("/").content.decode()
