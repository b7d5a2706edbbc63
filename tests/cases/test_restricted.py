"""A restricted case (a colleague's HR matter, say) is seen only by the people named on it;
privacy officers and administrators may open it too. Everyone who opens it says why, and the
reason is on the audit trail. Tried as each role, in the services, the API and the pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from patron.accounts.models import Agent, Role, Team
from patron.cases import services
from patron.cases.models import Case, CaseEvent, EventKind
from patron.cases.queries import InboxFilters, case_for_agent, list_inbox, visible_cases
from patron.errors import NotAllowed, NotFound, ValidationFailed
from patron.privacy.models import AuditEntry
from tests import factories
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

REASON = "HR matter about a colleague"


@pytest.fixture
def hr_case(team_a: Team, lead_a: Agent, agent_b: Agent) -> Case:
    """A case of Customer Care restricted by its lead to themselves and Bob (of another team)."""
    case = factories.case(team_=team_a, subject="Grievance")
    return services.set_restriction(case=case, by=lead_a, restricted=True, people=[agent_b], reason=REASON)


def _sees(agent: Agent, case: Case) -> bool:
    return visible_cases(agent).filter(pk=case.pk).exists()


def test_only_the_people_named_see_a_restricted_case(
    hr_case: Case, agent_a: Agent, lead_a: Agent, agent_b: Agent, manager: Agent
) -> None:
    privacy_officer = factories.agent(role=Role.PRIVACY_OFFICER)
    admin = factories.agent(role=Role.ADMIN)
    assert {agent.username: _sees(agent, hr_case) for agent in (agent_a, lead_a, agent_b, manager)} == {
        "alice": False,  # in the case's team, not named
        "lena": True,  # restricted it, so named
        "bob": True,  # named, though in another team
        "manon": False,  # sees every case, but not restricted ones
    }
    # Privacy officers and administrators can open it by its reference; it is not in their lists.
    assert not _sees(privacy_officer, hr_case)
    assert case_for_agent(agent=privacy_officer, reference=hr_case.reference) == hr_case
    assert case_for_agent(agent=admin, reference=hr_case.reference) == hr_case
    for outsider in (agent_a, manager):
        with pytest.raises(NotFound):
            case_for_agent(agent=outsider, reference=hr_case.reference)
    inbox = list_inbox(agent=agent_a, filters=InboxFilters())
    assert hr_case.pk not in [case.pk for case in inbox.items]


def test_outsiders_cannot_act_on_a_restricted_case(hr_case: Case, agent_a: Agent) -> None:
    with pytest.raises(NotAllowed):
        services.add_note(case=hr_case, by=agent_a, body="Curious.")
    assert hr_case.messages.count() == 1


def test_restricting_is_recorded_with_who_whom_and_why(hr_case: Case, lead_a: Agent, agent_b: Agent) -> None:
    [event] = CaseEvent.objects.filter(case=hr_case, kind=EventKind.RESTRICTION_CHANGED)
    assert event.actor == lead_a
    assert event.data["restricted"] is True
    assert event.data["reason"] == REASON
    assert sorted(person["id"] for person in event.data["people"]) == sorted([lead_a.pk, agent_b.pk])
    entry = AuditEntry.objects.get(action="case_restricted")
    assert (entry.data, entry.personal_details) == ({"people": sorted([lead_a.pk, agent_b.pk])}, {"reason": REASON})


def test_lifting_the_restriction_gives_the_team_its_case_back(
    hr_case: Case, lead_a: Agent, agent_a: Agent, agent_b: Agent
) -> None:
    services.set_restriction(case=hr_case, by=lead_a, restricted=False, reason="Resolved; no longer sensitive")
    assert (_sees(agent_a, hr_case), _sees(agent_b, hr_case)) == (True, False)
    assert AuditEntry.objects.filter(action="case_restriction_lifted").count() == 1


@pytest.mark.parametrize("role", [Role.AGENT])
def test_agents_cannot_restrict_cases(team_a: Team, role: Role) -> None:
    agent = factories.agent(role=role, teams=[team_a])
    case = factories.case(team_=team_a)
    with pytest.raises(NotAllowed, match="Only team leads, service managers, privacy officers and administrators"):
        services.set_restriction(case=case, by=agent, restricted=True, reason=REASON)
    case.refresh_from_db()
    assert not case.is_restricted


def test_restricting_needs_a_reason(team_a: Team, lead_a: Agent) -> None:
    case = factories.case(team_=team_a)
    with pytest.raises(ValidationFailed, match="Say why access to this case changes."):
        services.set_restriction(case=case, by=lead_a, restricted=True, reason="   ")
    case.refresh_from_db()
    assert (case.is_restricted, case.version) == (False, 1)


def test_opening_a_restricted_case_needs_a_reason_which_is_recorded(hr_case: Case, agent_b: Agent) -> None:
    with pytest.raises(ValidationFailed, match="Say why you are opening it"):
        services.record_restricted_opening(case=hr_case, by=agent_b, reason="")
    services.record_restricted_opening(case=hr_case, by=agent_b, reason="Investigating")
    entry = AuditEntry.objects.get(action="restricted_case_opened")
    assert (entry.actor_id, entry.object_id, entry.personal_details) == (
        agent_b.pk,
        str(hr_case.pk),
        {"reason": "Investigating"},
    )


# --- the API -------------------------------------------------------------------------------------


def test_api_asks_for_the_reason_in_a_header(hr_case: Case, agent_b: Agent) -> None:
    api = client_for(agent_b)
    refused = api.get(f"/cases/{hr_case.reference}")
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "This case is restricted. Say why you are opening it in the X-Patron-Reason header; the reason is recorded.",
    )
    opened = api.client.get(
        f"/api/v1/cases/{hr_case.reference}", headers={**api.headers, "X-Patron-Reason": "Handling it"}
    )
    assert (opened.status_code, opened.json()["restricted"]) == (200, True)
    assert AuditEntry.objects.filter(action="restricted_case_opened", actor=agent_b).count() == 1


def test_api_restriction_by_role(team_a: Team, lead_a: Agent, agent_a: Agent, agent_b: Agent) -> None:
    case = factories.case(team_=team_a)
    body = {"restricted": True, "people": [agent_b.username], "reason": REASON}
    refused = client_for(agent_a).raw("put", f"/cases/{case.reference}/restriction", _json(body))
    assert refused.status_code == 403
    done = client_for(lead_a).raw("put", f"/cases/{case.reference}/restriction", _json(body))
    assert done.status_code == 200, done.content
    assert done.json()["restricted"] is True
    assert sorted(person["id"] for person in done.json()["people"]) == sorted([lead_a.pk, agent_b.pk])
    lead = client_for(lead_a)
    unknown = lead.client.put(
        f"/api/v1/cases/{case.reference}/restriction",
        _json({**body, "people": ["nobody"]}),
        content_type="application/json",
        headers={**lead.headers, "X-Patron-Reason": "Changing who"},
    )
    assert (unknown.status_code, unknown.json()["detail"]) == (422, "There is no agent “nobody”.")


def _json(body: object) -> str:
    return json.dumps(body)


# --- the pages -----------------------------------------------------------------------------------


def test_page_asks_for_the_reason_once_per_session(hr_case: Case, agent_b: Agent) -> None:
    browser = Client()
    browser.force_login(agent_b)
    first = browser.get(f"/cases/{hr_case.reference}")
    assert first.url == f"/cases/{hr_case.reference}/open"
    gate = browser.get(first.url).content.decode()
    assert "is restricted" in gate
    assert "Why are you opening this case?" in gate
    refused = browser.post(f"/cases/{hr_case.reference}/reply", {"reply-body": "Hello"})
    assert refused.status_code == 403
    empty = browser.post(first.url, {"reason": ""})
    assert empty.status_code == 400
    opened = browser.post(first.url, {"reason": "Handling it"})
    assert opened.url == f"/cases/{hr_case.reference}"
    assert "Grievance" in browser.get(opened.url).content.decode()
    assert AuditEntry.objects.filter(action="restricted_case_opened").count() == 1


def test_page_of_a_restricted_case_is_not_found_for_outsiders(hr_case: Case, agent_a: Agent) -> None:
    browser = Client()
    browser.force_login(agent_a)
    assert browser.get(f"/cases/{hr_case.reference}").status_code == 404
    assert browser.get(f"/cases/{hr_case.reference}/open").status_code == 404
