"""A complaint's letters in the API: read one as it would go today (JSON, or a PDF to post),
and send it by email. A delay letter also takes why the final response is not ready and when
to expect it."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from patron.accounts.queries import acting_agent
from patron.cases.api import case_for_request
from patron.complaints import queries
from patron.complaints.letter_pdf import letter_pdf
from patron.complaints.letters import Decision, DelayDetails, Letter, compose_letter, send_letter
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


REASON_HELP = "Delay letter only: why the final response is not ready yet."
EXPECTED_HELP = "Delay letter only: the date the customer can expect the final response by."


class LetterIn(Schema):
    """In the query of a letter read, or the body of a letter sent."""

    reason: str = Field("", description=REASON_HELP)
    expected_on: date | None = Field(None, description=EXPECTED_HELP)
    outcome: str = Field(
        "", description="Final response only: upheld, partly_upheld or not_upheld (else the complaint's own)."
    )
    outcome_reasons: str = Field("", description="Final response only: why; needed unless upheld.")

    def delay(self) -> DelayDetails | None:
        if not self.reason and self.expected_on is None:
            return None
        return DelayDetails(reason=self.reason, expected_on=self.expected_on)

    def decision(self) -> Decision | None:
        if not self.outcome and not self.outcome_reasons:
            return None
        return Decision(outcome=self.outcome, reasons=self.outcome_reasons)


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
def read_letter(request: HttpRequest, reference: str, kind: str, params: Query[LetterIn]) -> dict[str, object]:
    """The letter (acknowledgement, summary_resolution, delay or final_response) as it would go
    today, with warnings for what to fix before sending it. A delay letter is refused (409)
    once a final response was sent, or more than a week before the final response is due."""
    agent = acting_agent(request.user)
    complaint = queries.complaint_of(case_for_request(request, reference))
    return _out(compose_letter(complaint, kind, by=agent, delay=params.delay(), decision=params.decision()))


@router.get("/cases/{reference}/complaint/letters/{kind}/pdf")
def letter_as_pdf(request: HttpRequest, reference: str, kind: str, params: Query[LetterIn]) -> HttpResponse:
    """The letter as a PDF to print and post (large print where the customer asked for it)."""
    agent = acting_agent(request.user)
    complaint = queries.complaint_of(case_for_request(request, reference))
    letter = compose_letter(complaint, kind, by=agent, delay=params.delay(), decision=params.decision())
    response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.reference}-{letter.kind.value}.pdf"'
    return response


@router.post("/cases/{reference}/complaint/letters/{kind}/send", response=LetterOut)
def send(request: HttpRequest, reference: str, kind: str, body: LetterIn | None = None) -> dict[str, object]:
    """Send the letter by email as a reply on the case; refused (409) while it has warnings. A
    delay letter needs `reason` and `expected_on` (422 without them); a final response its
    `outcome` (and `outcome_reasons` unless upheld), recorded on the complaint."""
    agent = acting_agent(request.user)
    complaint = queries.complaint_of(case_for_request(request, reference))
    if not complaint.case.customer.contact_points.filter(kind="email").exists():
        raise ValidationFailed("The customer has no email address: download the letter as a PDF and post it.")
    delay, decision = (body.delay(), body.decision()) if body is not None else (None, None)
    return _out(send_letter(complaint=complaint, kind=kind, by=agent, delay=delay, decision=decision))
