"""A complaint is worked on like any other case of a customer who restricted the processing of
their data (UK GDPR art. 18): every step, tier, regime, purchase, remedy, root cause, five whys
and redress is refused until the agent names the exception that allows it, and the exception
goes on the audit trail with what was done."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from patron.accounts.models import Agent, Role, Team
from patron.cases.models import CaseEvent, CaseKind
from patron.complaints import services
from patron.complaints.models import Complaint, ComplaintRegime, RootCause, Step
from patron.customers.models import Customer
from patron.errors import Conflict
from patron.privacy.fulfilment import restrict_processing
from patron.privacy.models import AuditEntry
from tests import factories
from tests.api.conftest import client_for
from tests.web.conftest import signed_in
from tests.web.reading import visible_text

pytestmark = pytest.mark.django_db

Change = Callable[[Complaint, Agent, str], object]


def _purchase() -> services.PurchaseDetails:
    return services.PurchaseDetails(
        type="goods", purchased_on=timezone.localdate() - timedelta(days=5), price=Decimal(40)
    )


def _remedy(complaint: Complaint, by: Agent, exception: str) -> object:
    return services.record_remedy_step(
        complaint=complaint,
        by=by,
        details=services.RemedyStepDetails(step="short_term_reject", amount=Decimal(40)),
        exception=exception,
    )


CHANGES: dict[str, Change] = {
    "complaint_step": lambda c, by, e: services.record_step(
        complaint=c, by=by, step=Step.LISTEN, details=factories.step_details(Step.LISTEN), exception=e
    ),
    "complaint_tier": lambda c, by, e: services.escalate(
        complaint=c, by=by, to=2, reason="Asked for a lead", exception=e
    ),
    "complaint_regime": lambda c, by, e: services.set_regime(
        complaint=c, by=by, regime=ComplaintRegime.objects.exclude(pk=c.regime_id).first(), exception=e
    ),
    "complaint_final_response": lambda c, by, e: services.record_final_response(complaint=c, by=by, exception=e),
    "complaint_purchase": lambda c, by, e: services.set_purchase(complaint=c, by=by, details=_purchase(), exception=e),
    "complaint_root_cause": lambda c, by, e: services.set_root_cause(
        complaint=c, by=by, root_cause=RootCause.objects.get(code="delivery"), exception=e
    ),
    "complaint_five_whys": lambda c, by, e: services.record_five_whys(
        complaint=c, by=by, whys=["The van was late."], statement="Routes were planned by hand.", exception=e
    ),
    "complaint_redress": lambda c, by, e: services.set_redress(complaint=c, by=by, amount=Decimal(25), exception=e),
}


@pytest.fixture
def desk() -> Team:
    return factories.team("Help desk")


@pytest.fixture
def lead(desk: Team) -> Agent:
    return factories.agent(role=Role.TEAM_LEAD, teams=[desk], username="lee")


@pytest.fixture
def ann() -> Customer:
    return factories.customer("Ann Smith", email="ann@example.com")


@pytest.fixture
def complaint(ann: Customer, desk: Team) -> Complaint:
    case = factories.case(customer_=ann, team_=desk, kind=CaseKind.COMPLAINT)
    return Complaint.objects.select_related("case__customer", "regime").get(case=case)


def _restrict(customer: Customer) -> None:
    restrict_processing(customer=customer, by=factories.agent(role=Role.PRIVACY_OFFICER), reason="Accuracy contested")


def _fresh(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_related("case__customer", "regime").get(pk=complaint.pk)


def _state(complaint: Complaint) -> tuple[Any, ...]:
    """Everything a change to the complaint would show in."""
    current = _fresh(complaint)
    return (
        current.steps.count(),
        current.tier,
        current.regime_id,
        current.final_response_at,
        current.root_cause_id,
        current.whys,
        current.redress_amount,
        hasattr(current, "purchase"),
        CaseEvent.objects.filter(case=current.case).count(),
    )


@pytest.mark.parametrize("what", list(CHANGES))
def test_each_change_is_refused_until_an_exception_is_named(
    what: str, complaint: Complaint, lead: Agent, ann: Customer
) -> None:
    change = CHANGES[what]
    _restrict(ann)
    complaint = _fresh(complaint)
    before = _state(complaint)

    with pytest.raises(Conflict, match="say which exception applies") as refused:
        change(complaint, lead, "")
    assert refused.value.fields == {"exception": "Choose the exception that applies."}
    assert _state(complaint) == before
    assert not AuditEntry.objects.filter(action="restricted_processing").exists()

    change(_fresh(complaint), lead, "legal_claims")
    assert _state(complaint) != before
    recorded = AuditEntry.objects.filter(action="restricted_processing", data__done=what)
    assert [(entry.actor_id, entry.data["exception"]) for entry in recorded] == [(lead.pk, "legal_claims")]


def test_a_remedy_step_is_refused_until_an_exception_is_named(complaint: Complaint, lead: Agent, ann: Customer) -> None:
    services.set_purchase(complaint=complaint, by=lead, details=_purchase())
    _restrict(ann)
    with pytest.raises(Conflict, match="say which exception applies"):
        _remedy(_fresh(complaint), lead, "")
    assert not _fresh(complaint).remedy_steps.exists()
    _remedy(_fresh(complaint), lead, "consent")
    assert _fresh(complaint).remedy_steps.count() == 1
    assert AuditEntry.objects.filter(action="restricted_processing", data__done="complaint_remedy_step").count() == 1


def test_nothing_is_asked_of_an_unrestricted_customer(complaint: Complaint, lead: Agent) -> None:
    for change in CHANGES.values():
        change(_fresh(complaint), lead, "")
    assert not AuditEntry.objects.filter(action="restricted_processing").exists()


def test_the_api_refuses_a_complaint_change_with_409_and_takes_the_exception(
    complaint: Complaint, lead: Agent, ann: Customer
) -> None:
    _restrict(ann)
    api = client_for(lead)
    path = f"/cases/{complaint.case.reference}/complaint"
    step = {"step": {"step": "listen", "details": factories.step_details(Step.LISTEN)}}
    before = _state(complaint)

    refused = api.patch(path, {**step, "tier": "team_lead", "reason": "Asked for a lead"})
    assert refused.status_code == 409
    assert "say which exception applies" in refused.json()["detail"]
    purchase = {"type": "goods", "purchased_on": (timezone.localdate() - timedelta(days=5)).isoformat()}
    assert api.raw("put", f"{path}/purchase", json.dumps(purchase)).status_code == 409
    assert api.patch(path, {**step, "exception": "curiosity"}).status_code == 422
    assert _state(complaint) == before

    done = api.patch(path, {**step, "tier": "team_lead", "reason": "Asked for a lead", "exception": "others_rights"})
    assert done.status_code == 200, done.content
    assert (done.json()["tier"], [s["step"] for s in done.json()["steps"]]) == ("team_lead", ["listen"])
    assert api.raw("put", f"{path}/purchase", json.dumps({**purchase, "exception": "others_rights"})).status_code == 200
    remedy = {"step": "short_term_reject", "amount": "40.00"}
    assert api.post(f"{path}/remedies", remedy).status_code == 409
    assert api.post(f"{path}/remedies", {**remedy, "exception": "others_rights"}).status_code == 201
    done_parts = AuditEntry.objects.filter(action="restricted_processing", data__exception="others_rights")
    assert sorted(entry.data["done"] for entry in done_parts) == [
        "complaint_purchase",
        "complaint_remedy_step",
        "complaint_step",
        "complaint_tier",
    ]


def test_the_complaint_panel_asks_for_the_exception_and_records_it(
    complaint: Complaint, lead: Agent, ann: Customer
) -> None:
    browser = signed_in(lead)
    url = complaint.case.get_absolute_url()
    assert "Exception to the customer's restriction" not in visible_text(browser.get(url))

    _restrict(ann)
    page = visible_text(browser.get(url))
    # The note and case forms ask, and so do the step, tier, regime, purchase, root cause and five whys forms.
    assert page.count("Exception to the customer's restriction") == 8
    step = factories.step_posted(Step.LISTEN)
    refused = browser.post(f"{url}/complaint/step", step)
    assert "say which exception applies" in visible_text(refused)
    assert _fresh(complaint).steps.count() == 0
    browser.post(f"{url}/complaint/step", {**step, "step-exception": "legal_claims"})
    assert [s.step for s in _fresh(complaint).steps.all()] == ["listen"]
    browser.post(f"{url}/complaint/root-cause", {"root_cause": "delivery", "exception": "legal_claims"})
    assert _fresh(complaint).root_cause is not None
    recorded = AuditEntry.objects.filter(action="restricted_processing").values_list("data__done", flat=True)
    assert sorted(recorded) == ["complaint_root_cause", "complaint_step"]
