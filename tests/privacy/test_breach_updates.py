"""The breach register as facts and decisions arrive: the reporting decision with its reason,
the report to the ICO (reference; reasons for a delay past 72 hours), telling the people
affected, numbers and measures. Every change is audited; a refused change changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from patron.accounts.models import Agent, Role
from patron.privacy.models import AuditEntry, Breach
from tests import factories
from tests.api.conftest import ApiClient, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer() -> Agent:
    return factories.agent(role=Role.PRIVACY_OFFICER, username="petra")


@pytest.fixture
def api(officer: Agent) -> ApiClient:
    return client_for(officer)


@pytest.fixture
def aware() -> datetime:
    return (timezone.now() - timedelta(days=5)).replace(microsecond=0)


@pytest.fixture
def breach(aware: datetime) -> Breach:
    return Breach.objects.create(summary="Laptop left on a train", aware_at=aware, created_at=timezone.now())


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def test_an_undecided_breach_is_decided_with_its_reason(api: ApiClient, breach: Breach) -> None:
    response = api.patch(
        f"/privacy/breaches/{breach.pk}",
        {"reportable": True, "reportable_reason": "Unencrypted, 400 customers' addresses: a risk to them."},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["reportable"], body["reportable_reason"]) == (
        True,
        "Unencrypted, 400 customers' addresses: a risk to them.",
    )
    entry = AuditEntry.objects.get(action="breach_updated")
    assert (entry.object_id, entry.data["fields"]) == (str(breach.pk), ["reportable", "reportable_reason"])


def test_a_decision_needs_its_reason(api: ApiClient, breach: Breach) -> None:
    response = api.patch(f"/privacy/breaches/{breach.pk}", {"reportable": False})
    assert (response.status_code, response.json()["detail"]) == (
        422,
        "Give the reason for deciding whether to report it to the ICO.",
    )
    breach.refresh_from_db()
    assert breach.reportable is None
    assert not AuditEntry.objects.filter(action="breach_updated").exists()


def test_a_decision_is_changed_not_undone(api: ApiClient, breach: Breach) -> None:
    Breach.objects.filter(pk=breach.pk).update(reportable=False, reportable_reason="Encrypted disk")
    undone = api.patch(f"/privacy/breaches/{breach.pk}", {"reportable": None})
    assert undone.status_code == 422
    changed = api.patch(
        f"/privacy/breaches/{breach.pk}", {"reportable": True, "reportable_reason": "The key was with it"}
    )
    assert changed.json()["reportable"] is True


def test_a_report_within_72_hours_with_the_icos_reference(api: ApiClient, breach: Breach, aware: datetime) -> None:
    response = api.patch(
        f"/privacy/breaches/{breach.pk}",
        {
            "reportable": True,
            "reportable_reason": "Risk to the people affected",
            "reported_to_ico_at": _iso(aware + timedelta(hours=30)),
            "ico_reference": "IC-123456-A1B2",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["ico_reference"], body["reported_late"], body["report_delay_reason"]) == (
        "IC-123456-A1B2",
        False,
        "",
    )
    assert datetime.fromisoformat(body["reported_to_ico_at"]) == aware + timedelta(hours=30)


def test_a_late_report_must_give_the_reasons_for_the_delay(api: ApiClient, breach: Breach, aware: datetime) -> None:
    Breach.objects.filter(pk=breach.pk).update(reportable=True, reportable_reason="Risk")
    late = {"reported_to_ico_at": _iso(aware + timedelta(hours=73)), "ico_reference": "IC-9"}
    refused = api.patch(f"/privacy/breaches/{breach.pk}", late)
    assert (refused.status_code, refused.json()["detail"]) == (
        422,
        "The report was made more than 72 hours after becoming aware: give the reasons for the delay.",
    )
    breach.refresh_from_db()
    assert breach.reported_to_ico_at is None

    accepted = api.patch(
        f"/privacy/breaches/{breach.pk}",
        {**late, "report_delay_reason": "The extent was only known once the supplier replied on day 3."},
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["reported_late"] is True


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"reported_to_ico_at": "+1h", "ico_reference": "IC-1"}, "Record the decision that it is reportable"),
        ({"reportable": True, "reportable_reason": "Risk", "reported_to_ico_at": "+1h"}, "Give the reference"),
        (
            {"reportable": True, "reportable_reason": "Risk", "reported_to_ico_at": "-1h", "ico_reference": "IC-1"},
            "The report to the ICO must be after becoming aware",
        ),
        ({"people_told_at": "+2h"}, "Say how the people affected were told"),
        ({"people_told_at": "-2h", "people_told_how": "Email"}, "The people affected are told after becoming aware"),
        ({"summary": "   "}, "Say in a sentence what happened."),
        ({"occurred_at": "+1h"}, "A breach cannot happen after it was known about."),
        ({"people_affected": -1}, "The request is not valid"),
    ],
)
def test_bad_updates_change_nothing(
    api: ApiClient, breach: Breach, aware: datetime, changes: dict[str, Any], detail: str
) -> None:
    body = {
        name: _iso(aware + timedelta(hours=int(value[:-1])))
        if isinstance(value, str) and value.endswith("h")
        else value
        for name, value in changes.items()
    }
    response = api.patch(f"/privacy/breaches/{breach.pk}", body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"].startswith(detail)
    after = Breach.objects.get(pk=breach.pk)
    assert (after.summary, after.reportable, after.reported_to_ico_at, after.people_told_at, after.occurred_at) == (
        "Laptop left on a train",
        None,
        None,
        None,
        None,
    )
    assert not AuditEntry.objects.filter(action="breach_updated").exists()


def test_telling_people_measures_and_numbers_are_recorded_and_listed(
    api: ApiClient, breach: Breach, aware: datetime
) -> None:
    told = aware + timedelta(days=1)
    response = api.patch(
        f"/privacy/breaches/{breach.pk}",
        {
            "people_told_at": _iso(told),
            "people_told_how": "Letter to each customer, with the helpline number",
            "measures_taken": "Laptop wiped remotely; disks now encrypted",
            "likely_consequences": "Addresses could be used for phishing",
            "people_affected": 400,
            "records_affected": 410,
        },
    )
    assert response.status_code == 200, response.content
    listed = api.get("/privacy/breaches").json()[0]
    assert datetime.fromisoformat(listed["people_told_at"]) == told
    assert listed["people_told_how"] == "Letter to each customer, with the helpline number"
    assert (listed["people_affected"], listed["records_affected"]) == (400, 410)
    assert listed["measures_taken"] == "Laptop wiped remotely; disks now encrypted"


def test_text_sent_as_null_is_emptied(api: ApiClient, breach: Breach) -> None:
    Breach.objects.filter(pk=breach.pk).update(measures_taken="Passwords reset")
    response = api.patch(f"/privacy/breaches/{breach.pk}", {"measures_taken": None, "what_happened": None})
    assert response.status_code == 200, response.content
    breach.refresh_from_db()
    assert (breach.measures_taken, breach.what_happened) == ("", "")
    null_summary = api.patch(f"/privacy/breaches/{breach.pk}", {"summary": None})
    assert (null_summary.status_code, null_summary.json()["detail"]) == (422, "Say in a sentence what happened.")


def test_sending_what_is_already_recorded_writes_no_audit_entry(api: ApiClient, breach: Breach) -> None:
    response = api.patch(f"/privacy/breaches/{breach.pk}", {"summary": "Laptop left on a train"})
    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action="breach_updated").exists()


def test_an_unknown_breach_is_404(api: ApiClient) -> None:
    response = api.patch("/privacy/breaches/999999", {"summary": "x"})
    assert (response.status_code, response.json()["detail"]) == (404, "There is no breach with that number.")


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER])
def test_only_privacy_officers_update_breaches(breach: Breach, role: Role) -> None:
    other = client_for(factories.agent(role=role))
    response = other.patch(f"/privacy/breaches/{breach.pk}", {"reportable": False, "reportable_reason": "No"})
    assert response.status_code == 403
    breach.refresh_from_db()
    assert breach.reportable is None


def test_the_72_hour_rule_is_given_in_words_in_the_desks_time(api: ApiClient) -> None:
    # Aware on Friday 23 October 2026 at 10:15 London time (BST); the clocks go back on the
    # Sunday, so 72 hours later is 09:15 on the Monday by the clock on the wall.
    made = api.post(
        "/privacy/breaches", {"summary": "Wrong attachment sent", "aware_at": "2026-10-23T09:15:00+00:00"}
    ).json()
    assert made["report_by"] == "2026-10-26T09:15:00Z"
    assert made["report_by_rule"] == (
        "72 hours from becoming aware at 10:15 on 23 Oct 2026: 09:15 on 26 Oct 2026, counted in calendar hours "
        "(nights, weekends and bank holidays included)."
    )
