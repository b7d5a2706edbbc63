"""Reads of complaints: the record of a case, its deadlines on the team's calendar, the
remedies the Consumer Rights Act gives on a day, the root causes to choose from, and the
effect of a corrective action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from patron.cases.models import Case
from patron.complaints.models import (
    Complaint,
    ComplaintRegime,
    ComplaintStep,
    Purchase,
    RemedyStep,
    RootCause,
    Step,
    StepTemplate,
)
from patron.complaints.regimes import Deadlines, IsBusinessDay, deadlines
from patron.complaints.remedies import Remedy, RemedyState, StepKind, next_steps, remedies_on, state_of
from patron.db import PreparedQuery, remember_related
from patron.errors import NotFound, ValidationFailed
from patron.standards.holidays_uk import Region, bank_holidays
from patron.standards.models import BusinessCalendar

# A complaint's steps with who took each, in one query.
STEPS_WITH_AGENTS = Prefetch("steps", queryset=ComplaintStep.objects.select_related("by"))


def complaint_of(case: Case) -> Complaint:
    found = (
        Complaint.objects.filter(case=case)
        .select_related("regime", "case", "case__team")
        .prefetch_related(STEPS_WITH_AGENTS)
        .first()
    )
    if found is None:
        raise NotFound("This case is not a complaint. Change its kind to complaint first.")
    return found


def business_days_of(case: Case) -> IsBusinessDay:
    """A complaint's deadlines count business days as the FCA Glossary defines them: not a
    Saturday, a Sunday or a bank holiday in that part of the UK. The part is the one whose bank
    holidays the team's calendar keeps, or the organisation's (PATRON_BANK_HOLIDAYS); the desk's
    own opening hours and closures do not move a customer's deadline."""
    holidays = bank_holidays(_region_of(case.team_id))
    return lambda day: day.weekday() < 5 and day not in holidays


def _region_of(team_id: int | None) -> Region:
    calendars = _CALENDAR_OF_TEAM(team_id=team_id) if team_id is not None else []
    found = calendars[0].region if calendars else None
    if found in Region.values:
        return Region(found)
    configured = getattr(settings, "PATRON_BANK_HOLIDAYS", Region.ENGLAND_AND_WALES)
    return Region(configured) if configured in Region.values else Region.ENGLAND_AND_WALES


def deadlines_of(complaint: Complaint) -> Deadlines:
    return deadlines(
        complaint.regime.as_rules(),
        received_on=timezone.localdate(complaint.received_at),
        is_business_day=business_days_of(complaint.case),
        final_response_on=timezone.localdate(complaint.final_response_at) if complaint.final_response_at else None,
    )


# Every complaint's case page reads these: prepared once.
_CALENDAR_OF_TEAM = PreparedQuery(
    lambda team_id: BusinessCalendar.objects.filter(team_links__team_id=team_id).only("region").order_by()[:1]
)
_PURCHASE_OF = PreparedQuery(lambda complaint_id: Purchase.objects.filter(complaint_id=complaint_id))
_REMEDY_STEPS_OF = PreparedQuery(
    lambda complaint_id: RemedyStep.objects.filter(complaint_id=complaint_id).select_related("by")
)
_COMPLAINT_OF_CASE = PreparedQuery(
    lambda case_id: Complaint.objects.filter(case_id=case_id).select_related("regime", "root_cause")
)
_STEPS_WITH_AGENTS = PreparedQuery(
    lambda complaint_id: ComplaintStep.objects.filter(complaint_id=complaint_id).select_related("by")
)
_REGIMES = PreparedQuery(lambda: ComplaintRegime.objects.order_by("name"))
_ACTIVE_ROOT_CAUSES = PreparedQuery(lambda: RootCause.objects.filter(is_active=True).order_by("name"))
_STEP_TEMPLATE = PreparedQuery(lambda step: StepTemplate.objects.filter(step=step).only("text"))


def complaint_for_panel(case: Case) -> Complaint | None:
    """The case's complaint with its regime, root cause and steps (each with who took it), for
    the case page's panel; None when the case has none."""
    found = _COMPLAINT_OF_CASE(case_id=case.pk)
    if not found:
        return None
    complaint = found[0]
    remember_related(complaint, "steps", _STEPS_WITH_AGENTS(complaint_id=complaint.pk))
    return complaint


def purchase_of(complaint: Complaint) -> Purchase | None:
    found = _PURCHASE_OF(complaint_id=complaint.pk)
    return found[0] if found else None


def regimes() -> list[ComplaintRegime]:
    return _REGIMES()


def remedies_for(complaint: Complaint, *, as_of: date) -> list[Remedy]:
    return remedy_path_of(complaint, as_of=as_of).remedies


@dataclass(frozen=True)
class RemedyPath:
    """A complaint's Consumer Rights Act remedy path: what was bought, the steps taken so far
    with who recorded them, where the path stands, the remedies open on `as_of` and the steps
    that may be recorded next."""

    purchase: Purchase
    steps: list[RemedyStep]
    state: RemedyState
    as_of: date
    remedies: list[Remedy]
    next_steps: list[StepKind]


def remedy_path_of(complaint: Complaint, *, as_of: date) -> RemedyPath:
    purchase = purchase_of(complaint)
    if purchase is None:
        raise NotFound("Record what the customer bought first (goods, a service or digital content).")
    steps = _REMEDY_STEPS_OF(complaint_id=complaint.pk)
    facts = purchase.as_facts()
    path = [step.as_path_step() for step in steps]
    return RemedyPath(
        purchase=purchase,
        steps=steps,
        state=state_of(facts, path),
        as_of=as_of,
        remedies=remedies_on(facts, as_of, path),
        next_steps=next_steps(facts, path, as_of),
    )


def active_root_causes() -> list[RootCause]:
    return _ACTIVE_ROOT_CAUSES()


def root_cause_by_code(code: str) -> RootCause:
    found = RootCause.objects.filter(code=code).first()
    if found is None:
        raise ValidationFailed(f"There is no root cause “{code[:40]}”.", fields={"root_cause": "Unknown."})
    return found


# Used when the desk's own wording for a step has been deleted in the admin.
DEFAULT_STEP_WORDING = {
    Step.LISTEN: "The customer told us: …",
    Step.APOLOGISE: "I apologised sincerely for …",
    Step.THANK: "I thanked them for telling us, so we can put it right.",
    Step.EXPLAIN: "What happened: … This happened because: …",
    Step.RESOLVE: "We offered: …",
}


def step_wording(step: str) -> str:
    """The wording an agent starts from for a LATER step, in its main text field: the desk's
    own, edited in the admin."""
    found = _STEP_TEMPLATE(step=step)
    return found[0].text if found else DEFAULT_STEP_WORDING.get(Step(step), "")
