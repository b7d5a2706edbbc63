from __future__ import annotations

import pytest

from patron.accounts.models import Agent, Role, Team
from tests import factories
from tests.channels.smtp_sink import smtp_sink  # noqa: F401 - a fixture for the tests here


@pytest.fixture
def desk(db: None) -> Team:
    return factories.team("Customer Care")


@pytest.fixture
def sam(desk: Team) -> Agent:
    return factories.agent(teams=[desk], username="sam")


@pytest.fixture
def officer(db: None) -> Agent:
    return factories.agent(role=Role.PRIVACY_OFFICER, username="petra")
