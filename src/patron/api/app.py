"""The NinjaAPI: every app's router mounted under /api/v1/, one handler for domain errors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from patron.errors import DomainError

api = NinjaAPI(title="Patron API", version="1", urls_namespace="api")


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    body: dict[str, object] = {"detail": error.message}
    if error.fields:
        body["fields"] = error.fields
    return api.create_response(request, body, status=error.status_code)
