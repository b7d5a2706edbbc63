"""The letters of a complaint: acknowledgement, summary resolution, delay and final response,
written from the case's facts, the handling steps taken and the regime's rules.

Each letter says what the regime requires it to say (DOMAIN.md §4.2–4.3):
- an acknowledgement gives the reference and the date the final response is due by (DISP 1.6
  asks for the applicable deadline);
- a summary resolution (DISP 1.5, a complaint settled by the end of the third business day)
  says it is resolved and gives the ombudsman referral right;
- a delay letter (DISP 1.6.2R(2), the holding response), sent in the last week before the final
  response is due or once it is late, says why it is not ready, when to expect it, and that the
  customer may go to the ombudsman now, free of charge, with its address; for the FCA regime it
  encloses the Financial Ombudsman Service's leaflet, and where the regime sets a referral window
  it says how long they will have once the final response comes;
- a final response sets out what we heard, the apology, the explanation, its decision (upheld,
  partly upheld or not upheld, with the reasons: DISP 1.6 asks a rejection to give them), the
  resolution, and the referral right: to whom, free of charge, within how many months of the letter, and for
  the FCA regime the time-limit wording of DISP 1 Annex 3.
The agent reads the letter, then sends it by email (it becomes a reply on the case, kept on the
timeline) or downloads it as a PDF to post. Sending the acknowledgement or the final response
records it on the complaint, which starts the customer's referral window; the final response's
outcome is recorded on the complaint too."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from patron.accounts.models import Agent
from patron.cases.models import EventKind
from patron.cases.services import record_event, reply
from patron.complaints.models import Complaint, ComplaintStep, Outcome, Step
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


# A delay letter is for a final response that will be late: it is refused earlier than this,
# while the answer may still be on time.
DELAY_NOTICE_DAYS = 7
MAX_DELAY_REASON = 1_000
MAX_DELAY_DAYS = 365


@dataclass(frozen=True)
class DelayDetails:
    """What a delay letter must explain (DISP 1.6.2R(2)(a)): why the final response is not
    ready, and when the customer can expect it."""

    reason: str = ""
    expected_on: date | None = None


MAX_OUTCOME_REASONS = 2_000
# DISP 1.6: a complaint rejected, in whole or in part, is answered with the reasons.
OUTCOMES_NEEDING_REASONS = (Outcome.PARTLY_UPHELD, Outcome.NOT_UPHELD)
DECISIONS = {
    Outcome.UPHELD: "we uphold your complaint",
    Outcome.PARTLY_UPHELD: "we uphold your complaint in part",
    Outcome.NOT_UPHELD: "we do not uphold your complaint",
}


@dataclass(frozen=True)
class Decision:
    """What a final response decides, and why."""

    outcome: str = ""
    reasons: str = ""


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


def compose_letter(
    complaint: Complaint,
    kind: str,
    *,
    by: Agent,
    today: date | None = None,
    delay: DelayDetails | None = None,
    decision: Decision | None = None,
) -> Letter:
    """The letter as it would go today, with warnings for anything the agent should fix first
    (a handling step not recorded, a letter the regime does not use, a delay letter without its
    reason or date, a final response without its outcome). A delay letter that cannot make
    sense yet, or any more, is refused."""
    letter_kind = _checked_kind(kind)
    today = today or timezone.localdate()
    case = complaint.case
    customer = case.customer
    steps = _steps_by_code(complaint)
    due = deadlines_of(complaint).final_response_by
    regime = complaint.regime
    _refuse_details_of_other_letters(letter_kind, delay, decision)
    if letter_kind == LetterKind.DELAY:
        delay = _checked_delay(complaint, delay or DelayDetails(), due, today)
        warnings = _delay_warnings(delay)
        paragraphs = [
            *_delay(complaint, delay, due, today),
            *_delay_referral(regime.code, regime.referral_body, regime.referral_months, due, today),
        ]
    else:
        warnings = _warnings(letter_kind, complaint, steps, today)
        if letter_kind == LetterKind.FINAL_RESPONSE:
            decision = _checked_decision(complaint, decision)
            warnings += _decision_warnings(decision)
            paragraphs = _final_response(complaint, steps, decision)
        else:
            paragraphs = _PARAGRAPHS[letter_kind](complaint, steps, due, today)
        paragraphs += _referral(letter_kind, regime.code, regime.referral_body, regime.referral_months)
    return Letter(
        kind=letter_kind,
        title=TITLES[letter_kind],
        reference=case.reference,
        dated=today,
        addressee=customer.name,
        address_lines=[point.value for point in customer.contact_points.all() if point.kind == ContactKind.POSTAL][:1],
        paragraphs=paragraphs,
        signed_by=f"{by.display_name}\n{case.team.name if case.team else 'Customer service'}",
        large_print="large_print" in customer.adjustments,
        warnings=warnings,
    )


def _refuse_details_of_other_letters(kind: LetterKind, delay: DelayDetails | None, decision: Decision | None) -> None:
    if kind != LetterKind.DELAY and delay is not None and (delay.reason.strip() or delay.expected_on is not None):
        raise ValidationFailed(
            "Only a delay letter takes a reason and an expected date.", fields={"reason": "Not for this letter."}
        )
    if kind != LetterKind.FINAL_RESPONSE and decision is not None and (decision.outcome or decision.reasons.strip()):
        raise ValidationFailed("Only a final response takes an outcome.", fields={"outcome": "Not for this letter."})


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


def _checked_delay(complaint: Complaint, delay: DelayDetails, due: date, today: date) -> DelayDetails:
    """Refuse a delay letter when there is nothing to delay (the final response, or a summary
    resolution, was sent) or it is too early to say the answer will be late; check the reason
    and the date it gives."""
    if complaint.final_response_at is not None:
        raise Conflict(
            f"A final response was sent on {timezone.localdate(complaint.final_response_at):%d %B %Y}: there is no "
            "delay to explain."
        )
    opens = due - timedelta(days=DELAY_NOTICE_DAYS)
    if today < opens:
        raise Conflict(
            f"It is too early for a delay letter: the final response is due by {due:%d %B %Y}, so a delay letter "
            f"can be sent from {opens:%d %B %Y}."
        )
    reason = " ".join(delay.reason.split())
    if len(reason) > MAX_DELAY_REASON:
        raise ValidationFailed(f"Keep the reason to {MAX_DELAY_REASON:,} characters.", fields={"reason": "Too long."})
    expected = delay.expected_on
    if expected is not None:
        if expected <= today:
            raise ValidationFailed(
                "The date to expect the final response must be after today.",
                fields={"expected_on": "Give a later date."},
            )
        if expected <= due:
            raise ValidationFailed(
                f"The final response is due by {due:%d %B %Y}: give a later date to expect it by.",
                fields={"expected_on": "Give a later date."},
            )
        if expected > today + timedelta(days=MAX_DELAY_DAYS):
            raise ValidationFailed(
                "The date to expect the final response is more than a year away; check it.",
                fields={"expected_on": "Check the date."},
            )
    return DelayDetails(reason=reason, expected_on=expected)


def _delay_warnings(delay: DelayDetails) -> list[str]:
    warnings = []
    if not delay.reason:
        warnings.append("Say why the final response is not ready yet.")
    if delay.expected_on is None:
        warnings.append("Give the date the customer can expect the final response by.")
    return warnings


def _delay(complaint: Complaint, delay: DelayDetails, due: date, today: date) -> list[str]:
    received = timezone.localdate(complaint.received_at)
    late = "have not been" if today > due else "will not be"
    return [
        f"We are sorry that we {late} able to send you our final response to your complaint, which we received on "
        f"{received:%d %B %Y}, by {due:%d %B %Y}, as we said we would.",
        f"Why we are not ready yet: {delay.reason or '…'}",
        f"We expect to send you our final response by "
        f"{f'{delay.expected_on:%d %B %Y}' if delay.expected_on else '…'}. We will keep you informed until then, "
        "and if anything changes we will tell you.",
    ]


def _checked_decision(complaint: Complaint, decision: Decision | None) -> Decision:
    """The outcome given, else the one the complaint already carries; a known outcome, and
    reasons of a sensible length."""
    if decision is None or not (decision.outcome or decision.reasons.strip()):
        return Decision(outcome=complaint.outcome, reasons=complaint.outcome_reasons)
    if decision.outcome and decision.outcome not in Outcome.values:
        raise ValidationFailed(
            f"“{decision.outcome[:40]}” is not an outcome. Choose one of: {', '.join(Outcome.values)}.",
            fields={"outcome": "Unknown."},
        )
    reasons = decision.reasons.strip()
    if len(reasons) > MAX_OUTCOME_REASONS:
        raise ValidationFailed(
            f"Keep the reasons to {MAX_OUTCOME_REASONS:,} characters.", fields={"outcome_reasons": "Too long."}
        )
    return Decision(outcome=decision.outcome, reasons=reasons)


def _decision_warnings(decision: Decision) -> list[str]:
    if not decision.outcome:
        return ["Give the outcome: upheld, partly upheld or not upheld."]
    if decision.outcome in OUTCOMES_NEEDING_REASONS and not decision.reasons:
        return [f"Give the reasons for the outcome “{Outcome(decision.outcome).label}”."]
    return []


def _final_response(complaint: Complaint, steps: dict[str, ComplaintStep], decision: Decision) -> list[str]:
    paragraphs = [
        f"Thank you for your complaint, received on {timezone.localdate(complaint.received_at):%d %B %Y}, and for "
        "taking the time to tell us about it. This is our final response."
    ]
    for code, lead in (
        (Step.LISTEN, "What you told us:"),
        (Step.APOLOGISE, ""),
        (Step.EXPLAIN, "What happened and why:"),
    ):
        said = _said(steps.get(code))
        if said:
            paragraphs.append(f"{lead} {said}".strip())
    if decision.outcome:
        reasons = f" Our reasons: {decision.reasons}" if decision.reasons else ""
        paragraphs.append(f"Our decision: {DECISIONS[Outcome(decision.outcome)]}.{reasons}")
    resolved = _said(steps.get(Step.RESOLVE))
    if resolved:
        paragraphs.append(f"How we are putting it right: {resolved}")
    if complaint_redress := _redress(complaint):
        paragraphs.append(complaint_redress)
    return paragraphs


def _redress(complaint: Complaint) -> str:
    amount = getattr(complaint, "redress_amount", None)
    return f"We will pay you £{amount:,.2f}." if amount else ""


_PARAGRAPHS = {
    LetterKind.ACKNOWLEDGEMENT: _acknowledgement,
    LetterKind.SUMMARY_RESOLUTION: _summary_resolution,
}


def _referral(kind: LetterKind, code: str, body: str, months: int | None) -> list[str]:
    """The customer's right to go to the ombudsman, where the regime gives one."""
    if not body or kind == LetterKind.ACKNOWLEDGEMENT:
        return []
    contact = REFERRAL_CONTACTS.get(code, "")
    reach = f" You can contact them at {contact}." if contact else ""
    within = f", but you must do so within {_months(months)} of the date of this letter" if months else ""
    paragraphs = [
        f"If you are not satisfied with our response, you have the right to refer your complaint to {body}, "
        f"free of charge{within}. It is independent of us.{reach}"
    ]
    if code == "fca_disp":
        paragraphs.append(FCA_TIME_LIMIT_WORDING)
        paragraphs.append("We enclose the Financial Ombudsman Service's explanatory leaflet.")
    return paragraphs


def _delay_referral(code: str, body: str, months: int | None, due: date, today: date) -> list[str]:
    """DISP 1.6.2R(2)(b)-(c): the customer may now refer the complaint, without waiting for the
    final response; the FCA regime encloses the ombudsman's leaflet. Sent before the day the
    final response is due, the letter says the right starts that day. The referral window the
    final response will open is given too, so waiting does not cost the customer the right."""
    if not body:
        return []
    contact = REFERRAL_CONTACTS.get(code, "")
    reach = f" You can contact them at {contact}." if contact else ""
    when = "now" if today >= due else f"from {due:%d %B %Y}, the day our final response was due"
    paragraphs = [
        f"You do not have to wait for our final response: you may refer your complaint to {body} {when}. "
        f"It is independent and free to use.{reach}"
    ]
    if months:
        paragraphs.append(
            f"If you wait for our final response instead, you will have {_months(months)} from the date of it to "
            f"refer your complaint to {body}."
        )
    if code == "fca_disp":
        paragraphs.append("We enclose the Financial Ombudsman Service's explanatory leaflet.")
    return paragraphs


def _months(months: int) -> str:
    words = {6: "six months", 12: "twelve months"}
    return words.get(months, f"{months} months")


def send_letter(
    *,
    complaint: Complaint,
    kind: str,
    by: Agent,
    delay: DelayDetails | None = None,
    decision: Decision | None = None,
) -> Letter:
    """Send the letter by email, as a reply on the case, and record what it means for the
    complaint. A letter with warnings is refused: the agent fixes them first. A delay letter
    needs its reason and expected date; both go on the timeline. A final response records its
    outcome on the complaint."""
    letter = compose_letter(complaint, kind, by=by, delay=delay, decision=decision)
    if letter.kind == LetterKind.DELAY:
        _require_delay_details(delay or DelayDetails())
    if letter.warnings:
        raise Conflict("The letter is not ready: " + " ".join(letter.warnings))
    with transaction.atomic():
        message = reply(case=complaint.case, by=by, body=letter.text)
        now = timezone.now()
        if letter.kind == LetterKind.ACKNOWLEDGEMENT and complaint.acknowledged_at is None:
            complaint.acknowledged_at = now
            complaint.save(update_fields=["acknowledged_at", "updated_at"])
        if letter.kind == LetterKind.FINAL_RESPONSE:
            _record_outcome(complaint, _checked_decision(complaint, decision))
        if letter.kind in (LetterKind.FINAL_RESPONSE, LetterKind.SUMMARY_RESOLUTION):
            record_final_response(complaint=complaint, by=by)
        record_event(
            case=complaint.case,
            kind=EventKind.COMPLAINT_LETTER,
            at=now,
            by=by,
            data={
                "letter": letter.kind.value,
                "message": message.pk,
                **_delay_event(letter.kind, delay),
                **({"outcome": complaint.outcome} if letter.kind == LetterKind.FINAL_RESPONSE else {}),
            },
        )
    return letter


def _record_outcome(complaint: Complaint, decision: Decision) -> None:
    if (complaint.outcome, complaint.outcome_reasons) == (decision.outcome, decision.reasons):
        return
    complaint.outcome = decision.outcome
    complaint.outcome_reasons = decision.reasons
    complaint.save(update_fields=["outcome", "outcome_reasons", "updated_at"])


def _require_delay_details(delay: DelayDetails) -> None:
    if not delay.reason.strip():
        raise ValidationFailed(
            "Say why the final response is not ready yet.", fields={"reason": "Give the reason for the delay."}
        )
    if delay.expected_on is None:
        raise ValidationFailed(
            "Give the date the customer can expect the final response by.",
            fields={"expected_on": "Give the date."},
        )


def _delay_event(kind: LetterKind, delay: DelayDetails | None) -> dict[str, str]:
    if kind != LetterKind.DELAY or delay is None or delay.expected_on is None:
        return {}
    return {"reason": " ".join(delay.reason.split()), "expected_on": delay.expected_on.isoformat()}
