"""Why complaints happen and what is done about it: the root cause a complaint must have before
it is resolved, the five whys, redress, corrective actions and their measured effect."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from patron.accounts.models import Agent, Team
from patron.cases.models import Case, CaseEvent, CaseKind, EventKind, Status
from patron.cases.services import CaseChanges, reply, update_case
from patron.complaints import services
from patron.complaints.models import ActionStatus, Complaint, CorrectiveAction, RootCause, Step
from patron.complaints.services import ActionDetails
from patron.errors import NotAllowed, ValidationFailed
from patron.privacy.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _complaint(team: Team, received: datetime = datetime(2026, 11, 23, 10, tzinfo=UTC)) -> Complaint:
    case = factories.case(team_=team, kind=CaseKind.COMPLAINT, received_at=received)
    return Complaint.objects.select_related("case", "root_cause").get(case=case)


def _cause(code: str) -> RootCause:
    return RootCause.objects.get(code=code)


def _handled(complaint: Complaint, by: Agent) -> None:
    for step in Step.values:
        services.record_step(complaint=complaint, by=by, step=step, details=factories.step_details(step))


def test_the_common_root_causes_are_there_from_the_start() -> None:
    assert list(RootCause.objects.order_by("name").values_list("name", flat=True)) == [
        "Billing error",
        "Communication",
        "Delivery",
        "Policy",
        "Product fault",
        "Staff behaviour",
    ]


def test_setting_a_root_cause_goes_on_the_timeline(team_a: Team, agent_a: Agent) -> None:
    complaint = _complaint(team_a)
    services.set_root_cause(complaint=complaint, by=agent_a, root_cause=_cause("delivery"))
    services.set_root_cause(complaint=complaint, by=agent_a, root_cause=_cause("billing_error"))
    complaint.refresh_from_db()
    assert complaint.root_cause == _cause("billing_error")
    events = CaseEvent.objects.filter(case=complaint.case, data__has_key="root_cause").order_by("id")
    assert [(e.kind, e.actor, e.data) for e in events] == [
        (EventKind.COMPLAINT_STEP, agent_a, {"root_cause": "delivery", "before": None}),
        (EventKind.COMPLAINT_STEP, agent_a, {"root_cause": "billing_error", "before": "delivery"}),
    ]


def test_an_inactive_root_cause_is_refused(team_a: Team, agent_a: Agent) -> None:
    complaint = _complaint(team_a)
    retired = _cause("policy")
    retired.is_active = False
    retired.save()
    with pytest.raises(ValidationFailed, match="The root cause “Policy” is no longer in use. Choose another."):
        services.set_root_cause(complaint=complaint, by=agent_a, root_cause=retired)
    complaint.refresh_from_db()
    assert complaint.root_cause is None


def test_a_complaint_outside_the_agents_teams_cannot_be_given_a_cause(team_a: Team, agent_b: Agent) -> None:
    complaint = _complaint(team_a)
    with pytest.raises(NotAllowed):
        services.set_root_cause(complaint=complaint, by=agent_b, root_cause=_cause("delivery"))
    assert Complaint.objects.get(pk=complaint.pk).root_cause is None


def test_resolving_without_a_root_cause_is_refused(team_a: Team, agent_a: Agent) -> None:
    complaint = _complaint(team_a)
    _handled(complaint, agent_a)
    with pytest.raises(ValidationFailed) as refusal:
        update_case(
            case=complaint.case,
            by=agent_a,
            expected_version=1,
            changes=CaseChanges(status=Status.RESOLVED, reason="Customer withdrew it"),
        )
    assert refusal.value.message == "Choose the root cause of this complaint before it is resolved or closed."
    assert refusal.value.fields == {"root_cause": "Choose the root cause."}
    assert Case.objects.get(pk=complaint.case_id).status == Status.NEW

    services.set_root_cause(complaint=complaint, by=agent_a, root_cause=_cause("delivery"))
    version = Case.objects.get(pk=complaint.case_id).version
    update_case(case=complaint.case, by=agent_a, expected_version=version, changes=CaseChanges(status=Status.RESOLVED))
    assert Case.objects.get(pk=complaint.case_id).status == Status.RESOLVED


def test_closing_a_case_made_a_complaint_after_it_was_resolved_needs_a_root_cause(team_a: Team, agent_a: Agent) -> None:
    case = factories.case(team_=team_a)
    case = update_case(case=case, by=agent_a, expected_version=1, changes=CaseChanges(status=Status.RESOLVED))
    case = update_case(case=case, by=agent_a, expected_version=case.version, changes=CaseChanges(kind="complaint"))
    with pytest.raises(ValidationFailed, match="Choose the root cause of this complaint"):
        update_case(case=case, by=agent_a, expected_version=case.version, changes=CaseChanges(status=Status.CLOSED))
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED


def test_resolving_with_a_reply_needs_the_root_cause_too(team_a: Team, agent_a: Agent) -> None:
    complaint = _complaint(team_a)
    _handled(complaint, agent_a)
    with pytest.raises(ValidationFailed, match="Choose the root cause of this complaint"):
        reply(case=complaint.case, by=agent_a, body="We have refunded you.", status=Status.RESOLVED)
    assert Case.objects.get(pk=complaint.case_id).status == Status.NEW
    assert not complaint.case.messages.filter(direction="outbound").exists()

    services.set_root_cause(complaint=complaint, by=agent_a, root_cause=_cause("delivery"))
    reply(case=complaint.case, by=agent_a, body="We have refunded you.", status=Status.RESOLVED)
    assert Case.objects.get(pk=complaint.case_id).status == Status.RESOLVED


def test_other_cases_resolve_without_a_root_cause(team_a: Team, agent_a: Agent) -> None:
    case = factories.case(team_=team_a)
    update_case(case=case, by=agent_a, expected_version=1, changes=CaseChanges(status=Status.RESOLVED))
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED


def test_five_whys_are_recorded_without_blank_answers(team_a: Team, agent_a: Agent) -> None:
    complaint = _complaint(team_a)
    services.record_five_whys(
        complaint=complaint,
        by=agent_a,
        whys=["The parcel came late.", "  ", "The courier  missed the cut-off.", ""],
        statement="Orders after 3 pm miss the courier.",
    )
    complaint.refresh_from_db()
    assert complaint.whys == ["The parcel came late.", "The courier missed the cut-off."]
    assert complaint.root_cause_statement == "Orders after 3 pm miss the courier."
    [event] = CaseEvent.objects.filter(case=complaint.case, data__has_key="whys")
    assert event.data == {
        "whys": ["The parcel came late.", "The courier missed the cut-off."],
        "root_cause_statement": "Orders after 3 pm miss the courier.",
    }


@pytest.mark.parametrize(
    ("whys", "statement", "message"),
    [
        (["a", "b", "c", "d", "e", "f"], "Cause.", "The five whys stop at five: 6 answers were given."),
        ([], "Cause.", "Give at least one answer to “why?”."),
        (["  ", ""], "Cause.", "Give at least one answer to “why?”."),
        (["Late."], "   ", "State the root cause the answers lead to."),
    ],
)
def test_five_whys_refuses_too_many_or_empty(
    team_a: Team, agent_a: Agent, whys: list[str], statement: str, message: str
) -> None:
    complaint = _complaint(team_a)
    with pytest.raises(ValidationFailed) as refusal:
        services.record_five_whys(complaint=complaint, by=agent_a, whys=whys, statement=statement)
    assert refusal.value.message == message
    complaint.refresh_from_db()
    assert (complaint.whys, complaint.root_cause_statement) == ([], "")
    assert not CaseEvent.objects.filter(case=complaint.case, data__has_key="whys").exists()


def test_redress_is_recorded_in_pence_and_refused_when_negative(team_a: Team, agent_a: Agent) -> None:
    complaint = _complaint(team_a)
    services.set_redress(complaint=complaint, by=agent_a, amount=Decimal("25.5"))
    assert Complaint.objects.get(pk=complaint.pk).redress_amount == Decimal("25.50")
    with pytest.raises(ValidationFailed, match="Redress cannot be negative."):
        services.set_redress(complaint=complaint, by=agent_a, amount=Decimal("-1"))
    assert Complaint.objects.get(pk=complaint.pk).redress_amount == Decimal("25.50")


# --- corrective actions --------------------------------------------------------------------------


def test_a_manager_creates_and_completes_a_corrective_action(team_a: Team, manager: Agent) -> None:
    complaint = _complaint(team_a)
    action = services.create_corrective_action(
        by=manager,
        details=ActionDetails(
            title="  Later courier  cut-off ",
            owner=manager,
            root_causes=[_cause("delivery")],
            complaints=[complaint],
            due_on=date(2026, 12, 31),
        ),
    )
    assert (action.title, action.status, action.completed_on) == ("Later courier cut-off", "open", None)
    assert list(action.complaints.all()) == [complaint]
    services.update_corrective_action(
        action=action,
        by=manager,
        details=ActionDetails(
            title="Later courier cut-off",
            owner=manager,
            root_causes=[_cause("delivery"), _cause("communication")],
            status=ActionStatus.DONE,
            completed_on=date(2026, 11, 20),
        ),
    )
    action = CorrectiveAction.objects.get(pk=action.pk)
    assert (action.status, action.completed_on) == ("done", date(2026, 11, 20))
    assert sorted(action.root_causes.values_list("code", flat=True)) == ["communication", "delivery"]
    assert not action.complaints.exists()
    entries = AuditEntry.objects.filter(object_type="corrective_action", object_id=str(action.pk)).order_by("id")
    assert [entry.action for entry in entries] == ["corrective_action_created", "corrective_action_updated"]
    assert entries[1].data["after"]["root_causes"] == ["communication", "delivery"]
    assert entries[1].data["before"]["status"] == "open"


def test_an_agent_cannot_manage_corrective_actions(agent_a: Agent) -> None:
    with pytest.raises(NotAllowed):
        services.create_corrective_action(
            by=agent_a, details=ActionDetails(title="Fix it", owner=agent_a, root_causes=[_cause("delivery")])
        )
    assert not CorrectiveAction.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Give the corrective action a title."),
        ({"root_causes": []}, "Name at least one root cause the action addresses."),
        ({"status": "finished"}, "“finished” is not a status. Choose one of: open, in_progress, done, abandoned."),
        ({"completed_on": date(2026, 11, 1)}, "Only a done action has a completion date."),
        ({"status": "done", "completed_on": date(2099, 1, 1)}, "An action cannot be completed in the future."),
    ],
)
def test_a_bad_corrective_action_is_refused(manager: Agent, changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"title": "Fix it", "owner": manager, "root_causes": [_cause("delivery")]}
    with pytest.raises(ValidationFailed) as refusal:
        services.create_corrective_action(by=manager, details=ActionDetails(**{**fields, **changes}))  # type: ignore[arg-type]
    assert refusal.value.message == message
    assert not CorrectiveAction.objects.exists()
