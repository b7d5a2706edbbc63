"""Demo data: a UK service desk with three months of history, loaded once by `patron demo`.

Everything goes through the service functions, so the demo's cases, messages and events are
exactly what the product itself would have written. Cases are opened in bulk with
`open_cases`; what happened next (assignments, replies, notes, calls, status changes) is
replayed case by case through `assign`, `reply`, `add_note`, `log_contact`,
`receive_message` and `update_case`. Those services take the time from the clock
(`django.utils.timezone.now`), so the replay sets the clock to each step's moment in the
past; nothing else runs while the demo loads.

The same seed gives the same desk every time; only the dates move with the day it is loaded.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from tqdm import tqdm  # type: ignore[import-untyped,unused-ignore]

from patron import demo_text as text
from patron.accounts.models import Agent, Role, Team
from patron.accounts.services import automation_agent, create_agent, create_team
from patron.cases import services as cases
from patron.cases.models import Case, CaseKind, Channel, Priority, Status
from patron.cases.services import CaseChanges, NewCase
from patron.channels.models import Mailbox, OutboundEmail, OutboundStatus
from patron.customers.models import Adjustment, Customer, CustomerKind, Organisation, OrganisationKind
from patron.customers.services import CustomerDetails, create_customer, create_organisation
from patron.feedback.models import SurveyStatus
from patron.feedback.services import record_answer, send_survey, surveys_paused
from patron.privacy.consent import record_consent
from patron.privacy.models import LawfulBasis, Purpose
from patron.standards.clocks import Target
from patron.standards.holidays_uk import Region
from patron.standards.models import EscalationRule, RuleAction, RuleTrigger
from patron.standards.services import (
    CalendarDetails,
    PolicyDetails,
    create_calendar,
    create_policy,
    set_team_calendar,
    sync_service_levels,
)

DEMO_PASSWORD = "patron-demo-2026"
SEED = 20260301
HISTORY_DAYS = 90
BATCH = 500
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class DemoResult:
    created: bool
    cases: int
    customers: int
    logins: list[tuple[str, str]]


# key, name, serves colleagues, team address
TEAMS: tuple[tuple[str, str, bool, str], ...] = (
    ("care", "Customer Care", False, "care@example.com"),
    ("billing", "Billing", False, "billing@example.com"),
    ("complaints", "Complaints", False, "complaints@example.com"),
    ("bookings", "Bookings", False, "bookings@example.com"),
    ("it", "IT Service Desk", True, "itservicedesk@example.org"),
    ("people", "People Services", True, "people@example.org"),
)
# username, first name, last name, role, team keys
LOGINS: tuple[tuple[str, str, str, Role, tuple[str, ...]], ...] = (
    ("agent", "Jamie", "Walsh", Role.AGENT, ("care",)),
    ("lead", "Claire", "Donnelly", Role.TEAM_LEAD, ("care", "complaints")),
    ("manager", "Helen", "Baxter", Role.SERVICE_MANAGER, ()),
    ("dpo", "Rajesh", "Iyer", Role.PRIVACY_OFFICER, ()),
    ("admin", "Sam", "Okafor", Role.ADMIN, ()),
    ("priya", "Priya", "Sharma", Role.AGENT, ("billing",)),
    ("nadia", "Nadia", "Kowalczyk", Role.TEAM_LEAD, ("billing", "bookings")),
    ("tom", "Tom", "Hughes", Role.AGENT, ("complaints", "care")),
    ("aisha", "Aisha", "Bello", Role.AGENT, ("bookings", "care")),
    ("gareth", "Gareth", "Pryce", Role.TEAM_LEAD, ("it", "people")),
    ("callum", "Callum", "Fraser", Role.AGENT, ("it",)),
    ("megan", "Megan", "Lloyd", Role.AGENT, ("people", "it")),
)
# Phone numbers Ofcom keeps for drama: (format, first, last) for the four ranges.
PHONE_RANGES = (
    ("07700 {:06d}", 900000, 900999),
    ("020 7946 {:04d}", 0, 999),
    ("0113 496 {:04d}", 0, 999),
    ("0161 496 {:04d}", 0, 999),
)
WRITTEN_CHANNELS = (Channel.EMAIL, Channel.WEB, Channel.CHAT, Channel.SOCIAL, Channel.API, Channel.INTERNAL)
LOGGED_CHANNELS = (Channel.PHONE, Channel.FACE_TO_FACE)
# Steps the customer takes, at any hour; the desk's own steps happen in working hours.
CUSTOMER_STEPS = ("customer", "call_in")


def load_demo(*, cases: int = 2400, progress: bool = True) -> DemoResult:
    """Load the demo desk once. When its teams already exist, change nothing and say so."""
    rng = random.Random(SEED)  # noqa: S311 - repeatable on purpose, not a secret
    with transaction.atomic():
        # Checked inside the transaction, so two loads at once cannot both go ahead.
        if Team.objects.filter(name__in=[name for _, name, _, _ in TEAMS]).exists():
            return DemoResult(
                created=False,
                cases=Case.objects.count(),
                customers=Customer.objects.filter(merged_into=None).count(),
                logins=_existing_logins(),
            )
        staff = _create_staff()
        _create_standards(staff)
        people = _create_customers(rng, cases=cases)
        plans = _plan_cases(rng, staff, people, count=cases, now=timezone.now())
        with surveys_paused():
            _open(plans, staff, progress=progress)
            _follow_up(plans, staff, progress=progress)
            # Rules start now, as on a desk that has just switched them on: they act on the cases
            # that are already late or waiting, at today's time, after the history above.
            create_escalation_rules()
            _catch_up(progress=progress)
        _survey_history(plans, staff)
        _create_mailboxes(staff)
        _mark_history_as_emailed()
    return DemoResult(
        created=True,
        cases=len(plans),
        customers=len(people.external) + len(people.internal),
        logins=[(agent.username, str(Role(agent.role).label)) for agent in staff.agents],
    )


def _create_standards(staff: _Staff) -> Agent:
    """Calendars and service level policies, so the demo's cases carry due times, pauses and
    breaches from the start. Returns the manager who set them up."""
    by = staff.manager if staff.manager.role in (Role.SERVICE_MANAGER, Role.ADMIN) else automation_agent()
    create_service_standards(teams=staff.teams.values(), by=by)
    return by


def create_service_standards(*, teams: Iterable[Team], by: Agent) -> None:
    """The demo's calendars (shop hours for customer teams, office hours for internal desks) and
    its four service level policies. The speed measurements set up the same."""
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    shops = create_calendar(
        details=CalendarDetails(
            name="Customer service hours",
            region=Region.ENGLAND_AND_WALES,
            weekly_hours={**{day: [["08:00", "18:00"]] for day in weekdays}, "sat": [["09:00", "13:00"]]},
        ),
        by=by,
    )
    office = create_calendar(
        details=CalendarDetails(
            name="Office hours",
            region=Region.ENGLAND_AND_WALES,
            weekly_hours={day: [["08:30", "12:30"], ["13:30", "17:30"]] for day in weekdays},
        ),
        by=by,
    )
    for team in teams:
        set_team_calendar(team=team, calendar=office if team.is_internal_desk else shops, by=by)
    hour = 60
    policies = [
        PolicyDetails(
            name="Urgent",
            priorities=[Priority.URGENT],
            first_response_minutes=hour,
            next_response_minutes=2 * hour,
            resolution_minutes=8 * hour,
        ),
        PolicyDetails(
            name="Complaints",
            kinds=[CaseKind.COMPLAINT],
            first_response_minutes=4 * hour,
            next_response_minutes=8 * hour,
            resolution_minutes=5 * 10 * hour,
        ),
        PolicyDetails(
            name="Colleagues",
            customer_kinds=[CustomerKind.INTERNAL],
            first_response_minutes=4 * hour,
            resolution_minutes=2 * 8 * hour,
        ),
        PolicyDetails(
            name="Standard",
            first_response_minutes=8 * hour,
            next_response_minutes=8 * hour,
            resolution_minutes=3 * 10 * hour,
        ),
    ]
    for details in policies:
        create_policy(details=details, by=by)


def create_escalation_rules() -> None:
    """The demo's four escalation rules: warnings, raised priority, reminders, resolving."""
    hour = 60
    rules = [
        EscalationRule(
            name="Warn the team lead at three quarters of the resolution time",
            position=1,
            trigger=RuleTrigger.TARGET_USED,
            target=Target.RESOLUTION,
            threshold_percent=75,
            actions=[RuleAction.NOTIFY_TEAM_LEADS],
        ),
        EscalationRule(
            name="Raise the priority when the first response is late",
            position=2,
            trigger=RuleTrigger.TARGET_BREACHED,
            target=Target.FIRST_RESPONSE,
            actions=[RuleAction.RAISE_PRIORITY, RuleAction.NOTIFY_TEAM_LEADS],
        ),
        EscalationRule(
            name="Remind the customer after two working days",
            position=3,
            trigger=RuleTrigger.AWAITING_CUSTOMER,
            wait_minutes=2 * 10 * hour,
            actions=[RuleAction.REMIND_CUSTOMER],
            message="We are still here to help. Could you reply with the details we asked for, so we can carry on?",
        ),
        EscalationRule(
            name="Resolve after seven working days without a reply",
            position=4,
            trigger=RuleTrigger.AWAITING_CUSTOMER,
            wait_minutes=7 * 10 * hour,
            actions=[RuleAction.RESOLVE_WITH_NOTE],
            message="No reply from the customer after seven working days, so the case was resolved. "
            "It reopens if they write again.",
        ),
    ]
    for rule in rules:
        rule.full_clean()
        rule.save()


COMPLAINT_STEPS: dict[str, dict[str, object]] = {
    "listen": {
        "account": "The order arrived late and nobody told them why.",
        "desired_outcome": "An apology and to know it will not happen again.",
        "summary_confirmed": True,
        "summary": "Late delivery with no word from us; wants an apology and a fix.",
    },
    "apologise": {"apology": "Apologised sincerely for the experience.", "admission_of_liability": False},
    "thank": {"thanks": "Thanked them for raising it."},
    "explain": {
        "explanation": "Explained what went wrong and why.",
        "impact": "Acknowledged the wasted day waiting in.",
    },
    "resolve": {"resolution": "Offered a remedy.", "customer_response": "accepted"},
}


# How often each root cause is behind a demo complaint: a few causes behind most complaints,
# so the Pareto chart of the register has a shape worth reading.
ROOT_CAUSE_WEIGHTS = {
    "delivery": 9,
    "communication": 6,
    "billing_error": 4,
    "product_fault": 3,
    "staff_behaviour": 2,
    "policy": 1,
}


def _handle_complaint(case: Case, by: Agent) -> None:
    """A complaint in the demo is handled by the book before it is resolved, its root cause
    found."""
    from patron.complaints.models import Complaint, RootCause
    from patron.complaints.services import record_step, set_root_cause

    complaint = Complaint.objects.filter(case=case).select_related("case", "root_cause").first()
    if complaint is None:
        return
    taken = set(complaint.steps.values_list("step", flat=True))
    for step, details in COMPLAINT_STEPS.items():
        if step not in taken:
            record_step(complaint=complaint, by=by, step=step, details=details)
    if complaint.root_cause is None:
        rng = random.Random(SEED + case.pk)  # noqa: S311 - repeatable on purpose, not a secret
        code = rng.choices(list(ROOT_CAUSE_WEIGHTS), weights=list(ROOT_CAUSE_WEIGHTS.values()))[0]
        set_root_cause(complaint=complaint, by=by, root_cause=RootCause.objects.get(code=code))


def _create_mailboxes(staff: _Staff) -> None:
    for team in staff.teams.values():
        Mailbox.objects.create(address=team.email, name=team.name, team=team)


# How customers answer a satisfaction survey on a desk doing fairly well, 1 to 5.
_CSAT_WEIGHTS = (4, 5, 10, 35, 46)
_SURVEY_COMMENTS = {
    5: ("Quick and friendly, thank you.", "Sorted first time.", "Kept me informed all the way."),
    4: ("Good, though it took a couple of days.", "Helpful once I got through."),
    3: ("Fine in the end, but I had to chase.", ""),
    2: ("I had to explain it all twice.", "Slow to reply."),
    1: ("Nobody called me back as promised.", "Still not fixed properly."),
}


def _survey_history(plans: Sequence[_Plan], staff: _Staff) -> None:
    """About half the customers agreed to surveys before their first case; each of their cases
    finished since was surveyed when it was, and about a third of those were answered."""
    rng = random.Random(SEED + 3)  # noqa: S311 - repeatable on purpose, not a secret
    customers = {plan.customer.pk: plan.customer for plan in plans}
    first_contact = min(plan.received_at for plan in plans)
    willing: set[int] = set()
    with _replay_clock() as clock:
        clock.at = first_contact - timedelta(days=1)
        for customer_id, customer in sorted(customers.items()):
            if rng.random() < 0.5:
                record_consent(
                    customer=customer,
                    purpose=Purpose.SURVEYS,
                    basis=LawfulBasis.CONSENT,
                    detail="Ticked “send me a short survey after each case” on the web form.",
                    by=staff.manager,
                )
                willing.add(customer_id)
        finished = Case.objects.filter(
            pk__in=[plan.case.pk for plan in plans if plan.case is not None],
            status__in=(Status.RESOLVED, Status.CLOSED),
            customer_id__in=willing,
        ).order_by("pk")
        for case in finished:
            finished_at = case.resolved_at or case.closed_at
            assert finished_at is not None
            clock.at = min(finished_at + timedelta(minutes=5), clock.real())
            survey = send_survey(case_id=case.pk, now=clock.at)
            if survey is None or survey.status != SurveyStatus.SENT or rng.random() > 0.35:
                continue
            # Answered within three days, and never after today.
            clock.at = min(finished_at + _minutes(rng, 30, 3 * 24 * 60), clock.real() - timedelta(minutes=1))
            if clock.at <= survey.sent_at:  # type: ignore[operator]
                continue
            score = rng.choices(range(1, 6), weights=_CSAT_WEIGHTS)[0]
            record_answer(survey=survey, score=score, comment=rng.choice(_SURVEY_COMMENTS[score]), at=clock.at)


def _mark_history_as_emailed() -> None:
    """The replayed replies went out when they were written, long ago: nothing is left to send."""
    OutboundEmail.objects.filter(status=OutboundStatus.QUEUED).update(
        status=OutboundStatus.SENT, sent_at=F("created_at"), attempts=1
    )


def _catch_up(*, progress: bool) -> None:
    """Read every open case's service levels once more, now that the rules exist."""
    open_ids = list(Case.objects.exclude(status__in=[Status.RESOLVED, Status.CLOSED]).values_list("id", flat=True))
    batches = [open_ids[start : start + 200] for start in range(0, len(open_ids), 200)]
    for batch in tqdm(batches, desc="Applying escalation rules", unit="batch", disable=not progress):
        sync_service_levels(list(Case.objects.filter(pk__in=batch)))


def _existing_logins() -> list[tuple[str, str]]:
    """The demo's logins still there (an account of the same name made by someone else is not one)."""
    found = {agent.username: agent for agent in Agent.objects.filter(username__in=[row[0] for row in LOGINS])}
    return [
        (name, str(Role(found[name].role).label))
        for name, first, last, *_ in LOGINS
        if name in found and found[name].email == _agent_email(first, last)
    ]


def _agent_email(first: str, last: str) -> str:
    return f"{_ascii(first)}.{_ascii(last)}@example.org"


# --- staff --------------------------------------------------------------------------------------


@dataclass
class _Staff:
    teams: dict[str, Team]
    agents: list[Agent]
    members: dict[str, list[Agent]]
    leads: dict[str, Agent]
    manager: Agent

    def handler(self, rng: random.Random, team_key: str) -> Agent:
        """Someone in the team who works cases (agents more often than the lead)."""
        members = self.members[team_key]
        workers = [agent for agent in members if agent.role == Role.AGENT] or members
        return rng.choice(workers) if rng.random() < 0.85 else rng.choice(members)


def _create_staff() -> _Staff:
    teams = {
        key: create_team(name=name, is_internal_desk=internal, email=email) for key, name, internal, email in TEAMS
    }
    taken = {name.lower() for name in Agent.objects.values_list("username", flat=True)}
    agents: list[Agent] = []
    for username, first, last, role, team_keys in LOGINS:
        if username in taken:  # e.g. an administrator made with `patron createadmin admin`
            continue
        agents.append(
            create_agent(
                username=username,
                email=_agent_email(first, last),
                role=role,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                teams=[teams[key] for key in team_keys],
            )
        )
    everyone_sees_all = [agent for agent in agents if agent.sees_all_cases]
    manager = next((agent for agent in agents if agent.role == Role.SERVICE_MANAGER), None)
    manager = manager or (everyone_sees_all[0] if everyone_sees_all else agents[0])
    team_keys_of = {row[0]: row[4] for row in LOGINS}
    members: dict[str, list[Agent]] = {}
    leads: dict[str, Agent] = {}
    for key, *_ in TEAMS:
        in_team = [agent for agent in agents if key in team_keys_of[agent.username]]
        members[key] = in_team or [manager]
        leads[key] = next((agent for agent in in_team if agent.role == Role.TEAM_LEAD), manager)
    return _Staff(teams=teams, agents=agents, members=members, leads=leads, manager=manager)


# --- customers ----------------------------------------------------------------------------------


@dataclass
class _People:
    external: list[Customer]
    internal: list[Customer]
    first_names: dict[int, str] = field(default_factory=dict)

    def pick(self, rng: random.Random, *, internal: bool) -> Customer:
        """A customer, some far more often than others, as on a real desk."""
        pool = self.internal if internal else self.external
        return pool[int(len(pool) * rng.random() ** 1.7)]


def _create_customers(rng: random.Random, *, cases: int) -> _People:
    external_count = min(2000, max(160, cases // 10))
    internal_count = min(600, max(40, cases // 40))
    companies = [create_organisation(name=name) for name in text.COMPANIES]
    departments = {name: create_organisation(name=name, kind=OrganisationKind.DEPARTMENT) for name in text.DEPARTMENTS}
    phones = _phone_numbers(rng)
    emails: set[str] = set()
    people = _People(external=[], internal=[])
    for index in range(external_count + internal_count):
        internal = index >= external_count
        first, last = rng.choice(text.FIRST_NAMES), rng.choice(text.SURNAMES)
        organisation: Organisation | None = None
        job_title = ""
        if internal:
            department = rng.choice(list(text.DEPARTMENTS))
            organisation, job_title = departments[department], rng.choice(text.DEPARTMENTS[department])
        elif rng.random() < 0.15:
            organisation, job_title = rng.choice(companies), rng.choice(text.COMPANY_TITLES)
        adjustments, note = _adjustments(rng, chance=0.05 if internal else 0.1)
        has_phone = rng.random() < (0.5 if internal else 0.7)
        details = CustomerDetails(
            name=f"{first} {last}",
            kind=CustomerKind.INTERNAL if internal else CustomerKind.EXTERNAL,
            organisation=organisation,
            job_title=job_title,
            preferred_channel=_preferred_channel(rng, adjustments),
            preferred_language=rng.choice(text.LANGUAGES) if rng.random() < 0.06 else "",
            adjustments=adjustments,
            adjustments_note=note,
            emails=[_email(rng, first, last, internal=internal, taken=emails)],
            phones=[phones.pop()] if has_phone and phones else [],
        )
        customer = create_customer(details=details, by=None)
        (people.internal if internal else people.external).append(customer)
        people.first_names[customer.pk] = first
    return people


def _phone_numbers(rng: random.Random) -> list[str]:
    numbers = [pattern.format(n) for pattern, first, last in PHONE_RANGES for n in range(first, last + 1)]
    rng.shuffle(numbers)
    return numbers


def _ascii(value: str) -> str:
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _email(rng: random.Random, first: str, last: str, *, internal: bool, taken: set[str]) -> str:
    first_part, last_part = _ascii(first), _ascii(last)
    if internal:
        local, domain = f"{first_part}.{last_part}", "example.org"
    else:
        local = rng.choice((f"{first_part}.{last_part}", f"{first_part}{last_part[0]}", f"{first_part[0]}{last_part}"))
        domain = rng.choice(("example.com", "example.com", "example.net"))
    address, number = f"{local}@{domain}", 1
    while address in taken:
        number += 1
        address = f"{local}{number}@{domain}"
    taken.add(address)
    return address


def _adjustments(rng: random.Random, *, chance: float) -> tuple[list[str], str]:
    if rng.random() >= chance:
        return [], ""
    chosen = rng.sample(Adjustment.values, k=rng.choice((1, 1, 2)))
    note = rng.choice(text.ADJUSTMENT_NOTES) if rng.random() < 0.5 else ""
    return sorted(chosen), note


def _preferred_channel(rng: random.Random, adjustments: Sequence[str]) -> str:
    for adjustment, channel in (
        (Adjustment.RELAY_UK, "text_relay"),
        (Adjustment.WRITTEN_ONLY, "email"),
        (Adjustment.BSL_INTERPRETER, "face_to_face"),
        (Adjustment.CALL_BACK, "phone"),
        (Adjustment.LARGE_PRINT, "post"),
    ):
        if adjustment in adjustments:
            return channel
    if rng.random() < 0.4:
        return rng.choice(("email", "email", "phone", "portal", "post"))
    return ""


# --- planning the cases -------------------------------------------------------------------------


@dataclass
class _Step:
    after: timedelta
    action: str
    arg: str = ""
    at: datetime | None = None


@dataclass
class _Plan:
    scenario: text.Scenario
    variant: text.Variant
    customer: Customer
    channel: str
    status: str
    received_at: datetime
    priority: int
    team_key: str
    handler: Agent
    opener: Agent | None
    assigned_at_open: bool
    slots: text.Slots
    tags: list[str]
    steps: list[_Step] = field(default_factory=list)
    case: Case | None = None
    answer: str = ""  # what the customer sends back when asked a question


# Status a case of a given age has reached, as (days up to, weights in STATUS_ORDER).
STATUS_ORDER: tuple[str, ...] = (
    Status.NEW,
    Status.OPEN,
    Status.AWAITING_CUSTOMER,
    Status.AWAITING_THIRD_PARTY,
    Status.RESOLVED,
    Status.CLOSED,
)
STATUS_BY_AGE = (
    (1.0, (45, 25, 15, 5, 10, 0)),
    (7.0, (8, 25, 20, 10, 30, 7)),
    (30.0, (2, 10, 10, 5, 35, 38)),
    (HISTORY_DAYS + 1.0, (0, 3, 3, 2, 18, 74)),
)
# The youngest and oldest a case in each status is, in days, when the status is chosen first.
AGE_FOR_STATUS: dict[str, tuple[float, float]] = {
    Status.NEW: (0.02, 0.8),
    Status.OPEN: (0.3, 5.0),
    Status.AWAITING_CUSTOMER: (0.5, 6.0),
    Status.AWAITING_THIRD_PARTY: (1.0, 10.0),
    Status.RESOLVED: (1.0, 20.0),
    Status.CLOSED: (12.0, 85.0),
}


def _plan_cases(rng: random.Random, staff: _Staff, people: _People, *, count: int, now: datetime) -> list[_Plan]:
    """Decide every case and its history up front. The first few are chosen so that every
    channel, kind and status appears even in a small demo."""
    plans: list[_Plan] = []
    weights = [scenario.weight for scenario in text.SCENARIOS]
    kinds, statuses = CaseKind.values, list(STATUS_ORDER)
    for index in range(count):
        if index < len(Channel.values):
            channel = Channel.values[index]
            kind = kinds[index % len(kinds)]
            candidates = [s for s in text.SCENARIOS if channel in s.channels and s.kind == kind] or [
                s for s in text.SCENARIOS if channel in s.channels
            ]
            scenario = rng.choice(candidates)
            status = statuses[index % len(statuses)]
            low, high = AGE_FOR_STATUS[status]
            age = rng.uniform(low, high)
        else:
            scenario = rng.choices(text.SCENARIOS, weights=weights)[0]
            channel = rng.choice(scenario.channels)
            age = rng.uniform(0.01, HISTORY_DAYS)
            status = _status_for_age(rng, age)
        plans.append(_plan_one(rng, staff, people, scenario, channel, status, _received_at(rng, age, channel, now)))
    plans.sort(key=lambda plan: plan.received_at)
    for plan in plans:
        plan.steps = _steps(rng, plan)
        _schedule(plan, now)
    return plans


def _status_for_age(rng: random.Random, age: float) -> str:
    for limit, weights in STATUS_BY_AGE:
        if age <= limit:
            return rng.choices(STATUS_ORDER, weights=weights)[0]
    return Status.CLOSED


def _received_at(rng: random.Random, age_days: float, channel: str, now: datetime) -> datetime:
    """A moment about `age_days` ago, in the hours people get in touch on that channel.

    The moment is counted back from the end of today rather than from this minute, so loads on
    the same day plan the cases in the same order; the last day is then squeezed to end ten
    minutes ago, which keeps that order."""
    today = now.astimezone(LONDON).date()
    day_end = datetime(today.year, today.month, today.day, tzinfo=LONDON) + timedelta(days=1)
    local = (day_end - timedelta(days=age_days)).astimezone(LONDON)
    written = channel in (Channel.EMAIL, Channel.WEB, Channel.SOCIAL, Channel.API)
    hour = rng.randint(7, 22) if written and rng.random() < 0.3 else rng.randint(8, 17)
    moment = datetime(local.year, local.month, local.day, hour, rng.randint(0, 59), rng.randint(0, 59), tzinfo=LONDON)
    if not written and moment.weekday() == 6:  # offices and phone lines are closed on Sundays
        moment -= timedelta(days=2 if channel == Channel.INTERNAL else 1)
    return _in_the_past(moment, now=now, day_end=day_end).astimezone(timezone.get_current_timezone())


def _in_the_past(moment: datetime, *, now: datetime, day_end: datetime) -> datetime:
    """The planned moment, or, when it falls in the last day, its place in the day before ten
    minutes ago: the same stretch of time shrunk, so earlier moments stay earlier."""
    latest = now - timedelta(minutes=10)
    shrink_from = latest - timedelta(days=1)
    if moment <= shrink_from:
        return moment
    return shrink_from + (moment - shrink_from) * ((latest - shrink_from) / (day_end - shrink_from))


def _plan_one(
    rng: random.Random,
    staff: _Staff,
    people: _People,
    scenario: text.Scenario,
    channel: str,
    status: str,
    received_at: datetime,
) -> _Plan:
    customer = people.pick(rng, internal=scenario.internal or channel == Channel.INTERNAL)
    handler = staff.handler(rng, scenario.team)
    logged = channel in LOGGED_CHANNELS
    tags = [tag for tag in scenario.tags if rng.random() < 0.7]
    if customer.adjustments:
        tags.append("reasonable-adjustments")
    return _Plan(
        scenario=scenario,
        variant=rng.choice(scenario.variants),
        customer=customer,
        channel=channel,
        status=status,
        received_at=received_at,
        priority=_priority(rng, scenario.kind),
        team_key=scenario.team,
        handler=handler,
        opener=handler if logged else None,
        assigned_at_open=logged or rng.random() < 0.3,
        slots=text.Slots(rng, first=people.first_names[customer.pk], agent=handler.first_name),
        tags=tags,
    )


def _priority(rng: random.Random, kind: str) -> int:
    weights: dict[str, tuple[int, ...]] = {
        CaseKind.INCIDENT: (5, 45, 35, 15),
        CaseKind.COMPLAINT: (5, 55, 35, 5),
        CaseKind.COMPLIMENT: (60, 40, 0, 0),
    }
    chosen = weights.get(kind, (20, 70, 9, 1))
    return rng.choices(Priority.values, weights=chosen)[0]


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    """A wait between `low` and `high` minutes, short waits being the more common."""
    return timedelta(minutes=low + (high - low) * rng.random() ** 2)


def _steps(rng: random.Random, plan: _Plan) -> list[_Step]:
    """What happens on the case after it is opened, ending in the planned status."""
    step = _Step
    first_reply = _minutes(rng, 10, 26 * 60)
    steps: list[_Step] = []
    if not plan.assigned_at_open and (plan.status != Status.NEW or rng.random() < 0.3):
        steps.append(step(_minutes(rng, 2, 90), "assign"))
    if plan.scenario.kind == CaseKind.ENQUIRY and plan.team_key in ("care", "billing") and rng.random() < 0.06:
        steps.append(step(_minutes(rng, 30, 240), "escalate"))
    elif plan.scenario.kind in (CaseKind.INCIDENT, CaseKind.COMPLAINT) and rng.random() < 0.1:
        steps.append(step(_minutes(rng, 5, 120), "priority"))
    if rng.random() < 0.12:
        steps.append(step(_minutes(rng, 5, 60), "note"))
    status = plan.status
    if status == Status.NEW:
        return steps
    if rng.random() < 0.08:
        steps.append(step(_minutes(rng, 5, 180), "tags"))
    if status == Status.OPEN:
        steps.append(step(first_reply, "reply", Status.OPEN))
        if rng.random() < 0.4:
            steps.append(step(_minutes(rng, 60, 48 * 60), "customer", "more"))
    elif status == Status.AWAITING_CUSTOMER:
        if rng.random() < 0.3:
            steps.append(step(first_reply, "reply", Status.OPEN))
            steps.append(step(_minutes(rng, 60, 48 * 60), "call_in" if rng.random() < 0.3 else "customer", "answer"))
            steps.append(step(_minutes(rng, 30, 24 * 60), "reply", Status.AWAITING_CUSTOMER))
        else:
            steps.append(step(first_reply, "reply", Status.AWAITING_CUSTOMER))
    elif status == Status.AWAITING_THIRD_PARTY:
        steps.append(step(first_reply, "reply", Status.OPEN))
        steps.append(step(_minutes(rng, 10, 120), "third_party"))
        steps.append(step(_minutes(rng, 1, 5), "status", Status.AWAITING_THIRD_PARTY))
    else:
        steps.extend(_resolution(rng, plan, first_reply))
        if status == Status.CLOSED:
            steps.append(step(_minutes(rng, 2 * 24 * 60, 7 * 24 * 60), "status", Status.CLOSED))
    return steps


def _resolution(rng: random.Random, plan: _Plan, first_reply: timedelta) -> list[_Step]:
    step = _Step
    resolved = Status.RESOLVED
    path = rng.choices(("one_touch", "ask", "third_party", "call", "reopened", "two_replies"), (30, 25, 12, 13, 8, 12))[
        0
    ]
    if path == "one_touch":
        return [step(first_reply, "reply", resolved)]
    if path == "ask":
        return [
            step(first_reply, "reply", Status.AWAITING_CUSTOMER),
            step(_minutes(rng, 60, 72 * 60), "call_in" if rng.random() < 0.25 else "customer", "answer"),
            step(_minutes(rng, 30, 24 * 60), "reply", resolved),
        ]
    if path == "third_party":
        return [
            step(first_reply, "reply", Status.OPEN),
            step(_minutes(rng, 10, 120), "third_party"),
            step(_minutes(rng, 1, 5), "status", Status.AWAITING_THIRD_PARTY),
            step(_minutes(rng, 24 * 60, 96 * 60), "reply", resolved),
        ]
    if path == "call":
        return [step(first_reply, "call_out"), step(_minutes(rng, 5, 30), "reply", resolved)]
    if path == "reopened":
        return [
            step(first_reply, "reply", resolved),
            step(_minutes(rng, 24 * 60, 96 * 60), "customer", "chase"),
            step(_minutes(rng, 30, 8 * 60), "call_out"),
            step(_minutes(rng, 60, 24 * 60), "reply", resolved),
        ]
    return [step(first_reply, "reply", Status.OPEN), step(_minutes(rng, 4 * 60, 72 * 60), "reply", resolved)]


def _schedule(plan: _Plan, now: datetime) -> None:
    """Give each step its moment. A history that would run past the present is squeezed
    into the time the case has had, keeping the order of its steps."""
    moments, at = [], plan.received_at
    internal_desk = plan.team_key in ("it", "people")
    for item in plan.steps:
        at += item.after
        if item.action not in CUSTOMER_STEPS:
            at = _working_time(at, saturdays=not internal_desk)
        moments.append(at)
    latest = now - timedelta(minutes=2)
    if moments and moments[-1] > latest:
        span = (moments[-1] - plan.received_at).total_seconds()
        room = max((latest - plan.received_at).total_seconds(), 0.0)
        moments = [plan.received_at + (moment - plan.received_at) * (room / span) for moment in moments]
    previous = plan.received_at
    for item, moment in zip(plan.steps, moments, strict=True):
        # One second apart at least, so the timeline reads in the order things happened.
        previous = max(moment, previous + timedelta(seconds=1))
        item.at = min(previous, latest)


def _working_time(moment: datetime, *, saturdays: bool) -> datetime:
    """The moment, or the start of the next working day when it falls outside the desk's
    hours (08:00 to 18:00, Monday to Saturday; internal desks Monday to Friday)."""
    local = moment.astimezone(LONDON)
    if local.hour >= 18:
        local = datetime(local.year, local.month, local.day, 8, local.minute, tzinfo=LONDON) + timedelta(days=1)
    elif local.hour < 8:
        local = datetime(local.year, local.month, local.day, 8, local.minute, tzinfo=LONDON)
    while local.weekday() == 6 or (local.weekday() == 5 and not saturdays):
        local = datetime(local.year, local.month, local.day, 8, local.minute, tzinfo=LONDON) + timedelta(days=1)
    return local


# --- writing the messages -----------------------------------------------------------------------


def _first_message(rng: random.Random, plan: _Plan) -> tuple[str, str]:
    slots, variant = plan.slots, plan.variant
    subject = variant.subject.format_map(slots)
    if plan.channel in LOGGED_CHANNELS:
        where = "Phone call" if plan.channel == Channel.PHONE else "In person"
        return subject, f"{where}: {variant.call.format_map(slots)}"
    body = variant.body.format_map(slots)
    first, full = slots["first"], plan.customer.name
    if plan.channel == Channel.EMAIL:
        body = f"{rng.choice(text.GREETINGS)}\n\n{body}\n\n{rng.choice(text.SIGN_OFFS)}\n{first}"
    elif plan.channel == Channel.INTERNAL:
        department = plan.customer.organisation.name if plan.customer.organisation else ""
        body = f"{rng.choice(text.INTERNAL_GREETINGS)}\n\n{body}\n\nThanks,\n{full}\n{department}".rstrip()
    elif plan.channel == Channel.WEB:
        body = f"{body}\n\nName: {full}"
    return subject, body


def _reply_body(rng: random.Random, plan: _Plan, status: str, team: Team) -> str:
    sector = plan.scenario.sector
    if status == Status.RESOLVED:
        core = plan.variant.resolution
    elif status == Status.AWAITING_CUSTOMER:
        core, plan.answer = rng.choice(text.QUESTIONS.get(sector, text.QUESTIONS["default"]))
    else:
        core = rng.choice(text.ACKNOWLEDGEMENTS.get(sector, text.ACKNOWLEDGEMENTS["default"]))
    opening = rng.choice(text.REPLY_OPENINGS)
    closing = rng.choice(text.REPLY_CLOSINGS)
    body = f"{opening}\n\n{core}\n\n{closing}\n\n{plan.handler.first_name}\n{team.name}"
    return body.format_map(plan.slots)


def _note_body(rng: random.Random, plan: _Plan, third_party: bool = False) -> str:
    if third_party:
        pool = text.THIRD_PARTY_NOTES.get(plan.scenario.sector, text.THIRD_PARTY_NOTES["default"])
    else:
        pool = plan.scenario.notes + text.NOTES
    return rng.choice(pool).format_map(plan.slots)


# --- replaying the history ----------------------------------------------------------------------


def _open(plans: Sequence[_Plan], staff: _Staff, *, progress: bool) -> None:
    rng = random.Random(SEED + 1)  # noqa: S311 - repeatable on purpose, not a secret
    with tqdm(total=len(plans), desc="Opening cases", unit="case", disable=not progress) as bar:
        for start in range(0, len(plans), BATCH):
            window = plans[start : start + BATCH]
            openers: dict[int | None, list[_Plan]] = {}
            for plan in window:
                openers.setdefault(plan.opener.pk if plan.opener else None, []).append(plan)
            for group in openers.values():
                new_cases = []
                for plan in group:
                    subject, body = _first_message(rng, plan)
                    new_cases.append(
                        NewCase(
                            customer=plan.customer,
                            subject=subject,
                            body=body,
                            channel=plan.channel,
                            kind=plan.scenario.kind,
                            priority=plan.priority,
                            team=staff.teams[plan.team_key],
                            assignee=plan.handler if plan.assigned_at_open else None,
                            category=plan.scenario.category,
                            tags=plan.tags,
                            received_at=plan.received_at,
                        )
                    )
                opened = cases.open_cases(new_cases=new_cases, by=group[0].opener)
                for plan, case in zip(group, opened, strict=True):
                    plan.case = case
            bar.update(len(window))


class _Clock:
    """The time the services read while a step is replayed."""

    def __init__(self, real: Callable[[], datetime]) -> None:
        self.real = real
        self.at: datetime | None = None

    def now(self) -> datetime:
        return self.at or self.real()


@contextmanager
def _replay_clock() -> Iterator[_Clock]:
    clock = _Clock(timezone.now)
    with mock.patch.object(timezone, "now", clock.now):
        yield clock


def _follow_up(plans: Sequence[_Plan], staff: _Staff, *, progress: bool) -> None:
    rng = random.Random(SEED + 2)  # noqa: S311 - repeatable on purpose, not a secret
    with _replay_clock() as clock, tqdm(plans, desc="Replaying history", unit="case", disable=not progress) as bar:
        for plan in bar:
            for item in plan.steps:
                clock.at = item.at
                _perform(rng, plan, item, staff)
            clock.at = None


def _perform(rng: random.Random, plan: _Plan, item: _Step, staff: _Staff) -> None:
    case = plan.case
    assert case is not None
    team = staff.teams[plan.team_key]
    if item.action == "assign":
        lead = staff.leads[plan.team_key]
        plan.case = cases.assign(case=case, by=lead, assignee=plan.handler, expected_version=_version(case))
    elif item.action == "escalate":
        complaints = staff.teams["complaints"]
        handler = staff.handler(rng, "complaints")
        plan.case = cases.update_case(
            case=case,
            by=staff.manager,
            expected_version=_version(case),
            changes=CaseChanges(kind=CaseKind.COMPLAINT, team=complaints, assignee=handler, priority=Priority.HIGH),
        )
        plan.team_key, plan.handler = "complaints", handler
    elif item.action == "priority":
        plan.case = cases.update_case(
            case=case,
            by=staff.leads[plan.team_key],
            expected_version=_version(case),
            changes=CaseChanges(priority=min(case.priority + 1, Priority.URGENT)),
        )
    elif item.action == "tags":
        extra = rng.choice(("callback", "follow-up", "escalated", "goodwill"))
        current = list(case.tags.values_list("name", flat=True))
        plan.case = cases.update_case(
            case=case, by=plan.handler, expected_version=_version(case), changes=CaseChanges(tags=[*current, extra])
        )
    elif item.action == "reply":
        if case.kind == CaseKind.COMPLAINT and item.arg in (Status.RESOLVED, Status.CLOSED):
            _handle_complaint(case, plan.handler)
        cases.reply(case=case, by=plan.handler, body=_reply_body(rng, plan, item.arg, team), status=item.arg)
    elif item.action in ("note", "third_party"):
        cases.add_note(case=case, by=plan.handler, body=_note_body(rng, plan, third_party=item.action == "third_party"))
    elif item.action == "status":
        if case.kind == CaseKind.COMPLAINT and item.arg in (Status.RESOLVED, Status.CLOSED):
            _handle_complaint(case, plan.handler)
        cases.set_status(case=case, by=plan.handler, status=item.arg, expected_version=_version(case))
    elif item.action == "customer":
        channel = plan.channel if plan.channel in WRITTEN_CHANNELS else Channel.EMAIL
        cases.receive_message(case=case, customer=None, body=_customer_says(rng, plan, item.arg), channel=channel)
    elif item.action in ("call_out", "call_in"):
        outbound = item.action == "call_out"
        if outbound and Adjustment.WRITTEN_ONLY in plan.customer.adjustments:
            # They asked for written contact only: the handler writes instead of calling.
            cases.reply(case=case, by=plan.handler, body=text.WRITTEN_INSTEAD_OF_CALL)
            return
        if outbound:
            summary = rng.choice(text.CALLS_OUT)
        elif item.arg == "answer":
            summary = "Customer rang back with the details we asked for; added them to the account."
        else:
            summary = rng.choice(text.CALLS_IN)
        cases.log_contact(
            by=plan.handler,
            channel=Channel.PHONE,
            customer=plan.customer,
            summary=summary.format_map(plan.slots),
            case=case,
            outbound=outbound,
        )
    else:
        raise ValueError(item.action)


def _customer_says(rng: random.Random, plan: _Plan, what: str) -> str:
    if what == "answer":
        said = plan.answer or "Thanks for your reply. Here are the details you asked for."
    elif what == "more":
        said = rng.choice(text.ADDITIONS)
    else:
        sector = plan.scenario.sector
        said = rng.choice(text.CHASERS.get(sector, ()) + text.CHASERS["default"])
    return said.format_map(plan.slots)


def _version(case: Case) -> int:
    return Case.objects.filter(pk=case.pk).values_list("version", flat=True).get()
