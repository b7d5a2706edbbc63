from __future__ import annotations

import pytest
from django.test import Client

from patron.accounts.models import Agent
from tests import factories


def test_sign_in_with_username_and_password_lands_on_the_inbox(agent_a: Agent) -> None:
    client = Client()
    response = client.post("/login", {"username": "alice", "password": factories.PASSWORD}, follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert "<h1>Inbox</h1>" in response.content.decode()
    assert response.context["user"] == agent_a


def test_wrong_password_shows_an_error_and_signs_nobody_in(agent_a: Agent) -> None:
    client = Client()
    response = client.post("/login", {"username": "alice", "password": "not the password"})

    assert response.status_code == 200
    assert "The username or password is not right." in response.content.decode()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "path", ["/", "/cases/C-000001", "/cases/new", "/contacts/log", "/customers", "/customers/1", "/search"]
)
def test_every_page_requires_signing_in(db: None, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/login?next={path}"


def test_sign_in_page_has_labelled_fields_and_one_heading(db: None) -> None:
    html = Client().get("/login").content.decode()
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert html.count("<h1") == 1
    assert '<html lang="en-GB">' in html


def test_sign_out_is_a_post_and_ends_the_session(client_a: Client) -> None:
    assert client_a.get("/logout").status_code == 405

    response = client_a.post("/logout")

    assert (response.status_code, response["Location"]) == (302, "/login")
    assert client_a.get("/").status_code == 302


def test_repeated_wrong_passwords_lock_the_account_with_a_clear_page(agent_a: Agent) -> None:
    client = Client()
    for _ in range(5):
        client.post("/login", {"username": "alice", "password": "wrong"})

    response = client.post("/login", {"username": "alice", "password": factories.PASSWORD})

    assert response.status_code == 429
    html = response.content.decode()
    assert "Your account is locked for now" in html
    assert "Try again in 1 hour." in html
    assert client.get("/").status_code == 302


def test_htmx_request_after_the_session_ended_sends_the_browser_to_sign_in(db: None) -> None:
    headers = {
        "HX-Request": "true",
        "HX-Target": "case-workspace",
        "HX-Current-URL": "http://testserver/cases/C-000001",
    }

    response = Client().post("/cases/C-000001/reply", {"reply-body": "Hello"}, headers=headers)

    assert (response.status_code, response["HX-Redirect"]) == (200, "/login?next=/cases/C-000001")
