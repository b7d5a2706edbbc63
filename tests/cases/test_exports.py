"""Cases exported as CSV: only by the roles that answer for the whole desk, exactly the cases
the filters find, safe to open in a spreadsheet, and each export on the audit trail."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone

from patron.accounts.models import Agent, Role, Team
from patron.cases.models import Status
from patron.cases.services import set_status
from patron.customers.models import Customer
from patron.privacy.models import AuditEntry
from tests import factories
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def _rows(response: object) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(body)))


def test_manager_exports_the_filtered_cases(manager: Agent, team_a: Team) -> None:
    customer = factories.customer("=HYPERLINK('x')")
    open_case = factories.case(customer_=customer, team_=team_a, subject="Broken kettle")
    done = factories.case(team_=team_a, subject="Refund")
    set_status(case=done, by=manager, status=Status.RESOLVED, expected_version=1)
    response = client_for(manager).get("/cases/export", status="new")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    rows = _rows(response)
    assert [(row["reference"], row["subject"], row["status"], row["team"]) for row in rows] == [
        (open_case.reference, "Broken kettle", "new", "Customer Care")
    ]
    # A value a spreadsheet would run as a formula is written as text.
    assert rows[0]["customer"] == "'=HYPERLINK('x')"
    entry = AuditEntry.objects.get(action="cases_exported")
    assert entry.actor_id == manager.pk
    assert entry.data == {
        "filters": {"view": "all", "statuses": ["new"], "sort": "updated"},
        "cases": 1,
        "withheld": 0,
    }


def test_cases_of_a_customer_who_restricted_processing_are_withheld(manager: Agent, team_a: Team) -> None:
    kept = factories.case(team_=team_a, subject="Broken kettle")
    restricted = factories.customer("Rita Restricted")
    factories.case(customer_=restricted, team_=team_a, subject="Lost parcel")
    Customer.objects.filter(pk=restricted.pk).update(processing_restricted_since=timezone.now())
    rows = _rows(client_for(manager).get("/cases/export"))
    assert [row["reference"] for row in rows] == [kept.reference]
    assert AuditEntry.objects.get(action="cases_exported").data["withheld"] == 1


def test_export_streams_every_page(manager: Agent, team_a: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    from patron.cases import exports

    monkeypatch.setattr(exports, "_BATCH", 2)
    cases = [factories.case(team_=team_a) for _ in range(5)]
    rows = _rows(client_for(manager).get("/cases/export"))
    assert sorted(row["reference"] for row in rows) == sorted(case.reference for case in cases)


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD])
def test_agents_and_leads_cannot_export(team_a: Team, role: Role) -> None:
    agent = factories.agent(role=role, teams=[team_a])
    factories.case(team_=team_a)
    response = client_for(agent).get("/cases/export")
    assert (response.status_code, response.json()["detail"]) == (
        403,
        "Only service managers, privacy officers and administrators can export cases.",
    )
    browser = Client()
    browser.force_login(agent)
    assert browser.get("/cases/export").status_code == 403
    assert "Download every case these filters find" not in browser.get("/").content.decode()
    assert AuditEntry.objects.filter(action="cases_exported").count() == 0


@pytest.mark.parametrize("role", [Role.SERVICE_MANAGER, Role.PRIVACY_OFFICER, Role.ADMIN])
def test_export_link_and_page_for_the_roles_that_may(team_a: Team, role: Role) -> None:
    agent = factories.agent(role=role)
    case = factories.case(team_=team_a)
    browser = Client()
    browser.force_login(agent)
    assert "Download every case these filters find (CSV)" in browser.get("/").content.decode()
    rows = _rows(browser.get("/cases/export"))
    assert [row["reference"] for row in rows] == [case.reference]
