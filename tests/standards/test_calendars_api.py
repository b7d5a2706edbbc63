from __future__ import annotations

from patron.accounts.models import Agent, Role
from patron.standards.models import BusinessCalendar
from tests import factories
from tests.api.conftest import ApiClient, client_for

SPLIT = {"mon": [["08:00", "12:30"], ["13:30", "18:00"]], "tue": [["09:00", "17:00"]]}


def _manager_api() -> ApiClient:
    return client_for(factories.agent(role=Role.SERVICE_MANAGER))


def test_create_calendar_and_do_arithmetic(db: None) -> None:
    api = _manager_api()
    created = api.post(
        "/calendars",
        {
            "name": "Glasgow desk",
            "region": "scotland",
            "weekly_hours": SPLIT,
            "closures": [
                {"starts_at": "2026-12-01T08:00:00+00:00", "ends_at": "2026-12-01T10:00:00+00:00", "reason": "Training"}
            ],
        },
    )
    assert created.status_code == 201, created.content
    calendar = created.json()
    assert (calendar["region"], calendar["weekly_hours"], calendar["version"]) == ("scotland", SPLIT, 1)
    # Monday 30 Nov 2026 is the St Andrew's Day holiday; Tuesday 1 Dec opens at 10:00 after training.
    due = api.post(f"/calendars/{calendar['id']}/add", {"start": "2026-11-27T17:00:00+00:00", "minutes": 90})
    assert due.status_code == 200, due.content
    assert due.json()["due"] == "2026-12-01T11:30:00Z"
    between = api.post(
        f"/calendars/{calendar['id']}/between",
        {"start": "2026-12-07T12:00:00+00:00", "end": "2026-12-07T14:00:00+00:00"},
    )
    assert between.json() == {"minutes": 60.0}


def test_calendar_input_is_checked(db: None) -> None:
    api = _manager_api()
    cases = [
        ({"name": "A", "weekly_hours": {"mon": [["17:00", "09:00"]]}}, "ends before it starts"),
        ({"name": "A", "weekly_hours": {}, "time_zone": "Mars/Olympus"}, "not a time zone"),
        ({"name": "A", "weekly_hours": {}, "region": "wales"}, "region"),
        ({"name": " ", "weekly_hours": {}}, "needs a name"),
        (
            {
                "name": "A",
                "weekly_hours": {},
                "closures": [{"starts_at": "2026-01-02T10:00:00+00:00", "ends_at": "2026-01-01T10:00:00+00:00"}],
            },
            "end after",
        ),
    ]
    for payload, message in cases:
        response = api.post("/calendars", payload)
        assert response.status_code == 422, (payload, response.content)
        assert message in response.json()["detail"], (payload, response.json())
    assert BusinessCalendar.objects.count() == 0


def test_only_managers_change_calendars(agent_a: Agent) -> None:
    response = client_for(agent_a).post("/calendars", {"name": "Mine", "weekly_hours": {}})
    assert response.status_code == 403
    assert BusinessCalendar.objects.count() == 0


def test_update_calendar_changes_the_arithmetic(db: None) -> None:
    api = _manager_api()
    calendar = api.post("/calendars", {"name": "Leeds", "weekly_hours": {"mon": [["09:00", "17:00"]]}}).json()
    start = {"start": "2026-06-01T16:00:00+01:00", "minutes": 120}
    assert api.post(f"/calendars/{calendar['id']}/add", start).json()["due"] == "2026-06-08T09:00:00Z"
    patched = api.patch(
        f"/calendars/{calendar['id']}",
        {"version": 1, "weekly_hours": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]]}},
    )
    assert patched.json()["version"] == 2
    assert api.post(f"/calendars/{calendar['id']}/add", start).json()["due"] == "2026-06-02T09:00:00Z"
    stale = api.patch(f"/calendars/{calendar['id']}", {"version": 1, "name": "Other"})
    assert stale.status_code == 409


def test_arithmetic_refuses_naive_times_and_closed_calendars(db: None) -> None:
    api = _manager_api()
    calendar = api.post("/calendars", {"name": "Never", "weekly_hours": {}}).json()
    naive = api.post(f"/calendars/{calendar['id']}/add", {"start": "2026-06-01T16:00:00", "minutes": 1})
    assert naive.status_code == 422
    closed = api.post(f"/calendars/{calendar['id']}/add", {"start": "2026-06-01T16:00:00Z", "minutes": 1})
    assert closed.status_code == 422
    assert "not open at all" in closed.json()["detail"]
    assert api.get("/calendars/999").status_code == 404
