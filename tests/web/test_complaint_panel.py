"""The complaint panel on the case page: regime, tier and deadlines; the LATER steps as a
checklist with the next one highlighted; recording a step from editable wording."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from patron.accounts.models import Agent, Team
from patron.cases.models import CaseKind
from patron.complaints.models import ComplaintStep
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
        f"/cases/{case.reference}/complaint/step", {"step": "listen", "note": "Driver was rude; wants an apology."}
    )
    assert response.status_code == 302
    step = ComplaintStep.objects.get()
    assert (step.step, step.details, step.by) == ("listen", {"note": "Driver was rude; wants an apology."}, agent_a)
    text = visible_text(client_a.get(f"/cases/{case.reference}"))
    assert "Apologise: next" in text
    assert "Listen: done by" in text


def test_no_panel_on_other_cases_and_no_step_for_them(client_a: Client, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    assert "Handling steps" not in page(client_a.get(f"/cases/{case.reference}"))
    response = client_a.post(f"/cases/{case.reference}/complaint/step", {"step": "listen", "note": "x"}, follow=True)
    assert "This case is not a complaint." in page(response)
    assert not ComplaintStep.objects.exists()
