"""Complaints through the API: a complaint case gets its record and clocks; steps, tiers, the
final response and the purchase are recorded; remedies are given for a day; access follows
the case."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from patron.accounts.models import Agent, Role, Team
from patron.cases.models import Case, CaseEvent, CaseKind, EventKind
from patron.cases.services import CaseChanges, update_case
from patron.complaints.models import Complaint, Purchase, RemedyStep
from patron.dates import add_months
from patron.standards.services.calendars import CalendarDetails, create_calendar, set_team_calendar
from tests import factories
from tests.api.conftest import ApiClient, client_for

pytestmark = pytest.mark.django_db

# Monday 23 November 2026, 10:00 in London.
RECEIVED = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def complaint_case(team_a: Team) -> Case:
    return factories.case(team_=team_a, kind=CaseKind.COMPLAINT, subject="Rude driver", received_at=RECEIVED)


@pytest.fixture
def api(agent_a: Agent) -> ApiClient:
    return client_for(agent_a)


def test_a_complaint_case_gets_its_record_and_deadlines(complaint_case: Case, api: ApiClient) -> None:
    body = api.get(f"/cases/{complaint_case.reference}/complaint").json()
    assert body["regime"] == {"code": "general", "name": "General", "referral_body": ""}
    assert (body["tier"], body["steps"], body["next_step"]) == ("frontline", [], "listen")
    assert body["deadlines"] == {
        "acknowledge_by": "2026-11-25",
        "summary_resolution_by": None,
        "final_response_by": "2026-12-21",
        "referral_until": None,
    }
    assert CaseEvent.objects.filter(case=complaint_case, kind=EventKind.COMPLAINT_OPENED).count() == 1


def test_changing_a_case_into_a_complaint_records_one(team_a: Team, agent_a: Agent, api: ApiClient) -> None:
    case = factories.case(team_=team_a)
    assert api.get(f"/cases/{case.reference}/complaint").status_code == 404
    update_case(case=case, by=agent_a, expected_version=1, changes=CaseChanges(kind=CaseKind.COMPLAINT))
    assert Complaint.objects.filter(case=case).count() == 1


def test_fca_regime_steps_escalation_and_final_response(complaint_case: Case, api: ApiClient) -> None:
    url = f"/cases/{complaint_case.reference}/complaint"
    fca = api.patch(url, {"regime": "fca_disp"}).json()
    assert fca["deadlines"]["summary_resolution_by"] == "2026-11-26"
    assert fca["deadlines"]["final_response_by"] == "2027-01-18"
    listened = api.patch(url, {"step": {"step": "listen", "details": factories.step_details("listen")}}).json()
    assert [s["step"] for s in listened["steps"]] == ["listen"]
    assert listened["next_step"] == "apologise"
    refused = api.patch(url, {"tier": "team_lead"})
    assert (refused.status_code, refused.json()["detail"]) == (422, "Say why the complaint changes tier.")
    up = api.patch(url, {"tier": "team_lead", "reason": "Customer asked for a manager"}).json()
    assert up["tier"] == "team_lead"
    done = api.patch(url, {"final_response_sent": True}).json()
    sent_on = date.fromisoformat(done["final_response_at"][:10])
    assert done["deadlines"]["referral_until"] == add_months(sent_on, 6).isoformat()
    kinds = list(CaseEvent.objects.filter(case=complaint_case).values_list("kind", flat=True))
    assert kinds.count(EventKind.COMPLAINT_ESCALATED) == 1
    assert kinds.count(EventKind.COMPLAINT_FINAL_RESPONSE) == 1
    again = api.patch(url, {"final_response_sent": True})
    assert again.status_code == 409


def test_purchase_and_remedies_on_a_day(complaint_case: Case, api: ApiClient) -> None:
    url = f"/cases/{complaint_case.reference}/complaint"
    assert api.get(f"{url}/remedies").status_code == 404  # nothing bought recorded yet
    bought = {"type": "goods", "purchased_on": "2026-11-01", "delivered_on": "2026-11-02", "price": "49.99"}
    saved = api.raw("put", f"{url}/purchase", _json(bought))
    assert saved.status_code == 200, saved.content
    on_day_30 = api.get(f"{url}/remedies", as_of="2026-12-02").json()
    assert [(r["code"], r["available"], r["until"]) for r in on_day_30] == [
        ("short_term_reject", True, "2026-12-02"),
        ("repair_or_replace", True, "2032-11-02"),
        ("price_reduction_or_final_reject", False, None),
    ]
    on_day_31 = api.get(f"{url}/remedies", as_of="2026-12-03").json()
    assert on_day_31[0]["available"] is False


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"type": "car", "purchased_on": "2026-11-01"}, "A purchase is goods, a service or digital content."),
        (
            {"type": "goods", "purchased_on": "2099-01-01"},
            "A purchase, delivery or fault report date cannot be in the future.",
        ),
        (
            {"type": "goods", "purchased_on": "2026-11-02", "delivered_on": "2026-11-01"},
            "Delivery cannot come before the purchase.",
        ),
        (
            {"type": "goods", "purchased_on": "2026-11-01", "price": "1e30"},
            "Give the price in pounds and pence, up to £1,000,000.",
        ),
        (
            {"type": "goods", "purchased_on": "2026-11-01", "perishable_days": 400},
            "A perishable item's expected life is from 1 to 365 days.",
        ),
        (
            {"type": "goods", "purchased_on": "2026-11-01", "fault_reported_on": "2026-10-31"},
            "The fault cannot have been reported before the purchase.",
        ),
    ],
)
def test_a_bad_purchase_is_refused_and_nothing_saved(
    complaint_case: Case, api: ApiClient, body: dict[str, object], detail: str
) -> None:
    response = api.raw("put", f"/cases/{complaint_case.reference}/complaint/purchase", _json(body))
    assert (response.status_code, response.json()["detail"]) == (422, detail)
    assert not Purchase.objects.exists()


GOODS = {"type": "goods", "purchased_on": "2026-11-01", "delivered_on": "2026-11-02", "price": "49.99"}


def _bought(api: ApiClient, case: Case, body: dict[str, str] = GOODS) -> str:
    url = f"/cases/{case.reference}/complaint"
    assert api.raw("put", f"{url}/purchase", _json(body)).status_code == 200
    return url


def test_the_fault_is_reported_on_the_day_the_complaint_came_unless_given(complaint_case: Case, api: ApiClient) -> None:
    url = _bought(api, complaint_case)
    assert api.get(url).json()["purchase"]["fault_reported_on"] == "2026-11-23"
    given = api.raw("put", f"{url}/purchase", _json({**GOODS, "fault_reported_on": "2026-11-05"})).json()
    assert given["fault_reported_on"] == "2026-11-05"


def test_the_remedy_path_is_recorded_step_by_step(complaint_case: Case, api: ApiClient, agent_a: Agent) -> None:
    url = _bought(api, complaint_case)
    asked = api.post(f"{url}/remedies", {"step": "repair_requested", "on": "2026-11-10"})
    assert asked.status_code == 201, asked.content
    assert asked.json()["state"] == "fix_in_progress"
    assert asked.json()["steps"][0]["by"] == agent_a.display_name
    # The 30 days (to 2 December) stop from 10 November with 23 left; back on 20 November, they run to 13 December.
    paused = api.get(f"{url}/remedies", as_of="2026-11-15").json()[0]
    assert (paused["code"], paused["available"], paused["until"]) == ("short_term_reject", False, None)
    api.post(f"{url}/remedies", {"step": "goods_returned", "on": "2026-11-20"})
    assert api.get(f"{url}/remedies", as_of="2026-12-13").json()[0]["until"] == "2026-12-13"
    assert api.get(f"{url}/remedies", as_of="2026-12-14").json()[0]["available"] is False
    api.post(f"{url}/remedies", {"step": "fix_failed", "on": "2026-11-25"})
    failed = api.get(f"{url}/remedies/path", as_of="2026-11-25").json()
    assert [step["step"] for step in failed["next_steps"]] == ["short_term_reject", "price_reduced", "final_reject"]
    assert failed["state_name"] == "Price reduction or final rejection due"
    reduced = api.post(f"{url}/remedies", {"step": "price_reduced", "on": "2026-11-26", "amount": "10.00"})
    assert reduced.status_code == 201, reduced.content
    path = api.get(f"{url}/remedies/path", as_of="2026-11-27").json()
    assert path["state"] == "price_reduced"
    assert [(s["step"], s["on"], s["amount"]) for s in path["steps"]] == [
        ("repair_requested", "2026-11-10", None),
        ("goods_returned", "2026-11-20", None),
        ("fix_failed", "2026-11-25", None),
        ("price_reduced", "2026-11-26", "10.00"),
    ]
    refund = path["remedies"][-1]
    assert (refund["code"], refund["available"], refund["until"]) == ("refund", True, "2026-12-10")
    events = CaseEvent.objects.filter(case=complaint_case, kind=EventKind.COMPLAINT_STEP, data__has_key="remedy_step")
    assert [(event.data["remedy_step"], event.data["state"], event.actor_id) for event in events] == [
        ("repair_requested", "fix_in_progress", agent_a.pk),
        ("goods_returned", "returned", agent_a.pk),
        ("fix_failed", "final_remedy_due", agent_a.pk),
        ("price_reduced", "price_reduced", agent_a.pk),
    ]
    assert events.last().data["amount"] == "10.00"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("steps", "body", "status", "detail"),
    [
        ([], {"step": "conforms", "on": "2026-11-10"}, 409, "“Now as it should be” cannot be recorded now"),
        (
            [{"step": "repair_requested", "on": "2026-11-10"}],
            {"step": "replacement_requested", "on": "2026-11-11"},
            409,
            "“Replacement requested” cannot be recorded now",
        ),
        ([], {"step": "short_term_reject", "on": "2026-12-02", "amount": "40.00"}, 422, "a full refund"),
        ([], {"step": "fix_impossible", "on": "2026-11-10", "amount": "5.00"}, 422, "Only a rejection"),
        (
            [{"step": "fix_impossible", "on": "2026-11-10"}],
            {"step": "price_reduced", "on": "2026-11-10", "amount": "50.00"},
            422,
            "The amount cannot be more than the price paid, £49.99.",
        ),
        (
            [{"step": "fix_impossible", "on": "2026-11-10"}],
            {"step": "price_reduced", "on": "2026-11-10", "amount": "-1"},
            422,
            "An amount cannot be negative.",
        ),
        ([], {"step": "repair_requested", "on": "2099-01-01"}, 422, "A remedy step cannot be dated in the future."),
        (
            [{"step": "fix_impossible", "on": "2026-11-10"}],
            {"step": "price_reduced", "on": "2026-11-10", "amount": "1e30"},
            422,
            "The amount cannot be more than the price paid",
        ),
        ([], {"step": "mend", "on": "2026-11-10"}, 422, "“mend” is not a remedy step."),
    ],
)
def test_a_step_the_path_does_not_allow_is_refused_and_nothing_saved(
    complaint_case: Case, api: ApiClient, steps: list[dict[str, str]], body: dict[str, str], status: int, detail: str
) -> None:
    url = _bought(api, complaint_case)
    for step in steps:
        assert api.post(f"{url}/remedies", step).status_code == 201
    events = CaseEvent.objects.filter(case=complaint_case).count()
    refused = api.post(f"{url}/remedies", body)
    assert refused.status_code == status
    assert detail in refused.json()["detail"]
    assert RemedyStep.objects.count() == len(steps)
    assert CaseEvent.objects.filter(case=complaint_case).count() == events


def test_a_remedy_step_needs_the_purchase_first(complaint_case: Case, api: ApiClient) -> None:
    url = f"/cases/{complaint_case.reference}/complaint"
    refused = api.post(f"{url}/remedies", {"step": "repair_requested"})
    assert (refused.status_code, refused.json()["detail"]) == (
        409,
        "Record what the customer bought first (goods, a service or digital content).",
    )
    assert api.get(f"{url}/remedies/path").status_code == 404


def test_the_type_of_purchase_is_fixed_once_the_path_has_a_step(complaint_case: Case, api: ApiClient) -> None:
    url = _bought(api, complaint_case)
    api.post(f"{url}/remedies", {"step": "repair_requested", "on": "2026-11-10"})
    changed = api.raw("put", f"{url}/purchase", _json({**GOODS, "type": "service"}))
    assert changed.status_code == 409
    assert Purchase.objects.get().type == "goods"


def test_someone_elses_complaint_path_is_not_found(complaint_case: Case, api: ApiClient, agent_b: Agent) -> None:
    url = _bought(api, complaint_case)
    other = client_for(agent_b)
    assert other.post(f"{url}/remedies", {"step": "repair_requested", "on": "2026-11-10"}).status_code == 404
    assert other.get(f"{url}/remedies/path").status_code == 404
    assert not RemedyStep.objects.exists()


def test_a_complaint_outside_the_agents_teams_is_not_found(complaint_case: Case, agent_b: Agent) -> None:
    assert client_for(agent_b).get(f"/cases/{complaint_case.reference}/complaint").status_code == 404


def _json(body: object) -> str:
    return json.dumps(body)


def test_resolving_with_steps_missing_needs_a_reason(complaint_case: Case, api: ApiClient) -> None:
    url = f"/cases/{complaint_case.reference}"
    listened = api.patch(f"{url}/complaint", {"step": {"step": "listen", "details": factories.step_details("listen")}})
    assert listened.status_code == 200, listened.content
    api.patch(f"{url}/complaint", {"root_cause": "staff_behaviour"})
    refused = api.patch(url, {"version": 1, "status": "resolved"})
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        "Steps not recorded on this complaint: apologise, thank, explain and empathise, resolve. "
        "Record them, or give the reason for resolving without them."
    )
    complaint_case.refresh_from_db()
    assert complaint_case.status == "new"
    done = api.patch(url, {"version": 1, "status": "resolved", "reason": "Customer withdrew the complaint"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "resolved"
    [event] = CaseEvent.objects.filter(case=complaint_case, kind=EventKind.COMPLAINT_STEP, data__has_key="reason")
    assert event.data == {
        "resolved_without": ["apologise", "thank", "explain", "resolve"],
        "reason": "Customer withdrew the complaint",
    }


def test_resolving_with_every_step_recorded_needs_no_reason(complaint_case: Case, api: ApiClient) -> None:
    url = f"/cases/{complaint_case.reference}"
    for step in ("listen", "apologise", "thank", "explain", "resolve"):
        done = api.patch(f"{url}/complaint", {"step": {"step": step, "details": factories.step_details(step)}})
        assert done.status_code == 200, done.content
    api.patch(f"{url}/complaint", {"root_cause": "staff_behaviour"})
    assert api.patch(url, {"version": 1, "status": "resolved"}).status_code == 200


def test_a_step_is_sent_with_its_fields_and_read_back(complaint_case: Case, api: ApiClient) -> None:
    url = f"/cases/{complaint_case.reference}/complaint"
    follow_up = (timezone.localdate() + timedelta(days=3)).isoformat()
    details = {"resolution": "A refund of £20.", "customer_response": "awaiting", "follow_up_on": follow_up}
    done = api.patch(url, {"step": {"step": "resolve", "details": details}})
    assert done.status_code == 200, done.content
    apologised = api.patch(url, {"step": {"step": "apologise", "details": factories.step_details("apologise")}})
    assert apologised.status_code == 200, apologised.content
    steps = api.get(url).json()["steps"]
    assert [(s["step"], s["details"]) for s in steps] == [
        ("resolve", details),
        ("apologise", {"apology": "I am sorry the driver spoke to you like that.", "admission_of_liability": False}),
    ]


def test_a_step_missing_its_fields_is_refused_naming_each(complaint_case: Case, api: ApiClient) -> None:
    url = f"/cases/{complaint_case.reference}/complaint"
    refused = api.patch(url, {"step": {"step": "explain", "details": {"impact": "Upset."}}})
    assert refused.status_code == 422
    assert refused.json() == {
        "detail": "Explain what happened and why, in plain language.",
        "fields": {"explanation": "Explain what happened and why, in plain language."},
    }
    assert api.get(url).json()["steps"] == []


def _complaint_state(case: Case) -> tuple[object, ...]:
    complaint = Complaint.objects.get(case=case)
    events = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    return (complaint.regime.code, complaint.tier, complaint.steps.count(), events)


@pytest.mark.parametrize(
    ("patch", "detail"),
    [
        ({"tier": "boss"}, "“boss” is not a tier."),
        ({"tier": "team_lead"}, "Say why the complaint changes tier."),
        (
            {"tier": "team_lead", "reason": "Asked", "final_response_sent": True, "root_cause": "nonsense"},
            "There is no root cause “nonsense”.",
        ),
        ({"five_whys": {"whys": [], "statement": "x"}}, "Give at least one answer to “why?”."),
    ],
)
def test_a_patch_refused_in_any_part_changes_nothing(
    complaint_case: Case, api: ApiClient, patch: dict[str, object], detail: str
) -> None:
    url = f"/cases/{complaint_case.reference}/complaint"
    before = _complaint_state(complaint_case)
    step = {"step": "listen", "details": factories.step_details("listen")}
    refused = api.patch(url, {"regime": "fca_disp", "step": step, **patch})
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith(detail)
    assert _complaint_state(complaint_case) == before
    assert before[:3] == ("general", 1, 0)


def test_a_reply_may_resolve_a_complaint_with_steps_missing_given_the_reason(
    complaint_case: Case, api: ApiClient
) -> None:
    url = f"/cases/{complaint_case.reference}"
    api.patch(f"{url}/complaint", {"root_cause": "staff_behaviour"})
    reply = {"type": "reply", "body": "We have refunded you.", "status": "resolved"}
    refused = api.post(f"{url}/messages", reply)
    assert refused.status_code == 422
    assert refused.json()["fields"] == {"reason": "Give a reason, or record the missing steps first."}
    complaint_case.refresh_from_db()
    assert (complaint_case.status, complaint_case.messages.count()) == ("new", 1)
    done = api.post(f"{url}/messages", {**reply, "reason": "The customer only wanted the refund."})
    assert done.status_code == 201, done.content
    complaint_case.refresh_from_db()
    assert complaint_case.status == "resolved"
    [event] = CaseEvent.objects.filter(case=complaint_case, kind=EventKind.COMPLAINT_STEP, data__has_key="reason")
    assert event.data == {
        "resolved_without": ["listen", "apologise", "thank", "explain", "resolve"],
        "reason": "The customer only wanted the refund.",
    }


@pytest.mark.parametrize(
    ("region", "weekly_hours", "final_response_by"),
    [
        # St Andrew's Day, Monday 30 November 2026, is a bank holiday in Scotland only.
        ("scotland", None, "2026-12-22"),
        ("england-and-wales", None, "2026-12-21"),
        # A desk open at weekends does not shorten the customer's deadline: business days are
        # the regulator's, not the desk's opening hours.
        (
            "england-and-wales",
            {day: [["08:00", "20:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
            "2026-12-21",
        ),
    ],
)
def test_business_days_are_the_regulators_in_the_teams_part_of_the_uk(
    team_a: Team, api: ApiClient, region: str, weekly_hours: dict[str, list[list[str]]] | None, final_response_by: str
) -> None:
    manager = factories.agent(role=Role.SERVICE_MANAGER, username="mina")
    calendar = create_calendar(
        details=CalendarDetails(name=f"Desk {region}", region=region, weekly_hours=weekly_hours), by=manager
    )
    set_team_calendar(team=team_a, calendar=calendar, by=manager)
    case = factories.case(team_=team_a, kind=CaseKind.COMPLAINT, subject="Rude driver", received_at=RECEIVED)
    deadlines = api.get(f"/cases/{case.reference}/complaint").json()["deadlines"]
    assert (deadlines["acknowledge_by"], deadlines["final_response_by"]) == ("2026-11-25", final_response_by)
