"""The survey page a customer reaches from the link in their email: no sign-in, the link's token
is the key. They answer once, or ask for no more surveys; a link that is wrong, used or closed
says so plainly."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from patron.errors import DomainError, NotFound
from patron.feedback import services
from patron.feedback.models import Survey
from patron.privacy.consent import stop_surveys
from patron.web.forms.surveys import SurveyAnswerForm
from patron.web.refusals import attempt, refusal_status

TEMPLATE = "web/survey.html"


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found = services.open_survey(token=token)
    except DomainError as error:
        return _closed(request, error)
    form = SurveyAnswerForm(request.POST or None, measure=found.kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        answered = attempt(
            form, lambda: services.answer_survey(token=token, score=data["score"], comment=data["comment"])
        )
        if answered is not None:
            return render(request, TEMPLATE, {"state": "thanks", "survey": answered})
    return render(request, TEMPLATE, _context(found, form), status=form.status_code)


@require_http_methods(["POST"])
def survey_stop(request: HttpRequest, token: str) -> HttpResponse:
    """No more surveys: their basis for surveys is withdrawn, which closes this one too."""
    try:
        found = services.open_survey(token=token)
    except DomainError as error:
        return _closed(request, error)
    if found.customer is not None:
        stop_surveys(customer=found.customer)
    return render(request, TEMPLATE, {"state": "stopped"})


def _context(found: Survey, form: SurveyAnswerForm) -> dict[str, object]:
    return {"state": "open", "survey": found, "form": form}


def _closed(request: HttpRequest, error: DomainError) -> HttpResponse:
    status = 404 if isinstance(error, NotFound) else refusal_status(error)
    return render(request, TEMPLATE, {"state": "closed", "message": error.message}, status=status)
