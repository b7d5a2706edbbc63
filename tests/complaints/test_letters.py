"""Complaint letters: each carries what its regime requires (the deadline in an acknowledgement,
the ombudsman referral right with its time limit in a final response; the delay letter has its
own tests), reports the handling steps, warns when something is missing, goes out by email
as a reply on the case, and prints as a PDF, in large print where the customer asked for it."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from patron.accounts.models import Agent, Team
from patron.cases.models import Case, CaseEvent, CaseKind, EventKind, Message
from patron.channels.models import OutboundEmail
from patron.complaints.models import Complaint
from patron.complaints.steps import WORDING_FIELD
from patron.customers.models import Customer
from tests import factories
from tests.api.conftest import ApiClient, client_for
from tests.web.conftest import signed_in
from tests.web.reading import page, visible_text

pytestmark = pytest.mark.django_db

# Monday 23 November 2026, 10:00 in London.
RECEIVED = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
STEPS = {
    "listen": "The driver shouted at you when you asked for a receipt.",
    "apologise": "We are very sorry for how you were spoken to.",
    "thank": "Thank you for telling us.",
    "explain": "The driver was behind schedule; that is no excuse and we have spoken to him.",
    "resolve": "A refund of your fare and a month's free travel.",
}


@pytest.fixture
def complaint_case(team_a: Team) -> Case:
    ann = factories.customer("Ann Smith", email="ann@example.com")
    return factories.case(
        customer_=ann, team_=team_a, kind=CaseKind.COMPLAINT, subject="Rude driver", received_at=RECEIVED
    )


@pytest.fixture
def api(agent_a: Agent) -> ApiClient:
    return client_for(agent_a)


def _take_steps(api: ApiClient, case: Case, steps: dict[str, str] = STEPS) -> None:
    for step, said in steps.items():
        details = factories.step_details(step, **{WORDING_FIELD[step]: said})
        done = api.patch(f"/cases/{case.reference}/complaint", {"step": {"step": step, "details": details}})
        assert done.status_code == 200, done.content


def _letter(api: ApiClient, case: Case, kind: str) -> dict[str, object]:
    response = api.get(f"/cases/{case.reference}/complaint/letters/{kind}")
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_an_acknowledgement_gives_the_reference_and_the_final_response_deadline(
    complaint_case: Case, api: ApiClient
) -> None:
    _take_steps(api, complaint_case, {"listen": STEPS["listen"]})
    letter = _letter(api, complaint_case, "acknowledgement")
    text = str(letter["text"])
    assert text.startswith(f"We have received your complaint (our reference {complaint_case.reference})")
    assert "Dear Ann Smith," in text
    assert "We received your complaint on 23 November 2026" in text
    # General regime: 20 business days.
    assert "send you our final response by 21 December 2026 at the latest" in text
    assert f"We understand your complaint to be: {STEPS['listen']}" in text
    assert "ombudsman" not in text.lower()
    assert letter["warnings"] == []


def test_a_final_response_under_the_fca_regime_carries_the_referral_right_and_time_limit_wording(
    complaint_case: Case, api: ApiClient
) -> None:
    api.patch(f"/cases/{complaint_case.reference}/complaint", {"regime": "fca_disp"})
    _take_steps(api, complaint_case)
    text = str(_letter(api, complaint_case, "final_response")["text"])
    for said in (STEPS["listen"], STEPS["apologise"], STEPS["explain"], STEPS["resolve"]):
        assert said in text
    assert (
        "you have the right to refer your complaint to the Financial Ombudsman Service, free of charge, but you "
        "must do so within six months of the date of this letter"
    ) in text
    assert "financial-ombudsman.org.uk, 0800 023 4567" in text
    assert "the Ombudsman will not have our permission to consider your complaint" in text
    assert "explanatory leaflet" in text


def test_an_energy_final_response_gives_twelve_months_and_a_general_one_no_referral(
    complaint_case: Case, api: ApiClient, team_a: Team
) -> None:
    api.patch(f"/cases/{complaint_case.reference}/complaint", {"regime": "energy"})
    _take_steps(api, complaint_case)
    energy = str(_letter(api, complaint_case, "final_response")["text"])
    assert "refer your complaint to the Energy Ombudsman, free of charge, but you must do so within twelve months" in (
        energy
    )
    assert "Ombudsman will not have our permission" not in energy

    general = factories.case(team_=team_a, kind=CaseKind.COMPLAINT, subject="Late parcel", received_at=RECEIVED)
    _take_steps(api, general)
    assert "refer your complaint" not in str(_letter(api, general, "final_response")["text"])


def test_missing_steps_and_a_late_summary_resolution_are_warned_and_block_sending(
    complaint_case: Case, api: ApiClient
) -> None:
    _take_steps(api, complaint_case, {"listen": STEPS["listen"]})
    letter = _letter(api, complaint_case, "final_response")
    assert letter["warnings"] == [
        "Not recorded yet: Apologise, Thank, Explain and empathise, Resolve.",
        "Give the outcome: upheld, partly upheld or not upheld.",
    ]
    refused = api.post(f"/cases/{complaint_case.reference}/complaint/letters/final_response/send", {})
    assert refused.status_code == 409
    assert "Not recorded yet" in refused.json()["detail"]
    assert not Message.objects.filter(case=complaint_case, direction="outbound").exists()

    general = _letter(api, complaint_case, "summary_resolution")["warnings"]
    assert "The General regime has no summary resolution: send a final response." in general


def test_sending_a_final_response_emails_it_records_it_and_starts_the_referral_window(
    complaint_case: Case, api: ApiClient
) -> None:
    api.patch(f"/cases/{complaint_case.reference}/complaint", {"regime": "fca_disp"})
    _take_steps(api, complaint_case)
    sent = api.post(f"/cases/{complaint_case.reference}/complaint/letters/final_response/send", {"outcome": "upheld"})
    assert sent.status_code == 200, sent.content

    reply = Message.objects.get(case=complaint_case, direction="outbound")
    assert "within six months of the date of this letter" in reply.body_text
    email = OutboundEmail.objects.get(case_message=reply)
    assert email.to_address == "ann@example.com"
    complaint = Complaint.objects.get(case=complaint_case)
    assert complaint.final_response_at is not None
    event = CaseEvent.objects.get(case=complaint_case, kind=EventKind.COMPLAINT_LETTER)
    assert event.data == {"letter": "final_response", "message": reply.pk, "outcome": "upheld"}
    assert (complaint.outcome, complaint.outcome_reasons) == ("upheld", "")
    deadlines = api.get(f"/cases/{complaint_case.reference}/complaint").json()["deadlines"]
    assert deadlines["referral_until"] is not None


@pytest.mark.parametrize(
    ("outcome", "decision"),
    [
        ("upheld", "Our decision: we uphold your complaint. Our reasons: The driver broke our code of conduct."),
        (
            "partly_upheld",
            "Our decision: we uphold your complaint in part. Our reasons: The driver broke our code of conduct.",
        ),
        (
            "not_upheld",
            "Our decision: we do not uphold your complaint. Our reasons: The driver broke our code of conduct.",
        ),
    ],
)
def test_a_final_response_states_its_outcome_with_reasons(
    complaint_case: Case, api: ApiClient, outcome: str, decision: str
) -> None:
    _take_steps(api, complaint_case)
    letter = api.get(
        f"/cases/{complaint_case.reference}/complaint/letters/final_response",
        outcome=outcome,
        outcome_reasons=" The driver broke our code of conduct. ",
    ).json()
    assert letter["warnings"] == []
    paragraphs = letter["paragraphs"]
    # The decision follows the explanation and comes before what we are doing to put it right.
    explained = next(
        index
        for index, paragraph in enumerate(paragraphs)
        if paragraph.startswith(f"What happened and why: {STEPS['explain']}")
    )
    assert paragraphs[explained + 1] == decision
    assert paragraphs[explained + 2].startswith(f"How we are putting it right: {STEPS['resolve']}")


@pytest.mark.parametrize("outcome", ["partly_upheld", "not_upheld"])
def test_a_complaint_not_fully_upheld_needs_the_reasons(complaint_case: Case, api: ApiClient, outcome: str) -> None:
    _take_steps(api, complaint_case)
    url = f"/cases/{complaint_case.reference}/complaint/letters/final_response"
    label = {"partly_upheld": "Partly upheld", "not_upheld": "Not upheld"}[outcome]
    assert api.get(url, outcome=outcome).json()["warnings"] == [f"Give the reasons for the outcome “{label}”."]
    refused = api.post(f"{url}/send", {"outcome": outcome})
    assert refused.status_code == 409
    assert not Message.objects.filter(case=complaint_case, direction="outbound").exists()
    assert Complaint.objects.get(case=complaint_case).outcome == ""


def test_the_outcome_sent_is_recorded_and_used_again(complaint_case: Case, api: ApiClient) -> None:
    _take_steps(api, complaint_case)
    url = f"/cases/{complaint_case.reference}/complaint/letters/final_response"
    assert api.post(f"{url}/send", {"outcome": "not_upheld", "outcome_reasons": "Fare was correct."}).status_code == 200
    complaint = Complaint.objects.get(case=complaint_case)
    assert (complaint.outcome, complaint.outcome_reasons) == ("not_upheld", "Fare was correct.")
    # Printed again later for the post, the letter carries the recorded outcome.
    assert (
        "Our decision: we do not uphold your complaint. Our reasons: Fare was correct." in api.get(url).json()["text"]
    )


@pytest.mark.parametrize(
    ("kind", "params", "detail"),
    [
        (
            "final_response",
            {"outcome": "won"},
            "“won” is not an outcome. Choose one of: upheld, partly_upheld, not_upheld.",
        ),
        (
            "final_response",
            {"outcome": "upheld", "outcome_reasons": "x" * 2_001},
            "Keep the reasons to 2,000 characters.",
        ),
        ("acknowledgement", {"outcome": "upheld"}, "Only a final response takes an outcome."),
    ],
)
def test_a_bad_outcome_is_refused(
    complaint_case: Case, api: ApiClient, kind: str, params: dict[str, str], detail: str
) -> None:
    url = f"/cases/{complaint_case.reference}/complaint/letters/{kind}"
    response = api.get(url, **params)
    assert (response.status_code, response.json()["detail"]) == (422, detail)
    assert api.post(f"{url}/send", params).status_code == 422
    assert not Message.objects.filter(case=complaint_case, direction="outbound").exists()
    assert Complaint.objects.get(case=complaint_case).outcome == ""


def test_sending_the_acknowledgement_records_when(complaint_case: Case, api: ApiClient) -> None:
    assert api.post(f"/cases/{complaint_case.reference}/complaint/letters/acknowledgement/send", {}).status_code == 200
    assert Complaint.objects.get(case=complaint_case).acknowledged_at is not None


def test_a_customer_without_email_gets_the_letter_by_post(team_a: Team, api: ApiClient) -> None:
    bob = factories.customer("Bob Jones", phone="07700 900123", email="bob@example.com")
    bob.contact_points.filter(kind="email").delete()
    case = factories.case(customer_=bob, team_=team_a, kind=CaseKind.COMPLAINT, subject="Lost card")
    refused = api.post(f"/cases/{case.reference}/complaint/letters/acknowledgement/send", {})
    assert refused.status_code == 422
    assert "post it" in refused.json()["detail"]


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_has_the_letter_and_large_print_for_those_who_asked(complaint_case: Case, api: ApiClient) -> None:
    api.patch(f"/cases/{complaint_case.reference}/complaint", {"regime": "fca_disp"})
    _take_steps(api, complaint_case)
    url = f"/cases/{complaint_case.reference}/complaint/letters/final_response/pdf"
    response = api.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{complaint_case.reference}-final_response.pdf"'
    text = " ".join(_pdf_text(response.content).split())
    assert "Our final response to your complaint" in text
    assert "Financial Ombudsman Service" in text
    assert f"Our reference: {complaint_case.reference}" in text
    standard_pages = len(PdfReader(io.BytesIO(response.content)).pages)

    Customer.objects.filter(pk=complaint_case.customer_id).update(adjustments=["large_print"])
    assert api.get(f"/cases/{complaint_case.reference}/complaint/letters/final_response").json()["large_print"]
    large = api.get(url).content
    assert len(PdfReader(io.BytesIO(large)).pages) > standard_pages


def test_an_unknown_letter_is_refused_and_others_cases_are_not_found(
    complaint_case: Case, api: ApiClient, agent_b: Agent
) -> None:
    assert api.get(f"/cases/{complaint_case.reference}/complaint/letters/love_letter").status_code == 422
    outsider = client_for(agent_b)
    assert outsider.get(f"/cases/{complaint_case.reference}/complaint/letters/acknowledgement").status_code == 404


def test_the_final_response_page_asks_for_the_outcome_and_sends_it(complaint_case: Case, agent_a: Agent) -> None:
    api = client_for(agent_a)
    _take_steps(api, complaint_case)
    browser = signed_in(agent_a)
    url = f"/cases/{complaint_case.reference}/complaint/letters/final_response"
    first = page(browser.get(url))
    assert '<input type="radio" name="outcome" value="partly_upheld"' in first
    assert "Reasons for the outcome" in first
    chosen = browser.get(
        url, {"outcome": "partly_upheld", "outcome_reasons": "The fare was right; the manner was not."}
    )
    text = visible_text(chosen)
    assert (
        "Our decision: we uphold your complaint in part. Our reasons: The fare was right; the manner was not." in text
    )
    assert '<input type="hidden" name="outcome" value="partly_upheld">' in page(chosen)
    bad = browser.get(url, {"outcome": "won"})
    assert bad.status_code == 400
    assert "“won” is not an outcome. Choose one from the list." in visible_text(bad)

    sent = browser.post(
        f"{url}/send", {"outcome": "partly_upheld", "outcome_reasons": "The fare was right; the manner was not."}
    )
    assert sent.status_code == 302
    assert Complaint.objects.get(case=complaint_case).outcome == "partly_upheld"
