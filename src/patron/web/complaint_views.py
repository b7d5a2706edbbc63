"""The complaint panel of the case page: regime, tier, deadlines, the LATER steps as a
checklist with the next one highlighted and editable wording to start from, and the root cause
with its five whys. And the complaints register, with its Pareto chart of root causes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from patron.cases.downloads import csv_response
from patron.cases.models import Case, CaseKind
from patron.complaints import register
from patron.complaints.letters import TITLES, LetterKind
from patron.complaints.models import ComplaintStep, Step, Tier
from patron.complaints.queries import active_root_causes, complaint_for_panel, deadlines_of, step_wording
from patron.complaints.services import MAX_WHYS
from patron.complaints.steps import recorded_fields
from patron.errors import DomainError, NotFound
from patron.web import forms
from patron.web.pareto_chart import pareto_chart
from patron.web.refusals import AgentRequest, agent_view, attempt


def _step(code: str, taken: ComplaintStep | None, next_code: str | None) -> dict[str, Any]:
    by = taken.by if taken is not None else None
    return {
        "code": code,
        "label": Step(code).label,
        "done": taken is not None,
        "next": code == next_code,
        "by": by.display_name if by is not None else "",
        "at": taken.at if taken is not None else None,
        "recorded": recorded_fields(code, taken.details) if taken is not None else [],
    }


def complaint_context(case: Case, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The complaint panel, with the forms given (bound, showing their errors) in place of
    fresh ones."""
    given = given or {}
    if case.kind != CaseKind.COMPLAINT:
        return {"complaint": None}
    complaint = complaint_for_panel(case)
    if complaint is None:
        return {"complaint": None}
    # The case is loaded already; its deadlines and remedies read it.
    complaint.case = case
    done = {step.step: step for step in complaint.steps.all()}
    next_code = next((code for code in Step.values if code not in done), None)
    steps = [_step(code, done.get(code), next_code) for code in Step.values]
    step_form = given.get("step_form")
    if step_form is None and next_code is not None:
        step_form = forms.ComplaintStepForm(step=next_code, wording=step_wording(next_code))
    return {
        "complaint": complaint,
        "complaint_tier": Tier(complaint.tier).label,
        "complaint_higher_tier": _tier_choice(complaint.tier + 1),
        "complaint_lower_tier": _tier_choice(complaint.tier - 1),
        "complaint_deadlines": deadlines_of(complaint),
        "complaint_steps": steps,
        "step_form": step_form,
        "tier_form": given.get("tier_form") or forms.ComplaintTierForm(),
        "regime_form": given.get("regime_form") or forms.ComplaintRegimeForm(current=complaint.regime),
        "root_causes": list(active_root_causes()),
        # Drawn by hand but for the exception to a restriction, which these give.
        "root_cause_form": forms.RootCauseForm(auto_id="root-cause-%s"),
        "five_whys_form": forms.FiveWhysForm(auto_id="five-whys-%s"),
        "complaint_letters": [(kind.value, TITLES[kind]) for kind in LetterKind],
        "complaint_whys": [*complaint.whys, *[""] * (MAX_WHYS - len(complaint.whys))],
    }


def _tier_choice(value: int) -> dict[str, Any] | None:
    return {"value": value, "label": Tier(value).label} if value in Tier.values else None


@require_GET
@agent_view
def complaints_register(request: AgentRequest) -> HttpResponse:
    """The complaints register with its filters, and the Pareto chart of the root causes of the
    complaints it lists."""
    register.require_register_role(request.user)
    form = forms.RegisterFilterForm(request.GET)
    rows = None
    if form.is_valid():
        rows = attempt(form, lambda: register.list_register(agent=request.user, filters=form.filters()))
    pareto = register.pareto_of(rows or [])
    context = {
        "form": form,
        "rows": rows,
        "pareto": pareto,
        "chart": pareto_chart(pareto),
        "export_query": request.GET.urlencode(),
        "can_download": register.may_download_register(request.user),
        "section": "complaints_register",
    }
    return render(request, "web/complaints_register.html", context, status=form.status_code)


@require_GET
@agent_view
def complaints_register_export(request: AgentRequest) -> HttpResponse | StreamingHttpResponse:
    """The register the filters find, as CSV; audited like every export."""
    register.require_register_download_role(request.user)
    form = forms.RegisterFilterForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("The filters are not valid, so nothing was exported. Check them and try again."))
        return redirect("web:complaints_register")
    try:
        lines = register.export_register_csv(agent=request.user, filters=form.filters())
    except DomainError as refusal:
        if isinstance(refusal, NotFound):
            raise
        messages.error(request, refusal.message)
        return redirect("web:complaints_register")
    return csv_response(lines, filename="complaints-register.csv")
