"""The "Consumer rights" part of the complaint panel: recording what was bought, seeing the
remedies open today with the day each runs out and why, recording each step on the remedy
path, and every refusal shown on the form with nothing saved."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from patron.accounts.models import Team
from patron.cases.models import Case, CaseEvent, CaseKind
from patron.complaints.models import Purchase, RemedyStep
from patron.web import timeline
from tests import factories
from tests.web.reading import page, visible_text

pytestmark = pytest.mark.django_db


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def _long(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


@pytest.fixture
def complaint(team_a: Team) -> Case:
    return factories.case(team_=team_a, kind=CaseKind.COMPLAINT, subject="Kettle stopped working")


@pytest.fixture
def today() -> date:
    return timezone.localdate()


def _purchase(client: Client, case: Case, **changes: str) -> object:
    delivered = timezone.localdate() - timedelta(days=10)
    data = {
        "purchase-type": "goods",
        "purchase-description": "Kettle",
        "purchase-purchased_on": delivered.isoformat(),
        "purchase-delivered_on": delivered.isoformat(),
        "purchase-price": "40.00",
        "purchase-region": "england-and-wales",
        **changes,
    }
    return client.post(f"/cases/{case.reference}/complaint/purchase", data)


def test_the_panel_asks_for_the_purchase_with_labelled_fields(client_a: Client, complaint: Case) -> None:
    html = page(client_a.get(f"/cases/{complaint.reference}"))
    assert '<h3 id="remedies-title">Consumer rights</h3>' in html
    assert "record what was bought to see the customer's rights" in html
    for name, label in [("description", "Description"), ("purchased_on", "Bought on"), ("price", "Price paid (£)")]:
        assert f'<label for="id_purchase-{name}">{label}</label>' in html
    assert "<legend>What was bought</legend>" in html  # the radio buttons are a labelled group


def test_recording_the_purchase_shows_the_remedies_open_today(client_a: Client, complaint: Case, today: date) -> None:
    response = _purchase(client_a, complaint)
    assert response.status_code == 302  # type: ignore[attr-defined]
    purchase = Purchase.objects.get()
    assert (purchase.type, purchase.price, purchase.description) == ("goods", Decimal("40.00"), "Kettle")
    assert purchase.fault_reported_on == today  # the day the complaint came in
    text = visible_text(client_a.get(f"/cases/{complaint.reference}"))
    delivered = today - timedelta(days=10)
    assert f"Bought Goods: Kettle Bought on {_day(delivered)}" in text
    assert f"Remedies on {_day(today)}" in text
    # Delivered ten days ago: the 30 days run for 20 more.
    assert f"Reject the goods for a full refund Available until {_day(delivered + timedelta(days=30))}" in text
    assert "Price reduction or final right to reject Not available" in text
    assert "Under the law of England and Wales claims are limited to 6 years from delivery" in text
    assert "No remedy step recorded yet." in text
    html = page(client_a.get(f"/cases/{complaint.reference}"))
    assert f'name="purchase-purchased_on" value="{delivered.isoformat()}"' in html  # ready to change


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"purchase-type": ""}, "Choose goods, a service or digital content."),
        ({"purchase-price": "-1"}, "An amount cannot be negative."),
        ({"purchase-purchased_on": "yesterday"}, "Enter a date as YYYY-MM-DD."),
        ({"purchase-delivered_on": "2020-01-01"}, "Delivery cannot come before the purchase."),
        ({"purchase-purchased_on": "2099-01-01"}, "cannot be in the future."),
    ],
)
def test_a_bad_purchase_is_shown_on_the_form_and_nothing_saved(
    client_a: Client, complaint: Case, changes: dict[str, str], message: str
) -> None:
    response = _purchase(client_a, complaint, **changes)
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = page(response)  # type: ignore[arg-type]
    assert "What was bought was not recorded" in html
    assert message in html
    assert not Purchase.objects.exists()


def test_recording_steps_on_the_path(client_a: Client, complaint: Case, today: date) -> None:
    _purchase(client_a, complaint)
    url = f"/cases/{complaint.reference}/complaint/remedies"
    html = page(client_a.get(f"/cases/{complaint.reference}"))
    assert '<label for="id_remedy-step">What happened</label>' in html
    assert '<option value="repair_requested">Repair requested</option>' in html
    assert '<option value="conforms">' not in html  # not possible yet
    response = client_a.post(url, {"remedy-step": "repair_requested", "remedy-note": "Customer chose repair."})
    assert response.status_code == 302
    step = RemedyStep.objects.get()
    assert (step.step, step.on, step.state, step.note) == (
        "repair_requested",
        today,
        "fix_in_progress",
        "Customer chose repair.",
    )
    text = visible_text(client_a.get(f"/cases/{complaint.reference}"))
    assert f"Repair requested on {_day(today)}" in text
    assert "Where it stands Being put right" in text
    assert f"Paused since {_long(today)}" in text
    assert "Repair or replacement Not available" in text
    assert CaseEvent.objects.filter(case=complaint, data__remedy_step="repair_requested").count() == 1
    assert f"recorded on the remedy path: Repair requested on {_long(today)}." in text  # on the timeline


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"remedy-step": "conforms"}, 409, "“Now as it should be” cannot be recorded now"),
        ({"remedy-step": ""}, 400, "Choose the step to record."),
        ({"remedy-step": "mend"}, 400, "That is not a remedy step."),
        ({"remedy-step": "short_term_reject", "remedy-amount": "-5"}, 400, "An amount cannot be negative."),
        ({"remedy-step": "short_term_reject", "remedy-amount": "30.00"}, 400, "a full refund, with no deduction"),
        ({"remedy-step": "repair_requested", "remedy-amount": "1.00"}, 400, "Only a rejection or a price reduction"),
        ({"remedy-step": "repair_requested", "remedy-on": "2099-01-01"}, 400, "cannot be dated in the future"),
    ],
)
def test_a_refused_step_is_shown_on_the_form_and_nothing_saved(
    client_a: Client, complaint: Case, data: dict[str, str], status: int, message: str
) -> None:
    _purchase(client_a, complaint)
    response = client_a.post(f"/cases/{complaint.reference}/complaint/remedies", data)
    assert response.status_code == status
    html = page(response)
    assert "The step was not recorded" in html
    assert message in html
    assert not RemedyStep.objects.exists()


def test_a_purchase_for_a_business_has_no_remedy_to_record(client_a: Client, complaint: Case) -> None:
    assert _purchase(client_a, complaint, **{"purchase-for_business": "on"}).status_code == 302  # type: ignore[attr-defined]
    assert Purchase.objects.get().consumer is False
    text = visible_text(client_a.get(f"/cases/{complaint.reference}"))
    assert "No Consumer Rights Act remedy Not available The Consumer Rights Act applies only to a consumer" in text
    assert "No remedy step can be recorded: the Act gives none here." in text


def test_a_step_before_the_purchase_is_refused(client_a: Client, complaint: Case) -> None:
    response = client_a.post(f"/cases/{complaint.reference}/complaint/remedies", {"remedy-step": "repair_requested"})
    assert response.status_code == 409
    assert "Record what the customer bought first" in page(response)


def test_others_cannot_record_on_a_complaint_they_cannot_see(client_b: Client, complaint: Case, team_a: Team) -> None:
    assert _purchase(client_b, complaint).status_code == 404  # type: ignore[attr-defined]
    url = f"/cases/{complaint.reference}/complaint/remedies"
    assert client_b.post(url, {"remedy-step": "repair_requested"}).status_code == 404
    enquiry = factories.case(team_=team_a)
    assert not Purchase.objects.exists()
    assert "Consumer rights" not in page(client_b.get(f"/cases/{enquiry.reference}"))


def test_the_timeline_says_the_money_agreed() -> None:
    event = CaseEvent(
        kind="complaint_step", data={"remedy_step": "price_reduced", "on": "2026-11-26", "amount": "10.00"}
    )
    said = "Patron recorded on the remedy path: Price reduction agreed on 26 November 2026, £10.00."
    assert timeline.change(event) == said
