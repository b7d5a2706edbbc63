"""The retention schedule applied: what is due to go, category by category, and going.

Each `RetentionRule` says how long a category is kept after it stops being needed (a case from
when it was resolved or closed; an email from when it arrived) and what happens then. Cases are
anonymised (`erasure.anonymise_cases`), so the figures keep their counts and dates; an email as
it arrived loses its bytes, while its row stays so a late reply still threads. A customer record
goes last: once every case of theirs has been anonymised (or they never had one), nothing of
theirs is open, and the record has not been touched for the period, the customer is erased as an
erasure request would (`erasure.anonymise_customer`), so counts by customer stay right. A
customer under a legal hold keeps everything. A dry run counts and names what would go and
changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import DateTimeField, Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from patron.accounts.models import Agent
from patron.cases.models import Case, CaseKind, Status
from patron.channels.models import InboundEmail, InboundStatus
from patron.customers.models import Customer
from patron.dates import add_months
from patron.feedback.models import Survey
from patron.feedback.services import anonymise_surveys
from patron.privacy import audit
from patron.privacy.erasure import anonymise_cases, anonymise_customer, not_yet_anonymised
from patron.privacy.models import (
    ConsentRecord,
    DataCategory,
    LegalHold,
    RequestStatus,
    RetentionRule,
    SubjectRequest,
)

BATCH = 500
EXAMPLES = 10
_CASE_CATEGORIES = (DataCategory.CLOSED_CASES, DataCategory.CLOSED_COMPLAINTS)


@dataclass
class RetentionOutcome:
    category: str
    label: str
    action: str
    kept_until_before: date
    count: int = 0
    examples: list[str] = field(default_factory=list)
    note: str = ""


def kept_from(rule: RetentionRule, today: date) -> date:
    """Data that stopped being needed before this day is due to go."""
    if rule.keep_months:
        return add_months(today, -rule.keep_months)
    return today - timedelta(days=rule.keep_days or 0)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def finished_cases() -> QuerySet[Case]:
    """Cases resolved or closed, with the moment they stopped being worked on as `finished_at`."""
    return Case.objects.filter(status__in=(Status.RESOLVED, Status.CLOSED)).annotate(
        finished_at=Coalesce("closed_at", "resolved_at", output_field=DateTimeField())
    )


def _cases_due(category: str, before: datetime) -> QuerySet[Case]:
    held = LegalHold.objects.filter(lifted_at__isnull=True).values("customer_id")
    cases = finished_cases().filter(finished_at__lt=before).exclude(customer_id__in=held)  # type: ignore[misc]
    if category == DataCategory.CLOSED_COMPLAINTS:
        cases = cases.filter(kind=CaseKind.COMPLAINT)
    else:
        cases = cases.exclude(kind=CaseKind.COMPLAINT)
    return not_yet_anonymised(cases).order_by("pk")


def _emails_due(before: datetime) -> QuerySet[InboundEmail]:
    return InboundEmail.objects.filter(
        raw_removed_at__isnull=True,
        status__in=(InboundStatus.PROCESSED, InboundStatus.DUPLICATE, InboundStatus.DISCARDED),
        received_at__lt=before,
    ).order_by("pk")


def _customers_due(before: datetime, cases_going: list[QuerySet[Case]]) -> QuerySet[Customer]:
    """Customers with nothing left to serve: no case still holding what was said (once the
    cases due in this run have gone), no open request, no consent still in force, no legal hold,
    and a record untouched since `before`. A record merged into another went with the merge and
    is left to it."""
    held = LegalHold.objects.filter(lifted_at__isnull=True).values("customer_id")
    cases_kept = not_yet_anonymised(Case.objects.filter(customer=OuterRef("pk")))
    for going in cases_going:
        cases_kept = cases_kept.exclude(pk__in=going.values("pk"))
    open_requests = SubjectRequest.objects.filter(customer=OuterRef("pk"), status=RequestStatus.OPEN)
    consents_in_force = ConsentRecord.objects.filter(customer=OuterRef("pk"), withdrawn_at__isnull=True)
    return (
        Customer.objects.filter(erased_at__isnull=True, merged_into__isnull=True, updated_at__lt=before)
        .exclude(pk__in=held)
        .filter(~Exists(cases_kept), ~Exists(open_requests), ~Exists(consents_in_force))
        .order_by("pk")
    )


def _surveys_due(before: datetime) -> QuerySet[Survey]:
    """Surveys whose answer (or, never answered, whose sending) is older than the period."""
    held = LegalHold.objects.filter(lifted_at__isnull=True).values("customer_id")
    return (
        Survey.objects.filter(anonymised_at__isnull=True)
        .annotate(last_touched=Coalesce("answered_at", "sent_at", "created_at", output_field=DateTimeField()))
        .filter(last_touched__lt=before)
        .exclude(customer_id__in=held)
        .order_by("pk")
    )


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def run_retention(*, dry_run: bool, now: datetime | None = None, by: Agent | None = None) -> list[RetentionOutcome]:
    """Apply every active rule (or, in a dry run, say what applying them would do)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    outcomes = []
    rules = list(RetentionRule.objects.filter(active=True).order_by("category"))
    # A dry run must count the customers this run would erase after their last cases go.
    cases_going = [
        _cases_due(rule.category, _start_of(kept_from(rule, today)))
        for rule in rules
        if rule.category in _CASE_CATEGORIES
    ]
    for rule in sorted(rules, key=lambda rule: rule.category == DataCategory.FORMER_CUSTOMERS):
        before = kept_from(rule, today)
        outcome = RetentionOutcome(rule.category, rule.get_category_display(), rule.action, before)
        _apply(rule, outcome, _start_of(before), dry_run=dry_run, now=now, by=by, cases_going=cases_going)
        outcomes.append(outcome)
    if not dry_run:
        audit.record(
            actor=by,
            action="retention_run",
            object_type="retention",
            object_id="schedule",
            data={outcome.category: outcome.count for outcome in outcomes},
        )
    return outcomes


def _apply(
    rule: RetentionRule,
    outcome: RetentionOutcome,
    before: datetime,
    *,
    dry_run: bool,
    now: datetime,
    by: Agent | None,
    cases_going: list[QuerySet[Case]],
) -> None:
    if rule.category in _CASE_CATEGORIES:
        ids = list(_cases_due(rule.category, before).values_list("pk", flat=True))
        outcome.count = len(ids)
        outcome.examples = [Case(pk=pk).reference for pk in ids[:EXAMPLES]]
        if not dry_run:
            for batch in _batches(ids):
                with transaction.atomic():
                    anonymise_cases(batch, by=by, at=now, why=f"retention: {rule.get_category_display()}")
    elif rule.category == DataCategory.RAW_EMAILS:
        ids = list(_emails_due(before).values_list("pk", flat=True))
        outcome.count = len(ids)
        outcome.examples = [f"email {pk}" for pk in ids[:EXAMPLES]]
        if not dry_run:
            for batch in _batches(ids):
                InboundEmail.objects.filter(pk__in=batch).update(raw=b"", raw_removed_at=now)
    elif rule.category == DataCategory.SURVEY_ANSWERS:
        ids = list(_surveys_due(before).values_list("pk", flat=True))
        outcome.count = len(ids)
        outcome.examples = [f"survey {pk}" for pk in ids[:EXAMPLES]]
        if not dry_run:
            for batch in _batches(ids):
                with transaction.atomic():
                    anonymise_surveys(survey_ids=batch, at=now)
    elif rule.category == DataCategory.FORMER_CUSTOMERS:
        ids = list(_customers_due(before, cases_going if dry_run else []).values_list("pk", flat=True))
        outcome.count = len(ids)
        outcome.examples = [f"customer {pk}" for pk in ids[:EXAMPLES]]
        if not dry_run:
            why = f"retention: {rule.get_category_display()}"
            for batch in _batches(ids):
                with transaction.atomic():
                    for customer in Customer.objects.filter(pk__in=batch).order_by("pk"):
                        anonymise_customer(customer, by=by, at=now, why=why)
    else:
        outcome.note = "None of this kind is held yet."


def complaint_kept_until(case: Case) -> date | None:
    """Until when the schedule keeps a finished complaint, or None if it is not kept for a period."""
    rule = RetentionRule.objects.filter(category=DataCategory.CLOSED_COMPLAINTS, active=True).first()
    finished = case.closed_at or case.resolved_at
    if rule is None or finished is None:
        return None
    finished_on = timezone.localdate(finished)
    if rule.keep_months:
        return add_months(finished_on, rule.keep_months)
    return finished_on + timedelta(days=rule.keep_days or 0)
