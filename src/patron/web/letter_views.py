"""A complaint's letters in the browser: read one as it would go today, with anything to fix
first, then send it by email or download it as a PDF to post."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from patron.complaints.letter_pdf import letter_pdf
from patron.complaints.letters import compose_letter, send_letter
from patron.complaints.queries import complaint_of
from patron.errors import DomainError
from patron.web.refusals import AgentRequest, agent_view
from patron.web.views import workable_case


@require_GET
@agent_view
def complaint_letter(request: AgentRequest, reference: str, kind: str) -> HttpResponse:
    case = workable_case(request, reference)
    letter = compose_letter(complaint_of(case), kind, by=request.user)
    has_email = case.customer.contact_points.filter(kind="email").exists()
    return render(request, "web/complaint_letter.html", {"case": case, "letter": letter, "has_email": has_email})


@require_GET
@agent_view
def complaint_letter_pdf(request: AgentRequest, reference: str, kind: str) -> HttpResponse:
    case = workable_case(request, reference)
    letter = compose_letter(complaint_of(case), kind, by=request.user)
    response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.reference}-{letter.kind.value}.pdf"'
    return response


@require_POST
@agent_view
def send_complaint_letter(request: AgentRequest, reference: str, kind: str) -> HttpResponse:
    case = workable_case(request, reference)
    try:
        letter = send_letter(complaint=complaint_of(case), kind=kind, by=request.user)
    except DomainError as refusal:
        messages.error(request, refusal.message)
        return redirect("web:complaint_letter", reference=case.reference, kind=kind)
    messages.success(request, f"“{letter.title}” was sent by email and is on the timeline.")
    return redirect(case)
