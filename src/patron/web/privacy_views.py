"""The privacy officer's dashboard: subject requests on their clocks and the breach register
with the 72-hour clock, the most urgent first, every date as text beside its warning."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from patron.errors import DomainError, NotFound, ValidationFailed
from patron.privacy import audit, fulfilment, queries, retention, rights
from patron.privacy.bundle import bundle_file
from patron.privacy.models import RequestStatus, RequestType, RetentionRule, SubjectRequest
from patron.web.forms.privacy import AuditSearchForm
from patron.web.refusals import AgentRequest, agent_view

DUE_SOON = timedelta(days=7)


@require_GET
@agent_view
def privacy_dashboard(request: AgentRequest) -> HttpResponse:
    today = timezone.localdate()
    now = timezone.now()
    requests = [
        (
            item,
            _urgency(item, today),
            fulfilment.reasons_to_keep(item.customer) if item.type == RequestType.ERASURE else [],
        )
        for item in rights.list_subject_requests(agent=request.user)[:200]
    ]
    recently_fulfilled = rights.list_subject_requests(agent=request.user, status=RequestStatus.FULFILLED).filter(
        closed_at__gte=now - timedelta(days=30)
    )
    breaches = [
        (
            breach,
            rights.report_by(breach),
            breach.reportable is not False and breach.reported_to_ico_at is None,
            rights.report_by_rule(breach),
        )
        for breach in rights.list_breaches(agent=request.user)[:50]
    ]
    counts = {
        state: sum(1 for _, s, _ in requests if s == state) for state in ("overdue", "soon", "on_time", "stopped")
    }
    context = {
        "requests": requests,
        "breaches": breaches,
        "fulfilled": list(recently_fulfilled.order_by("-closed_at")[:50]),
        "schedule": list(RetentionRule.objects.filter(active=True)),
        "preview": {outcome.category: outcome for outcome in retention.run_retention(dry_run=True)},
        "counts": counts,
        "today": today,
        "now": now,
        "section": "privacy",
    }
    return render(request, "web/privacy.html", context)


def _urgency(item: SubjectRequest, today: date) -> str:
    if item.due_on is None:
        return "stopped"
    if item.due_on < today:
        return "overdue"
    return "soon" if item.due_on - today <= DUE_SOON else "on_time"


@require_POST
@agent_view
def fulfil_request(request: AgentRequest, request_id: int) -> HttpResponse:
    """Carry out a subject request; a refusal (records that must be kept) is shown, and nothing changes."""
    found = rights.subject_request_by_id(agent=request.user, request_id=request_id)
    try:
        done = fulfilment.fulfil_request(request=found, by=request.user, outcome=request.POST.get("outcome", ""))
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"{done.get_type_display()} request fulfilled. {done.outcome}")
    return redirect("web:privacy")


@require_POST
@agent_view
def refuse_request(request: AgentRequest, request_id: int) -> HttpResponse:
    found = rights.subject_request_by_id(agent=request.user, request_id=request_id)
    try:
        fulfilment.refuse_request(request=found, by=request.user, reason=request.POST.get("reason", ""))
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "The request was closed as refused, with the reason.")
    return redirect("web:privacy")


@require_GET
@agent_view
def request_bundle(request: AgentRequest, request_id: int, format: str) -> HttpResponse:
    """The copy built for an access or portability request, as HTML (read and reviewed in the
    browser), JSON, CSV or PDF; `?release=1` gives the copy for the customer, with the items
    for review withheld (a PDF is always that copy). Each download is audited."""
    found = rights.subject_request_by_id(agent=request.user, request_id=request_id)
    if not found.bundle:
        raise NotFound("No copy has been built for this request.")
    release = request.GET.get("release") == "1"
    try:
        file = bundle_file(found, format=format, release=release)
    except ValidationFailed as refused:
        raise NotFound(refused.message) from refused
    audit.record(
        actor=request.user,
        action="bundle_downloaded",
        object_type="customer",
        object_id=found.customer_id,
        data={"request": found.pk, "format": format, "release": release or format == "pdf"},
    )
    response = HttpResponse(file.content, content_type=file.content_type)
    if format == "html":
        # The copy is read here, never run: no scripts, no outside resources.
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    else:
        response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


@require_POST
@agent_view
def apply_retention(request: AgentRequest) -> HttpResponse:
    rights.require_privacy_role(request.user)
    outcomes = retention.run_retention(dry_run=False, by=request.user)
    done = ", ".join(f"{outcome.label.lower()}: {outcome.count}" for outcome in outcomes if not outcome.note)
    messages.success(request, f"The retention schedule was applied ({done}).")
    return redirect("web:privacy")


AUDIT_PAGE = 50


@require_GET
@agent_view
def audit_trail(request: AgentRequest) -> HttpResponse:
    """Who viewed, changed, exported or erased what: filtered, newest first, a page at a time."""
    form = AuditSearchForm(request.GET or None)
    filters = form.filters() if form.is_valid() else queries.AuditFilters()
    before = form.cleaned_data.get("before") if form.is_valid() else None
    entries = queries.search_audit(agent=request.user, filters=filters, before_id=before, limit=AUDIT_PAGE + 1)
    more = len(entries) > AUDIT_PAGE
    entries = entries[:AUDIT_PAGE]
    following = request.GET.copy()
    if more:
        following["before"] = str(entries[-1].pk)
    context = {
        "form": form,
        "entries": entries,
        "next_query": following.urlencode() if more else "",
        "section": "privacy",
    }
    return render(request, "web/audit.html", context, status=200 if form.is_valid() or not request.GET else 400)
