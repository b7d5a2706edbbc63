"""Every write about surveys: sending one when a case is resolved, taking the customer's answer,
closing what a withdrawal closes, and anonymising answers. The customer's link carries a random
token; only its SHA-256 digest is stored, so the table alone opens no survey."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from patron.cases.models import Case, EventKind, Status
from patron.cases.services import record_event
from patron.channels.outbound import queue_survey_email
from patron.customers.models import Customer, PreferredChannel
from patron.customers.queries import purpose_refusal
from patron.db import enqueue_on_commit
from patron.errors import Conflict, NotFound, ValidationFailed
from patron.feedback.models import SCALES, Survey, SurveyKind, SurveyStatus
from patron.privacy.models import Purpose
from patron.privacy.pii import mask_pii, masked_kinds

# A case resolved longer ago than this (imported history, demo data) is not surveyed: asked
# weeks later, nobody remembers how the contact went.
RECENTLY_RESOLVED = timedelta(days=2)
COMMENT_LIMIT = 2000
_FINISHED = (Status.RESOLVED, Status.CLOSED)
# Channels the customer would rather be reached by, for which an emailed survey is unwelcome.
_NOT_BY_EMAIL = (PreferredChannel.PHONE, PreferredChannel.POST, PreferredChannel.FACE_TO_FACE)


@dataclass(frozen=True)
class Question:
    text: str
    lowest: str
    highest: str
    follow_up: str


QUESTIONS: dict[str, Question] = {
    SurveyKind.CSAT: Question(
        "How satisfied are you with how we handled your case?",
        "Very dissatisfied",
        "Very satisfied",
        "What is the main reason for your answer?",
    ),
    SurveyKind.NPS: Question(
        "How likely is it that you would recommend us to a friend or colleague?",
        "Not at all likely",
        "Extremely likely",
        "What is the primary reason for your score?",
    ),
    SurveyKind.CES: Question(
        "How much do you agree: we made it easy for you to handle your issue.",
        "Strongly disagree",
        "Strongly agree",
        "What would have made it easier?",
    ),
}


def configured_kind() -> str | None:
    """The measure the desk surveys with (setting PATRON_SURVEY), or None for no surveys."""
    kind = str(getattr(settings, "PATRON_SURVEY", SurveyKind.CSAT)).strip().lower()
    return kind if kind in SurveyKind.values else None


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_paused: ContextVar[bool] = ContextVar("surveys_paused", default=False)


@contextmanager
def surveys_paused() -> Iterator[None]:
    """History being replayed (the demo) resolves cases that were finished long ago, whatever
    the clock says: nobody is surveyed about them."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def schedule_surveys(cases: Sequence[Case], *, now: datetime | None = None) -> int:
    """Queue a survey for each case just resolved or closed that has none yet. Called with every
    change to cases; the sending itself waits until the change has committed."""
    if configured_kind() is None or _paused.get():
        return 0
    now = now or timezone.now()
    finished = [
        case.pk
        for case in cases
        if case.status in _FINISHED and _finished_at(case) is not None and now - _finished_at(case) <= RECENTLY_RESOLVED  # type: ignore[operator]
    ]
    if not finished:
        return 0
    surveyed = set(Survey.objects.filter(case_id__in=finished).values_list("case_id", flat=True))
    due = [case_id for case_id in finished if case_id not in surveyed]
    for case_id in due:
        enqueue_on_commit(_send_task(), case_id=case_id)
    return len(due)


def _finished_at(case: Case) -> datetime | None:
    return case.resolved_at or case.closed_at


def _send_task() -> Any:
    from patron.feedback.tasks import send_survey

    return send_survey


def send_survey(*, case_id: int, now: datetime | None = None) -> Survey | None:
    """Send the case's survey, or record why it was not sent: no basis for surveys (never
    recorded, or withdrawn), processing restricted, a wish not to be contacted by email, or no
    address. A case already surveyed, or reopened meanwhile, is left alone: sending twice is
    never right. Returns the survey, or None when there was nothing to do."""
    kind = configured_kind()
    if kind is None:
        return None
    now = now or timezone.now()
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",)).select_related("customer", "team").filter(pk=case_id).first()
        )
        if case is None or case.status not in _FINISHED or Survey.objects.filter(case_id=case_id).exists():
            return None
        reason = _reason_not_to_send(case.customer)
        if reason:
            return _not_sent(case, kind, reason, now)
        token = secrets.token_urlsafe(24)
        survey = Survey.objects.create(
            case=case,
            customer=case.customer,
            team=case.team,
            kind=kind,
            status=SurveyStatus.SENT,
            token_digest=digest_of(token),
            sent_at=now,
            open_until=now + timedelta(days=settings.PATRON_SURVEY_OPEN_DAYS),
        )
        outbound = queue_survey_email(
            case=case, subject="How did we do?", body_text=invitation_text(case, survey, token=token)
        )
        if outbound is None:
            survey.delete()
            return _not_sent(case, kind, "They have no email address to send it to.", now)
        record_event(
            case=case,
            kind=EventKind.SURVEY_SENT,
            at=now,
            data={"survey": survey.pk, "measure": kind, "to": outbound.to_address},
        )
    return survey


def _reason_not_to_send(customer: Customer) -> str:
    refusal = purpose_refusal(customer, Purpose.SURVEYS)
    if refusal:
        return refusal
    if customer.preferred_channel in _NOT_BY_EMAIL:
        return f"They prefer contact by {customer.get_preferred_channel_display().lower()}; surveys go by email."
    return ""


def _not_sent(case: Case, kind: str, reason: str, now: datetime) -> Survey:
    survey = Survey.objects.create(
        case=case,
        customer=case.customer,
        team=case.team,
        kind=kind,
        status=SurveyStatus.NOT_SENT,
        not_sent_reason=reason,
    )
    record_event(case=case, kind=EventKind.SURVEY_NOT_SENT, at=now, data={"survey": survey.pk, "reason": reason})
    return survey


def survey_link(token: str) -> str:
    return f"{settings.PATRON_PUBLIC_URL}/survey/{token}"


def invitation_text(case: Case, survey: Survey, *, token: str) -> str:
    question = QUESTIONS[survey.kind]
    lowest, highest = SCALES[survey.kind]
    open_until = date_format(timezone.localtime(survey.open_until), "j F Y") if survey.open_until else ""
    return (
        f"Dear {case.customer.name},\n\n"
        f"We have resolved your case {case.reference}, “{case.subject}”. Would you tell us how we did? "
        "It is one question and takes a minute.\n\n"
        f"{question.text} ({lowest} = {question.lowest.lower()}, {highest} = {question.highest.lower()})\n\n"
        f"Answer here: {survey_link(token)}\n\n"
        f"The link stays open until {open_until}. The same page lets you tell us to send you no more surveys.\n\n"
        f"{case.team.name if case.team else 'The service desk'}"
    )


def open_survey(*, token: str, now: datetime | None = None) -> Survey:
    """The survey a link leads to, if it may still be answered; a clear refusal otherwise."""
    now = now or timezone.now()
    survey = (
        Survey.objects.select_related("case", "customer").filter(token_digest=digest_of(token)).first()
        if token
        else None
    )
    if survey is None:
        raise NotFound("This survey link is not valid. Please check it was copied whole.")
    if survey.status == SurveyStatus.ANSWERED:
        raise Conflict("This survey has already been answered. Thank you.")
    if survey.status != SurveyStatus.SENT or survey.customer is None:
        raise Conflict("This survey is closed.")
    if survey.open_until is not None and now > survey.open_until:
        raise Conflict("This survey closed on " + date_format(timezone.localtime(survey.open_until), "j F Y") + ".")
    if purpose_refusal(survey.customer, Purpose.SURVEYS):
        # Withdrawn or restricted since it was sent: what they said then stands.
        raise Conflict("This survey is closed.")
    return survey


def answer_survey(*, token: str, score: object, comment: str = "", now: datetime | None = None) -> Survey:
    """Record the customer's answer from their link, once. The score must be on the measure's
    scale; personal data in the comment is masked as in messages."""
    now = now or timezone.now()
    return record_answer(survey=open_survey(token=token, now=now), score=score, comment=comment, at=now)


def record_answer(*, survey: Survey, score: object, comment: str = "", at: datetime) -> Survey:
    """The answer to a survey still waiting for one. `answer_survey` checks the link first; an
    answer given elsewhere (the demo's history) comes straight here."""
    lowest, highest = SCALES[survey.kind]
    value = _score(score, lowest, highest)
    comment = " ".join(str(comment or "").split())
    if len(comment) > COMMENT_LIMIT:
        raise ValidationFailed(
            f"Please keep the comment to {COMMENT_LIMIT:,} characters.", fields={"comment": "Too long."}
        )
    kinds = masked_kinds(settings.PATRON_MASK_PERSONAL_DATA)
    with transaction.atomic():
        locked = Survey.objects.select_for_update(of=("self",)).select_related("case").get(pk=survey.pk)
        if locked.status == SurveyStatus.ANSWERED:
            raise Conflict("This survey has already been answered. Thank you.")
        if locked.status != SurveyStatus.SENT:
            raise Conflict("This survey is closed.")
        locked.status = SurveyStatus.ANSWERED
        locked.score = value
        locked.comment = mask_pii(comment, kinds=kinds) if kinds else comment
        locked.answered_at = at
        locked.save(update_fields=["status", "score", "comment", "answered_at", "updated_at"])
        if locked.case is not None:
            record_event(
                case=locked.case,
                kind=EventKind.SURVEY_ANSWERED,
                at=at,
                data={"survey": locked.pk, "measure": locked.kind, "score": value, "out_of": highest},
            )
    return locked


def _score(score: object, lowest: int, highest: int) -> int:
    message = f"Choose a score from {lowest} to {highest}."
    if isinstance(score, bool):
        raise ValidationFailed(message, fields={"score": message})
    try:
        value = int(str(score).strip())
    except ValueError:
        raise ValidationFailed(message, fields={"score": message}) from None
    if not lowest <= value <= highest:
        raise ValidationFailed(message, fields={"score": message})
    return value


def close_open_surveys(*, customer_id: int, now: datetime | None = None) -> int:
    """A customer who withdrew their agreement to surveys gets no more of them: the ones sent
    and not yet answered close, their links stop working."""
    return Survey.objects.filter(customer_id=customer_id, status=SurveyStatus.SENT).update(
        status=SurveyStatus.WITHDRAWN, token_digest=None, updated_at=now or timezone.now()
    )


def anonymise_surveys(
    *,
    customer_ids: Collection[int] = (),
    case_ids: Collection[int] = (),
    survey_ids: Collection[int] = (),
    at: datetime,
) -> int:
    """What identifies the person goes: the comment, the link to them and to their case, the
    token. The score, measure, team and dates stay, so CSAT, NPS and CES read the same. Inside
    the caller's transaction."""
    chosen = Q(customer_id__in=list(customer_ids)) | Q(case_id__in=list(case_ids)) | Q(pk__in=list(survey_ids))
    return Survey.objects.filter(chosen, anonymised_at__isnull=True).update(
        comment="", customer=None, case=None, token_digest=None, not_sent_reason="", anonymised_at=at, updated_at=at
    )
