"""A complaint's letters in the API: read one as it would go today (JSON, or a PDF to post),
and send it by email."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from patron.accounts.queries import acting_agent
from patron.cases.api import case_for_request
from patron.complaints import queries
from patron.complaints.letter_pdf import letter_pdf
from patron.complaints.letters import Letter, compose_letter, send_letter
from patron.errors import ValidationFailed

router = Router(tags=["complaints"])


class LetterOut(Schema):
    kind: str
    title: str
    reference: str
    dated: date
    addressee: str
    paragraphs: list[str]
    text: str
    large_print: bool
    warnings: list[str]


def _out(letter: Letter) -> dict[str, object]:
    return {
        "kind": letter.kind.value,
        "title": letter.title,
        "reference": letter.reference,
        "dated": letter.dated,
        "addressee": letter.addressee,
        "paragraphs": letter.paragraphs,
        "text": letter.text,
        "large_print": letter.large_print,
        "warnings": letter.warnings,
    }


@router.get("/cases/{reference}/complaint/letters/{kind}", response=LetterOut)
def read_letter(request: HttpRequest, reference: str, kind: str) -> dict[str, object]:
    """The letter (acknowledgement, summary_resolution, delay or final_response) as it would go
    today, with warnings for what to fix before sending it."""
    agent = acting_agent(request.user)
    complaint = queries.complaint_of(case_for_request(request, reference))
    return _out(compose_letter(complaint, kind, by=agent))


@router.get("/cases/{reference}/complaint/letters/{kind}/pdf")
def letter_as_pdf(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    """The letter as a PDF to print and post (large print where the customer asked for it)."""
    agent = acting_agent(request.user)
    complaint = queries.complaint_of(case_for_request(request, reference))
    letter = compose_letter(complaint, kind, by=agent)
    response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.reference}-{letter.kind.value}.pdf"'
    return response


@router.post("/cases/{reference}/complaint/letters/{kind}/send", response=LetterOut)
def send(request: HttpRequest, reference: str, kind: str) -> dict[str, object]:
    """Send the letter by email as a reply on the case; refused (409) while it has warnings."""
    agent = acting_agent(request.user)
    complaint = queries.complaint_of(case_for_request(request, reference))
    if not complaint.case.customer.contact_points.filter(kind="email").exists():
        raise ValidationFailed("The customer has no email address: download the letter as a PDF and post it.")
    return _out(send_letter(complaint=complaint, kind=kind, by=agent))
