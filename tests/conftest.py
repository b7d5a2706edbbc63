from __future__ import annotations

import pytest

from patron.accounts.models import Agent, Role, Team
from tests import factories


@pytest.fixture
def team_a(db: None) -> Team:
    return factories.team("Customer Care")


@pytest.fixture
def team_b(db: None) -> Team:
    return factories.team("IT Service Desk", is_internal_desk=True)


@pytest.fixture
def agent_a(team_a: Team) -> Agent:
    return factories.agent(teams=[team_a], username="alice")


@pytest.fixture
def agent_b(team_b: Team) -> Agent:
    return factories.agent(teams=[team_b], username="bob")


@pytest.fixture
def lead_a(team_a: Team) -> Agent:
    return factories.agent(role=Role.TEAM_LEAD, teams=[team_a], username="lena")


@pytest.fixture
def manager(db: None) -> Agent:
    return factories.agent(role=Role.SERVICE_MANAGER, username="manon")


@pytest.fixture(autouse=True, scope="session")
def _files_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Attachments the tests keep go to a folder of their own, not the working copy's data."""
    from django.conf import settings

    settings.PATRON_FILES_DIR = tmp_path_factory.mktemp("files")
