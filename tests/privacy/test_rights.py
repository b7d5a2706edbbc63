"""Subject requests on the statutory clock, their extension, and the breach register with its
72-hour clock; for privacy officers and administrators only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from patron.accounts.models import Agent, Role
from patron.privacy.clocks import breach_report_by, extended_due_on, request_due_on
from patron.privacy.models import AuditEntry, Breach, SubjectRequest
from patron.privacy.rights import is_working_day
from tests import factories
from tests.api.conftest import client_for


@pytest.mark.parametrize(
    ("received", "due", "extended"),
    [
        # 3 October 2026 is a Saturday: the Monday after. Extended: 3 December.
        (date(2026, 9, 3), date(2026, 10, 5), date(2026, 12, 3)),
        # No 31 February: the last day (Saturday 28th), then the next working day.
        (date(2026, 1, 31), date(2026, 3, 2), date(2026, 4, 30)),
        # Leap year: Tuesday 29 February. Extended: 30 April is a Sunday, 1 May a bank holiday.
        (date(2028, 1, 31), date(2028, 2, 29), date(2028, 5, 2)),
        # 25 December and the Boxing Day substitute on the 28th are not working days.
        (date(2026, 11, 25), date(2026, 12, 29), date(2027, 2, 25)),
        (date(2026, 6, 10), date(2026, 7, 10), date(2026, 9, 10)),
    ],
)
def test_one_month_from_receipt_and_three_when_extended(received: date, due: date, extended: date) -> None:
    assert request_due_on(received, is_working_day=is_working_day) == due
    assert extended_due_on(received, is_working_day=is_working_day) == extended


def test_72_hours_are_calendar_hours() -> None:
    friday_evening = datetime(2026, 11, 27, 18, 30, tzinfo=UTC)
    assert breach_report_by(friday_evening) == datetime(2026, 11, 30, 18, 30, tzinfo=UTC)


@pytest.fixture
def privacy_officer(db: None) -> Agent:
    return factories.agent(role=Role.PRIVACY_OFFICER, username="petra")


def test_privacy_officer_records_and_extends_a_request(privacy_officer: Agent) -> None:
    customer = factories.customer("Ann Smith")
    api = client_for(privacy_officer)
    received = timezone.localdate() - timedelta(days=3)
    made = api.post(
        "/privacy/requests", {"customer": customer.pk, "type": "access", "received_on": received.isoformat()}
    )
    assert made.status_code == 201, made.content
    body = made.json()
    expected_due = request_due_on(received, is_working_day=is_working_day)
    assert (body["due_on"], body["status"], body["extended"]) == (expected_due.isoformat(), "open", False)
    assert body["days_left"] == (expected_due - timezone.localdate()).days
    assert api.get("/privacy/requests").json()[0]["id"] == body["id"]

    refused = api.post(f"/privacy/requests/{body['id']}/extend", {"reason": " "})
    assert (refused.status_code, refused.json()["detail"]) == (422, "Say why the request needs more time.")
    extended = api.post(f"/privacy/requests/{body['id']}/extend", {"reason": "Ten years of cases to review"}).json()
    assert extended["due_on"] == extended_due_on(received, is_working_day=is_working_day).isoformat()
    again = api.post(f"/privacy/requests/{body['id']}/extend", {"reason": "More"})
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "This request was already extended; it can be extended once.",
    )
    assert AuditEntry.objects.filter(action__startswith="subject_request_").count() == 2


def test_an_extension_after_the_first_month_is_refused(privacy_officer: Agent) -> None:
    customer = factories.customer()
    late = SubjectRequest.objects.create(
        customer=customer,
        type="erasure",
        received_on=date(2026, 1, 5),
        due_on=date(2026, 2, 5),
        created_at=timezone.now(),
    )
    response = client_for(privacy_officer).post(f"/privacy/requests/{late.pk}/extend", {"reason": "Complex"})
    assert response.status_code == 409
    late.refresh_from_db()
    assert (late.extended, late.due_on) == (False, date(2026, 2, 5))


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"type": "forgetting", "received_on": "2026-01-05"}, "“forgetting” is not a right."),
        ({"type": "access", "received_on": "2099-01-05"}, "A request cannot be received in the future."),
    ],
)
def test_bad_requests_are_refused_and_nothing_recorded(
    privacy_officer: Agent, body: dict[str, str], detail: str
) -> None:
    customer = factories.customer()
    response = client_for(privacy_officer).post("/privacy/requests", {"customer": customer.pk, **body})
    assert response.status_code == 422
    assert response.json()["detail"].startswith(detail)
    assert not SubjectRequest.objects.exists()


def test_breach_register_with_the_72_hour_clock(privacy_officer: Agent) -> None:
    api = client_for(privacy_officer)
    aware = "2026-11-20T09:15:00+00:00"
    made = api.post(
        "/privacy/breaches",
        {
            "summary": "Reply sent to the wrong customer",
            "aware_at": aware,
            "people_affected": 1,
            "reportable": False,
            "reportable_reason": "One address, no sensitive data: unlikely to be a risk.",
        },
    )
    assert made.status_code == 201, made.content
    assert made.json()["report_by"] == "2026-11-23T09:15:00Z"
    assert [b["summary"] for b in api.get("/privacy/breaches").json()] == ["Reply sent to the wrong customer"]
    no_reason = api.post("/privacy/breaches", {"summary": "Lost laptop", "aware_at": aware, "reportable": True})
    assert (no_reason.status_code, no_reason.json()["detail"]) == (
        422,
        "Give the reason for deciding whether to report it to the ICO.",
    )
    assert Breach.objects.count() == 1


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER])
def test_only_privacy_officers_and_admins(db: None, role: Role) -> None:
    api = client_for(factories.agent(role=role))
    customer = factories.customer()
    assert api.get("/privacy/requests").status_code == 403
    assert (
        api.post(
            "/privacy/requests", {"customer": customer.pk, "type": "access", "received_on": "2026-01-05"}
        ).status_code
        == 403
    )
    assert api.get("/privacy/breaches").status_code == 403
    assert api.post("/privacy/breaches", {"summary": "x", "aware_at": "2026-01-05T10:00:00Z"}).status_code == 403
    assert not SubjectRequest.objects.exists()
    assert not Breach.objects.exists()
