"""The corrective actions pages: the list with owner, due date and status (overdue marked), the
effect of each completed action, and a form to create one or change it. Read by the people who
see the complaints register; changed by service managers and administrators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from patron.accounts.models import Agent
from patron.complaints import corrective_actions as reads
from patron.complaints import services
from patron.complaints.corrective_actions import ActionEffect
from patron.complaints.models import CorrectiveAction
from patron.web.forms.corrective_actions import ActionFilterForm, CorrectiveActionForm
from patron.web.refusals import AgentRequest, agent_view, attempt

SECTION = "complaints_register"


@dataclass(frozen=True)
class ActionRow:
    action: CorrectiveAction
    overdue: bool
    effect: ActionEffect | None

    @property
    def change(self) -> str:
        """How the complaints after compare with those before, in words."""
        if self.effect is None:
            return ""
        difference = self.effect.complaints_after - self.effect.complaints_before
        if difference == 0:
            return _("no change")
        if difference < 0:
            return _("%(count)s fewer") % {"count": -difference}
        return _("%(count)s more") % {"count": difference}


def _rows(actions: list[CorrectiveAction], today: date) -> list[ActionRow]:
    effects = reads.effects_of(actions, today=today)
    return [ActionRow(action, reads.is_overdue(action, today), effects.get(action.pk)) for action in actions]


def _owners() -> list[Agent]:
    return list(Agent.objects.filter(is_active=True).order_by("first_name", "last_name", "username"))


@require_GET
@agent_view
def corrective_actions(request: AgentRequest) -> HttpResponse:
    reads.require_read_role(request.user)
    form = ActionFilterForm(request.GET)
    rows = None
    if form.is_valid():
        today = timezone.localdate()
        actions = attempt(
            form, lambda: reads.list_corrective_actions(agent=request.user, status=form.cleaned_data["status"])
        )
        rows = _rows(actions, today) if actions is not None else None
    context = {
        "form": form,
        "rows": rows,
        "may_manage": reads.may_manage_actions(request.user),
        "effect_days": reads.EFFECT_DAYS,
        "section": SECTION,
    }
    return render(request, "web/corrective_actions.html", context, status=form.status_code)


@require_http_methods(["GET", "POST"])
@agent_view
def corrective_action_new(request: AgentRequest) -> HttpResponse:
    reads.require_manage_role(request.user)
    form = CorrectiveActionForm(request.POST if request.method == "POST" else None, owners=_owners())
    if form.is_valid():
        created = attempt(
            form, lambda: services.create_corrective_action(by=request.user, details=_details(form, request.user))
        )
        if created is not None:
            messages.success(request, _("The corrective action was saved."))
            return redirect("web:corrective_action", pk=created.pk)
    context = {"form": form, "action": None, "section": SECTION}
    return render(request, "web/corrective_action.html", context, status=form.status_code)


@require_http_methods(["GET", "POST"])
@agent_view
def corrective_action(request: AgentRequest, pk: int) -> HttpResponse:
    action = reads.corrective_action_for(agent=request.user, action_id=pk)
    may_manage = reads.may_manage_actions(request.user)
    if request.method == "POST":
        reads.require_manage_role(request.user)
    form = CorrectiveActionForm(request.POST if request.method == "POST" else None, owners=_owners(), action=action)
    if form.is_valid():

        def save() -> CorrectiveAction:
            details = _details(form, request.user, action)
            return services.update_corrective_action(action=action, by=request.user, details=details)

        if attempt(form, save) is not None:
            messages.success(request, _("The corrective action was saved."))
            return redirect("web:corrective_action", pk=action.pk)
    today = timezone.localdate()
    context = {
        "form": form if may_manage else None,
        "action": action,
        "row": _rows([action], today)[0],
        "section": SECTION,
    }
    return render(request, "web/corrective_action.html", context, status=form.status_code)


def _details(
    form: CorrectiveActionForm, agent: Agent, action: CorrectiveAction | None = None
) -> services.ActionDetails:
    """The form's values as the service takes them; names that match nothing are refused here."""
    data = form.cleaned_data
    complaints = reads.complaints_by_reference(agent=agent, references=form.references())
    if action is not None:
        complaints = [*complaints, *reads.complaints_kept_out_of_sight(action, agent)]
    return services.ActionDetails(
        title=data["title"],
        description=data["description"],
        owner=reads.owner_by_key(str(data["owner"])),
        due_on=data["due_on"],
        status=data["status"],
        completed_on=data["completed_on"],
        root_causes=reads.root_causes_by_code(
            data["root_causes"], already=action.root_causes.all() if action is not None else ()
        ),
        complaints=complaints,
    )
