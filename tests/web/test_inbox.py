from __future__ import annotations

import re

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries, Settings

from patron.accounts.models import Agent, Team
from patron.cases import services
from patron.cases.models import Case, Priority, Status
from patron.cases.services import CaseChanges
from tests import factories
from tests.web.reading import page


def _references(html: str) -> list[str]:
    return re.findall(r'<td class="nowrap reference">(C-\d{6})</td>', html)


def test_inbox_lists_the_cases_an_agent_may_see_with_their_columns(
    client_a: Client, team_a: Team, team_b: Team, agent_a: Agent
) -> None:
    customer = factories.customer("Priya Shah")
    mine = factories.case(customer_=customer, team_=team_a, subject="Parcel missing", priority=Priority.URGENT)
    services.assign(case=mine, by=agent_a, assignee=agent_a, expected_version=1)
    other_team = factories.case(team_=team_b, subject="Laptop broken")

    response = client_a.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert _references(html) == [mine.reference]
    assert other_team.reference not in html
    row = html[html.index(mine.reference) :]
    for cell in ["Parcel missing", "Priya Shah", "New", "Urgent", "Customer Care", "Agent"]:
        assert cell in row[: row.index("</tr>")]


@pytest.mark.parametrize(
    ("view", "expected"),
    [("mine", ["taken"]), ("team", ["taken", "team"]), ("unassigned", ["unrouted", "team"]), ("all", None)],
)
def test_inbox_tabs_show_mine_my_teams_unassigned_and_all(
    client_a: Client, agent_a: Agent, team_a: Team, view: str, expected: list[str] | None
) -> None:
    unrouted = factories.case(subject="unrouted")
    team = factories.case(team_=team_a, subject="team")
    taken = factories.case(team_=team_a, subject="taken")
    services.assign(case=taken, by=agent_a, assignee=agent_a, expected_version=1)
    by_subject = {case.subject: case.reference for case in (unrouted, team, taken)}

    html = client_a.get("/", {"view": view}).content.decode()

    wanted = expected if expected is not None else ["taken", "team", "unrouted"]
    assert sorted(_references(html)) == sorted(by_subject[name] for name in wanted)
    assert re.search(r'<a href="\?view=' + view + r'" aria-current="page">', html)


def test_inbox_filters_by_status_priority_tag_and_words(client_a: Client, agent_a: Agent, team_a: Team) -> None:
    urgent = factories.case(team_=team_a, subject="Boiler leaking", priority=Priority.URGENT, tags=["heating"])
    factories.case(team_=team_a, subject="Boiler noisy", priority=Priority.LOW)
    resolved = factories.case(team_=team_a, subject="Window stuck")
    services.set_status(case=resolved, by=agent_a, status=Status.RESOLVED, expected_version=1)

    assert _references(client_a.get("/", {"priority": "4"}).content.decode()) == [urgent.reference]
    assert _references(client_a.get("/", {"tag": "Heating"}).content.decode()) == [urgent.reference]
    assert _references(client_a.get("/", {"text": "window"}).content.decode()) == [resolved.reference]
    by_status = client_a.get("/", {"status": ["resolved", "closed"]}).content.decode()
    assert _references(by_status) == [resolved.reference]
    assert 'value="resolved" id="id_status_4" checked' in by_status


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "xyz"}, "“xyz” is not a status. Choose one from the list."),
        ({"priority": "abc"}, "“abc” is not a priority. Choose one from the list."),
        ({"cursor": "garbage"}, "The page cursor is not valid. Start again from the first page."),
        ({"sort": "sideways"}, "“sideways” is not a way to sort. Choose one from the list."),
        ({"team": "999"}, "“999” is not a team. Choose one from the list."),
        ({"view": "everything"}, "“everything” is not an inbox view. Choose one of the tabs."),
        ({"tag": "x" * 51}, "Ensure this value has at most 50 characters (it has 51)."),
        ({"text": "nul\x00byte"}, "Null characters are not allowed."),
    ],
)
def test_inbox_bad_filter_values_give_a_clear_message_not_an_error(
    client_a: Client, team_a: Team, query: dict[str, str], message: str
) -> None:
    factories.case(team_=team_a)

    response = client_a.get("/", query)

    html = response.content.decode()
    assert response.status_code == 400
    assert "These filters cannot be used" in html
    assert message in page(response)
    assert _references(html) == []


def test_inbox_pages_with_next_and_first_page_links(client_a: Client, team_a: Team, settings: Settings) -> None:
    settings.PATRON_PAGE_SIZE = 2
    cases = [factories.case(team_=team_a, subject=f"Case {n}") for n in range(5)]
    newest_first = [case.reference for case in reversed(cases)]

    first = client_a.get("/").content.decode()
    assert _references(first) == newest_first[:2]
    assert "First page" not in first
    next_link = re.search(r'<a href="(\?cursor=[^"]+)" hx-get', first)
    assert next_link is not None

    second = client_a.get("/" + next_link.group(1).replace("&amp;", "&")).content.decode()
    assert _references(second) == newest_first[2:4]
    assert '<a href="?" hx-get="?"' in second.replace("&amp;", "&")  # back to the first page
    assert "Next page" in second


def test_inbox_htmx_request_returns_only_the_results_fragment(client_a: Client, team_a: Team) -> None:
    case = factories.case(team_=team_a)

    response = client_a.get("/", {"priority": "2"}, headers={"HX-Request": "true", "HX-Target": "inbox-results"})

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="inbox-results"')
    assert "<html" not in html
    assert _references(html) == [case.reference]
    assert 'hx-swap-oob="innerHTML"' in html
    assert "HX-Request" in response["Vary"]


def test_inbox_history_restore_gets_the_whole_page(client_a: Client, team_a: Team) -> None:
    headers = {"HX-Request": "true", "HX-Target": "inbox-results", "HX-History-Restore-Request": "true"}
    html = client_a.get("/", headers=headers).content.decode()
    assert "<html" in html


def test_inbox_query_count_does_not_grow_with_the_number_of_cases(
    client_a: Client, agent_a: Agent, team_a: Team, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    def add_cases(count: int) -> None:
        for _ in range(count):
            case = factories.case(team_=team_a, tags=["one", "two"])
            services.update_case(case=case, by=agent_a, expected_version=1, changes=CaseChanges(assignee=agent_a))

    add_cases(3)
    client_a.get("/")  # warm the session
    with django_assert_num_queries(INBOX_QUERIES):
        small = client_a.get("/")
    add_cases(27)
    with django_assert_num_queries(INBOX_QUERIES):
        large = client_a.get("/")

    assert len(_references(small.content.decode())) == 3
    assert len(_references(large.content.decode())) == 25
    assert Case.objects.count() == 30


# Session, agent, the agent's teams, teams and agents for the filters, the cases and their tags.
INBOX_QUERIES = 8  # … and the agent's unread service alerts
