"""A complaint's letters in the browser: read one as it would go today, with anything to fix
first, then send it by email or download it as a PDF to post. A delay letter first asks why the
final response is not ready and when to expect it; a final response, its outcome and reasons."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from patron.complaints.letter_pdf import letter_pdf
from patron.complaints.letters import Decision, DelayDetails, Letter, LetterKind, compose_letter, send_letter
from patron.complaints.models import Complaint
from patron.complaints.queries import complaint_of
from patron.errors import DomainError, ValidationFailed
from patron.web.forms.letters import DelayLetterForm, FinalResponseForm
from patron.web.refusals import AgentRequest, agent_view, refuse
from patron.web.views import workable_case

LetterForm = DelayLetterForm | FinalResponseForm


def _letter_form(request: AgentRequest, kind: str) -> LetterForm | None:
    """The form for what this kind of letter needs from the agent, if it needs anything."""
    data = request.POST if request.method == "POST" else request.GET
    bound = data if data else None
    if kind == LetterKind.DELAY:
        return DelayLetterForm(bound)
    if kind == LetterKind.FINAL_RESPONSE:
        return FinalResponseForm(bound)
    return None


def _given(form: LetterForm | None) -> tuple[DelayDetails | None, Decision | None]:
    if form is None or not form.is_valid():
        return None, None
    if isinstance(form, DelayLetterForm):
        return form.details(), None
    return None, form.decision()


def _checked(form: LetterForm | None) -> tuple[DelayDetails | None, Decision | None]:
    """What the form gives, or its errors as a refusal."""
    if form is not None and form.is_bound and not form.is_valid():
        raise ValidationFailed(" ".join(str(error) for errors in form.errors.values() for error in errors))
    return _given(form)


def _composed(complaint: Complaint, kind: str, request: AgentRequest, form: LetterForm | None) -> Letter:
    """The letter with what the form gives; a value the letter refuses goes on the form, and the
    letter is shown without the form's values."""
    delay, decision = _given(form)
    try:
        return compose_letter(complaint, kind, by=request.user, delay=delay, decision=decision)
    except ValidationFailed as refusal:
        if form is None:
            raise
        refuse(form, refusal)
        return compose_letter(complaint, kind, by=request.user)


@require_GET
@agent_view
def complaint_letter(request: AgentRequest, reference: str, kind: str) -> HttpResponse:
    case = workable_case(request, reference)
    form = _letter_form(request, kind)
    letter = _composed(complaint_of(case), kind, request, form)
    has_email = case.customer.contact_points.filter(kind="email").exists()
    context = {
        "case": case,
        "letter": letter,
        "has_email": has_email,
        "letter_form": form,
        "ready": not letter.warnings and not (form is not None and form.errors),
        "letter_query": request.GET.urlencode() if form is not None else "",
    }
    return render(request, "web/complaint_letter.html", context, status=form.status_code if form else 200)


@require_GET
@agent_view
def complaint_letter_pdf(request: AgentRequest, reference: str, kind: str) -> HttpResponse:
    case = workable_case(request, reference)
    delay, decision = _checked(_letter_form(request, kind))
    letter = compose_letter(complaint_of(case), kind, by=request.user, delay=delay, decision=decision)
    response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.reference}-{letter.kind.value}.pdf"'
    return response


@require_POST
@agent_view
def send_complaint_letter(request: AgentRequest, reference: str, kind: str) -> HttpResponse:
    case = workable_case(request, reference)
    form = _letter_form(request, kind)
    try:
        delay, decision = _checked(form)
        letter = send_letter(complaint=complaint_of(case), kind=kind, by=request.user, delay=delay, decision=decision)
    except DomainError as refusal:
        messages.error(request, refusal.message)
        back = reverse("web:complaint_letter", kwargs={"reference": case.reference, "kind": kind})
        query = request.POST.copy()
        query.pop("csrfmiddlewaretoken", None)
        return redirect(f"{back}?{query.urlencode()}" if form is not None and query else back)
    messages.success(request, f"“{letter.title}” was sent by email and is on the timeline.")
    return redirect(case)
