"""The one place the agent UI turns a service's refusal (a `patron.errors.DomainError`) into
something the agent sees: an error on the form they filled in, or an error page.

- On a form: the service's sentence goes on the field it names (or on the form as a whole), and
  the response status says what kind of refusal it was (400 bad input, 403 not allowed,
  409 someone else changed it).
- Outside a form: NotFound becomes the 404 page (a case the agent may not see looks exactly
  like one that does not exist), NotAllowed the 403 page, anything else a 400 page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import TYPE_CHECKING, ClassVar, Concatenate, ParamSpec, TypeVar

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django_htmx.http import HttpResponseClientRedirect

from patron.errors import Conflict, DomainError, NotAllowed, NotFound

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from patron.accounts.models import Agent

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R", bound=HttpResponseBase)


class AgentRequest(HttpRequest):
    """A request from a signed-in agent, as the views see it (typing only)."""

    user: Agent
    htmx: HtmxDetails


class PatronForm(forms.Form):
    """A form that can carry a service's refusal as well as its own validation errors."""

    # Field names a service uses (in DomainError.fields) that this form calls something else.
    service_fields: ClassVar[Mapping[str, str]] = {}

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.refusal: DomainError | None = None

    @property
    def status_code(self) -> int:
        """The HTTP status of a page showing this form."""
        if self.refusal is not None:
            return refusal_status(self.refusal)
        return 400 if self.is_bound and self.errors else 200


def refusal_status(error: DomainError) -> int:
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, NotAllowed):
        return 403
    return 400


def refuse(form: PatronForm, error: DomainError) -> None:
    """Show a service's refusal on the form: its sentence on the first field it names that the
    form has (so the agent sees it where they need to act), other named fields get their hint,
    and the sentence goes on the form as a whole when no field fits."""
    form.refusal = error
    placed = False
    for service_name, hint in error.fields.items():
        name = form.service_fields.get(service_name, service_name)
        if name not in form.fields or form.fields[name].widget.is_hidden:
            continue
        form.add_error(name, hint if placed else error.message)
        placed = True
    if not placed:
        form.add_error(None, error.message)


def attempt(form: PatronForm, action: Callable[[], T]) -> T | None:
    """Run a service call for a valid form; on a refusal, put it on the form and return None."""
    try:
        return action()
    except DomainError as error:
        refuse(form, error)
        return None


def agent_view(
    view: Callable[Concatenate[AgentRequest, P], R],
) -> Callable[Concatenate[HttpRequest, P], R | HttpResponse]:
    """Sign-in required; a refusal nobody caught on a form becomes the matching error page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R | HttpResponse:
        try:
            return view(request, *args, **kwargs)  # type: ignore[arg-type]
        except DomainError as error:
            if getattr(request, "htmx", False):
                return _whole_page_error(request, error)
            if isinstance(error, NotFound):
                raise Http404(error.message) from error
            if isinstance(error, NotAllowed):
                raise PermissionDenied(error.message) from error
            return render(request, "web/refused.html", {"error": error}, status=refusal_status(error))

    signed_in_only = login_required(wrapped)

    @wraps(view)
    def entry(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R | HttpResponse:
        htmx = getattr(request, "htmx", None)
        if htmx and not request.user.is_authenticated:
            # The session ran out: send the whole browser to sign in, not just a fragment.
            back_to = htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(back_to).url)
        return signed_in_only(request, *args, **kwargs)

    return entry


def _whole_page_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    """For htmx, the error page replaces the whole page rather than the fragment asked for (a
    case that vanished while the agent was replying must not leave its old form on screen)."""
    if isinstance(error, NotFound):
        template, status = "404.html", 404
    elif isinstance(error, NotAllowed):
        template, status = "403.html", 403
    else:
        template, status = "web/refused.html", refusal_status(error)
    response = render(request, template, {"error": error, "exception": error.message}, status=status)
    response["HX-Retarget"] = "body"
    response["HX-Reswap"] = "innerHTML"
    return response
