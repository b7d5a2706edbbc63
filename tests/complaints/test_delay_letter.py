"""The delay letter (DISP 1.6.2R(2), the holding response): why the final response is not
ready, when to expect it, and, where the regime gives one, the right to go to the ombudsman now,
with its address, the FCA's leaflet and the window the final response will open. Refused when
there is nothing to delay or it is too early to say so; its reason and date are checked."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from patron.accounts.models import Agent, Team
from patron.cases.models import Case, CaseEvent, CaseKind, EventKind, Message
from patron.complaints.models import Complaint, ComplaintRegime
from tests import factories
from tests.api.conftest import ApiClient, client_for
from tests.web.conftest import signed_in
from tests.web.reading import page, visible_text

pytestmark = pytest.mark.django_db

REASON = "We are waiting for the courier's report on the lost parcel."


def _long(day: date) -> str:
    return f"{day:%d %B %Y}"


def _complaint_case(team: Team, *, days_ago: int, regime: str = "fca_disp") -> Case:
    received = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    ann = factories.customer("Ann Smith", email="ann@example.com")
    case = factories.case(customer_=ann, team_=team, kind=CaseKind.COMPLAINT, received_at=received.astimezone(UTC))
    Complaint.objects.filter(case=case).update(regime_id=_regime_id(regime))
    return case


def _regime_id(code: str) -> int:
    return ComplaintRegime.objects.get(code=code).pk


def _received_on(case: Case) -> date:
    return timezone.localdate(Complaint.objects.get(case=case).received_at)


@pytest.fixture
def api(agent_a: Agent) -> ApiClient:
    return client_for(agent_a)


def _read(api: ApiClient, case: Case, **params: Any) -> Any:
    return api.get(f"/cases/{case.reference}/complaint/letters/delay", **params)


def _expected() -> str:
    return (timezone.localdate() + timedelta(days=21)).isoformat()


def test_an_fca_delay_letter_explains_the_delay_and_gives_the_ombudsman_now(team_a: Team, api: ApiClient) -> None:
    case = _complaint_case(team_a, days_ago=60)
    due = _received_on(case) + timedelta(weeks=8)
    expected = timezone.localdate() + timedelta(days=21)
    response = _read(api, case, reason=f"  {REASON} ", expected_on=expected.isoformat())
    assert response.status_code == 200, response.content
    letter = response.json()
    assert letter["title"] == "Our final response to your complaint is delayed"
    assert letter["warnings"] == []
    assert letter["paragraphs"] == [
        f"We are sorry that we have not been able to send you our final response to your complaint, which we "
        f"received on {_long(_received_on(case))}, by {_long(due)}, as we said we would.",
        f"Why we are not ready yet: {REASON}",
        f"We expect to send you our final response by {_long(expected)}. We will keep you informed until then, and "
        "if anything changes we will tell you.",
        "You do not have to wait for our final response: you may refer your complaint to the Financial Ombudsman "
        "Service now. It is independent and free to use. You can contact them at financial-ombudsman.org.uk, "
        "0800 023 4567, or Financial Ombudsman Service, Exchange Tower, London E14 9SR.",
        "If you wait for our final response instead, you will have six months from the date of it to refer your "
        "complaint to the Financial Ombudsman Service.",
        "We enclose the Financial Ombudsman Service's explanatory leaflet.",
    ]


def test_in_the_week_before_it_is_due_the_letter_gives_the_day_the_right_starts(team_a: Team, api: ApiClient) -> None:
    case = _complaint_case(team_a, days_ago=52)
    due = _received_on(case) + timedelta(weeks=8)
    text = _read(api, case, reason=REASON, expected_on=_expected()).json()["text"]
    assert "We are sorry that we will not be able to send you our final response" in text
    assert (
        "you may refer your complaint to the Financial Ombudsman Service from "
        f"{_long(due)}, the day our final response was due. It is independent and free to use."
    ) in text


def test_an_energy_delay_letter_gives_twelve_months_and_no_fca_leaflet(team_a: Team, api: ApiClient) -> None:
    text = _read(api, _complaint_case(team_a, days_ago=60, regime="energy"), reason=REASON, expected_on=_expected())
    body = text.json()["text"]
    assert "you may refer your complaint to the Energy Ombudsman now" in body
    assert "You can contact them at energyombudsman.org." in body
    assert "you will have twelve months from the date of it" in body
    assert "leaflet" not in body


def test_a_general_delay_letter_explains_the_delay_without_an_ombudsman(team_a: Team, api: ApiClient) -> None:
    body = _read(api, _complaint_case(team_a, days_ago=40, regime="general"), reason=REASON, expected_on=_expected())
    text = body.json()["text"]
    assert f"Why we are not ready yet: {REASON}" in text
    assert "We expect to send you our final response by" in text
    assert "ombudsman" not in text.lower()


def test_without_a_reason_and_date_the_letter_is_warned_and_cannot_be_sent(team_a: Team, api: ApiClient) -> None:
    case = _complaint_case(team_a, days_ago=60)
    letter = _read(api, case).json()
    assert letter["warnings"] == [
        "Say why the final response is not ready yet.",
        "Give the date the customer can expect the final response by.",
    ]
    assert "Why we are not ready yet: …" in letter["text"]
    url = f"/cases/{case.reference}/complaint/letters/delay/send"
    for body, detail in (
        ({}, "Say why the final response is not ready yet."),
        ({"reason": REASON}, "Give the date the customer can expect the final response by."),
        ({"expected_on": _expected()}, "Say why the final response is not ready yet."),
    ):
        refused = api.post(url, body)
        assert (refused.status_code, refused.json()["detail"]) == (422, detail)
    assert not Message.objects.filter(case=case, direction="outbound").exists()


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"expected_on": "today"}, None),
        ({"expected_on": "{today}"}, "The date to expect the final response must be after today."),
        ({"expected_on": "{next_year}"}, "The date to expect the final response is more than a year away; check it."),
        ({"reason": "x" * 1_001}, "Keep the reason to 1,000 characters."),
    ],
)
def test_a_bad_reason_or_date_is_refused(team_a: Team, api: ApiClient, params: dict[str, str], detail: str) -> None:
    case = _complaint_case(team_a, days_ago=60)
    today = timezone.localdate()
    values = {
        key: value.format(today=today.isoformat(), next_year=(today + timedelta(days=366)).isoformat())
        for key, value in params.items()
    }
    response = _read(api, case, **values)
    assert response.status_code == 422
    if detail is None:
        assert response.json()["detail"].startswith("The request is not valid: expected_on:")
    else:
        assert response.json()["detail"] == detail
    sent = api.post(f"/cases/{case.reference}/complaint/letters/delay/send", {"reason": REASON, **values})
    assert sent.status_code == 422
    assert not Message.objects.filter(case=case, direction="outbound").exists()


def test_the_expected_date_must_come_after_the_final_response_was_due(team_a: Team, api: ApiClient) -> None:
    case = _complaint_case(team_a, days_ago=52)
    due = _received_on(case) + timedelta(weeks=8)
    response = _read(api, case, reason=REASON, expected_on=due.isoformat())
    assert (response.status_code, response.json()["detail"]) == (
        422,
        f"The final response is due by {_long(due)}: give a later date to expect it by.",
    )


def test_a_delay_letter_too_early_is_refused(team_a: Team, api: ApiClient) -> None:
    case = _complaint_case(team_a, days_ago=40)
    due = _received_on(case) + timedelta(weeks=8)
    response = _read(api, case, reason=REASON, expected_on=_expected())
    assert (response.status_code, response.json()["detail"]) == (
        409,
        f"It is too early for a delay letter: the final response is due by {_long(due)}, so a delay letter can be "
        f"sent from {_long(due - timedelta(days=7))}.",
    )
    assert api.get(f"/cases/{case.reference}/complaint/letters/delay/pdf").status_code == 409


def test_no_delay_letter_once_the_final_response_was_sent(team_a: Team, api: ApiClient) -> None:
    case = _complaint_case(team_a, days_ago=60)
    assert api.patch(f"/cases/{case.reference}/complaint", {"final_response_sent": True}).status_code == 200
    response = _read(api, case, reason=REASON, expected_on=_expected())
    assert (response.status_code, response.json()["detail"]) == (
        409,
        f"A final response was sent on {_long(timezone.localdate())}: there is no delay to explain.",
    )
    sent = api.post(
        f"/cases/{case.reference}/complaint/letters/delay/send", {"reason": REASON, "expected_on": _expected()}
    )
    assert sent.status_code == 409
    assert not Message.objects.filter(case=case, direction="outbound").exists()


def test_other_letters_take_no_reason_or_date(team_a: Team, api: ApiClient) -> None:
    case = _complaint_case(team_a, days_ago=60)
    response = api.get(f"/cases/{case.reference}/complaint/letters/acknowledgement", reason=REASON)
    assert (response.status_code, response.json()["detail"]) == (
        422,
        "Only a delay letter takes a reason and an expected date.",
    )


def test_sending_a_delay_letter_puts_the_reason_and_date_on_the_timeline(team_a: Team, api: ApiClient) -> None:
    case = _complaint_case(team_a, days_ago=60)
    expected = _expected()
    sent = api.post(
        f"/cases/{case.reference}/complaint/letters/delay/send", {"reason": REASON, "expected_on": expected}
    )
    assert sent.status_code == 200, sent.content
    reply = Message.objects.get(case=case, direction="outbound")
    assert "may refer your complaint to the Financial Ombudsman Service now" in reply.body_text
    event = CaseEvent.objects.get(case=case, kind=EventKind.COMPLAINT_LETTER)
    assert event.data == {"letter": "delay", "message": reply.pk, "reason": REASON, "expected_on": expected}
    assert Complaint.objects.get(case=case).final_response_at is None


def test_the_letter_page_asks_for_the_reason_and_date_and_sends_them(team_a: Team, agent_a: Agent) -> None:
    case = _complaint_case(team_a, days_ago=60)
    browser = signed_in(agent_a)
    url = f"/cases/{case.reference}/complaint/letters/delay"
    first = visible_text(browser.get(url))
    assert "Why the final response is not ready" in first
    assert "Say why the final response is not ready yet." in first
    assert "Send by email" not in first

    expected = _expected()
    filled = browser.get(url, {"reason": REASON, "expected_on": expected})
    assert f"Why we are not ready yet: {REASON}" in visible_text(filled)
    html = page(filled)
    assert f'<input type="hidden" name="expected_on" value="{expected}">' in html
    assert "delay.pdf?reason=" in html

    sent = browser.post(f"{url}/send", {"reason": REASON, "expected_on": expected}, follow=True)
    assert "“Our final response to your complaint is delayed” was sent by email" in visible_text(sent)
    assert Message.objects.filter(case=case, direction="outbound").count() == 1


def test_the_letter_page_shows_a_bad_date_on_the_form(team_a: Team, agent_a: Agent) -> None:
    case = _complaint_case(team_a, days_ago=60)
    browser = signed_in(agent_a)
    url = f"/cases/{case.reference}/complaint/letters/delay"
    response = browser.get(url, {"reason": REASON, "expected_on": timezone.localdate().isoformat()})
    assert response.status_code == 400
    assert "The date to expect the final response must be after today." in visible_text(response)
    assert "Send by email" not in visible_text(response)
    refused = browser.post(f"{url}/send", {"reason": REASON}, follow=True)
    assert "Give the date the customer can expect the final response by." in visible_text(refused)
    malformed = browser.post(f"{url}/send", {"reason": REASON, "expected_on": "soon"}, follow=True)
    assert "Enter a date as YYYY-MM-DD." in visible_text(malformed)
    pdf = browser.get(f"{url}.pdf", {"reason": REASON, "expected_on": "soon"})
    assert (pdf.status_code, "Enter a date as YYYY-MM-DD." in visible_text(pdf)) == (400, True)
    assert not Message.objects.filter(case=case, direction="outbound").exists()


def test_the_letter_page_refuses_a_delay_letter_too_early(team_a: Team, agent_a: Agent) -> None:
    case = _complaint_case(team_a, days_ago=10)
    response = signed_in(agent_a).get(f"/cases/{case.reference}/complaint/letters/delay")
    assert response.status_code == 409
    assert "It is too early for a delay letter" in visible_text(response)
