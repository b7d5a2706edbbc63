"""The privacy officer's dashboard: subject requests on their clocks and the breach register
with the 72-hour clock, the most urgent first, every date as text beside its warning."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from patron.privacy import rights
from patron.web.refusals import AgentRequest, agent_view

DUE_SOON = timedelta(days=7)


@require_GET
@agent_view
def privacy_dashboard(request: AgentRequest) -> HttpResponse:
    today = timezone.localdate()
    now = timezone.now()
    requests = [
        (item, "overdue" if item.due_on < today else "soon" if item.due_on - today <= DUE_SOON else "on_time")
        for item in rights.list_subject_requests(agent=request.user)[:200]
    ]
    breaches = [
        (breach, rights.report_by(breach), breach.reportable is not False and breach.reported_to_ico_at is None)
        for breach in rights.list_breaches(agent=request.user)[:50]
    ]
    counts = {state: sum(1 for _, s in requests if s == state) for state in ("overdue", "soon", "on_time")}
    context = {
        "requests": requests,
        "breaches": breaches,
        "counts": counts,
        "today": today,
        "now": now,
        "section": "privacy",
    }
    return render(request, "web/privacy.html", context)
