"""A customer who asked to be called back (a reasonable adjustment) is told, when their case is
acknowledged, that we will phone them, and on which number, or asked for one."""

from __future__ import annotations

import pytest

from patron.accounts.models import Team
from patron.channels.models import Mailbox, OutboundEmail, OutboundKind
from patron.channels.services import ingest_email
from patron.customers.services import CustomerDetails, create_customer
from tests import factories
from tests.channels.conftest import make_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def help_desk(team_a: Team) -> Mailbox:
    return factories.mailbox(address="help@desk.example", team_=team_a, name="Acme Customer Care")


def _acknowledgement() -> str:
    ingest_email(make_email(sender="Priya Shah <priya@example.com>"), source="smtp")
    return OutboundEmail.objects.get(kind=OutboundKind.ACKNOWLEDGEMENT).body_text


def test_the_acknowledgement_promises_the_call_back_on_their_number(help_desk: Mailbox) -> None:
    create_customer(
        details=CustomerDetails(
            name="Priya Shah", emails=["priya@example.com"], phones=["07700 900123"], adjustments=["call_back"]
        ),
        by=None,
    )
    assert "You asked us to call you back, so we will phone you on 07700 900123." in _acknowledgement()


def test_without_a_number_the_acknowledgement_asks_for_one(help_desk: Mailbox) -> None:
    create_customer(
        details=CustomerDetails(name="Priya Shah", emails=["priya@example.com"], adjustments=["call_back"]), by=None
    )
    assert "please reply with the number to call" in _acknowledgement()


def test_others_are_not_promised_a_call(help_desk: Mailbox) -> None:
    assert "call you back" not in _acknowledgement()
