"""POST /cases/batch opens many cases at once, each as POST /cases would, or none: a refusal
names the case, and nothing of the batch is kept, not even the customers it would have made."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from patron.accounts.models import Agent, Team
from patron.cases.models import Case, CaseEvent, EventKind, Message, Priority
from patron.cases.services import MAX_CASES_AT_ONCE, set_customer_restriction
from patron.customers.models import ContactPoint, Customer
from tests import factories
from tests.api.conftest import ApiClient


def _case(number: int, **changes: object) -> dict[str, object]:
    return {
        "subject": f"Order {number} has not arrived",
        "body": f"I ordered item {number} last week.",
        "customer": {"email": f"buyer{number}@example.com"},
        **changes,
    }


def test_a_batch_opens_every_case_in_the_order_sent(api_a: ApiClient, team_a: Team) -> None:
    known = factories.customer("Ruth Evans", phone="+44 7700 900123")
    when = (timezone.now() - timedelta(days=30)).replace(microsecond=0)
    sent = [
        _case(1, team=team_a.slug, priority="high", tags=["delivery"]),
        _case(2, customer={"phone": "07700900123"}, channel="phone", received_at=when.isoformat()),
        _case(3, customer={"id": known.pk}, kind="complaint"),
        _case(4, customer={"email": "BUYER1@example.com"}),  # the same person as the first
    ]
    response = api_a.post("/cases/batch", {"cases": sent})
    assert response.status_code == 201, response.content
    opened = response.json()["cases"]
    cases = [Case.objects.get(pk=int(item["reference"].split("-")[1])) for item in opened]
    assert [case.subject for case in cases] == [str(case["subject"]) for case in sent]
    assert [item["status"] for item in opened] == ["new"] * 4
    assert [item["version"] for item in opened] == [case.version for case in cases]
    assert cases[0].team == team_a
    assert cases[0].priority == Priority.HIGH
    assert [tag.name for tag in cases[0].tags.all()] == ["delivery"]
    assert cases[1].customer == known
    assert cases[1].created_at == when
    assert cases[2].customer == known
    assert cases[2].kind == "complaint"
    assert cases[3].customer == cases[0].customer
    assert opened[0]["customer"] == cases[0].customer_id
    # Each case as POST /cases opens one: its first message and its opening event.
    assert Message.objects.filter(case__in=cases).count() == 4
    assert CaseEvent.objects.filter(case__in=cases, kind=EventKind.OPENED).count() == 4
    assert Customer.objects.count() == 2


def test_a_refused_case_keeps_nothing_of_the_batch_and_is_named(api_a: ApiClient) -> None:
    sent = [_case(1), _case(2), _case(3, body="   "), _case(4)]
    response = api_a.post("/cases/batch", {"cases": sent})
    assert response.status_code == 422
    assert "(case 3)" in response.json()["detail"]
    assert Case.objects.count() == 0
    assert Customer.objects.count() == 0
    assert ContactPoint.objects.count() == 0


def test_a_case_without_a_way_to_reach_its_customer_is_named(api_a: ApiClient) -> None:
    response = api_a.post("/cases/batch", {"cases": [_case(1), _case(2, customer={"name": "No contact"})]})
    assert response.status_code == 422
    assert response.json()["detail"] == "Give the customer's email address or phone number. (case 2)"
    assert Customer.objects.count() == 0


def test_an_unknown_team_or_customer_id_is_refused_before_anything_is_opened(api_a: ApiClient) -> None:
    for case, detail in (
        (_case(2, team="no-such-team"), "There is no team “no-such-team”. (case 2)"),
        (_case(2, customer={"id": 999_999}), "There is no customer with id 999999. (case 2)"),
    ):
        response = api_a.post("/cases/batch", {"cases": [_case(1), case]})
        assert response.status_code == 422
        assert response.json()["detail"] == detail
        assert Case.objects.count() == 0
        assert Customer.objects.count() == 0


def test_an_empty_or_oversized_batch_is_refused(api_a: ApiClient) -> None:
    empty = api_a.post("/cases/batch", {"cases": []})
    assert empty.status_code == 422
    assert empty.json()["detail"] == "Send at least one case."
    too_many = api_a.post("/cases/batch", {"cases": [_case(n) for n in range(MAX_CASES_AT_ONCE + 1)]})
    assert too_many.status_code == 422
    assert "at most 100 cases" in too_many.json()["detail"]
    missing = api_a.post("/cases/batch", {"cases": [{"subject": "No body"}]})
    assert missing.status_code == 422
    assert Case.objects.count() == 0


def test_a_restricted_customer_in_a_batch_stays_with_the_people_named(
    api_a: ApiClient, lead_a: Agent, manager: Agent
) -> None:
    """As with POST /cases: the case is opened, and someone not named on the customer learns its
    reference alone."""
    secret = factories.customer("Sam Private", email="sam@example.com")
    set_customer_restriction(
        customer=secret, by=manager, restricted=True, people=[lead_a], reason="A colleague's HR matter"
    )
    response = api_a.post("/cases/batch", {"cases": [_case(1), _case(2, customer={"email": "sam@example.com"})]})
    assert response.status_code == 201, response.content
    first, second = response.json()["cases"]
    assert first["restricted"] is False
    assert first["customer"] is not None
    assert second == {
        "reference": second["reference"],
        "restricted": True,
        "customer": None,
        "status": None,
        "version": None,
    }
    opened = Case.objects.get(pk=int(second["reference"].split("-")[1]))
    assert opened.customer == secret
    assert opened.is_restricted


def test_a_batch_of_one_is_refused_as_post_cases_refuses_it(api_a: ApiClient) -> None:
    """One path opens both: the same case is refused with the same words, and no number."""
    for refused in (_case(1, body="   "), _case(1, customer={"name": "No contact"}), _case(1, team="no-such-team")):
        alone = api_a.post("/cases", refused)
        batched = api_a.post("/cases/batch", {"cases": [refused]})
        assert alone.status_code == batched.status_code == 422
        assert alone.json()["detail"] == batched.json()["detail"]
        assert "(case" not in alone.json()["detail"]
    assert Case.objects.count() == 0
    assert Customer.objects.count() == 0
