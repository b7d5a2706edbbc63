"""What each LATER step records, and how a recorded step reads.

- Listen: the customer's account in their own words and the outcome they want (both needed),
  and whether the agent's summary was read back and confirmed, with that summary;
- Apologise: the apology made, and whether it was made as an admission of liability, recorded
  either way (an apology on its own is not an admission);
- Thank: the customer thanked for raising it;
- Explain and empathise: what happened and why in plain language (needed), and how it affected
  the customer, as acknowledged to them;
- Resolve: the resolution offered (needed), whether the customer accepted it, declined it or
  has yet to answer, and a follow-up date no earlier than the day it is recorded.

Steps recorded before these fields existed hold free notes; they are read as they were written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.complaints.models import Step
from patron.errors import ValidationFailed
from patron.text import clean_text

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

MAX_TEXT = 5_000

StepValue = str | bool | None


class FieldKind(StrEnum):
    TEXT = "text"
    YES_NO = "yes_no"
    CHOICE = "choice"
    DATE = "date"


class CustomerResponse(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    AWAITING = "awaiting", _("Awaiting the customer's answer")


@dataclass(frozen=True)
class StepField:
    name: str
    label: _StrOrPromise
    kind: FieldKind
    # The sentence given when a needed field is missing; empty when the field may be left out.
    required: str = ""
    help_text: _StrOrPromise = ""
    choices: tuple[tuple[str, str], ...] = ()


FIELDS: dict[str, tuple[StepField, ...]] = {
    Step.LISTEN: (
        StepField(
            "account",
            _("The customer's account, in their own words"),
            FieldKind.TEXT,
            required="Write the customer's account of what happened, in their own words.",
        ),
        StepField(
            "desired_outcome",
            _("What the customer wants to happen"),
            FieldKind.TEXT,
            required="Write what the customer wants to happen.",
        ),
        StepField(
            "summary_confirmed",
            _("Summary read back and confirmed by the customer"),
            FieldKind.YES_NO,
        ),
        StepField("summary", _("The summary read back to the customer"), FieldKind.TEXT),
    ),
    Step.APOLOGISE: (
        StepField("apology", _("The apology made"), FieldKind.TEXT),
        StepField(
            "admission_of_liability",
            _("Made as an admission of liability"),
            FieldKind.YES_NO,
            required="Say whether the apology was made as an admission of liability.",
            help_text=_("An apology is not an admission of liability. Answer yes only if liability was admitted."),
        ),
    ),
    Step.THANK: (StepField("thanks", _("How the customer was thanked for raising it"), FieldKind.TEXT),),
    Step.EXPLAIN: (
        StepField(
            "explanation",
            _("What happened and why, in plain language"),
            FieldKind.TEXT,
            required="Explain what happened and why, in plain language.",
        ),
        StepField("impact", _("How it affected the customer, as acknowledged to them"), FieldKind.TEXT),
    ),
    Step.RESOLVE: (
        StepField(
            "resolution",
            _("The resolution offered"),
            FieldKind.TEXT,
            required="Write the resolution offered to the customer.",
        ),
        StepField(
            "customer_response",
            _("The customer's answer"),
            FieldKind.CHOICE,
            required="Say whether the customer accepted the resolution, declined it or has yet to answer.",
            choices=tuple((value, str(label)) for value, label in CustomerResponse.choices),
        ),
        StepField(
            "follow_up_on",
            _("Follow up on"),
            FieldKind.DATE,
            help_text=_("Today or later."),
        ),
    ),
}

# The text field a step's wording (its StepTemplate) starts.
WORDING_FIELD: dict[str, str] = {
    Step.LISTEN: "account",
    Step.APOLOGISE: "apology",
    Step.THANK: "thanks",
    Step.EXPLAIN: "explanation",
    Step.RESOLVE: "resolution",
}

_YES = frozenset({"yes", "true", "1"})
_NO = frozenset({"no", "false", "0"})


def fields_of(step: str) -> tuple[StepField, ...]:
    return FIELDS.get(step, ())


def clean_details(step: str, given: Mapping[str, object], *, today: date) -> dict[str, StepValue]:
    """The details of a step checked against what it records: every field of the step comes
    back (blank text as "", an unanswered yes/no or date as None), dates as YYYY-MM-DD. Refused,
    naming each field at fault, when a field is unknown, a needed one is missing, or a value is
    of the wrong kind."""
    fields = fields_of(step)
    known = {field.name for field in fields}
    unknown = sorted(str(name)[:40] for name in given if name not in known)
    if unknown:
        raise ValidationFailed(
            f"The {Step(step).label.lower()} step records {', '.join(sorted(known))}; "
            f"“{'”, “'.join(unknown)}” {'is' if len(unknown) == 1 else 'are'} not among them.",
            fields=dict.fromkeys(unknown, "Unknown."),
        )
    cleaned: dict[str, StepValue] = {}
    problems: dict[str, str] = {}
    for field in fields:
        try:
            cleaned[field.name] = _clean_value(field, given.get(field.name), today)
        except ValueError as problem:
            problems[field.name] = str(problem)
            continue
        if field.required and cleaned[field.name] in ("", None):
            problems[field.name] = field.required
    if step == Step.LISTEN and cleaned.get("summary_confirmed") and not cleaned.get("summary"):
        problems["summary"] = "Write the summary the customer confirmed."
    if problems:
        raise ValidationFailed(" ".join(problems.values()), fields=problems)
    return cleaned


def _clean_value(field: StepField, value: object, today: date) -> StepValue:
    if field.kind == FieldKind.TEXT:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ValueError(f"{field.label}: give text.")
        return clean_text(value).strip()[:MAX_TEXT]
    if value is None or value == "":
        return None
    if field.kind == FieldKind.YES_NO:
        return _yes_no(field, value)
    if field.kind == FieldKind.CHOICE:
        allowed = [code for code, _label in field.choices]
        if value not in allowed:
            raise ValueError(f"{field.label}: choose one of {', '.join(allowed)}.")
        return str(value)
    return _future_date(field, value, today)


def _yes_no(field: StepField, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _YES | _NO:
        return value.strip().lower() in _YES
    raise ValueError(f"{field.label}: answer yes or no.")


def _future_date(field: StepField, value: object, today: date) -> str:
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{field.label}: give a date as YYYY-MM-DD.") from None
    else:
        raise ValueError(f"{field.label}: give a date as YYYY-MM-DD.")
    if day < today:
        raise ValueError(f"The follow-up date cannot be in the past: it is {today:%d %B %Y} today.")
    return day.isoformat()


@dataclass(frozen=True)
class RecordedField:
    label: str
    value: str


def recorded_fields(step: str, details: Mapping[str, object]) -> list[RecordedField]:
    """What a recorded step says, field by field with its label, leaving out what was left
    blank. A step's own fields come first, in order; anything else it holds (the free notes of
    steps recorded before the fields existed) follows as written."""
    fields = fields_of(step)
    shown = []
    for field in fields:
        if text := _shown(field, details.get(field.name)):
            shown.append(RecordedField(str(field.label), text))
    known = {field.name for field in fields}
    for name, value in details.items():
        if name not in known and value not in ("", None):
            shown.append(RecordedField(str(name).replace("_", " ").capitalize(), str(value)))
    return shown


def _shown(field: StepField, value: object) -> str:
    if value in ("", None):
        return ""
    if field.kind == FieldKind.YES_NO:
        return str(_("Yes")) if value is True or value in _YES else str(_("No"))
    if field.kind == FieldKind.CHOICE:
        return next((label for code, label in field.choices if code == value), str(value))
    if field.kind == FieldKind.DATE and isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day.day} {day:%B %Y}"
    return str(value)


def described(step: str, details: Mapping[str, object]) -> str:
    """A recorded step in one line: each field's label and value, as a sentence of its own."""
    return " ".join(_sentence(f"{field.label}: {field.value}") for field in recorded_fields(step, details))


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else f"{text}."


def spoken_text(step: str, details: Mapping[str, object]) -> str:
    """The words recorded for a step, without its yes/no answers, choices or dates: what a
    letter to the customer can quote."""
    fields = fields_of(step)
    # The summary read back repeats the customer's own account.
    texts = [details.get(f.name) for f in fields if f.kind == FieldKind.TEXT and f.name != "summary"]
    known = {field.name for field in fields}
    texts += [value for name, value in details.items() if name not in known]
    return " ".join(str(text).strip() for text in texts if isinstance(text, str) and text.strip())
