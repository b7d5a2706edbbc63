"""Every answer under /api/ is JSON, including the few Django gives before the API runs
(405 for an unsupported method, 413 for a body over the size limit)."""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"
_MESSAGES = {
    405: "This address does not accept the {method} method.",
    413: "The request is too large.",
}


class JsonApiErrors:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            template = _MESSAGES.get(response.status_code, HTTPStatus(response.status_code).phrase + ".")
            replacement = HttpResponse(
                json.dumps({"detail": template.format(method=request.method)}),
                status=response.status_code,
                content_type="application/json",
            )
            if response.has_header("Allow"):
                replacement["Allow"] = response["Allow"]
            return replacement
        return response
