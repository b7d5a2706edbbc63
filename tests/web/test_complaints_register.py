"""The complaints register page: the filters, the table, the Pareto chart of root causes with
its numbers in a table too, the CSV; and the root cause and five whys on the complaint panel."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from patron.accounts.models import Agent, Role, Team
from patron.cases.models import CaseEvent, CaseKind
from patron.complaints import services
from patron.complaints.models import Complaint, RootCause
from patron.privacy.models import AuditEntry
from tests import factories
from tests.web.conftest import signed_in
from tests.web.reading import page, visible_text

pytestmark = pytest.mark.django_db

QUERIES_PER_PAGE = 7


def _complaint(team: Team, name: str, day: int, cause: str | None, by: Agent) -> Complaint:
    case = factories.case(
        team_=team,
        kind=CaseKind.COMPLAINT,
        customer_=factories.customer(name),
        received_at=datetime(2026, 10, day, 10, tzinfo=UTC),
    )
    complaint = Complaint.objects.select_related("case").get(case=case)
    if cause:
        services.set_root_cause(complaint=complaint, by=by, root_cause=RootCause.objects.get(code=cause))
    return complaint


@pytest.fixture
def complaints(team_a: Team, manager: Agent) -> list[Complaint]:
    causes = ["policy", "delivery", "billing_error", "delivery", "policy", "delivery", None]
    return [
        _complaint(team_a, f"Customer {chr(65 + index)}", 5 + index, cause, manager)
        for index, cause in enumerate(causes)
    ]


def test_the_pareto_chart_sorts_causes_and_adds_up_to_100(complaints: list[Complaint], manager: Agent) -> None:
    response = signed_in(manager).get("/complaints/register")
    assert response.status_code == 200
    html = page(response)
    assert '<title id="pareto-svg-title">Pareto chart of complaints by root cause</title>' in html
    assert (
        "Delivery: 3 complaints, 50.0%, 50.0% cumulative. Policy: 2 complaints, 33.3%, 83.3% cumulative. "
        "Billing error: 1 complaint, 16.7%, 100.0% cumulative."
    ) in html
    bars = re.findall(r'<rect class="pareto__bar" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', html)
    assert [float(height) for height in bars] == [232.0, 154.7, 77.3]
    assert re.search(r'<polyline class="pareto__line" points="[\d.]+,132.0 [\d.]+,54.7 [\d.]+,16.0"', html)
    text = visible_text(response)
    assert (
        "Root cause Complaints Share Cumulative Delivery 3 50.0% 50.0% Policy 2 33.3% 83.3% "
        "Billing error 1 16.7% 100.0%"
    ) in text
    assert "1 complaint without a root cause yet is not in the chart." in text
    assert "7 complaints." in text


def test_the_table_filters_and_links_to_the_same_csv(complaints: list[Complaint], manager: Agent) -> None:
    browser = signed_in(manager)
    response = browser.get("/complaints/register", {"root_cause": "policy", "received_to": "2026-10-08"})
    text = visible_text(response)
    assert "1 complaint." in text
    assert complaints[0].case.reference in text
    assert complaints[4].case.reference not in text
    assert "Customer A 5 Oct 2026 General Frontline" in text
    html = page(response)
    assert 'href="/complaints/register/export?root_cause=policy&received_to=2026-10-08"' in html

    download = browser.get("/complaints/register/export", {"root_cause": "policy", "received_to": "2026-10-08"})
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    lines = b"".join(download.streaming_content).decode().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith(f"{complaints[0].case.reference},Customer A,2026-10-05,General,frontline,")
    assert AuditEntry.objects.filter(action="complaints_register_exported", actor_id=manager.pk).count() == 1


def test_bad_filters_are_shown_on_the_form(manager: Agent) -> None:
    response = signed_in(manager).get(
        "/complaints/register", {"received_from": "2026-13-01", "regime": "nope", "tier": "boss"}
    )
    assert response.status_code == 400
    text = visible_text(response)
    assert "Enter a date as YYYY-MM-DD." in text
    assert "“nope” is not a regime. Choose one from the list." in text
    assert "“boss” is not a tier. Choose one from the list." in text


def test_dates_the_wrong_way_round_are_refused_on_the_form(manager: Agent) -> None:
    response = signed_in(manager).get(
        "/complaints/register", {"received_from": "2026-10-09", "received_to": "2026-10-01"}
    )
    assert response.status_code == 400
    assert "The “from” date is after the “to” date." in visible_text(response)


@pytest.mark.parametrize("role", [Role.SERVICE_MANAGER, Role.PRIVACY_OFFICER, Role.TEAM_LEAD, Role.ADMIN])
def test_the_roles_that_answer_for_the_desk_see_it_in_the_menu(role: Role) -> None:
    browser = signed_in(factories.agent(role=role))
    assert browser.get("/complaints/register").status_code == 200
    assert 'href="/complaints/register"' in browser.get("/").content.decode()


def test_a_team_lead_reads_it_on_screen_but_cannot_download_it(
    complaints: list[Complaint], client_lead: Client
) -> None:
    shown = client_lead.get("/complaints/register")
    assert shown.status_code == 200
    assert "7 complaints." in visible_text(shown)
    assert "/complaints/register/export" not in page(shown)
    assert client_lead.get("/complaints/register/export").status_code == 403
    assert not AuditEntry.objects.filter(action="complaints_register_exported").exists()


def test_an_agent_does_not_see_it(client_a: Client) -> None:
    assert client_a.get("/complaints/register").status_code == 403
    assert client_a.get("/complaints/register/export").status_code == 403
    assert 'href="/complaints/register"' not in client_a.get("/").content.decode()
    assert not AuditEntry.objects.filter(action="complaints_register_exported").exists()


def test_root_cause_and_five_whys_from_the_complaint_panel(client_a: Client, agent_a: Agent, team_a: Team) -> None:
    complaint = _complaint(team_a, "Pat Panel", 5, None, agent_a)
    url = f"/cases/{complaint.case.reference}"
    assert "Not recorded yet: needed before the complaint is resolved." in visible_text(client_a.get(url))

    assert client_a.post(f"{url}/complaint/root-cause", {"root_cause": "delivery"}).status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).root_cause == RootCause.objects.get(code="delivery")
    assert '<option value="delivery" selected>Delivery</option>' in page(client_a.get(url))

    response = client_a.post(
        f"{url}/complaint/five-whys",
        {"why_1": "Parcel late.", "why_2": "Courier missed.", "why_3": "", "statement": "Cut-off too early."},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.whys, complaint.root_cause_statement) == (
        ["Parcel late.", "Courier missed."],
        "Cut-off too early.",
    )
    assert 'name="why_2" value="Courier missed."' in page(client_a.get(url))


def test_panel_refusals_are_shown_and_change_nothing(client_a: Client, agent_a: Agent, team_a: Team) -> None:
    complaint = _complaint(team_a, "Pat Panel", 5, None, agent_a)
    url = f"/cases/{complaint.case.reference}"
    events = CaseEvent.objects.filter(case=complaint.case).count()
    text = visible_text(client_a.post(f"{url}/complaint/root-cause", {"root_cause": "weather"}, follow=True))
    assert "That root cause is not in the list. Choose one from it." in text
    text = visible_text(client_a.post(f"{url}/complaint/five-whys", {"why_1": " ", "statement": "X."}, follow=True))
    assert "Give at least one answer to “why?”." in text
    complaint.refresh_from_db()
    assert (complaint.root_cause, complaint.whys) == (None, [])
    assert CaseEvent.objects.filter(case=complaint.case).count() == events


def test_the_page_takes_the_same_queries_for_any_number_of_complaints(
    complaints: list[Complaint], manager: Agent, team_a: Team, django_assert_max_num_queries: Any
) -> None:
    browser = signed_in(manager)
    browser.get("/complaints/register")  # the session and the calendars are read once, before counting
    with django_assert_max_num_queries(QUERIES_PER_PAGE) as first:
        browser.get("/complaints/register")
    for index in range(6):
        _complaint(team_a, f"More {index}", 20, "policy", manager)
    with django_assert_max_num_queries(QUERIES_PER_PAGE) as second:
        browser.get("/complaints/register")
    assert len(second.captured_queries) == len(first.captured_queries)
