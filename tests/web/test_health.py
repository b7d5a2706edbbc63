from __future__ import annotations

from django.test import Client


def test_healthz_answers_when_app_and_database_answer(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
