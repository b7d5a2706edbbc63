"""Recording a complaint's Consumer Rights Act facts from the case page: what the customer
bought, and each step on the remedy path. A refusal is shown on the form, on the case page."""

from __future__ import annotations

from functools import partial

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patron.complaints.queries import complaint_of
from patron.complaints.remedies import STEP_NAMES, StepKind
from patron.complaints.services import record_remedy_step, set_purchase
from patron.web.forms.remedies import PurchaseForm, RemedyStepForm
from patron.web.refusals import AgentRequest, agent_view, attempt
from patron.web.remedy_panel import next_steps_of
from patron.web.views import _case_page, _case_saved, workable_case


@require_POST
@agent_view
def case_complaint_purchase(request: AgentRequest, reference: str) -> HttpResponse:
    """What the customer bought: goods, a service or digital content, when, and for how much."""
    case = workable_case(request, reference)
    complaint = complaint_of(case)
    form = PurchaseForm(request.POST)
    if form.is_valid():
        record = partial(
            set_purchase,
            complaint=complaint,
            by=request.user,
            details=form.details(),
            exception=form.cleaned_data["exception"],
        )
        if attempt(form, record) is not None:
            return _case_saved(request, case.reference, _("What the customer bought was recorded."))
    return _case_page(request, case, status=form.status_code, purchase_form=form)


@require_POST
@agent_view
def case_complaint_remedy_step(request: AgentRequest, reference: str) -> HttpResponse:
    """A step on the remedy path: checked against the path so far, then on the timeline."""
    case = workable_case(request, reference)
    complaint = complaint_of(case)
    form = RemedyStepForm(request.POST, steps=next_steps_of(complaint))
    if form.is_valid():
        record = partial(
            record_remedy_step,
            complaint=complaint,
            by=request.user,
            details=form.details(),
            exception=form.cleaned_data["exception"],
        )
        taken = attempt(form, record)
        if taken is not None:
            name = STEP_NAMES[StepKind(taken.step)]
            return _case_saved(
                request, case.reference, _("“%(step)s” was recorded on the remedy path.") % {"step": name}
            )
    return _case_page(request, case, status=form.status_code, remedy_step_form=form)
