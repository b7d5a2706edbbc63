"""The privacy officer's forms: recording a subject request and each step on its clock
(extension, identity, fee, clarification), recording and updating a breach, placing and
lifting legal holds. Every change goes through the privacy services; a refusal is shown on
the form it came from, with nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from patron.accounts.models import Agent
from patron.customers.models import Customer
from patron.customers.queries import customer_by_id
from patron.errors import DomainError, NotFound, ValidationFailed
from patron.privacy import fulfilment, queries, rights
from patron.privacy.models import SubjectRequest
from patron.web.forms import privacy_officer as officer_forms
from patron.web.refusals import AgentRequest, PatronForm, agent_view, attempt


def _customer(number: int, agent: Agent) -> Customer:
    try:
        return customer_by_id(number, agent=agent)
    except NotFound as error:
        raise ValidationFailed(error.message, fields={"customer": "Unknown."}) from error


@require_http_methods(["GET", "POST"])
@agent_view
def new_request(request: AgentRequest) -> HttpResponse:
    rights.require_privacy_role(request.user)
    initial = {"customer": request.GET["customer"]} if request.GET.get("customer", "").isdigit() else {}
    form = officer_forms.SubjectRequestForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        clean = form.cleaned_data
        made = attempt(
            form,
            lambda: rights.record_subject_request(
                customer=_customer(clean["customer"], request.user),
                type=clean["type"],
                received_on=clean["received_on"],
                by=request.user,
            ),
        )
        if made is not None:
            messages.success(request, f"The request was recorded. {made.due_rule}")
            return redirect("web:privacy_request", request_id=made.pk)
    context = {"form": form, "section": "privacy"}
    return render(request, "web/privacy_request_new.html", context, status=form.status_code)


@dataclass(frozen=True)
class Step:
    """One step on a request's clock: its form, and the service that records it, called with the
    form's fields."""

    form: type[PatronForm]
    record: Callable[..., SubjectRequest]
    done: str


STEPS: dict[str, Step] = {
    "extend": Step(officer_forms.ExtendForm, rights.extend_subject_request, "The request was extended."),
    "identity_request": Step(
        officer_forms.IdentityRequestForm,
        rights.request_identity,
        "Identity evidence asked for: the clock starts when it arrives.",
    ),
    "identity": Step(officer_forms.IdentityVerifiedForm, rights.verify_identity, "Their identity is verified."),
    "fee_request": Step(
        officer_forms.FeeRequestForm, rights.request_fee, "A fee was asked for: the clock starts when it is paid."
    ),
    "fee": Step(officer_forms.FeeReceivedForm, rights.receive_fee, "The fee was received."),
    "clarification_request": Step(
        officer_forms.ClarificationRequestForm,
        rights.request_clarification,
        "The clock is stopped until the clarification comes.",
    ),
    "clarification": Step(
        officer_forms.ClarificationReceivedForm, rights.receive_clarification, "The clock runs again."
    ),
    "due_date": Step(officer_forms.DueDateForm, rights.override_due_date, "The due date was set."),
}


def _request_page(
    request: AgentRequest, found: SubjectRequest, *, bound: tuple[str, PatronForm] | None = None
) -> HttpResponse:
    step_forms: dict[str, PatronForm] = {name: step.form() for name, step in STEPS.items()}
    status = 200
    if bound is not None:
        step_forms[bound[0]] = bound[1]
        status = bound[1].status_code
    context = {
        "item": found,
        "clock": rights.clock_state(found),
        "pauses": list(found.pauses.all()),
        "forms": step_forms,
        "bound": bound[0] if bound else "",
        "section": "privacy",
    }
    return render(request, "web/privacy_request.html", context, status=status)


@require_http_methods(["GET"])
@agent_view
def request_page(request: AgentRequest, request_id: int) -> HttpResponse:
    return _request_page(request, rights.subject_request_by_id(agent=request.user, request_id=request_id))


@require_POST
@agent_view
def request_step(request: AgentRequest, request_id: int, step: str) -> HttpResponse:
    found = rights.subject_request_by_id(agent=request.user, request_id=request_id)
    chosen = STEPS.get(step)
    if chosen is None:
        raise Http404("No such step.")
    form = chosen.form(request.POST)
    if (
        form.is_valid()
        and attempt(form, lambda: chosen.record(request=found, by=request.user, **form.cleaned_data)) is not None
    ):
        messages.success(request, chosen.done)
        return redirect("web:privacy_request", request_id=found.pk)
    return _request_page(request, found, bound=(step, form))


@require_http_methods(["GET", "POST"])
@agent_view
def new_breach(request: AgentRequest) -> HttpResponse:
    rights.require_privacy_role(request.user)
    form = officer_forms.NewBreachForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        details = rights.BreachDetails(**form.cleaned_data)
        made = attempt(form, lambda: rights.record_breach(details=details, by=request.user))
        if made is not None:
            messages.success(request, "The breach is in the register.")
            return redirect("web:privacy_breach", breach_id=made.pk)
    context = {"form": form, "section": "privacy"}
    return render(request, "web/privacy_breach_new.html", context, status=form.status_code)


@require_http_methods(["GET", "POST"])
@agent_view
def breach_page(request: AgentRequest, breach_id: int) -> HttpResponse:
    breach = rights.breach_by_id(agent=request.user, breach_id=breach_id)
    form = officer_forms.BreachUpdateForm(request.POST if request.method == "POST" else None, breach=breach)
    if form.is_valid():
        updated = attempt(form, lambda: rights.update_breach(breach=breach, changes=form.changes(), by=request.user))
        if updated is not None:
            messages.success(request, "The breach record was updated.")
            return redirect("web:privacy_breach", breach_id=breach.pk)
    context = {
        "breach": breach,
        "report_by": rights.report_by(breach),
        "report_by_rule": rights.report_by_rule(breach),
        "late": rights.reported_late(breach),
        "form": form,
        "section": "privacy",
    }
    return render(request, "web/privacy_breach.html", context, status=form.status_code)


@require_http_methods(["GET", "POST"])
@agent_view
def legal_holds(request: AgentRequest) -> HttpResponse:
    rights.require_privacy_role(request.user)
    initial = {"customer": request.GET["customer"]} if request.GET.get("customer", "").isdigit() else {}
    form = officer_forms.LegalHoldForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        clean = form.cleaned_data
        placed = attempt(
            form,
            lambda: fulfilment.place_legal_hold(
                customer=_customer(clean["customer"], request.user), by=request.user, reason=clean["reason"]
            ),
        )
        if placed is not None:
            messages.success(request, f"The legal hold on {placed.customer.name} is placed.")
            return redirect("web:privacy_holds")
    context = {"form": form, "holds": list(queries.active_legal_holds(agent=request.user)[:500]), "section": "privacy"}
    return render(request, "web/privacy_holds.html", context, status=form.status_code)


@require_POST
@agent_view
def lift_legal_hold(request: AgentRequest, hold_id: int) -> HttpResponse:
    hold = queries.legal_hold_by_id(agent=request.user, hold_id=hold_id)
    try:
        fulfilment.lift_legal_hold(hold=hold, by=request.user)
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"The legal hold on {hold.customer.name} is lifted.")
    return redirect("web:privacy_holds")
