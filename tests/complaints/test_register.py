"""The complaints register: each complaint's clocks, met or missed; outcome, redress and root
cause; the filters; CSV out, safe for spreadsheets and audited; only for the roles that answer
for the desk; bad filters refused with a sentence, never a 500."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from patron.accounts.models import Agent, Role, Team
from patron.cases.models import Case, CaseKind, Status
from patron.cases.services import CaseChanges, update_case
from patron.complaints import services
from patron.complaints.models import Complaint, ComplaintRegime, ComplaintStep, RootCause, Step, Tier
from patron.complaints.register import RegisterFilters, list_register, pareto_of
from patron.privacy.models import AuditEntry
from tests import factories
from tests.api.conftest import ApiClient, client_for

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Desk:
    able: Complaint
    baker: Complaint
    cole: Complaint
    dune: Complaint
    elsewhere: Complaint


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _complaint(team: Team, customer: str, received: datetime | None = None) -> Complaint:
    extra: dict[str, Any] = {"received_at": received} if received else {}
    case = factories.case(team_=team, kind=CaseKind.COMPLAINT, customer_=factories.customer(customer), **extra)
    return Complaint.objects.select_related("case").get(case=case)


def _cause(complaint: Complaint, by: Agent, code: str) -> None:
    services.set_root_cause(complaint=complaint, by=by, root_cause=RootCause.objects.get(code=code))


@pytest.fixture
def desk(team_a: Team, team_b: Team, manager: Agent) -> Desk:
    # Able, general regime, received Monday 5 October 2026: acknowledge by Wednesday 7 October,
    # final response by Monday 2 November. Acknowledged and answered in time, resolved.
    able = _complaint(team_a, "Ann Able", _at(date(2026, 10, 5)))
    Complaint.objects.filter(pk=able.pk).update(
        acknowledged_at=_at(date(2026, 10, 6)), final_response_at=_at(date(2026, 10, 30))
    )
    for step in Step.values:
        details = factories.step_details(step)
        if step == Step.RESOLVE:
            details = factories.step_details(step, resolution="Refund of £40", customer_response="accepted")
        services.record_step(complaint=able, by=manager, step=step, details=details)
    _cause(able, manager, "delivery")
    services.set_redress(complaint=able, by=manager, amount=Decimal("40"))
    update_case(
        case=able.case,
        by=manager,
        expected_version=Case.objects.get(pk=able.case_id).version,
        changes=CaseChanges(status=Status.RESOLVED),
    )
    # Baker, same day: first reply on Friday 9 October (late), no final response (late).
    baker = _complaint(team_a, '=HYPERLINK("http://x")', _at(date(2026, 10, 5)))
    Case.objects.filter(pk=baker.case_id).update(first_response_at=_at(date(2026, 10, 9)))
    # Recorded before steps had fields of their own: a free note, read as it was written.
    ComplaintStep.objects.create(
        complaint=baker, step=Step.RESOLVE, details={"note": "Apology only."}, by=manager, at=_at(date(2026, 10, 9))
    )
    _cause(baker, manager, "billing_error")
    # Cole, FCA, received Tuesday 1 September 2026: never acknowledged; final response by
    # Tuesday 27 October, sent on 20 October. Escalated to the team lead tier.
    cole = _complaint(team_a, "Cara Cole", _at(date(2026, 9, 1)))
    services.set_regime(complaint=cole, by=manager, regime=ComplaintRegime.objects.get(code="fca_disp"))
    services.escalate(complaint=cole, by=manager, to=2, reason="Asked for a manager.")
    Complaint.objects.filter(pk=cole.pk).update(final_response_at=_at(date(2026, 10, 20)))
    _cause(cole, manager, "delivery")
    # Dune, received now: both clocks still running, no root cause yet.
    dune = _complaint(team_a, "Dan Dune")
    elsewhere = _complaint(team_b, "Eve Else", _at(date(2026, 10, 5)))
    return Desk(able=able, baker=baker, cole=cole, dune=dune, elsewhere=elsewhere)


@pytest.fixture
def api_manager(manager: Agent) -> ApiClient:
    return client_for(manager)


def _references(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()]


def test_a_register_row_has_clocks_outcome_redress_and_cause(desk: Desk, api_manager: ApiClient) -> None:
    rows = {row["reference"]: row for row in api_manager.get("/complaints/register").json()}
    assert rows[desk.able.case.reference] == {
        "reference": desk.able.case.reference,
        "customer": "Ann Able",
        "received_on": "2026-10-05",
        "regime": "General",
        "tier": "frontline",
        "highest_tier": "frontline",
        "acknowledge_by": "2026-10-07",
        "acknowledged_on": "2026-10-06",
        "acknowledgement": "met",
        "final_response_by": "2026-11-02",
        "final_response_on": "2026-10-30",
        "final_response": "met",
        "status": "resolved",
        "resolution": "Refund of £40 (accepted)",
        "redress_amount": "40.00",
        "root_cause": "Delivery",
    }
    baker = rows[desk.baker.case.reference]
    assert (baker["acknowledged_on"], baker["acknowledgement"]) == ("2026-10-09", "missed")
    assert (baker["final_response_on"], baker["final_response"]) == (None, "missed")
    assert (baker["resolution"], baker["redress_amount"]) == ("Apology only.", None)
    assert baker["root_cause"] == "Billing error"
    cole = rows[desk.cole.case.reference]
    assert (cole["regime"], cole["tier"], cole["acknowledge_by"], cole["final_response_by"]) == (
        "FCA DISP (financial services)",
        "team_lead",
        "2026-09-03",
        "2026-10-27",
    )
    assert (cole["acknowledgement"], cole["final_response"]) == ("missed", "met")
    dune = rows[desk.dune.case.reference]
    assert (dune["acknowledgement"], dune["final_response"], dune["root_cause"]) == ("open", "open", "")


def test_the_register_is_in_order_of_receipt_and_a_manager_sees_every_team(desk: Desk, api_manager: ApiClient) -> None:
    assert _references(api_manager.get("/complaints/register")) == [
        desk.cole.case.reference,
        desk.able.case.reference,
        desk.baker.case.reference,
        desk.elsewhere.case.reference,
        desk.dune.case.reference,
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"from": "2026-10-01", "to": "2026-10-31"}, ["able", "baker", "elsewhere"]),
        ({"to": "2026-09-30"}, ["cole"]),
        ({"from": "2026-10-06"}, ["dune"]),
        ({"regime": "fca_disp"}, ["cole"]),
        ({"tier": "team_lead"}, ["cole"]),
        ({"root_cause": "delivery"}, ["cole", "able"]),
        ({"deadlines": "met"}, ["able"]),
        ({"deadlines": "missed"}, ["cole", "baker", "elsewhere"]),
        ({"deadlines": "open"}, ["dune"]),
        ({"root_cause": "delivery", "deadlines": "missed"}, ["cole"]),
    ],
)
def test_each_filter(desk: Desk, api_manager: ApiClient, params: dict[str, str], expected: list[str]) -> None:
    found = _references(api_manager.get("/complaints/register", **params))
    assert found == [getattr(desk, name).case.reference for name in expected]


def test_a_team_lead_sees_the_complaints_of_their_teams(desk: Desk, lead_a: Agent) -> None:
    found = _references(client_for(lead_a).get("/complaints/register"))
    assert desk.elsewhere.case.reference not in found
    assert len(found) == 4


def test_a_team_lead_cannot_download_it_as_csv_and_nothing_is_audited(desk: Desk, lead_a: Agent) -> None:
    response = client_for(lead_a).get("/complaints/register", format="csv")
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Only service managers, privacy officers and administrators can download the complaints register."
    )
    assert not AuditEntry.objects.filter(action="complaints_register_exported").exists()


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.ADMIN])
def test_privacy_officers_and_admins_may_read_it(desk: Desk, role: Role) -> None:
    assert len(_references(client_for(factories.agent(role=role)).get("/complaints/register"))) == 5


def test_an_agent_is_refused_and_nothing_is_audited(desk: Desk, agent_a: Agent) -> None:
    api = client_for(agent_a)
    for params in ({}, {"format": "csv"}):
        response = api.get("/complaints/register", **params)
        assert response.status_code == 403
        assert response.json()["detail"] == (
            "Only service managers, privacy officers, administrators and team leads can see the complaints register."
        )
    assert not AuditEntry.objects.filter(action="complaints_register_exported").exists()


def test_csv_has_headers_rows_and_no_formulas_and_is_audited(
    desk: Desk, api_manager: ApiClient, manager: Agent
) -> None:
    response = api_manager.get("/complaints/register", format="csv", deadlines="missed", root_cause="billing_error")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert response["Content-Disposition"].endswith('-complaints-register.csv"')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        [
            "reference",
            "customer",
            "received",
            "regime",
            "tier",
            "highest tier",
            "acknowledge by",
            "acknowledged",
            "acknowledgement",
            "final response by",
            "final response",
            "final response deadline",
            "status",
            "resolution",
            "redress",
            "root cause",
        ],
        [
            desk.baker.case.reference,
            '\'=HYPERLINK("http://x")',
            "2026-10-05",
            "General",
            "frontline",
            "frontline",
            "2026-10-07",
            "2026-10-09",
            "missed",
            "2026-11-02",
            "",
            "missed",
            "new",
            "Apology only.",
            "",
            "Billing error",
        ],
    ]
    [entry] = AuditEntry.objects.filter(action="complaints_register_exported")
    assert (entry.actor_id, entry.data) == (
        manager.pk,
        {"filters": {"root_cause": "billing_error", "deadlines": "missed"}, "format": "csv", "complaints": 1},
    )


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"regime": "nope"}, "There is no complaint regime “nope”."),
        ({"root_cause": "weather"}, "There is no root cause “weather”."),
        (
            {"tier": "boss"},
            "“boss” is not a tier. Choose one of: frontline, team_lead, service_manager, final_response, external.",
        ),
        ({"deadlines": "late"}, "“late” is not a deadline state. Choose one of: met, missed, open."),
        ({"from": "2026-11-02", "to": "2026-11-01"}, "The “from” date is after the “to” date."),
        ({"from": "2026-11-02", "to": "2026-11-01", "format": "csv"}, "The “from” date is after the “to” date."),
    ],
)
def test_bad_filters_are_refused_with_a_sentence(api_manager: ApiClient, params: dict[str, str], detail: str) -> None:
    response = api_manager.get("/complaints/register", **params)
    assert (response.status_code, response["Content-Type"], response.json()["detail"]) == (
        422,
        "application/json; charset=utf-8",
        detail,
    )


@pytest.mark.parametrize("params", [{"from": "2026-13-01"}, {"to": "yesterday"}, {"format": "xml"}])
def test_unparseable_parameters_are_refused(api_manager: ApiClient, params: dict[str, str]) -> None:
    response = api_manager.get("/complaints/register", **params)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("The request is not valid:")


def test_reading_the_register_takes_the_same_queries_for_any_number_of_rows(
    desk: Desk, manager: Agent, team_a: Team, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(4):
        assert len(list_register(agent=manager, filters=RegisterFilters())) == 5
    for number in range(5):
        _complaint(team_a, f"More {number}", _at(date(2026, 10, 12)))
    with django_assert_num_queries(4):
        assert len(list_register(agent=manager, filters=RegisterFilters())) == 10


def test_pareto_sorts_causes_by_count_with_the_running_share(desk: Desk, manager: Agent, team_a: Team) -> None:
    for name, code in (("F", "delivery"), ("G", "policy"), ("H", "policy")):
        _cause(_complaint(team_a, name, _at(date(2026, 10, 12))), manager, code)
    pareto = pareto_of(list_register(agent=manager, filters=RegisterFilters()))
    # Delivery 3, Policy 2, Billing error 1 of 6 classified; Dune and Else have no cause yet.
    assert [(bar.root_cause, bar.complaints, bar.percent, bar.cumulative_percent) for bar in pareto.bars] == [
        ("Delivery", 3, Decimal("50.0"), Decimal("50.0")),
        ("Policy", 2, Decimal("33.3"), Decimal("83.3")),
        ("Billing error", 1, Decimal("16.7"), Decimal("100.0")),
    ]
    assert (pareto.classified, pareto.unclassified) == (6, 2)


def test_the_register_and_redress_through_the_complaint_api(desk: Desk, api_manager: ApiClient) -> None:
    url = f"/cases/{desk.dune.case.reference}/complaint"
    body = api_manager.patch(
        url,
        {
            "root_cause": "communication",
            "five_whys": {"whys": ["Wrong date given.", "Script out of date."], "statement": "Scripts not reviewed."},
            "redress_amount": "15.5",
        },
    ).json()
    assert body["root_cause"] == {
        "code": "communication",
        "name": "Communication",
        "description": "Unclear, wrong or missing information; promises not kept.",
    }
    assert body["five_whys"] == {
        "whys": ["Wrong date given.", "Script out of date."],
        "statement": "Scripts not reviewed.",
    }
    assert body["redress_amount"] == "15.50"
    cleared = api_manager.patch(url, {"redress_amount": None}).json()
    assert (cleared["redress_amount"], cleared["root_cause"]["code"]) == (None, "communication")
    refused = api_manager.patch(url, {"root_cause": "weather", "redress_amount": "1"})
    assert (refused.status_code, refused.json()["detail"]) == (422, "There is no root cause “weather”.")
    assert Complaint.objects.get(pk=desk.dune.pk).redress_amount is None


def test_the_register_shows_the_highest_tier_reached_after_a_de_escalation(desk: Desk, manager: Agent) -> None:
    services.escalate(complaint=desk.cole, by=manager, to=Tier.FINAL_RESPONSE, reason="No agreement.")
    services.escalate(complaint=desk.cole, by=manager, to=Tier.SERVICE_MANAGER, reason="Reopened talks.")
    rows = {row.reference: row for row in list_register(agent=manager, filters=RegisterFilters())}
    cole = rows[desk.cole.case.reference]
    assert (cole.tier, cole.highest_tier, cole.highest_tier_label) == (
        "service_manager",
        "final_response",
        "Final response",
    )
    able = rows[desk.able.case.reference]
    assert (able.tier, able.highest_tier) == ("frontline", "frontline")
