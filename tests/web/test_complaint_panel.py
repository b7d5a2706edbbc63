"""The complaint panel on the case page: regime, tier and deadlines; the LATER steps as a
checklist with the next one highlighted; recording a step from editable wording."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from patron.accounts.models import Agent, Team
from patron.cases.models import Case, CaseEvent, CaseKind, EventKind
from patron.complaints.models import ComplaintStep, RootCause, StepTemplate
from patron.complaints.queries import complaint_of
from patron.complaints.services import record_step, set_root_cause
from tests import factories
from tests.web.reading import page, visible_text

pytestmark = pytest.mark.django_db


def test_checklist_next_step_and_recording_it(client_a: Client, agent_a: Agent, team_a: Team) -> None:
    received = datetime(2026, 11, 23, 10, tzinfo=UTC)  # a Monday
    case = factories.case(team_=team_a, kind=CaseKind.COMPLAINT, subject="Rude driver", received_at=received)
    html = page(client_a.get(f"/cases/{case.reference}"))
    text = visible_text(client_a.get(f"/cases/{case.reference}"))
    assert "General · Frontline tier" in text
    assert "Acknowledge by 25 Nov 2026" in text
    assert "Final response by 21 Dec 2026" in text
    assert '<li class="later-step later-step--next" aria-current="step">' in html
    assert "Listen: next" in text
    assert "The customer told us: …" in html

    response = client_a.post(
        f"/cases/{case.reference}/complaint/step",
        {
            "step-step": "listen",
            "step-account": "The driver was rude to me.",
            "step-desired_outcome": "An apology.",
            "step-summary_confirmed": "yes",
            "step-summary": "The driver was rude; you want an apology.",
        },
    )
    assert response.status_code == 302
    step = ComplaintStep.objects.get()
    assert (step.step, step.details, step.by) == (
        "listen",
        {
            "account": "The driver was rude to me.",
            "desired_outcome": "An apology.",
            "summary_confirmed": True,
            "summary": "The driver was rude; you want an apology.",
        },
        agent_a,
    )
    text = visible_text(client_a.get(f"/cases/{case.reference}"))
    assert "Apologise: next" in text
    assert "Listen: done by" in text


def test_no_panel_on_other_cases_and_no_step_for_them(client_a: Client, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    assert "Handling steps" not in page(client_a.get(f"/cases/{case.reference}"))
    response = client_a.post(
        f"/cases/{case.reference}/complaint/step", {"step-step": "listen", "step-account": "x"}, follow=True
    )
    assert "This case is not a complaint." in page(response)
    assert not ComplaintStep.objects.exists()


def _complaint_case(team: Team) -> Case:
    received = datetime(2026, 11, 23, 10, tzinfo=UTC)
    return factories.case(team_=team, kind=CaseKind.COMPLAINT, subject="Rude driver", received_at=received)


def test_a_step_missing_what_it_needs_shows_each_error_on_its_field(client_a: Client, team_a: Team) -> None:
    case = _complaint_case(team_a)
    response = client_a.post(
        f"/cases/{case.reference}/complaint/step",
        {"step-step": "listen", "step-account": "", "step-desired_outcome": ""},
    )
    assert response.status_code == 400
    html = page(response)
    assert '<p class="field-error" id="id_step-account_error">' in html
    assert "Write the customer's account of what happened, in their own words." in html
    assert '<p class="field-error" id="id_step-desired_outcome_error">' in html
    assert "Write what the customer wants to happen." in html
    assert not ComplaintStep.objects.exists()


def test_a_service_refusal_of_a_step_shows_on_its_field(client_a: Client, agent_a: Agent, team_a: Team) -> None:
    case = _complaint_case(team_a)
    for step in ("listen", "apologise", "thank", "explain"):
        record_step(complaint=complaint_of(case), by=agent_a, step=step, details=factories.step_details(step))
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client_a.post(
        f"/cases/{case.reference}/complaint/step",
        {
            "step-step": "resolve",
            "step-resolution": "A refund.",
            "step-customer_response": "awaiting",
            "step-follow_up_on": yesterday.isoformat(),
        },
    )
    assert response.status_code == 400
    html = page(response)
    assert '<p class="field-error" id="id_step-follow_up_on_error">' in html
    assert "The follow-up date cannot be in the past" in html
    assert not ComplaintStep.objects.filter(step="resolve").exists()


def test_the_apology_form_says_an_apology_is_not_an_admission(client_a: Client, agent_a: Agent, team_a: Team) -> None:
    case = _complaint_case(team_a)
    record_step(complaint=complaint_of(case), by=agent_a, step="listen", details=factories.step_details("listen"))
    text = visible_text(client_a.get(f"/cases/{case.reference}"))
    assert "Record “Apologise”" in text
    assert "An apology is not an admission of liability." in text
    assert "No: an apology, not an admission of liability" in text
    response = client_a.post(
        f"/cases/{case.reference}/complaint/step",
        {"step-step": "apologise", "step-apology": "I am sorry.", "step-admission_of_liability": "no"},
    )
    assert response.status_code == 302
    taken = ComplaintStep.objects.get(step="apologise")
    assert taken.details == {"apology": "I am sorry.", "admission_of_liability": False}


def test_the_desks_wording_starts_the_steps_main_field(client_a: Client, agent_a: Agent, team_a: Team) -> None:
    case = _complaint_case(team_a)
    StepTemplate.objects.filter(step="listen").update(text="In your own words: …")
    html = page(client_a.get(f"/cases/{case.reference}"))
    [account] = re.findall(r'<textarea name="step-account"[^>]*>([^<]*)</textarea>', html)
    assert account.strip() == "In your own words: …"


def test_the_checklist_and_timeline_show_what_each_step_recorded(
    client_a: Client, agent_a: Agent, team_a: Team
) -> None:
    case = _complaint_case(team_a)
    complaint = complaint_of(case)
    record_step(complaint=complaint, by=agent_a, step="listen", details=factories.step_details("listen"))
    follow_up = timezone.localdate() + timedelta(days=7)
    resolve = factories.step_details("resolve", customer_response="declined", follow_up_on=follow_up.isoformat())
    record_step(complaint=complaint, by=agent_a, step="resolve", details=resolve)
    # Recorded before the steps had fields of their own.
    ComplaintStep.objects.create(
        complaint=complaint, step="thank", details={"note": "Thanked by phone."}, by=agent_a, at=timezone.now()
    )
    text = visible_text(client_a.get(f"/cases/{case.reference}"))
    checklist = text[text.index("Handling steps") :]
    assert "The customer's account, in their own words The driver shouted at me on my doorstep." in checklist
    assert "Summary read back and confirmed by the customer Yes" in checklist
    assert "The customer's answer Declined" in checklist
    assert f"Follow up on {follow_up.day} {follow_up:%B %Y}" in checklist
    assert "Note Thanked by phone." in checklist
    assert (
        f"{agent_a.display_name} recorded the step “Resolve”. "
        "The resolution offered: A written apology and a £10 voucher. "
        f"The customer's answer: Declined. Follow up on: {follow_up.day} {follow_up:%B %Y}."
    ) in text


def test_escalating_and_de_escalating_from_the_panel(client_a: Client, agent_a: Agent, team_a: Team) -> None:
    case = _complaint_case(team_a)
    url = f"/cases/{case.reference}"
    text = visible_text(client_a.get(url))
    assert "Escalate to team lead" in text
    assert "De-escalate" not in text
    up = client_a.post(f"{url}/complaint/tier", {"tier-tier": "2", "tier-reason": "The customer asked for a manager."})
    assert up.status_code == 302
    assert complaint_of(case).tier == 2
    text = visible_text(client_a.get(url))
    assert "Team lead tier" in text
    assert "Escalate to service manager" in text
    assert (
        f"{agent_a.display_name} escalated the complaint from frontline to team lead: The customer asked for a manager."
    ) in text
    down = client_a.post(f"{url}/complaint/tier", {"tier-tier": "1", "tier-reason": "Handled at the frontline."})
    assert down.status_code == 302
    assert complaint_of(case).tier == 1
    [event] = CaseEvent.objects.filter(case=case, kind=EventKind.COMPLAINT_DEESCALATED)
    assert (event.actor, event.data) == (agent_a, {"before": 2, "after": 1, "reason": "Handled at the frontline."})
    assert "de-escalated the complaint from team lead to frontline: Handled at the frontline." in visible_text(
        client_a.get(url)
    )


def test_changing_tier_without_a_reason_is_refused_on_the_form(client_a: Client, team_a: Team) -> None:
    case = _complaint_case(team_a)
    response = client_a.post(f"/cases/{case.reference}/complaint/tier", {"tier-tier": "2", "tier-reason": " "})
    assert response.status_code == 400
    html = page(response)
    assert '<p class="field-error" id="id_tier-reason_error">' in html
    assert "Say why the complaint changes tier." in html
    assert complaint_of(case).tier == 1
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.COMPLAINT_ESCALATED).exists()


def test_changing_the_regime_from_the_panel(client_a: Client, team_a: Team) -> None:
    case = _complaint_case(team_a)
    url = f"/cases/{case.reference}"
    assert client_a.post(f"{url}/complaint/regime", {"regime-regime": "fca_disp"}).status_code == 302
    text = visible_text(client_a.get(url))
    assert "FCA DISP (financial services) · Frontline tier" in text
    assert "Summary resolution by 26 Nov 2026" in text
    refused = client_a.post(f"{url}/complaint/regime", {"regime-regime": "made_up"})
    assert refused.status_code == 400
    assert "That regime is not in the list. Choose one from it." in page(refused)
    assert complaint_of(case).regime.code == "fca_disp"


def test_a_reply_resolving_a_complaint_with_steps_missing_asks_for_the_reason(
    client_a: Client, agent_a: Agent, team_a: Team
) -> None:
    case = _complaint_case(team_a)
    set_root_cause(complaint=complaint_of(case), by=agent_a, root_cause=RootCause.objects.get(code="staff_behaviour"))
    reply = {"reply-body": "We are sorry; a refund is on its way.", "reply-status": "resolved"}
    refused = client_a.post(f"/cases/{case.reference}/reply", reply)
    assert refused.status_code == 400
    html = page(refused)
    assert '<p class="field-error" id="id_reply-reason_error">' in html
    assert "Steps not recorded on this complaint: listen, apologise, thank, explain and empathise, resolve." in html
    case.refresh_from_db()
    assert (case.status, case.messages.count()) == ("new", 1)
    done = client_a.post(
        f"/cases/{case.reference}/reply", {**reply, "reply-reason": "The customer only wanted a refund."}
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == "resolved"
    assert "Reason: The customer only wanted a refund." in visible_text(client_a.get(f"/cases/{case.reference}"))


@pytest.mark.parametrize(
    ("tier", "error"),
    [("", "Choose whether to escalate or de-escalate."), ("9", "That is not a tier. Choose escalate or de-escalate.")],
)
def test_changing_tier_needs_a_known_tier(client_a: Client, team_a: Team, tier: str, error: str) -> None:
    case = _complaint_case(team_a)
    response = client_a.post(
        f"/cases/{case.reference}/complaint/tier", {"tier-tier": tier, "tier-reason": "Asked for a manager."}
    )
    assert response.status_code == 400
    assert f"<li>{error}</li>" in page(response)
    assert complaint_of(case).tier == 1
