"""Domain errors. Services raise these with a sentence a user can act on; each interface
(API, web, CLI) translates them in one place."""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status_code = 400

    def __init__(self, message: str, *, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, str] = dict(fields or {})


class ValidationFailed(DomainError):
    """The input breaks a rule; nothing was changed."""

    status_code = 422


class Conflict(DomainError):
    """The change collides with the current state, e.g. someone else saved first."""

    status_code = 409


class NotAllowed(DomainError):
    """The acting person may not do this."""

    status_code = 403


class NotFound(DomainError):
    """The thing does not exist, or the acting person may not know it exists."""

    status_code = 404
