"""How the API knows who is calling: a bearer token for integrations, or the signed-in session
(with its CSRF check) for pages of Patron itself."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from patron.accounts.models import Agent
from patron.accounts.services import authenticate_token


class BearerToken(HttpBearer):
    def __call__(self, request: HttpRequest) -> Agent | None:
        # As HttpBearer reads it, from the one header it needs: `request.headers` would first
        # gather every header of the request into a new mapping, on every API call.
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Agent | None:
        agent = authenticate_token(token)
        if agent is not None:
            request.user = agent
        return agent


class AgentSession(SessionAuth):
    """A signed-in, active agent."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Agent | None:
        user = request.user
        if isinstance(user, Agent) and user.is_active:
            return user
        return None


API_AUTH = [BearerToken(), AgentSession()]
