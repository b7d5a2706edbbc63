"""Corrective actions through the API: service managers and administrators create and change
them; the complaints register's readers read them, with their effect once done; bad input is
refused with a sentence and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from patron.accounts.models import Agent, Role, Team
from patron.cases.models import CaseKind
from patron.complaints import services
from patron.complaints.models import Complaint, CorrectiveAction, RootCause
from patron.privacy.models import AuditEntry
from tests import factories
from tests.api.conftest import ApiClient, client_for

pytestmark = pytest.mark.django_db

URL = "/complaints/corrective-actions"


@pytest.fixture
def api_manager(manager: Agent) -> ApiClient:
    return client_for(manager)


def _complaint(team: Team, by: Agent, days_ago: int, cause: str = "delivery") -> Complaint:
    # Early on the day, so that "today" is never in the future whatever the hour the suite runs.
    received = timezone.localtime().replace(hour=0, minute=1) - timedelta(days=days_ago)
    case = factories.case(team_=team, kind=CaseKind.COMPLAINT, received_at=received.astimezone(UTC))
    complaint = Complaint.objects.select_related("case").get(case=case)
    services.set_root_cause(complaint=complaint, by=by, root_cause=RootCause.objects.get(code=cause))
    return complaint


def _new(api: ApiClient, **changes: Any) -> Any:
    body = {"title": "Later courier cut-off", "owner": "manon", "root_causes": ["delivery"], **changes}
    return api.post(URL, body)


def test_a_manager_creates_an_action_and_reads_it_back(
    api_manager: ApiClient, team_a: Team, agent_a: Agent, lead_a: Agent
) -> None:
    complaint = _complaint(team_a, agent_a, 3)
    response = _new(
        api_manager,
        owner="lena",
        due_on="2027-01-31",
        description="Move the cut-off to 4pm.",
        root_causes=["delivery", "communication"],
        complaints=[complaint.case.reference],
    )
    assert response.status_code == 201
    body = response.json()
    assert {key: body[key] for key in ("title", "description", "owner", "due_on", "status", "completed_on")} == {
        "title": "Later courier cut-off",
        "description": "Move the cut-off to 4pm.",
        "owner": {"username": "lena", "name": lead_a.display_name},
        "due_on": "2027-01-31",
        "status": "open",
        "completed_on": None,
    }
    assert body["root_causes"] == [
        {"code": "communication", "name": "Communication"},
        {"code": "delivery", "name": "Delivery"},
    ]
    assert (body["complaints"], body["overdue"], body["effect"]) == ([complaint.case.reference], False, None)
    assert api_manager.get(f"{URL}/{body['id']}").json() == body
    assert AuditEntry.objects.filter(action="corrective_action_created", object_id=str(body["id"])).count() == 1


def test_a_done_action_shows_its_effect_in_equal_windows(api_manager: ApiClient, team_a: Team, agent_a: Agent) -> None:
    today = timezone.localdate()
    done = today - timedelta(days=10)
    for days_ago in (21, 20, 15, 11, 10, 9, 1, 0):
        _complaint(team_a, agent_a, days_ago)
    _complaint(team_a, agent_a, 12, cause="policy")
    response = _new(api_manager, status="done", completed_on=done.isoformat())
    effect = response.json()["effect"]
    # Ten days have passed since: 10 days before (20 to 11 days ago) against 10 days after (9 days ago to today).
    assert effect == {
        "days": 10,
        "before_from": (today - timedelta(days=20)).isoformat(),
        "before_to": (today - timedelta(days=11)).isoformat(),
        "complaints_before": 3,
        "after_from": (today - timedelta(days=9)).isoformat(),
        "after_to": today.isoformat(),
        "complaints_after": 3,
    }
    action_id = response.json()["id"]
    shorter = api_manager.get(f"{URL}/{action_id}", days=5).json()["effect"]
    assert (shorter["days"], shorter["complaints_before"], shorter["complaints_after"]) == (5, 2, 1)
    assert api_manager.get(URL).json()[0]["effect"] == effect
    refused = api_manager.get(f"{URL}/{action_id}", days=0)
    assert (refused.status_code, refused.json()["detail"]) == (422, "Measure over 1 to 3,650 days.")


def test_a_manager_moves_an_action_on_and_back(api_manager: ApiClient, team_a: Team, agent_a: Agent) -> None:
    complaint = _complaint(team_a, agent_a, 3)
    action_id = _new(api_manager, complaints=[complaint.case.reference]).json()["id"]
    done = api_manager.patch(f"{URL}/{action_id}", {"status": "done"}).json()
    assert (done["status"], done["completed_on"], done["complaints"]) == (
        "done",
        timezone.localdate().isoformat(),
        [complaint.case.reference],
    )
    reopened = api_manager.patch(f"{URL}/{action_id}", {"status": "in_progress", "title": "Cut-off at 4pm"}).json()
    assert (reopened["status"], reopened["completed_on"], reopened["title"]) == ("in_progress", None, "Cut-off at 4pm")
    cleared = api_manager.patch(f"{URL}/{action_id}", {"complaints": [], "due_on": "2026-01-05"}).json()
    assert (cleared["complaints"], cleared["due_on"], cleared["overdue"]) == ([], "2026-01-05", True)
    assert AuditEntry.objects.filter(action="corrective_action_updated", object_id=str(action_id)).count() == 3


def test_a_change_to_the_complaints_keeps_those_the_manager_cannot_see(
    api_manager: ApiClient, team_a: Team, team_b: Team, agent_a: Agent, manager: Agent
) -> None:
    """A manager's change to the list keeps complaints the manager cannot see (a restricted case)."""
    own = _complaint(team_a, agent_a, 3)
    hidden = _complaint(team_b, manager, 4)
    action_id = _new(api_manager, complaints=[own.case.reference, hidden.case.reference]).json()["id"]
    hidden.case.is_restricted = True
    hidden.case.save(update_fields=["is_restricted"])
    body = api_manager.patch(f"{URL}/{action_id}", {"complaints": []}).json()
    assert body["complaints"] == []
    assert list(CorrectiveAction.objects.get(pk=action_id).complaints.all()) == [hidden]


@pytest.mark.parametrize("role", [Role.TEAM_LEAD, Role.PRIVACY_OFFICER])
def test_readers_who_may_not_manage_are_refused_changes(role: Role, api_manager: ApiClient) -> None:
    action_id = _new(api_manager).json()["id"]
    reader = client_for(factories.agent(role=role))
    assert [action["id"] for action in reader.get(URL).json()] == [action_id]
    assert reader.get(f"{URL}/{action_id}").status_code == 200
    created = _new(reader, owner="nobody")
    changed = reader.patch(f"{URL}/{action_id}", {"status": "done"})
    for response in (created, changed):
        assert (response.status_code, response.json()["detail"]) == (
            403,
            "Only service managers and administrators can manage corrective actions.",
        )
    assert CorrectiveAction.objects.get(pk=action_id).status == "open"
    assert CorrectiveAction.objects.count() == 1


def test_an_admin_manages_them(db: None) -> None:
    admin = factories.agent(role=Role.ADMIN, username="ada")
    response = _new(client_for(admin), owner="ada")
    assert response.status_code == 201


def test_an_agent_may_not_read_them(api_manager: ApiClient, agent_a: Agent) -> None:
    action_id = _new(api_manager).json()["id"]
    api = client_for(agent_a)
    message = "Only service managers, privacy officers, administrators and team leads can see corrective actions."
    for response in (api.get(URL), api.get(f"{URL}/{action_id}"), api.get(f"{URL}/999")):
        assert (response.status_code, response.json()["detail"]) == (403, message)


def test_an_unknown_action_is_not_found(api_manager: ApiClient) -> None:
    for path in (f"{URL}/999", f"{URL}/{10**30}"):
        response = api_manager.get(path)
        assert response.status_code == 404
        assert response.json()["detail"].startswith("There is no corrective action ")
    assert api_manager.patch(f"{URL}/999", {"status": "done"}).status_code == 404
    assert api_manager.get(f"{URL}/nine").status_code == 422


@pytest.mark.parametrize(
    ("changes", "status", "detail"),
    [
        ({"title": " "}, 422, "Give the corrective action a title."),
        ({"owner": "nobody"}, 422, "There is no active agent “nobody”."),
        ({"root_causes": []}, 422, "Name at least one root cause the action addresses."),
        ({"root_causes": ["weather"]}, 422, "There is no root cause “weather”."),
        ({"status": "finished"}, 422, "“finished” is not a status. Choose one of: open, in_progress, done, abandoned."),
        ({"completed_on": "2026-01-01"}, 422, "Only a done action has a completion date."),
        ({"status": "done", "completed_on": "2099-01-01"}, 422, "An action cannot be completed in the future."),
        ({"complaints": ["C-999999"]}, 422, "There is no complaint C-999999 that you can see."),
        ({"complaints": ["yesterday"]}, 422, "There is no complaint yesterday that you can see."),
        ({"due_on": "next week"}, 422, None),
    ],
)
def test_bad_input_is_refused_and_saves_nothing(
    api_manager: ApiClient, changes: dict[str, Any], status: int, detail: str | None
) -> None:
    response = _new(api_manager, **changes)
    assert response.status_code == status
    if detail is not None:
        assert response.json()["detail"] == detail
    else:
        assert response.json()["detail"].startswith("The request is not valid: due_on:")
    assert not CorrectiveAction.objects.exists()
    assert not AuditEntry.objects.filter(object_type="corrective_action").exists()


def test_a_bad_change_is_refused_and_changes_nothing(api_manager: ApiClient, team_a: Team, agent_a: Agent) -> None:
    complaint = _complaint(team_a, agent_a, 3)
    action_id = _new(api_manager, complaints=[complaint.case.reference]).json()["id"]
    before = api_manager.get(f"{URL}/{action_id}").json()
    for change in ({"complaints": ["C-999999"]}, {"owner": "nobody"}, {"root_causes": []}, {"status": "late"}):
        assert api_manager.patch(f"{URL}/{action_id}", change).status_code == 422
    assert api_manager.get(f"{URL}/{action_id}").json() == before


def test_the_list_takes_the_same_queries_for_any_number_of_actions(
    api_manager: ApiClient, manager: Agent, team_a: Team, agent_a: Agent, django_assert_max_num_queries: Any
) -> None:
    done = (timezone.localdate() - timedelta(days=5)).isoformat()
    complaint = _complaint(team_a, agent_a, 3)
    _new(api_manager, status="done", completed_on=done, complaints=[complaint.case.reference])
    api_manager.get(URL)
    with django_assert_max_num_queries(12) as first:
        api_manager.get(URL)
    for index in range(5):
        other = _complaint(team_a, agent_a, index + 1, cause="policy")
        _new(
            api_manager,
            title=f"Action {index}",
            root_causes=["policy", "delivery"],
            status="done",
            completed_on=done,
            complaints=[other.case.reference, complaint.case.reference],
        )
    with django_assert_max_num_queries(12) as second:
        assert len(api_manager.get(URL).json()) == 6
    assert len(second.captured_queries) == len(first.captured_queries)


def test_received_today_counts_in_the_window_after(api_manager: ApiClient, team_a: Team, agent_a: Agent) -> None:
    now = datetime.now(tz=UTC)
    case = factories.case(team_=team_a, kind=CaseKind.COMPLAINT, received_at=now)
    services.set_root_cause(
        complaint=Complaint.objects.get(case=case), by=agent_a, root_cause=RootCause.objects.get(code="delivery")
    )
    done = (timezone.localdate() - timedelta(days=3)).isoformat()
    assert _new(api_manager, status="done", completed_on=done).json()["effect"]["complaints_after"] == 1
