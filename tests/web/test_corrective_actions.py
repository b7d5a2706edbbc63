"""The corrective actions pages: reached from the complaints register, the list with owner, due
date, status and overdue marked, the effect in numbers, and the form to create and change an
action, refused to those who may only read."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from patron.accounts.models import Agent, Role, Team
from patron.cases.models import CaseKind
from patron.complaints import services
from patron.complaints.models import Complaint, CorrectiveAction, RootCause
from patron.complaints.services import ActionDetails
from patron.privacy.models import AuditEntry
from tests import factories
from tests.web.conftest import signed_in
from tests.web.reading import page, visible_text

pytestmark = pytest.mark.django_db

URL = "/complaints/corrective-actions"
QUERIES_PER_PAGE = 9


def _cause(code: str) -> RootCause:
    return RootCause.objects.get(code=code)


def _complaint(team: Team, by: Agent, days_ago: int, cause: str = "delivery") -> Complaint:
    # Early on the day, so that "today" is never in the future whatever the hour the suite runs.
    received = timezone.localtime().replace(hour=0, minute=1) - timedelta(days=days_ago)
    case = factories.case(team_=team, kind=CaseKind.COMPLAINT, received_at=received.astimezone(UTC))
    complaint = Complaint.objects.select_related("case").get(case=case)
    services.set_root_cause(complaint=complaint, by=by, root_cause=_cause(cause))
    return complaint


def _action(manager: Agent, title: str = "Later courier cut-off", **fields: Any) -> CorrectiveAction:
    causes = [_cause(code) for code in fields.pop("causes", ["delivery"])]
    details = ActionDetails(title=title, owner=fields.pop("owner", manager), root_causes=causes, **fields)
    return services.create_corrective_action(by=manager, details=details)


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _form(**changes: Any) -> dict[str, Any]:
    return {"title": "Later courier cut-off", "status": "open", "root_causes": ["delivery"], **changes}


def test_the_register_links_to_the_list(manager: Agent) -> None:
    assert f'href="{URL}"' in page(signed_in(manager).get("/complaints/register"))


def test_the_list_shows_owner_due_status_overdue_and_the_effect(
    manager: Agent, lead_a: Agent, team_a: Team, agent_a: Agent
) -> None:
    today = timezone.localdate()
    for days_ago in (12, 8, 3):
        _complaint(team_a, agent_a, days_ago)
    _action(manager, "Retrain the drivers", owner=lead_a, due_on=date(2026, 1, 5), status="in_progress")
    _action(manager, "Cut-off at 4pm", status="done", completed_on=today - timedelta(days=5))
    text = visible_text(signed_in(manager).get(URL))
    assert (
        f"Retrain the drivers {lead_a.display_name} 5 Jan 2026 Overdue In progress Delivery Measured once it is done."
    ) in text
    # Five days have passed: 10 to 6 days ago (one complaint) against 4 days ago to today (one).
    assert f"Cut-off at 4pm {manager.display_name} No date Done ({_day(today - timedelta(days=5))}) Delivery" in text
    assert "Delivery 1 in 5 days 1 in 5 days no change" in text


def test_the_list_filters_by_status(manager: Agent) -> None:
    _action(manager, "Still open")
    _action(manager, "Given up", status="abandoned")
    text = visible_text(signed_in(manager).get(URL, {"status": "abandoned"}))
    assert "Given up" in text
    assert "Still open" not in text
    refused = signed_in(manager).get(URL, {"status": "finished"})
    assert refused.status_code == 400
    assert "“finished” is not a status. Choose one from the list." in visible_text(refused)


def test_a_manager_creates_an_action_from_the_form(manager: Agent, lead_a: Agent, team_a: Team, agent_a: Agent) -> None:
    complaint = _complaint(team_a, agent_a, 2)
    browser = signed_in(manager)
    assert 'href="/complaints/corrective-actions/new"' in page(browser.get(URL))
    response = browser.post(
        f"{URL}/new",
        _form(
            owner=lead_a.pk,
            due_on="2027-02-01",
            description="Move the cut-off.",
            root_causes=["delivery", "communication"],
            complaints=f"{complaint.case.reference}, ",
        ),
    )
    action = CorrectiveAction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{URL}/{action.pk}"
    assert (action.title, action.owner, action.due_on, action.description) == (
        "Later courier cut-off",
        lead_a,
        date(2027, 2, 1),
        "Move the cut-off.",
    )
    assert sorted(action.root_causes.values_list("code", flat=True)) == ["communication", "delivery"]
    assert list(action.complaints.all()) == [complaint]
    text = visible_text(browser.get(f"{URL}/{action.pk}"))
    assert "The corrective action was saved." in text
    assert f"Complaints it addresses {complaint.case.reference}" in text
    assert "The effect is measured once the action is done." in text


def test_a_manager_completes_an_action_and_sees_its_effect(manager: Agent, team_a: Team, agent_a: Agent) -> None:
    today = timezone.localdate()
    for days_ago in (20, 15, 12, 4):
        _complaint(team_a, agent_a, days_ago)
    action = _action(manager, due_on=today)
    browser = signed_in(manager)
    form = page(browser.get(f"{URL}/{action.pk}"))
    assert 'name="title" value="Later courier cut-off"' in form
    assert f'<option value="{manager.pk}" selected>' in form
    completed = today - timedelta(days=10)
    response = browser.post(
        f"{URL}/{action.pk}",
        _form(owner=manager.pk, status="done", completed_on=completed.isoformat(), due_on=today.isoformat()),
    )
    assert response.status_code == 302
    text = visible_text(browser.get(f"{URL}/{action.pk}"))
    # Ten days: 20 to 11 days ago (three complaints) against 9 days ago to today (one).
    assert (
        f"Complaints with these root causes: 3 received in the 10 days before it was completed "
        f"({_day(today - timedelta(days=20))} to {_day(today - timedelta(days=11))}), 1 in the 10 days after "
        f"({_day(today - timedelta(days=9))} to {_day(today)}): 2 fewer."
    ) in text
    assert AuditEntry.objects.filter(action="corrective_action_updated", object_id=str(action.pk)).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Give the corrective action a title."),
        ({"root_causes": []}, "Name at least one root cause the action addresses."),
        ({"root_causes": ["weather"]}, "“weather” is not a root cause. Choose from the list."),
        ({"owner": ""}, "Choose who owns the action."),
        ({"due_on": "soon"}, "Enter a date as YYYY-MM-DD."),
        ({"completed_on": "2026-01-01"}, "Only a done action has a completion date."),
        ({"status": "done", "completed_on": "2099-01-01"}, "An action cannot be completed in the future."),
        ({"complaints": "C-999999"}, "There is no complaint C-999999 that you can see."),
    ],
)
def test_a_bad_form_is_shown_with_its_error_and_saves_nothing(
    manager: Agent, changes: dict[str, Any], message: str
) -> None:
    response = signed_in(manager).post(f"{URL}/new", _form(**{"owner": manager.pk, **changes}))
    assert response.status_code == 400
    assert message in visible_text(response)
    assert not CorrectiveAction.objects.exists()


def test_a_refused_change_leaves_the_action_as_it_was(manager: Agent) -> None:
    action = _action(manager, due_on=date(2027, 1, 1))
    response = signed_in(manager).post(f"{URL}/{action.pk}", _form(owner=manager.pk, title="New", complaints="C-9"))
    assert response.status_code == 400
    assert "There is no complaint C-9 that you can see." in visible_text(response)
    action.refresh_from_db()
    assert (action.title, action.due_on) == ("Later courier cut-off", date(2027, 1, 1))


@pytest.mark.parametrize("role", [Role.TEAM_LEAD, Role.PRIVACY_OFFICER])
def test_readers_see_the_actions_but_no_form(role: Role, manager: Agent) -> None:
    action = _action(manager)
    browser = signed_in(factories.agent(role=role))
    listing = browser.get(URL)
    assert listing.status_code == 200
    assert "Later courier cut-off" in visible_text(listing)
    assert "New corrective action" not in visible_text(listing)
    detail = browser.get(f"{URL}/{action.pk}")
    assert detail.status_code == 200
    assert "Save changes" not in visible_text(detail)
    assert 'name="title"' not in page(detail)
    assert browser.get(f"{URL}/new").status_code == 403
    assert browser.post(f"{URL}/new", _form(owner=manager.pk)).status_code == 403
    assert browser.post(f"{URL}/{action.pk}", _form(owner=manager.pk, title="Changed")).status_code == 403
    assert CorrectiveAction.objects.get().title == "Later courier cut-off"


def test_an_agent_cannot_open_the_pages(client_a: Client, manager: Agent) -> None:
    action = _action(manager)
    for path in (URL, f"{URL}/new", f"{URL}/{action.pk}"):
        assert client_a.get(path).status_code == 403


def test_an_unknown_action_is_not_found(manager: Agent) -> None:
    assert signed_in(manager).get(f"{URL}/999").status_code == 404


def test_the_list_takes_the_same_queries_for_any_number_of_actions(
    manager: Agent, team_a: Team, agent_a: Agent, django_assert_max_num_queries: Any
) -> None:
    done = timezone.localdate() - timedelta(days=5)
    complaint = _complaint(team_a, agent_a, 3)
    _action(manager, status="done", completed_on=done, complaints=[complaint])
    browser = signed_in(manager)
    browser.get(URL)
    with django_assert_max_num_queries(QUERIES_PER_PAGE) as first:
        browser.get(URL)
    for index in range(5):
        other = _complaint(team_a, agent_a, index + 1, cause="policy")
        _action(
            manager,
            f"Action {index}",
            causes=["policy", "delivery"],
            status="done",
            completed_on=done,
            complaints=[other, complaint],
            due_on=date(2026, 1, 1),
        )
    with django_assert_max_num_queries(QUERIES_PER_PAGE) as second:
        assert "Action 4" in visible_text(browser.get(URL))
    assert len(second.captured_queries) == len(first.captured_queries)
