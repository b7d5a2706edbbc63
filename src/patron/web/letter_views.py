"""A complaint's letters in the browser: read one as it would go today, with anything to fix
first, then send it by email or download it as a PDF to post. A delay letter first asks why the
final response is not ready and when to expect it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from patron.complaints.letter_pdf import letter_pdf
from patron.complaints.letters import DelayDetails, Letter, LetterKind, compose_letter, send_letter
from patron.complaints.models import Complaint
from patron.complaints.queries import complaint_of
from patron.errors import DomainError, ValidationFailed
from patron.web.forms.letters import DelayLetterForm
from patron.web.refusals import AgentRequest, agent_view, refuse
from patron.web.views import workable_case


def _delay_form(request: AgentRequest, kind: str) -> DelayLetterForm | None:
    if kind != LetterKind.DELAY:
        return None
    data = request.POST if request.method == "POST" else request.GET
    return DelayLetterForm(data if data else None)


def _composed(complaint: Complaint, kind: str, request: AgentRequest, form: DelayLetterForm | None) -> Letter:
    """The letter with what the form gives; a reason or date the letter refuses goes on the form,
    and the letter is shown without them."""
    if form is None:
        return compose_letter(complaint, kind, by=request.user)
    delay = form.details() if form.is_valid() else DelayDetails()
    try:
        return compose_letter(complaint, kind, by=request.user, delay=delay)
    except ValidationFailed as refusal:
        refuse(form, refusal)
        return compose_letter(complaint, kind, by=request.user)


def _form_errors(form: DelayLetterForm) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@require_GET
@agent_view
def complaint_letter(request: AgentRequest, reference: str, kind: str) -> HttpResponse:
    case = workable_case(request, reference)
    form = _delay_form(request, kind)
    letter = _composed(complaint_of(case), kind, request, form)
    has_email = case.customer.contact_points.filter(kind="email").exists()
    context = {
        "case": case,
        "letter": letter,
        "has_email": has_email,
        "delay_form": form,
        "ready": not letter.warnings and not (form is not None and form.errors),
        "letter_query": request.GET.urlencode() if form is not None else "",
    }
    return render(request, "web/complaint_letter.html", context, status=form.status_code if form else 200)


@require_GET
@agent_view
def complaint_letter_pdf(request: AgentRequest, reference: str, kind: str) -> HttpResponse:
    case = workable_case(request, reference)
    form = _delay_form(request, kind)
    if form is not None and not form.is_valid():
        raise ValidationFailed(_form_errors(form))
    delay = form.details() if form is not None else None
    letter = compose_letter(complaint_of(case), kind, by=request.user, delay=delay)
    response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.reference}-{letter.kind.value}.pdf"'
    return response


@require_POST
@agent_view
def send_complaint_letter(request: AgentRequest, reference: str, kind: str) -> HttpResponse:
    case = workable_case(request, reference)
    form = _delay_form(request, kind)
    try:
        if form is not None and not form.is_valid():
            raise ValidationFailed(_form_errors(form))
        delay = form.details() if form is not None else None
        letter = send_letter(complaint=complaint_of(case), kind=kind, by=request.user, delay=delay)
    except DomainError as refusal:
        messages.error(request, refusal.message)
        back = reverse("web:complaint_letter", kwargs={"reference": case.reference, "kind": kind})
        query = request.POST.copy()
        query.pop("csrfmiddlewaretoken", None)
        return redirect(f"{back}?{query.urlencode()}" if form is not None and query else back)
    messages.success(request, f"“{letter.title}” was sent by email and is on the timeline.")
    return redirect(case)
