"""One desk with a person in every role and a record of every kind, for the tests that try each
API route and page as each of them (tests/api/test_access_matrix.py, tests/web/...).

Everything is made once per test module (`desk_for_module`) and each test runs in a savepoint
rolled back at its end, so a test that fulfils a request or lifts a hold leaves the desk as it
was for the next one."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from patron.accounts.models import Agent, Role, Team
from patron.accounts.services import create_token
from patron.cases.models import Case, CaseKind, Channel, parse_reference
from patron.cases.services import NewAttachment, attach_files, reply, set_customer_restriction, set_restriction
from patron.channels.models import InboundEmail, OutboundEmail, OutboundStatus
from patron.channels.services import ingest_email
from patron.complaints import services as complaints
from patron.complaints.models import Complaint, RootCause
from patron.customers.models import Customer, Organisation
from patron.privacy import consent, fulfilment, rights
from patron.privacy.models import RequestType
from patron.standards import services as standards
from patron.standards.models import BusinessCalendar
from tests import factories
from tests.channels.conftest import make_email

# Who calls: one person in each role, an agent of another team, nobody signed in, and (API
# only) an administrator's token capped at the agent role.
ANONYMOUS = "anonymous"
AGENT = "agent"
OTHER_TEAM_AGENT = "other_team_agent"
TEAM_LEAD = "team_lead"
SERVICE_MANAGER = "service_manager"
PRIVACY_OFFICER = "privacy_officer"
ADMIN = "admin"
CAPPED_TOKEN = "capped_token"
PEOPLE = (AGENT, OTHER_TEAM_AGENT, TEAM_LEAD, SERVICE_MANAGER, PRIVACY_OFFICER, ADMIN)

# Who may see team A's cases and the customers on them.
TEAM = frozenset({AGENT, TEAM_LEAD, SERVICE_MANAGER, PRIVACY_OFFICER, ADMIN})
EVERYONE = TEAM | {OTHER_TEAM_AGENT}
LEADS_AND_UP = frozenset({TEAM_LEAD, SERVICE_MANAGER, PRIVACY_OFFICER, ADMIN})
ASSIGNERS = frozenset({TEAM_LEAD, SERVICE_MANAGER, ADMIN})
EXPORTERS = frozenset({SERVICE_MANAGER, PRIVACY_OFFICER, ADMIN})
MANAGERS = frozenset({SERVICE_MANAGER, ADMIN})
PRIVACY = frozenset({PRIVACY_OFFICER, ADMIN})
ADMINS = frozenset({ADMIN})

REASON_HEADER = "X-Patron-Reason"

# Who tries a restricted case or customer in `test_restricted_records_need_naming`: an agent of
# team A named on it, one of the same team who is not, a service manager (who sees every case
# but a restricted one) who is not, and a privacy officer and an administrator, who answer for
# every record.
NAMED = "named agent"
UNNAMED_AGENT = "unnamed team agent"
UNNAMED_MANAGER = "unnamed service manager"
OFFICER = "privacy officer giving a reason"
ADMINISTRATOR = "administrator giving a reason"
TRIERS = (NAMED, UNNAMED_AGENT, UNNAMED_MANAGER, OFFICER, ADMINISTRATOR)
# The role each of them answers as in a table of who may use a route or page.
ROLE_OF = {
    NAMED: AGENT,
    UNNAMED_AGENT: AGENT,
    UNNAMED_MANAGER: SERVICE_MANAGER,
    OFFICER: PRIVACY_OFFICER,
    ADMINISTRATOR: ADMIN,
}
# Those who must say why before they open a restricted case.
GIVE_REASONS = frozenset({NAMED, OFFICER, ADMINISTRATOR})
# The keys of Desk.keys that name a case; every other scope names a customer.
CASE_KEYS = frozenset({"case", "complaint", "email_case"})

WEEKDAYS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


@dataclass
class Desk:
    team_a: Team
    people: dict[str, Agent]
    # An agent of team A named on the records the tests restrict (alice, of the same team, is not).
    named: Agent
    case: Case
    complaint_case: Case
    customer: Customer
    # Values the routes' paths are filled in with.
    keys: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def restrict_case(self, case: Case) -> None:
        """Restrict the case to the named agent (and the team lead who restricts it)."""
        set_restriction(
            case=case, by=self.people[TEAM_LEAD], restricted=True, people=[self.named], reason="An HR matter."
        )

    def restrict_customer(self, customer: Customer) -> None:
        """Restrict the customer, and so each of their cases, to the named agent."""
        set_customer_restriction(
            customer=customer, by=self.people[PRIVACY_OFFICER], restricted=True, people=[self.named], reason="HR."
        )

    def restrict(self, scope: str) -> Case | None:
        """Restrict the case or customer that `keys[scope]` names; the case, when it is one, as
        whoever may see it must still open it with a reason."""
        if scope not in CASE_KEYS:
            self.restrict_customer(Customer.objects.get(pk=self.keys[scope]))
            return None
        pk = parse_reference(self.keys[scope])
        assert pk is not None
        case = Case.objects.get(pk=pk)
        self.restrict_case(case)
        return case

    def trier(self, who: str) -> Agent:
        """The person one of the TRIERS labels stands for."""
        return self.named if who == NAMED else self.people[ROLE_OF[who]]


class Entry(Protocol):
    """A line of an access table (an API probe, a page), as the restricted-record tests read it."""

    @property
    def allowed(self) -> frozenset[str]: ...

    @property
    def hides(self) -> bool: ...

    # The Desk key of the case or customer the entry reads or changes; None when it is about no
    # one record.
    @property
    def scope(self) -> str | None: ...


E = TypeVar("E", bound=Entry)


def _everyone_trying(entry: Entry) -> Sequence[str]:
    return TRIERS


def restricted_tries(
    table: Mapping[str, Sequence[E]], whom: Callable[[E], Iterable[str]] = _everyone_trying
) -> Iterator[tuple[str, E, str]]:
    """Each entry of the table about one case or customer, under its name in the table, with each
    person who tries it once that record is restricted."""
    for name, entries in table.items():
        for entry in entries:
            if entry.scope is not None:
                for who in whom(entry):
                    yield name, entry, who


def restricted_status(entry: E, who: str, status_of: Callable[[E, str], int]) -> int:
    """What `who` gets from the entry with its record restricted, from what each role gets with
    it open (`status_of`): the person named on it and a privacy officer get what their role gets.
    Anyone else finds nothing (404) wherever they would reach the record, by their role or
    because it is looked up before any role is checked; elsewhere their role is refused as ever."""
    role = ROLE_OF[who]
    unnamed = who in (UNNAMED_AGENT, UNNAMED_MANAGER)
    if unnamed and (entry.hides or role in entry.allowed):
        return 404
    return status_of(entry, role)


def hidden_without_scope(table: Mapping[str, Sequence[Entry]]) -> list[str]:
    """Entries that hide a record but name none, so the restricted-record test would pass them by."""
    return [name for name, entries in table.items() for entry in entries if entry.hides and entry.scope is None]


def desk_for_module(django_db_blocker: Any, *, tokens: bool) -> Iterator[Desk]:
    """Build the desk in a transaction kept open for the whole module, then roll it back."""
    with django_db_blocker.unblock(), transaction.atomic():
        desk = _build(tokens=tokens)
        yield desk
        transaction.set_rollback(True)


def _build(*, tokens: bool) -> Desk:
    team_a = factories.team("Customer Care")
    team_b = factories.team("IT Service Desk", is_internal_desk=True)
    people = {
        AGENT: factories.agent(teams=[team_a], username="alice"),
        OTHER_TEAM_AGENT: factories.agent(teams=[team_b], username="bob"),
        TEAM_LEAD: factories.agent(role=Role.TEAM_LEAD, teams=[team_a], username="lena"),
        SERVICE_MANAGER: factories.agent(role=Role.SERVICE_MANAGER, username="manon"),
        PRIVACY_OFFICER: factories.agent(role=Role.PRIVACY_OFFICER, username="petra"),
        ADMIN: factories.agent(role=Role.ADMIN, username="ada"),
    }
    named = factories.agent(teams=[team_a], username="nina")
    alice = people[AGENT]

    factories.mailbox(address="help@desk.example", team_=team_a, send_acknowledgement=False)
    ann = factories.customer("Ann Smith", email="ann@example.com")
    case = factories.case(customer_=ann, team_=team_a, subject="Where is my parcel?")
    [attachment] = attach_files(
        message=case.messages.get(),
        files=[NewAttachment(filename="receipt.txt", content_type="text/plain", content=b"Receipt 1234")],
    )
    reply(case=case, by=alice, body="We are looking into it.")
    failed = OutboundEmail.objects.get(case=case)
    OutboundEmail.objects.filter(pk=failed.pk).update(status=OutboundStatus.FAILED, last_error="Mailbox full.")

    cara = factories.customer("Cara Jones", email="cara@example.com")
    complaint_case = factories.case(
        customer_=cara, team_=team_a, kind=CaseKind.COMPLAINT, channel=Channel.EMAIL, subject="Rude driver"
    )
    complaint = Complaint.objects.get(case=complaint_case)
    complaints.set_purchase(
        complaint=complaint,
        by=alice,
        details=complaints.PurchaseDetails(type="goods", purchased_on=timezone.localdate()),
    )
    action = complaints.create_corrective_action(
        by=people[SERVICE_MANAGER],
        details=complaints.ActionDetails(
            title="Later cut-off for next-day delivery",
            owner=people[SERVICE_MANAGER],
            root_causes=[RootCause.objects.get(code="delivery")],
            complaints=[complaint],
        ),
    )

    privacy_officer = people[PRIVACY_OFFICER]
    today = timezone.localdate()
    open_request = rights.record_subject_request(
        customer=ann, type=RequestType.ACCESS, received_on=today, by=privacy_officer
    )
    built = rights.record_subject_request(customer=ann, type=RequestType.ACCESS, received_on=today, by=privacy_officer)
    fulfilment.fulfil_request(request=built, by=privacy_officer)
    hold = fulfilment.place_legal_hold(customer=ann, by=privacy_officer, reason="A claim is expected.")
    # Requests whose clock waits for something, for the steps that record it coming.
    identity_awaited = rights.record_subject_request(
        customer=ann, type=RequestType.ACCESS, received_on=today, by=privacy_officer
    )
    rights.request_identity(
        request=identity_awaited, requested_on=today, what="A copy of a recent utility bill.", by=privacy_officer
    )
    fee_awaited = rights.record_subject_request(
        customer=ann, type=RequestType.ACCESS, received_on=today, by=privacy_officer
    )
    rights.request_fee(
        request=fee_awaited,
        requested_on=today,
        reason="The fifth copy of the same records this month.",
        by=privacy_officer,
    )
    clarification_awaited = rights.record_subject_request(
        customer=ann, type=RequestType.ACCESS, received_on=today, by=privacy_officer
    )
    rights.request_clarification(
        request=clarification_awaited, asked_on=today, what="Which years of letters she means.", by=privacy_officer
    )
    breach = rights.record_breach(
        details=rights.BreachDetails(
            summary="A letter went to the wrong address.", aware_at=timezone.now() - timedelta(hours=1)
        ),
        by=privacy_officer,
    )
    given = consent.record_consent(
        customer=ann, purpose="surveys", basis="consent", detail="Ticked the box on the form.", by=alice
    )
    # The case's survey went when it was resolved; the case was reopened since.
    survey_token = factories.survey_sent(case, by=alice, reopen=True)
    rita = factories.customer("Rita Restricted")
    factories.case(customer_=rita, team_=team_a)
    fulfilment.restrict_processing(customer=rita, by=privacy_officer, reason="She contests the accuracy.")

    ingest_email(
        make_email(sender="Ann Smith <ann@example.com>", subject="My kettle", message_id="<k1@mail.example.com>"),
        source="smtp",
    )
    inbound = InboundEmail.objects.get(status="processed")
    duplicate = factories.customer("Ann Smyth", email="ann.smyth@example.com")

    # Too large to take in when it came; taken in when tried again.
    with override_settings(PATRON_MAX_EMAIL_BYTES=300):
        ingest_email(
            make_email(sender="Lee Long <lee@example.com>", body="Long. " * 100, message_id="<l1@example.com>"),
            source="smtp",
        )
    quarantined = InboundEmail.objects.get(status="quarantined")
    calendar = standards.create_calendar(
        details=standards.CalendarDetails(name="Office hours", weekly_hours=WEEKDAYS, closures=[]),
        by=people[SERVICE_MANAGER],
    )
    policy = standards.create_policy(
        details=standards.PolicyDetails(name="Standard", first_response_minutes=480), by=people[SERVICE_MANAGER]
    )
    organisation = Organisation.objects.create(name="Kettles Ltd", email_domains="kettles.example")
    desk = Desk(
        team_a=team_a,
        people=people,
        named=named,
        case=case,
        complaint_case=complaint_case,
        customer=ann,
        keys={
            "case": case.reference,
            "complaint": complaint_case.reference,
            "customer": ann.pk,
            "attachment": attachment.pk,
            "email": f"out-{failed.pk}",
            "outbound": failed.pk,
            "quarantined": quarantined.pk,
            "calendar": calendar.pk,
            "organisation": organisation.pk,
            "team": team_a.slug,
            "policy": policy.pk,
            "open_request": open_request.pk,
            "built_request": built.pk,
            "hold": hold.pk,
            "identity_awaited": identity_awaited.pk,
            "fee_awaited": fee_awaited.pk,
            "clarification_awaited": clarification_awaited.pk,
            "breach": breach.pk,
            "consent": given.pk,
            "processing_restricted": rita.pk,
            "email_case": inbound.case.reference if inbound.case else "",
            "inbound": inbound.pk,
            "duplicate": duplicate.pk,
            "action": action.pk,
            "survey_token": survey_token,
        },
    )
    if tokens:
        desk.tokens = {role: create_token(agent=person, name="access")[1] for role, person in people.items()}
        capped = factories.agent(role=Role.ADMIN, teams=[team_a], username="cato")
        desk.tokens[CAPPED_TOKEN] = create_token(agent=capped, name="agent work", role=Role.AGENT)[1]
        desk.tokens["named"] = create_token(agent=named, name="access")[1]
    return desk


def current_version(model: type[Case] | type[Customer] | type[BusinessCalendar], pk: int) -> int:
    return int(model.objects.values_list("version", flat=True).get(pk=pk))
