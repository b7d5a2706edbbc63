"""The OpenAPI document is a contract integrations rely on: any change to it must be deliberate.
Regenerate the snapshot with PATRON_UPDATE_SNAPSHOT=1 after an intended change."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.test import Client

SNAPSHOT = Path(__file__).with_name("openapi.snapshot.json")


def test_openapi_document_matches_snapshot(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    if os.environ.get("PATRON_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    assert document == json.loads(SNAPSHOT.read_text())


def test_openapi_document_names_every_contract_route(db: None) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert set(paths) >= {
        "/api/v1/cases",
        "/api/v1/cases/{reference}",
        "/api/v1/cases/{reference}/messages",
        "/api/v1/cases/{reference}/events",
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
    }
    assert set(paths["/api/v1/cases/{reference}"]) == {"get", "patch"}
