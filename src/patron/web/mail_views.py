"""Quarantined email, for administrators: what could not be taken in and why, the original to
download, and the choice to try it again or set it aside with a reason."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from patron.channels import queries, services
from patron.channels.services import IngestOutcome
from patron.errors import NotAllowed
from patron.web.forms.reasons import DiscardForm
from patron.web.refusals import AgentRequest, agent_view, attempt

SHOWN = 200


def _require_admin(request: AgentRequest) -> None:
    if not request.user.is_admin:
        raise NotAllowed("Only an administrator can see quarantined email.")


def _page(request: AgentRequest, *, failed: DiscardForm | None = None, status: int = 200) -> HttpResponse:
    emails = list(queries.list_quarantined_emails()[:SHOWN])
    forms = {email.pk: DiscardForm(email_id=email.pk) for email in emails}
    if failed is not None and failed.prefix:
        forms[int(failed.prefix.removeprefix("discard-"))] = failed
    rows = [(email, forms[email.pk]) for email in emails]
    context = {"rows": rows, "shown": SHOWN, "section": "quarantine"}
    return render(request, "web/quarantine.html", context, status=status)


@require_GET
@agent_view
def quarantine(request: AgentRequest) -> HttpResponse:
    _require_admin(request)
    return _page(request)


@require_GET
@agent_view
def quarantine_original(request: AgentRequest, email_id: int) -> HttpResponse:
    _require_admin(request)
    email = queries.quarantined_email_by_id(email_id)
    response = HttpResponse(bytes(email.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="quarantined-{email.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@agent_view
def quarantine_reprocess(request: AgentRequest, email_id: int) -> HttpResponse:
    _require_admin(request)
    result = services.reprocess_quarantined_email(inbound=queries.quarantined_email_by_id(email_id), by=request.user)
    if result.outcome == IngestOutcome.QUARANTINED:
        messages.error(
            request, _("Email %(id)s is still in quarantine: %(reason)s") % {"id": email_id, "reason": result.reason}
        )
    else:
        messages.success(
            request, _("Email %(id)s was taken in. %(reason)s") % {"id": email_id, "reason": result.reason}
        )
    return redirect("web:quarantine")


@require_POST
@agent_view
def quarantine_discard(request: AgentRequest, email_id: int) -> HttpResponse:
    _require_admin(request)
    email = queries.quarantined_email_by_id(email_id)
    form = DiscardForm(request.POST, email_id=email.pk)
    if form.is_valid():
        discard = partial(
            services.discard_quarantined_email, inbound=email, by=request.user, reason=form.cleaned_data["reason"]
        )
        if attempt(form, discard) is not None:
            messages.success(request, _("Email %(id)s was set aside. Its original is kept.") % {"id": email_id})
            return redirect("web:quarantine")
    return _page(request, failed=form, status=form.status_code)
