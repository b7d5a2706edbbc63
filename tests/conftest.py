from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

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


@pytest.fixture(autouse=True, scope="session")
def _emptying_the_database_lifts_the_audit_guard() -> Iterator[None]:
    """A transactional test empties every table when it ends, which the audit trail refuses:
    its guard is lifted for that, as the database's owner could, and put back."""
    from django.core.management.commands import flush
    from django.db import DEFAULT_DB_ALIAS, connections

    from tests.audit_guard import removal_guard_lifted

    empty = flush.Command.handle

    def handle(command: flush.Command, *args: Any, **options: Any) -> None:
        with removal_guard_lifted(connections[options.get("database") or DEFAULT_DB_ALIAS]):
            empty(command, *args, **options)

    with mock.patch.object(flush.Command, "handle", handle):
        yield
