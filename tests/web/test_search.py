from __future__ import annotations

from django.test import Client

from patron.accounts.models import Team
from tests import factories
from tests.web.reading import page, visible_text


def test_search_finds_cases_by_words_in_subject_or_messages(client_a: Client, team_a: Team) -> None:
    by_subject = factories.case(team_=team_a, subject="Refund for kettle")
    by_message = factories.case(team_=team_a, subject="Damaged item", body="I would like a refund please.")
    factories.case(team_=team_a, subject="Change of address")

    response = client_a.get("/search", {"q": "refunds"})

    text = visible_text(response)
    assert response.status_code == 200
    assert "2 cases found" in text
    assert text.index(by_message.reference) < text.index(by_subject.reference)
    assert "Change of address" not in text


def test_search_does_not_show_another_teams_cases(client_b: Client, team_a: Team) -> None:
    factories.case(team_=team_a, subject="Refund for kettle")
    assert "No cases found" in page(client_b.get("/search", {"q": "refund"}))


def test_search_without_words_shows_only_the_form(client_a: Client) -> None:
    response = client_a.get("/search", {"q": "  "})
    assert response.status_code == 200
    assert "cases found" not in page(response)
    assert '<label for="id_q">Search cases</label>' in page(response)


def test_search_with_symbols_only_finds_nothing_without_error(client_a: Client, team_a: Team) -> None:
    factories.case(team_=team_a)
    response = client_a.get("/search", {"q": '"*) OR (NEAR'})
    assert response.status_code == 200
    assert "No cases found" in page(response)
