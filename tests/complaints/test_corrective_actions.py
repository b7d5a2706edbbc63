"""The corrective actions register as read: who may see it, the order it lists in, which actions
are overdue, and the effect of each completed one over equal windows before and after."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from patron.accounts.models import Agent, Role, Team
from patron.cases.models import CaseKind
from patron.complaints import corrective_actions as reads
from patron.complaints import services
from patron.complaints.models import Complaint, CorrectiveAction, RootCause
from patron.complaints.services import ActionDetails
from patron.errors import NotAllowed, NotFound, ValidationFailed
from tests import factories

pytestmark = pytest.mark.django_db

DONE = date(2026, 6, 1)


def _cause(code: str) -> RootCause:
    return RootCause.objects.get(code=code)


def _received(team: Team, by: Agent, day: date, cause: str) -> Complaint:
    case = factories.case(
        team_=team, kind=CaseKind.COMPLAINT, received_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    )
    complaint = Complaint.objects.select_related("case").get(case=case)
    services.set_root_cause(complaint=complaint, by=by, root_cause=_cause(cause))
    return complaint


def _action(manager: Agent, causes: list[str], **fields: Any) -> CorrectiveAction:
    details = ActionDetails(
        title=fields.pop("title", "Later courier cut-off"),
        owner=fields.pop("owner", manager),
        root_causes=[_cause(code) for code in causes],
        **fields,
    )
    return services.create_corrective_action(by=manager, details=details)


def _read(manager: Agent, action: CorrectiveAction) -> CorrectiveAction:
    return reads.corrective_action_for(agent=manager, action_id=action.pk)


def test_effect_compares_equal_windows_once_the_full_window_has_passed(
    team_a: Team, agent_a: Agent, manager: Agent
) -> None:
    # 90 days before: 3 March to 31 May. 90 days after: 2 June to 30 August.
    for day in (date(2026, 3, 2), date(2026, 3, 3), date(2026, 5, 31), date(2026, 5, 1)):
        _received(team_a, agent_a, day, "delivery")
    _received(team_a, agent_a, date(2026, 5, 2), "communication")
    _received(team_a, agent_a, date(2026, 5, 3), "policy")  # a cause the action does not address
    _received(team_a, agent_a, DONE, "delivery")  # the day itself is in neither window
    for day in (date(2026, 6, 2), date(2026, 8, 30), date(2026, 8, 31)):
        _received(team_a, agent_a, day, "delivery")
    action = _read(manager, _action(manager, ["delivery", "communication"], status="done", completed_on=DONE))

    effect = reads.effects_of([action], today=date(2026, 11, 1))[action.pk]
    assert (effect.before_from, effect.before_to, effect.complaints_before) == (date(2026, 3, 3), date(2026, 5, 31), 4)
    assert (effect.after_from, effect.after_to, effect.complaints_after) == (date(2026, 6, 2), date(2026, 8, 30), 2)
    assert (effect.days_before, effect.days_after) == (90, 90)


def test_effect_shrinks_both_windows_to_the_days_that_have_passed(team_a: Team, agent_a: Agent, manager: Agent) -> None:
    # 14 days have passed: 18 to 31 May against 2 to 15 June.
    for day in (date(2026, 5, 17), date(2026, 5, 18), date(2026, 5, 31)):
        _received(team_a, agent_a, day, "delivery")
    for day in (date(2026, 6, 2), date(2026, 6, 15), date(2026, 6, 16)):
        _received(team_a, agent_a, day, "delivery")
    action = _read(manager, _action(manager, ["delivery"], status="done", completed_on=DONE))

    effect = reads.effects_of([action], today=date(2026, 6, 15))[action.pk]
    assert (effect.before_from, effect.before_to, effect.complaints_before) == (date(2026, 5, 18), date(2026, 5, 31), 2)
    assert (effect.after_from, effect.after_to, effect.complaints_after) == (date(2026, 6, 2), date(2026, 6, 15), 2)
    assert (effect.days_before, effect.days_after) == (14, 14)
    shorter = reads.effects_of([action], days=7, today=date(2026, 6, 15))[action.pk]
    assert (shorter.before_from, shorter.complaints_before, shorter.after_to, shorter.complaints_after) == (
        date(2026, 5, 25),
        1,
        date(2026, 6, 8),
        1,
    )


def test_no_effect_for_an_unfinished_action_or_one_completed_today(manager: Agent) -> None:
    unfinished = _read(manager, _action(manager, ["delivery"], status="in_progress"))
    today = _read(manager, _action(manager, ["delivery"], status="done", completed_on=DONE))
    assert reads.effects_of([unfinished, today], today=DONE) == {}
    with pytest.raises(ValidationFailed, match=r"Measure over 1 to 3,650 days\."):
        reads.effects_of([today], days=0)


def test_effects_of_many_actions_take_one_query(
    team_a: Team, agent_a: Agent, manager: Agent, django_assert_num_queries: Any
) -> None:
    _received(team_a, agent_a, date(2026, 5, 20), "delivery")
    _received(team_a, agent_a, date(2026, 4, 20), "policy")
    actions = [
        _action(manager, ["delivery"], status="done", completed_on=DONE),
        _action(manager, ["policy"], status="done", completed_on=date(2026, 5, 1)),
    ]
    listed = reads.list_corrective_actions(agent=manager)
    with django_assert_num_queries(1):
        effects = reads.effects_of(listed, today=date(2026, 11, 1))
    assert {pk: effect.complaints_before for pk, effect in effects.items()} == {actions[0].pk: 1, actions[1].pk: 1}


def test_the_list_puts_unfinished_actions_first_the_soonest_due_first(manager: Agent) -> None:
    finished = _action(manager, ["delivery"], title="Done", status="done", completed_on=DONE)
    later = _action(manager, ["delivery"], title="Later", due_on=date(2027, 3, 1))
    undated = _action(manager, ["delivery"], title="Undated")
    sooner = _action(manager, ["delivery"], title="Sooner", status="in_progress", due_on=date(2026, 1, 1))
    abandoned = _action(manager, ["delivery"], title="Abandoned", status="abandoned")
    listed = reads.list_corrective_actions(agent=manager)
    assert [action.title for action in listed] == ["Sooner", "Later", "Undated", "Done", "Abandoned"]
    assert [action.pk for action in reads.list_corrective_actions(agent=manager, status="open")] == [
        later.pk,
        undated.pk,
    ]
    assert [reads.is_overdue(action, date(2026, 12, 2)) for action in listed] == [True, False, False, False, False]
    assert (finished.pk, abandoned.pk, sooner.pk) == (listed[3].pk, listed[4].pk, listed[0].pk)
    with pytest.raises(ValidationFailed, match="“finished” is not a status."):
        reads.list_corrective_actions(agent=manager, status="finished")


def test_an_action_due_today_is_not_overdue(manager: Agent) -> None:
    action = _action(manager, ["delivery"], due_on=date(2026, 12, 2))
    assert not reads.is_overdue(action, date(2026, 12, 2))
    assert reads.is_overdue(action, date(2026, 12, 3))


@pytest.mark.parametrize("role", [Role.SERVICE_MANAGER, Role.PRIVACY_OFFICER, Role.TEAM_LEAD, Role.ADMIN])
def test_the_register_roles_read_it(role: Role, manager: Agent) -> None:
    action = _action(manager, ["delivery"])
    reader = factories.agent(role=role)
    assert [found.pk for found in reads.list_corrective_actions(agent=reader)] == [action.pk]


def test_an_agent_cannot_read_it(agent_a: Agent, manager: Agent) -> None:
    action = _action(manager, ["delivery"])
    with pytest.raises(NotAllowed):
        reads.list_corrective_actions(agent=agent_a)
    with pytest.raises(NotAllowed):
        reads.corrective_action_for(agent=agent_a, action_id=action.pk)


def test_an_unknown_id_is_not_found(manager: Agent) -> None:
    for action_id in (0, 999, 10**30):
        with pytest.raises(NotFound, match=f"There is no corrective action {action_id}."):
            reads.corrective_action_for(agent=manager, action_id=action_id)


def test_a_team_lead_sees_only_the_complaints_of_their_teams(
    team_a: Team, team_b: Team, lead_a: Agent, agent_a: Agent, manager: Agent
) -> None:
    own = _received(team_a, agent_a, date(2026, 5, 1), "delivery")
    other = _received(team_b, manager, date(2026, 5, 2), "delivery")
    action = _action(manager, ["delivery"], complaints=[own, other])
    seen = reads.corrective_action_for(agent=lead_a, action_id=action.pk)
    assert [complaint.pk for complaint in seen.visible_complaints] == [own.pk]  # type: ignore[attr-defined]
    assert [complaint.pk for complaint in reads.complaints_kept_out_of_sight(seen, lead_a)] == [other.pk]
    with pytest.raises(ValidationFailed, match=f"There is no complaint {other.case.reference} that you can see."):
        reads.complaints_by_reference(agent=lead_a, references=[other.case.reference])


def test_retired_root_causes_stay_on_an_action_but_are_not_added(manager: Agent) -> None:
    retired = _cause("policy")
    retired.is_active = False
    retired.save()
    assert reads.root_causes_by_code(["policy"], already=[retired]) == [retired]
    with pytest.raises(ValidationFailed, match="The root cause “Policy” is no longer in use."):
        reads.root_causes_by_code(["delivery", "policy"])
    with pytest.raises(ValidationFailed, match="There is no root cause “weather”."):
        reads.root_causes_by_code(["weather"])


def test_effect_dates_use_the_local_day(team_a: Team, agent_a: Agent, manager: Agent) -> None:
    # 23:30 UTC on 31 May is 00:30 on 1 June in London: the day of completion, in neither window.
    case = factories.case(team_=team_a, kind=CaseKind.COMPLAINT, received_at=datetime(2026, 5, 31, 23, 30, tzinfo=UTC))
    complaint = Complaint.objects.get(case=case)
    services.set_root_cause(complaint=complaint, by=agent_a, root_cause=_cause("delivery"))
    action = _read(manager, _action(manager, ["delivery"], status="done", completed_on=DONE))
    effect = reads.effects_of([action], today=DONE + timedelta(days=10))[action.pk]
    assert (effect.complaints_before, effect.complaints_after) == (0, 0)
