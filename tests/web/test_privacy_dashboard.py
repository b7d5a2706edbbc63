"""The privacy officer's dashboard: subject requests by urgency, breaches with their 72-hour
clock, in words as well as colour; only for privacy officers and administrators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from patron.accounts.models import Role
from patron.privacy.models import Breach, SubjectRequest
from tests import factories
from tests.web.conftest import signed_in
from tests.web.reading import visible_text

pytestmark = pytest.mark.django_db


def test_requests_by_urgency_and_breaches_with_their_clock() -> None:
    officer = factories.agent(role=Role.PRIVACY_OFFICER)
    today = timezone.localdate()
    for days, name in ((-2, "Late Larry"), (3, "Soon Sue"), (20, "Fine Fran")):
        SubjectRequest.objects.create(
            customer=factories.customer(name),
            type="access",
            received_on=today - timedelta(days=25),
            due_on=today + timedelta(days=days),
            created_at=timezone.now(),
        )
    Breach.objects.create(
        summary="Email to the wrong person", aware_at=timezone.now() - timedelta(hours=80), created_at=timezone.now()
    )
    text = visible_text(signed_in(officer).get("/privacy"))
    assert "1 overdue, 1 due within 7 days, 1 on time." in text
    assert text.index("Late Larry") < text.index("Soon Sue") < text.index("Fine Fran")
    assert "Overdue" in text
    assert "Due soon" in text
    assert "Email to the wrong person" in text
    assert "Not decided yet" in text


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER])
def test_other_roles_do_not_see_it(role: Role) -> None:
    browser = signed_in(factories.agent(role=role))
    assert browser.get("/privacy").status_code == 403
    assert 'href="/privacy"' not in browser.get("/").content.decode()
