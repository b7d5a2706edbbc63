"""The agent UI's pages. Each view parses a form, makes one read or one service call, and
renders; every rule lives in the services, and every refusal reaches the agent through
`patron.web.refusals`."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from patron.accounts.models import Agent
from patron.accounts.queries import list_active_agents, list_teams
from patron.cases import queries as case_queries
from patron.cases import services as case_services
from patron.cases.downloads import attachment_response, csv_response
from patron.cases.exports import export_cases_csv, may_export
from patron.cases.models import Case, Message
from patron.channels.outbound import retry_outbound_email
from patron.channels.queries import (
    inbound_email_of,
    inbound_emails_by_message,
    outbound_email_of,
    outbound_emails_by_message,
)
from patron.complaints.models import Complaint, Step
from patron.complaints.queries import complaint_of
from patron.complaints.services import escalate, record_five_whys, record_step, set_regime, set_root_cause
from patron.customers import queries as customer_queries
from patron.customers import services as customer_services
from patron.customers.models import Customer, CustomerKind, Organisation, OrganisationKind
from patron.errors import Conflict, DomainError, NotAllowed, NotFound
from patron.privacy import audit, consent
from patron.privacy.models import LawfulBasis, Purpose, SpecialCondition
from patron.standards.queries import service_levels_of, unread_alerts
from patron.standards.services import mark_alerts_read
from patron.web import forms, timeline
from patron.web.complaint_views import complaint_context
from patron.web.refusals import AgentRequest, agent_view, attempt, refuse
from patron.web.remedy_panel import remedy_context

GET_AND_POST = require_http_methods(["GET", "POST"])


def _page_size() -> int:
    return int(settings.PATRON_PAGE_SIZE)


def _is_partial(request: AgentRequest, target: str) -> bool:
    """An htmx request that only wants the fragment `target` (not a history restore)."""
    return bool(request.htmx) and not request.htmx.history_restore_request and request.htmx.target == target


def _render(
    request: AgentRequest, template: str, partial: str, target: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """The whole page, or for htmx only the fragment it asked for; caches keep the two apart."""
    is_partial = _is_partial(request, target)
    response = render(request, partial if is_partial else template, {**context, "partial": is_partial}, status=status)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


# --- the inbox and search -----------------------------------------------------------------------


@require_GET
@agent_view
def inbox(request: AgentRequest) -> HttpResponse:
    form = forms.InboxFilterForm(request.GET, teams=list_teams(), agents=list_active_agents())
    page = None
    if form.is_valid():
        list_page = partial(
            case_queries.list_inbox,
            agent=request.user,
            filters=form.filters(),
            cursor=form.cleaned_data["cursor"] or None,
            limit=_page_size(),
        )
        page = attempt(form, list_page)
    context = {
        "form": form,
        "page": page,
        "section": "inbox",
        "alerts": unread_alerts(request.user.pk),
        "can_export": may_export(request.user),
    }
    return _render(
        request, "web/inbox.html", "web/_partials/inbox_results.html", "inbox-results", context, form.status_code
    )


@require_GET
@agent_view
def inbox_export(request: AgentRequest) -> HttpResponseBase:
    """The cases the inbox filters find, as CSV: for the roles that may export."""
    form = forms.InboxFilterForm(request.GET, teams=list_teams(), agents=list_active_agents())
    if not form.is_valid():
        messages.error(request, _("The filters are not valid, so nothing was exported. Check them and try again."))
        return redirect("web:inbox")
    return csv_response(export_cases_csv(agent=request.user, filters=form.filters()))


@require_GET
@agent_view
def search(request: AgentRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET)
    cases = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        find = partial(case_queries.search_cases, agent=request.user, text=form.cleaned_data["q"], limit=_page_size())
        cases = attempt(form, find)
    context = {"form": form, "cases": cases, "limit": _page_size(), "section": "search"}
    return render(request, "web/search.html", context, status=form.status_code)


# --- one case -----------------------------------------------------------------------------------


def _case_page(request: AgentRequest, case: Case, *, status: int = 200, **given: Any) -> HttpResponse:
    """The case page (or, for htmx, its workspace fragment) with fresh forms except those given."""
    teams, agents = list_teams(), list_active_agents()
    complaint_part = complaint_context(case, given)
    context = {
        "case": case,
        "entries": timeline.entries(case_queries.timeline(case)),
        "service_levels": service_levels_of(case.pk),
        "deliveries": outbound_emails_by_message(case),
        "originals": inbound_emails_by_message(case),
        **complaint_part,
        **remedy_context(complaint_part["complaint"], given),
        "other_cases": case_queries.other_cases_of_customer(case, request.user),
        "reply_form": given.get("reply_form") or forms.ReplyForm(case=case),
        "note_form": given.get("note_form") or forms.NoteForm(),
        "properties_form": given.get("properties_form")
        or forms.CasePropertiesForm(case=case, teams=teams, agents=agents),
        "take_form": given.get("take_form") or forms.TakeCaseForm(case=case),
        "call_form": given.get("call_form") or forms.LogCallForm(),
        "section": "inbox",
    }
    return _render(request, "web/case.html", "web/_partials/case_workspace.html", "case-workspace", context, status)


def _case_saved(request: AgentRequest, reference: str, message: str, *, updated: Case | None = None) -> HttpResponse:
    """After a change: htmx gets the fresh workspace, a plain browser a redirect (POST/redirect/GET).
    A case the agent has just moved out of their own sight sends them back to the inbox."""
    if updated is not None and not case_queries.can_see_case(request.user, updated):
        messages.success(request, _("%(done)s It is now with a team you do not work in.") % {"done": message})
        url = reverse("web:inbox")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    messages.success(request, message)
    if _is_partial(request, "case-workspace"):
        return _case_page(request, case_queries.case_for_agent(agent=request.user, reference=reference))
    return redirect("web:case", reference=reference)


_OPENED_RESTRICTED = "patron_opened_restricted"


def workable_case(request: AgentRequest, reference: str) -> Case:
    """The case, if the agent may see it and, when it is restricted, has said why they opened it."""
    case = case_queries.case_for_agent(agent=request.user, reference=reference)
    if case.is_restricted and not _opened(request, case):
        raise NotAllowed("This case is restricted. Open its page and say why before working on it.")
    return case


def _opened(request: AgentRequest, case: Case) -> bool:
    """Whether the agent gave their reason for opening this restricted case in this session."""
    return case.pk in request.session.get(_OPENED_RESTRICTED, [])


@require_http_methods(["GET", "POST"])
@agent_view
def case_open_restricted(request: AgentRequest, reference: str) -> HttpResponse:
    """The step before a restricted case: who may see it, and a reason, recorded, for opening it."""
    case = case_queries.case_for_agent(agent=request.user, reference=reference)
    if not case.is_restricted or _opened(request, case):
        return redirect(case)
    form = forms.RestrictedOpeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_services.record_restricted_opening(case=case, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as refusal:
            refuse(form, refusal)
        else:
            request.session[_OPENED_RESTRICTED] = [*request.session.get(_OPENED_RESTRICTED, []), case.pk]
            return redirect(case)
    context = {"case": case, "form": form, "people": case_queries.people_named_on(case), "section": "inbox"}
    return render(request, "web/case_restricted.html", context, status=form.status_code)


@require_GET
@agent_view
def case_detail(request: AgentRequest, reference: str) -> HttpResponse:
    case = case_queries.case_for_agent(agent=request.user, reference=reference)
    if case.is_restricted and not _opened(request, case):
        return redirect("web:case_open_restricted", reference=case.reference)
    if reference != case.reference:
        return redirect(case)
    # One write for the two records of the visit, not one each (and, inside a caller's
    # transaction, no savepoint: neither can fail alone).
    with transaction.atomic(savepoint=False):
        mark_alerts_read(agent=request.user, case=case)
        case_services.record_case_viewed(case=case, by=request.user)
    return _case_page(request, case)


@require_POST
@agent_view
def case_reply(request: AgentRequest, reference: str) -> HttpResponse:
    case = workable_case(request, reference)
    form = forms.ReplyForm(request.POST, case=case)
    if form.is_valid():
        send = partial(
            case_services.reply,
            case=case,
            by=request.user,
            body=form.cleaned_data["body"],
            status=form.cleaned_data["status"] or None,
            reason=form.cleaned_data.get("reason") or "",
        )
        if attempt(form, send) is not None:
            return _case_saved(request, case.reference, _("Your reply was sent."))
    return _case_page(request, case, reply_form=form, status=form.status_code)


@require_POST
@agent_view
def case_note(request: AgentRequest, reference: str) -> HttpResponse:
    case = workable_case(request, reference)
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        note = partial(
            case_services.add_note,
            case=case,
            by=request.user,
            body=form.cleaned_data["body"],
            exception=form.cleaned_data["exception"],
        )
        if attempt(form, note) is not None:
            return _case_saved(request, case.reference, _("Your internal note was added."))
    return _case_page(request, case, note_form=form, status=form.status_code)


@require_POST
@agent_view
def case_properties(request: AgentRequest, reference: str) -> HttpResponse:
    case = workable_case(request, reference)
    teams, agents = list_teams(), list_active_agents()
    form = forms.CasePropertiesForm(request.POST, case=case, teams=teams, agents=agents)
    if form.is_valid():
        update = partial(
            case_services.update_case,
            case=case,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            changes=form.changes(),
        )
        updated = attempt(form, update)
        if updated is not None:
            return _case_saved(request, case.reference, _("The case was updated."), updated=updated)
    status = form.status_code
    if isinstance(form.refusal, Conflict) and "version" in form.refusal.fields:
        # Show what the case is now, never the stale values, and say why nothing was saved.
        notice = _(
            "Someone else changed this case while you had it open, so your change was not saved. "
            "The form now shows the current values: check them, then make your change again."
        )
        messages.error(request, notice)
        form = forms.CasePropertiesForm(case=case, teams=teams, agents=agents, conflict=notice)
    return _case_page(request, case, properties_form=form, status=status)


@require_POST
@agent_view
def case_take(request: AgentRequest, reference: str) -> HttpResponse:
    case = workable_case(request, reference)
    form = forms.TakeCaseForm(request.POST, case=case)
    if form.is_valid():
        take = partial(
            case_services.assign,
            case=case,
            by=request.user,
            assignee=request.user,
            expected_version=form.cleaned_data["version"],
        )
        if attempt(form, take) is not None:
            return _case_saved(request, case.reference, _("The case is now assigned to you."))
    return _case_page(request, case, take_form=form, status=form.status_code)


def _complaint_or_none(request: AgentRequest, case: Case) -> Complaint | None:
    """The case's complaint; for a case that is not one, None and the reason at the top of its page."""
    try:
        return complaint_of(case)
    except NotFound as refusal:
        messages.error(request, refusal.message)
        return None


@require_POST
@agent_view
def case_complaint_step(request: AgentRequest, reference: str) -> HttpResponse:
    """Record the next LATER step of a complaint, with what that step records."""
    case = workable_case(request, reference)
    complaint = _complaint_or_none(request, case)
    if complaint is None:
        return redirect(case)
    step = request.POST.get("step-step", "")
    if step not in Step.values:
        messages.error(request, _("Choose a handling step to record."))
        return redirect(case)
    form = forms.ComplaintStepForm(request.POST, step=step)
    if form.is_valid():
        record = partial(
            record_step,
            complaint=complaint,
            by=request.user,
            step=step,
            details=form.details(),
            exception=form.cleaned_data["exception"],
        )
        if attempt(form, record) is not None:
            return _case_saved(request, case.reference, _("The step was recorded on the complaint."))
    return _case_page(request, case, step_form=form, status=form.status_code)


@require_POST
@agent_view
def case_complaint_tier(request: AgentRequest, reference: str) -> HttpResponse:
    """Escalate the complaint to the next tier, or de-escalate it, with the reason why."""
    case = workable_case(request, reference)
    complaint = _complaint_or_none(request, case)
    if complaint is None:
        return redirect(case)
    form = forms.ComplaintTierForm(request.POST)
    if form.is_valid():
        tier, before = form.cleaned_data["tier"], complaint.tier
        change = partial(
            escalate,
            complaint=complaint,
            by=request.user,
            to=tier,
            reason=form.cleaned_data["reason"],
            exception=form.cleaned_data["exception"],
        )
        changed = attempt(form, change)
        if changed is not None:
            done = _("The complaint was escalated.") if tier > before else _("The complaint was de-escalated.")
            return _case_saved(request, case.reference, done, updated=changed.case)
    return _case_page(request, case, tier_form=form, status=form.status_code)


@require_POST
@agent_view
def case_complaint_regime(request: AgentRequest, reference: str) -> HttpResponse:
    """Put the complaint under another regime, whose deadlines then apply."""
    case = workable_case(request, reference)
    complaint = _complaint_or_none(request, case)
    if complaint is None:
        return redirect(case)
    form = forms.ComplaintRegimeForm(request.POST, current=complaint.regime)
    if form.is_valid():
        change = partial(
            set_regime,
            complaint=complaint,
            by=request.user,
            regime=form.cleaned_data["regime"],
            exception=form.cleaned_data["exception"],
        )
        if attempt(form, change) is not None:
            return _case_saved(request, case.reference, _("The complaint regime was changed."))
    return _case_page(request, case, regime_form=form, status=form.status_code)


@require_POST
@agent_view
def case_complaint_root_cause(request: AgentRequest, reference: str) -> HttpResponse:
    """File the complaint under its root cause, from the desk's list."""
    case = workable_case(request, reference)
    form = forms.RootCauseForm(request.POST)
    if form.is_valid():
        record = partial(
            set_root_cause,
            complaint=complaint_of(case),
            by=request.user,
            root_cause=form.cleaned_data["root_cause"],
            exception=form.cleaned_data["exception"],
        )
        if attempt(form, record) is not None:
            return _case_saved(request, case.reference, _("The root cause was recorded on the complaint."))
    return _panel_refused(request, case, form)


@require_POST
@agent_view
def case_complaint_five_whys(request: AgentRequest, reference: str) -> HttpResponse:
    """Record the five whys of a complaint and the root cause they lead to."""
    case = workable_case(request, reference)
    form = forms.FiveWhysForm(request.POST)
    if form.is_valid():
        record = partial(
            record_five_whys,
            complaint=complaint_of(case),
            by=request.user,
            whys=form.whys(),
            statement=form.cleaned_data["statement"],
            exception=form.cleaned_data["exception"],
        )
        if attempt(form, record) is not None:
            return _case_saved(request, case.reference, _("The five whys were recorded on the complaint."))
    return _panel_refused(request, case, form)


def _panel_refused(request: AgentRequest, case: Case, form: forms.RootCauseForm | forms.FiveWhysForm) -> HttpResponse:
    """The complaint panel's forms are small parts of the case page: a refusal is shown at the
    top of the page, as a step's is."""
    for error in (error for errors in form.errors.values() for error in errors):
        messages.error(request, str(error))
    return redirect(case)


@require_GET
@agent_view
def case_attachment(request: AgentRequest, reference: str, attachment_id: int) -> HttpResponseBase:
    found = case_queries.attachment_of(case=workable_case(request, reference), attachment_id=attachment_id)
    return attachment_response(found, request.user)


@require_GET
@agent_view
def case_email_original(request: AgentRequest, reference: str, email_id: int) -> HttpResponse:
    """An email exactly as it arrived on the case, quoted history and all."""
    case = workable_case(request, reference)
    email = inbound_email_of(case, email_id)
    audit.record(
        actor=request.user,
        action="download_email",
        object_type="case",
        object_id=case.pk,
        data={"email": f"in-{email.pk}"},
    )
    response = HttpResponse(bytes(email.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-in-{email.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@agent_view
def case_email_retry(request: AgentRequest, reference: str, email_id: int) -> HttpResponse:
    case = workable_case(request, reference)
    email = outbound_email_of(case, email_id)
    try:
        retry_outbound_email(outbound=email, by=request.user)
    except Conflict as refusal:
        messages.error(request, refusal.message)
        return redirect("web:case", reference=case.reference)
    return _case_saved(request, case.reference, _("The email will be sent again."))


@require_POST
@agent_view
def case_log_call(request: AgentRequest, reference: str) -> HttpResponse:
    case = workable_case(request, reference)
    form = forms.LogCallForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        log = partial(
            case_services.log_contact,
            by=request.user,
            channel=data["channel"],
            customer=case.customer,
            summary=data["summary"],
            case=case,
            outbound=form.outbound,
            occurred_at=data["occurred_at"],
        )
        if attempt(form, log) is not None:
            return _case_saved(request, case.reference, _("The contact was logged on this case."))
    return _case_page(request, case, call_form=form, status=form.status_code)


# --- opening a case and logging a contact -------------------------------------------------------


def _customer_for(form: forms.CustomerPickForm, agent: Agent) -> Customer:
    """The chosen customer, or the one the new email address or phone number belongs to."""
    chosen = form.chosen_customer
    if chosen is not None:
        return chosen
    data = form.cleaned_data
    return customer_services.find_or_create_customer(
        email=data["new_email"] or None,
        phone=data["new_phone"] or None,
        name=data["new_name"],
        kind=data["new_kind"] or CustomerKind.EXTERNAL,
        by=agent,
    )


def _pick_arguments(request: AgentRequest) -> dict[str, Any]:
    return {
        "agent": request.user,
        "search": request.GET.get("customer_search", ""),
        "selected": request.GET.get("customer"),
    }


def _open_case(form: forms.NewCaseForm, agent: Agent) -> Case:
    clean = form.cleaned_data
    with transaction.atomic():  # a customer added here is kept only if the case opens
        return case_services.open_case(
            customer=_customer_for(form, agent),
            subject=clean["subject"],
            body=clean["body"],
            channel=clean["channel"],
            by=agent,
            kind=clean["kind"],
            priority=clean["priority"],
            team=form.chosen_team,
        )


def _log_contact(form: forms.LogContactForm, agent: Agent) -> Message:
    clean = form.cleaned_data
    with transaction.atomic():  # a customer added here is kept only if the contact is logged
        return case_services.log_contact(
            by=agent,
            channel=clean["channel"],
            customer=_customer_for(form, agent),
            summary=clean["summary"],
            case=clean["case_reference"],
            outbound=form.outbound,
            occurred_at=clean["occurred_at"],
            subject=clean["subject"],
            kind=clean["kind"],
            priority=clean["priority"],
            team=form.chosen_team,
        )


@GET_AND_POST
@agent_view
def case_new(request: AgentRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = forms.NewCaseForm(data, teams=list_teams(), **_pick_arguments(request))
    case = attempt(form, partial(_open_case, form, request.user)) if form.is_valid() else None
    if case is not None:
        messages.success(request, _("Case %(reference)s was opened.") % {"reference": case.reference})
        return redirect(case)
    return render(request, "web/case_new.html", {"form": form, "section": "new_case"}, status=form.status_code)


@GET_AND_POST
@agent_view
def contact_log(request: AgentRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = forms.LogContactForm(data, teams=list_teams(), **_pick_arguments(request))
    message = attempt(form, partial(_log_contact, form, request.user)) if form.is_valid() else None
    if message is not None:
        messages.success(request, _("The contact was logged on case %(ref)s.") % {"ref": message.case.reference})
        return redirect(message.case)
    return render(request, "web/contact_log.html", {"form": form, "section": "log"}, status=form.status_code)


# --- customers ----------------------------------------------------------------------------------


@require_GET
@agent_view
def customers(request: AgentRequest) -> HttpResponse:
    form = forms.CustomerSearchForm(request.GET)
    found = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        found = list(customer_queries.find_customers(agent=request.user, text=form.cleaned_data["q"], limit=50))
    context = {"form": form, "customers": found, "section": "customers"}
    return render(request, "web/customers.html", context, status=form.status_code)


def _organisation(name: str, kind: str, agent: Agent) -> Organisation | None:
    if not name.strip():
        return None
    org_kind = OrganisationKind.DEPARTMENT if kind == CustomerKind.INTERNAL else OrganisationKind.COMPANY
    return customer_services.create_organisation(name=name, kind=org_kind, by=agent)


@GET_AND_POST
@agent_view
def customer_new(request: AgentRequest) -> HttpResponse:
    form = forms.NewCustomerForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        clean = form.cleaned_data

        def create() -> Customer:
            with transaction.atomic():
                organisation = _organisation(clean["organisation"], clean["kind"], request.user)
                details = form.details(
                    organisation=organisation,
                    emails=[clean["email"]] if clean["email"] else [],
                    phones=[clean["phone"]] if clean["phone"] else [],
                )
                return customer_services.create_customer(details=details, by=request.user)

        customer = attempt(form, create)
        if customer is not None:
            messages.success(request, _("%(name)s was added.") % {"name": customer.name})
            return redirect("web:customer", pk=customer.pk)
    return render(request, "web/customer_new.html", {"form": form, "section": "customers"}, status=form.status_code)


def _customer_page(
    request: AgentRequest, customer: Customer, *, point_form: forms.ContactPointForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "customer": customer,
        "cases": case_queries.cases_of_customer(agent=request.user, customer_id=customer.pk),
        "point_form": point_form or forms.ContactPointForm(),
        "consents": list(consent.consents_of(customer).filter(withdrawn_at__isnull=True)),
        "purposes": Purpose.choices,
        "bases": LawfulBasis.choices,
        "special_conditions": SpecialCondition.choices,
        "section": "customers",
    }
    return render(request, "web/customer.html", context, status=status)


@require_POST
@agent_view
def customer_consent(request: AgentRequest, pk: int) -> HttpResponse:
    """Record a basis for using the customer's data for a purpose, or withdraw one."""
    customer = customer_queries.customer_by_id(pk, agent=request.user)
    try:
        if withdrawn := request.POST.get("withdraw"):
            record = consent.consents_of(customer).filter(pk=_number(withdrawn)).first()
            if record is None:
                raise NotFound("This customer has no such consent record.")
            consent.withdraw_consent(record=record, by=request.user)
            messages.success(request, _("Withdrawn: their data is no longer used for that."))
        else:
            consent.record_consent(
                customer=customer,
                purpose=request.POST.get("purpose", ""),
                basis=request.POST.get("basis", ""),
                detail=request.POST.get("detail", ""),
                special_condition=request.POST.get("special_condition", ""),
                by=request.user,
            )
            messages.success(request, _("Recorded."))
    except DomainError as refusal:
        messages.error(request, refusal.message)
    return redirect("web:customer", pk=customer.pk)


def _number(text: str) -> int:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else 0


@require_GET
@agent_view
def customer_detail(request: AgentRequest, pk: int) -> HttpResponse:
    customer = customer_queries.customer_by_id(pk, agent=request.user)
    if customer.merged_into_id is not None:
        messages.info(request, _("That record was merged into this one."))
        return redirect("web:customer", pk=customer.merged_into_id)
    customer_services.record_customer_viewed(customer=customer, by=request.user)
    return _customer_page(request, customer)


@GET_AND_POST
@agent_view
def customer_edit(request: AgentRequest, pk: int) -> HttpResponse:
    customer = customer_queries.customer_by_id(pk, agent=request.user)
    form = forms.CustomerForm(request.POST if request.method == "POST" else None, customer=customer)
    if form.is_valid():
        clean = form.cleaned_data

        def save() -> Customer:
            with transaction.atomic():
                organisation = _organisation(clean["organisation"], clean["kind"], request.user)
                return customer_services.update_customer(
                    customer=customer,
                    details=form.details(organisation=organisation),
                    by=request.user,
                    expected_version=clean["version"],
                )

        if attempt(form, save) is not None:
            messages.success(request, _("The customer's details were saved."))
            return redirect("web:customer", pk=customer.pk)
    status = form.status_code
    if isinstance(form.refusal, Conflict):
        customer = customer_queries.customer_by_id(pk, agent=request.user)
        form = forms.CustomerForm(
            customer=customer,
            conflict=_(
                "Someone else changed this customer while you had the form open, so your changes were not "
                "saved. The form now shows the current details: check them, then make your changes again."
            ),
        )
    context = {"form": form, "customer": customer, "section": "customers"}
    return render(request, "web/customer_edit.html", context, status=status)


@require_POST
@agent_view
def customer_add_contact_point(request: AgentRequest, pk: int) -> HttpResponse:
    customer = customer_queries.customer_by_id(pk, agent=request.user)
    form = forms.ContactPointForm(request.POST)
    if form.is_valid():
        clean = form.cleaned_data
        add = partial(
            customer_services.add_contact_point,
            customer=customer,
            kind=clean["kind"],
            value=clean["value"],
            by=request.user,
            primary=clean["is_primary"],
        )
        if attempt(form, add) is not None:
            messages.success(request, _("The contact point was added."))
            return redirect("web:customer", pk=customer.pk)
    return _customer_page(request, customer, point_form=form, status=form.status_code)


@GET_AND_POST
@agent_view
def customer_merge(request: AgentRequest, pk: int) -> HttpResponse:
    """Merge a duplicate record into this one: find it, confirm, merge (team leads and up)."""
    customer = customer_queries.customer_by_id(pk, agent=request.user)
    if request.method == "POST":
        return _merge(request, customer)
    search = forms.CustomerSearchForm(request.GET)
    raw = request.GET.get("duplicate", "")
    duplicate = (
        customer_queries.customer_by_id(int(raw), agent=request.user)
        if raw.isascii() and raw.isdigit() and len(raw) <= 12
        else None
    )
    form = forms.MergeForm(initial={"duplicate": duplicate.pk}) if duplicate else None
    status = search.status_code if request.user.can_assign else 403
    return _merge_page(request, customer, search=search, duplicate=duplicate, form=form, status=status)


def _merge(request: AgentRequest, customer: Customer) -> HttpResponse:
    form = forms.MergeForm(request.POST)
    duplicate = None
    if form.is_valid():
        duplicate = attempt(
            form, partial(customer_queries.customer_by_id, form.cleaned_data["duplicate"], agent=request.user)
        )
        merged = None if duplicate is None else attempt(form, partial(_merge_into, customer, duplicate, request.user))
        if duplicate is not None and merged is not None:
            messages.success(
                request,
                _("%(name)s was merged into this record, with every case and contact point.")
                % {"name": duplicate.name},
            )
            return redirect("web:customer", pk=customer.pk)
    search = forms.CustomerSearchForm({})
    return _merge_page(request, customer, search=search, duplicate=duplicate, form=form, status=form.status_code)


def _merge_into(target: Customer, source: Customer, by: Agent) -> Customer:
    return case_services.merge_customers(source=source, target=target, by=by)


def _merge_page(
    request: AgentRequest,
    customer: Customer,
    *,
    search: forms.CustomerSearchForm,
    duplicate: Customer | None,
    form: forms.MergeForm | None,
    status: int,
) -> HttpResponse:
    query = search.cleaned_data.get("q", "") if search.is_valid() else ""
    found = list(customer_queries.find_customers(agent=request.user, text=query, limit=20)) if query.strip() else None
    context = {
        "customer": customer,
        "search": search,
        "found": found,
        "duplicate": duplicate,
        "form": form,
        "section": "customers",
    }
    return render(request, "web/customer_merge.html", context, status=status)
