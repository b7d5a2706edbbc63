"""The letters of a complaint: acknowledgement, summary resolution, delay and final response,
written from the case's facts, the handling steps taken and the regime's rules.

Each letter says what the regime requires it to say (DOMAIN.md §4.2–4.3):
- an acknowledgement gives the reference and the date the final response is due by (DISP 1.6
  asks for the applicable deadline);
- a summary resolution (DISP 1.5, a complaint settled by the end of the third business day)
  says it is resolved and gives the ombudsman referral right;
- a delay letter, once the final response is late, says why it is late, when to expect it, and
  that the customer may go to the ombudsman now, free of charge;
- a final response sets out what we heard, the apology, the explanation and the resolution, and
  the referral right: to whom, free of charge, within how many months of the letter, and for
  the FCA regime the time-limit wording of DISP 1 Annex 3.
The agent reads the letter, then sends it by email (it becomes a reply on the case, kept on the
timeline) or downloads it as a PDF to post. Sending the acknowledgement or the final response
records it on the complaint, which starts the customer's referral window."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from patron.accounts.models import Agent
from patron.cases.models import EventKind
from patron.cases.services import record_event, reply
from patron.complaints.models import Complaint, ComplaintStep, Step
from patron.complaints.queries import deadlines_of
from patron.complaints.services import record_final_response
from patron.complaints.steps import spoken_text
from patron.customers.models import ContactKind
from patron.errors import Conflict, ValidationFailed


class LetterKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    SUMMARY_RESOLUTION = "summary_resolution"
    DELAY = "delay"
    FINAL_RESPONSE = "final_response"


TITLES = {
    LetterKind.ACKNOWLEDGEMENT: "We have received your complaint",
    LetterKind.SUMMARY_RESOLUTION: "Your complaint is resolved",
    LetterKind.DELAY: "Our final response to your complaint is delayed",
    LetterKind.FINAL_RESPONSE: "Our final response to your complaint",
}

# How to reach each referral body; the regime names the body, this gives its address.
REFERRAL_CONTACTS = {
    "fca_disp": "financial-ombudsman.org.uk, 0800 023 4567, or Financial Ombudsman Service, Exchange Tower, "
    "London E14 9SR",
    "energy": "energyombudsman.org",
    "telecoms": "commsombudsman.org (Communications Ombudsman) or cedr.com/cisas (CISAS), "
    "whichever scheme we belong to",
}
# DISP 1 Annex 3R: the wording where the firm does not consent to a late referral.
FCA_TIME_LIMIT_WORDING = (
    "If you do not refer your complaint in time, the Ombudsman will not have our permission to consider your "
    "complaint and so will only be able to do so in very limited circumstances, for example if it believes that "
    "the delay was as a result of exceptional circumstances."
)


@dataclass(frozen=True)
class Letter:
    kind: LetterKind
    title: str
    reference: str
    dated: date
    addressee: str
    address_lines: list[str]
    paragraphs: list[str]
    signed_by: str
    large_print: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        body = "\n\n".join([f"Dear {self.addressee},", *self.paragraphs, f"Yours sincerely,\n{self.signed_by}"])
        return f"{self.title} (our reference {self.reference})\n\n{body}"


def compose_letter(complaint: Complaint, kind: str, *, by: Agent, today: date | None = None) -> Letter:
    """The letter as it would go today, with warnings for anything the agent should fix first
    (a handling step not recorded, a letter the regime does not use)."""
    letter_kind = _checked_kind(kind)
    today = today or timezone.localdate()
    case = complaint.case
    customer = case.customer
    steps = _steps_by_code(complaint)
    deadlines = deadlines_of(complaint)
    regime = complaint.regime
    warnings = _warnings(letter_kind, complaint, steps, today)
    paragraphs = _PARAGRAPHS[letter_kind](complaint, steps, deadlines.final_response_by, today)
    return Letter(
        kind=letter_kind,
        title=TITLES[letter_kind],
        reference=case.reference,
        dated=today,
        addressee=customer.name,
        address_lines=[point.value for point in customer.contact_points.all() if point.kind == ContactKind.POSTAL][:1],
        paragraphs=[*paragraphs, *_referral(letter_kind, regime.code, regime.referral_body, regime.referral_months)],
        signed_by=f"{by.display_name}\n{case.team.name if case.team else 'Customer service'}",
        large_print="large_print" in customer.adjustments,
        warnings=warnings,
    )


def _checked_kind(kind: str) -> LetterKind:
    try:
        return LetterKind(kind)
    except ValueError:
        raise ValidationFailed(
            f"“{kind[:40]}” is not a complaint letter. Choose one of: {', '.join(LetterKind)}.",
            fields={"kind": "Unknown."},
        ) from None


def _steps_by_code(complaint: Complaint) -> dict[str, ComplaintStep]:
    # The latest record of each step is what the letter reports.
    return {step.step: step for step in complaint.steps.all()}


def _said(step: ComplaintStep | None) -> str:
    if step is None:
        return ""
    return spoken_text(step.step, step.details)


def _warnings(kind: LetterKind, complaint: Complaint, steps: dict[str, ComplaintStep], today: date) -> list[str]:
    warnings = []
    if kind in (LetterKind.FINAL_RESPONSE, LetterKind.SUMMARY_RESOLUTION):
        missing = [Step(code).label for code in Step.values if code not in steps]
        if missing:
            warnings.append(f"Not recorded yet: {', '.join(str(label) for label in missing)}.")
    if kind == LetterKind.SUMMARY_RESOLUTION:
        by = deadlines_of(complaint).summary_resolution_by
        if by is None:
            warnings.append(f"The {complaint.regime.name} regime has no summary resolution: send a final response.")
        elif today > by:
            warnings.append(f"A summary resolution had to be sent by {by:%d %B %Y}: send a final response instead.")
    if kind == LetterKind.DELAY and complaint.final_response_at is not None:
        warnings.append("A final response was already sent.")
    return warnings


def _acknowledgement(complaint: Complaint, steps: dict[str, ComplaintStep], due: date, today: date) -> list[str]:
    heard = _said(steps.get(Step.LISTEN))
    return [
        f"Thank you for telling us about your experience. We received your complaint on "
        f"{timezone.localdate(complaint.received_at):%d %B %Y} and we are sorry you have had reason to complain.",
        *([f"We understand your complaint to be: {heard}"] if heard else []),
        f"We will look into it fully and send you our final response by {due:%d %B %Y} at the latest. If we need "
        "more information, we will contact you. Please quote our reference in any reply.",
    ]


def _summary_resolution(complaint: Complaint, steps: dict[str, ComplaintStep], due: date, today: date) -> list[str]:
    resolved = _said(steps.get(Step.RESOLVE))
    return [
        "Thank you for raising your complaint with us. We are writing to confirm that we consider it resolved.",
        *([f"What we agreed: {resolved}"] if resolved else []),
        "If you are not happy with this, please tell us.",
    ]


def _delay(complaint: Complaint, steps: dict[str, ComplaintStep], due: date, today: date) -> list[str]:
    return [
        f"We are sorry that we have not been able to send you our final response to your complaint by "
        f"{due:%d %B %Y}, as we said we would. We are still looking into it, because we want to give you a full "
        "answer.",
        "We will write to you again as soon as we can, and we will keep you informed until we do.",
    ]


def _final_response(complaint: Complaint, steps: dict[str, ComplaintStep], due: date, today: date) -> list[str]:
    paragraphs = [
        f"Thank you for your complaint, received on {timezone.localdate(complaint.received_at):%d %B %Y}, and for "
        "taking the time to tell us about it. This is our final response."
    ]
    for code, lead in (
        (Step.LISTEN, "What you told us:"),
        (Step.APOLOGISE, ""),
        (Step.EXPLAIN, "What happened and why:"),
        (Step.RESOLVE, "How we are putting it right:"),
    ):
        said = _said(steps.get(code))
        if said:
            paragraphs.append(f"{lead} {said}".strip())
    if complaint_redress := _redress(complaint):
        paragraphs.append(complaint_redress)
    return paragraphs


def _redress(complaint: Complaint) -> str:
    amount = getattr(complaint, "redress_amount", None)
    return f"We will pay you £{amount:,.2f}." if amount else ""


_PARAGRAPHS = {
    LetterKind.ACKNOWLEDGEMENT: _acknowledgement,
    LetterKind.SUMMARY_RESOLUTION: _summary_resolution,
    LetterKind.DELAY: _delay,
    LetterKind.FINAL_RESPONSE: _final_response,
}


def _referral(kind: LetterKind, code: str, body: str, months: int | None) -> list[str]:
    """The customer's right to go to the ombudsman, where the regime gives one."""
    if not body or kind == LetterKind.ACKNOWLEDGEMENT:
        return []
    contact = REFERRAL_CONTACTS.get(code, "")
    reach = f" You can contact them at {contact}." if contact else ""
    if kind == LetterKind.DELAY:
        return [
            f"You do not have to wait for our final response: you may refer your complaint to {body} now. "
            f"It is independent and free to use.{reach}"
        ]
    within = f", but you must do so within {_months(months)} of the date of this letter" if months else ""
    paragraphs = [
        f"If you are not satisfied with our response, you have the right to refer your complaint to {body}, "
        f"free of charge{within}. It is independent of us.{reach}"
    ]
    if code == "fca_disp":
        paragraphs.append(FCA_TIME_LIMIT_WORDING)
        paragraphs.append("We enclose the Financial Ombudsman Service's explanatory leaflet.")
    return paragraphs


def _months(months: int) -> str:
    words = {6: "six months", 12: "twelve months"}
    return words.get(months, f"{months} months")


def send_letter(*, complaint: Complaint, kind: str, by: Agent) -> Letter:
    """Send the letter by email, as a reply on the case, and record what it means for the
    complaint. A letter with warnings is refused: the agent fixes them first."""
    letter = compose_letter(complaint, kind, by=by)
    if letter.warnings:
        raise Conflict("The letter is not ready: " + " ".join(letter.warnings))
    with transaction.atomic():
        message = reply(case=complaint.case, by=by, body=letter.text)
        now = timezone.now()
        if letter.kind == LetterKind.ACKNOWLEDGEMENT and complaint.acknowledged_at is None:
            complaint.acknowledged_at = now
            complaint.save(update_fields=["acknowledged_at", "updated_at"])
        if letter.kind in (LetterKind.FINAL_RESPONSE, LetterKind.SUMMARY_RESOLUTION):
            record_final_response(complaint=complaint, by=by)
        record_event(
            case=complaint.case,
            kind=EventKind.COMPLAINT_LETTER,
            at=now,
            by=by,
            data={"letter": letter.kind.value, "message": message.pk},
        )
    return letter
