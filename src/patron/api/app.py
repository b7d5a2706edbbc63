"""The NinjaAPI at /api/v1/: every app's router, one way to report errors.

Errors are always JSON `{"detail": "<a sentence>", ...}` with the right status. No input may
produce a 500, so malformed requests are answered here rather than left to Django."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from patron.api.auth import API_AUTH
from patron.cases.api import router as cases_router
from patron.channels.api import router as email_router
from patron.complaints.actions_api import router as corrective_actions_router
from patron.complaints.api import router as complaints_router
from patron.complaints.letters_api import router as complaint_letters_router
from patron.customers.api import router as customers_router
from patron.errors import DomainError
from patron.feedback.api import router as feedback_router
from patron.privacy.api import router as privacy_router
from patron.standards.api import router as standards_router

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Patron API",
    version="1",
    description=(
        "The service desk's REST API. Authenticate with `Authorization: Bearer <token>` "
        '(`patron token create --username NAME`). Errors are JSON `{"detail": "…"}` with status '
        "400, 401, 403, 404, 409 or 422."
    ),
    auth=API_AUTH,
    urls_namespace="api",
    docs_url=None,
)
api.add_router("/", cases_router)
api.add_router("/", customers_router)
api.add_router("/", standards_router)
api.add_router("/", privacy_router)
api.add_router("/", email_router)
api.add_router("/", complaints_router)
api.add_router("/", complaint_letters_router)
api.add_router("/", corrective_actions_router)
api.add_router("/", feedback_router)


def _error(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    extra = {"fields": error.fields} if error.fields else {}
    return _error(request, error.status_code, error.message, **extra)


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "Authentication is needed: send the header Authorization: Bearer <token>.")


@api.exception_handler(AuthorizationError)
def not_authorised(request: HttpRequest, error: AuthorizationError) -> HttpResponse:
    return _error(request, 403, "You are not allowed to do this.")


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, error: ValidationError) -> HttpResponse:
    problems = [_describe(item) for item in error.errors]
    return _error(request, 422, "The request is not valid: " + " ".join(problems), errors=error.errors)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    message = str(error)
    if error.status_code == 400 and ("JSON" in message.upper() or "parse" in message):
        message = "The request body is not valid JSON."
    return _error(request, error.status_code, message if message.endswith(".") else message + ".")


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return _error(request, 404, "There is nothing at this address.")


def _describe(item: dict[str, Any]) -> str:
    location = ".".join(str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path"))
    message = str(item.get("msg", "is not valid")).rstrip(".")
    return f"{location}: {message}." if location else f"{message}."
