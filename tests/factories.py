"""Factories for test data. Rows are made through the service functions where a service owns
the write, so tests exercise the same path the product does."""

from __future__ import annotations

import itertools
import re
from typing import Any

from patron.accounts.models import Agent, Role, Team
from patron.accounts.services import create_agent, create_team
from patron.cases.models import Case, CaseKind, Channel, Status
from patron.cases.services import open_case, set_status
from patron.channels.models import Mailbox, OutboundEmail, OutboundKind
from patron.customers.models import Customer, CustomerKind
from patron.customers.services import CustomerDetails, create_customer
from patron.feedback.services import send_survey

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def team(name: str | None = None, **kwargs: Any) -> Team:
    return create_team(name=name or f"Team {next(_counter)}", **kwargs)


def agent(
    *, role: Role = Role.AGENT, teams: list[Team] | None = None, username: str | None = None, **kwargs: Any
) -> Agent:
    number = next(_counter)
    username = username or f"agent{number}"
    return create_agent(
        username=username,
        email=f"{username}@desk.example",
        role=role,
        password=PASSWORD,
        first_name=kwargs.pop("first_name", "Agent"),
        last_name=kwargs.pop("last_name", str(number)),
        teams=teams or [],
        **kwargs,
    )


def customer(
    name: str | None = None,
    *,
    email: str | None = None,
    phone: str | None = None,
    kind: str = CustomerKind.EXTERNAL,
    **kwargs: Any,
) -> Customer:
    number = next(_counter)
    return create_customer(
        details=CustomerDetails(
            name=name or f"Customer {number}",
            kind=kind,
            emails=[email or f"customer{number}@example.com"],
            phones=[phone] if phone else [],
            **kwargs,
        ),
        by=None,
    )


def case(
    *,
    customer_: Customer | None = None,
    team_: Team | None = None,
    by: Agent | None = None,
    subject: str | None = None,
    body: str = "My order has not arrived.",
    channel: str = Channel.EMAIL,
    kind: str = CaseKind.ENQUIRY,
    **kwargs: Any,
) -> Case:
    return open_case(
        customer=customer_ or customer(),
        subject=subject or f"Question {next(_counter)}",
        body=body,
        channel=channel,
        kind=kind,
        team=team_,
        by=by,
        **kwargs,
    )


def mailbox(*, address: str = "help@desk.example", team_: Team | None = None, **kwargs: Any) -> Mailbox:
    return Mailbox.objects.create(address=address, team=team_ or team(), **kwargs)


# What each LATER step records, filled in as an agent would.
STEP_DETAILS: dict[str, dict[str, object]] = {
    "listen": {
        "account": "The driver shouted at me on my doorstep.",
        "desired_outcome": "An apology from the company.",
        "summary_confirmed": True,
        "summary": "The driver shouted at you; you would like an apology.",
    },
    "apologise": {"apology": "I am sorry the driver spoke to you like that.", "admission_of_liability": False},
    "thank": {"thanks": "Thank you for telling us."},
    "explain": {"explanation": "The driver was behind schedule and rushed.", "impact": "It spoiled your morning."},
    "resolve": {"resolution": "A written apology and a £10 voucher.", "customer_response": "accepted"},
}


def step_details(step: str, **changes: object) -> dict[str, object]:
    return {**STEP_DETAILS[step], **changes}


def step_posted(step: str) -> dict[str, str]:
    """A LATER step as the case page's form sends it: each field under the form's prefix, yes/no
    as words."""
    sent = {
        name: ("yes" if value else "no") if isinstance(value, bool) else str(value)
        for name, value in step_details(step).items()
    }
    return {"step-step": step, **{f"step-{name}": value for name, value in sent.items()}}


SURVEY_LINK = re.compile(r"/survey/([A-Za-z0-9_-]+)")


def survey_sent(case_: Case, *, by: Agent, reopen: bool = False) -> str:
    """Resolve the case and send its survey as the worker would; the token from the emailed link.
    With `reopen`, the case is open again afterwards (its survey stays: one per case)."""
    case_.refresh_from_db()
    set_status(case=case_, by=by, status=Status.RESOLVED, expected_version=case_.version)
    send_survey(case_id=case_.pk)
    email = OutboundEmail.objects.get(case=case_, kind=OutboundKind.SURVEY)
    found = SURVEY_LINK.search(email.body_text)
    assert found is not None, email.body_text
    if reopen:
        case_.refresh_from_db()
        set_status(case=case_, by=by, status=Status.OPEN, expected_version=case_.version)
    case_.refresh_from_db()
    return found.group(1)
