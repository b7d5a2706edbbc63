"""The agent UI's forms. They check the shape of the input (choices, lengths, dates) and hand
typed values to the service functions, which own every rule about what may change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patron.accounts.models import Agent, Team
from patron.cases.models import Case, CaseKind, Channel, Priority, Status
from patron.cases.queries import InboxFilters, case_for_agent
from patron.cases.services import CaseChanges
from patron.cases.transitions import allowed_next
from patron.customers.models import Adjustment, ContactKind, Customer, CustomerKind, PreferredChannel
from patron.customers.queries import customer_by_id, find_customers
from patron.customers.services import CustomerDetails
from patron.errors import NotFound
from patron.web.refusals import PatronForm

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

MAX_SEARCH = 200
LOGGED_CHANNEL_CHOICES = [(Channel.PHONE.value, Channel.PHONE.label), (Channel.FACE_TO_FACE.value, _("Face to face"))]
DIRECTION_CHOICES = [("inbound", _("The customer contacted us")), ("outbound", _("We contacted the customer"))]
# An agent opens a case on any channel a person uses; API and internal events come from elsewhere.
NEW_CASE_CHANNELS = [(value, label) for value, label in Channel.choices if value != Channel.API]
VIEW_CHOICES = [
    ("mine", _("Mine")),
    ("team", _("My team’s")),
    ("unassigned", _("Unassigned")),
    ("all", _("All I can see")),
]
SORT_CHOICES = [
    ("updated", _("Recently updated first")),
    ("oldest_update", _("Longest without an update first")),
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
]


def _invalid(message: _StrOrPromise) -> dict[str, Any]:
    """Django's message for a value that is not one of the choices, as a full sentence."""
    return {"invalid_choice": message}


def team_choices(teams: Sequence[Team]) -> list[tuple[str, str]]:
    return [(str(team.pk), team.name) for team in teams]


def agent_choices(agents: Sequence[Agent]) -> list[tuple[str, str]]:
    return [(str(agent.pk), agent.display_name) for agent in agents]


def parse_tags(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def describe_customer(customer: Customer) -> str:
    """A customer as a choice in a list: enough to tell two people of the same name apart."""
    points = ", ".join(point.value for point in customer.contact_points.all()[:2])
    kind = _("colleague") if customer.kind == CustomerKind.INTERNAL else _("external")
    organisation = f", {customer.organisation.name}" if customer.organisation else ""
    return f"{customer.name} ({kind}{organisation}){' – ' + points if points else ''}"


def now_for_input() -> datetime:
    """Now in the desk's time zone, to the minute: what a datetime-local field starts with."""
    return timezone.localtime().replace(second=0, microsecond=0)


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed in the desk's time zone (Europe/London unless configured
    otherwise), returned as an aware datetime. Times that do not exist or happen twice when the
    clocks change are refused by Django with a clear message."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


# --- signing in ---------------------------------------------------------------------------------


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username or password is not right. Check them and try again; both are case-sensitive."),
        "inactive": _("This account can no longer sign in. Ask an administrator for help."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


# --- the inbox and search -----------------------------------------------------------------------


class InboxFilterForm(PatronForm):
    view = forms.ChoiceField(
        choices=VIEW_CHOICES,
        required=False,
        widget=forms.HiddenInput,
        error_messages=_invalid(_("“%(value)s” is not an inbox view. Choose one of the tabs.")),
    )
    text = forms.CharField(
        label=_("Words"), max_length=MAX_SEARCH, required=False, help_text=_("In the subject or the messages.")
    )
    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages=_invalid(_("“%(value)s” is not a status. Choose one from the list.")),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", _("Any priority")), *Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages=_invalid(_("“%(value)s” is not a priority. Choose one from the list.")),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Any kind")), *CaseKind.choices],
        required=False,
        error_messages=_invalid(_("“%(value)s” is not a kind of case. Choose one from the list.")),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[("", _("Any channel")), *Channel.choices],
        required=False,
        error_messages=_invalid(_("“%(value)s” is not a channel. Choose one from the list.")),
    )
    team = forms.TypedChoiceField(
        label=_("Team"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages=_invalid(_("“%(value)s” is not a team. Choose one from the list.")),
    )
    assignee = forms.TypedChoiceField(
        label=_("Assigned to"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages=_invalid(_("“%(value)s” is not an agent who can sign in. Choose one from the list.")),
    )
    tag = forms.CharField(label=_("Tag"), max_length=50, required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=SORT_CHOICES,
        required=False,
        error_messages=_invalid(_("“%(value)s” is not a way to sort. Choose one from the list.")),
    )
    cursor = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any, *, teams: Sequence[Team], agents: Sequence[Agent]) -> None:
        super().__init__(data)
        self.fields["team"].choices = [("", _("Any team")), *team_choices(teams)]  # type: ignore[attr-defined]
        self.fields["assignee"].choices = [("", _("Anyone")), *agent_choices(agents)]  # type: ignore[attr-defined]

    @property
    def current_view(self) -> str:
        value = self.cleaned_data.get("view") if hasattr(self, "cleaned_data") else None
        return value or "all"

    def filters(self) -> InboxFilters:
        data = self.cleaned_data
        return InboxFilters(
            view=data["view"] or "all",
            statuses=tuple(data["status"]),
            kind=data["kind"],
            channel=data["channel"],
            priority=data["priority"],
            team_id=data["team"],
            assignee_id=data["assignee"],
            tag=data["tag"],
            text=data["text"],
            sort=data["sort"] or "updated",
        )


class SearchForm(PatronForm):
    q = forms.CharField(
        label=_("Search cases"),
        max_length=MAX_SEARCH,
        required=False,
        help_text=_("Words in the subject or any message, for example: refund parcel."),
    )


class CustomerSearchForm(PatronForm):
    q = forms.CharField(
        label=_("Find a customer"),
        max_length=MAX_SEARCH,
        required=False,
        help_text=_("Name, email address or phone number."),
    )


# --- one case -----------------------------------------------------------------------------------


class _StatusField(forms.ChoiceField):
    """Accepts any status, so that a move the service cycle does not allow is refused by the
    service with its own sentence; offers only the moves allowed from the current status."""

    def __init__(self, *, offered: Sequence[tuple[str, _StrOrPromise]], **kwargs: Any) -> None:
        super().__init__(
            choices=Status.choices,
            error_messages=_invalid(_("“%(value)s” is not a status. Choose one from the list.")),
            **kwargs,
        )
        self.widget.choices = list(offered)


class ReplyForm(PatronForm):
    service_fields = {"status": "status"}

    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=200_000,
        error_messages={"required": _("Write your reply before you send it.")},
    )

    def __init__(self, data: Any = None, *, case: Case) -> None:
        super().__init__(data, prefix="reply")
        offered = [("", _("Leave it as it is"))] + [
            (status, Status(status).label) for status in allowed_next(case.status) if status != Status.CLOSED
        ]
        self.fields["status"] = _StatusField(offered=offered, label=_("Then set the status to"), required=False)


class NoteForm(PatronForm):
    body = forms.CharField(
        label=_("Internal note"),
        help_text=_("Only colleagues see notes. The customer never does."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=200_000,
        error_messages={"required": _("Write the note before you add it.")},
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="note")


class CasePropertiesForm(PatronForm):
    """A case's own fields. `version` is the one the agent read, so a save based on an old read
    is refused by the service instead of overwriting someone else's change."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        coerce=int,
        error_messages=_invalid(_("“%(value)s” is not a priority. Choose one from the list.")),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=CaseKind.choices,
        error_messages=_invalid(_("“%(value)s” is not a kind of case. Choose one from the list.")),
    )
    team = forms.TypedChoiceField(
        label=_("Team"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages=_invalid(_("“%(value)s” is not a team. Choose one from the list.")),
    )
    assignee = forms.TypedChoiceField(
        label=_("Assigned to"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages=_invalid(_("“%(value)s” is not an agent who can sign in. Choose one from the list.")),
    )
    category = forms.CharField(label=_("Category"), max_length=100, required=False)
    tags = forms.CharField(
        label=_("Tags"),
        max_length=1100,
        required=False,
        help_text=_("Separate tags with commas, for example: refund, delivery."),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        case: Case,
        teams: Sequence[Team],
        agents: Sequence[Agent],
        conflict: str = "",
    ) -> None:
        initial = {
            "version": case.version,
            "status": case.status,
            "priority": case.priority,
            "kind": case.kind,
            "team": case.team_id,
            "assignee": case.assignee_id,
            "category": case.category,
            "tags": ", ".join(tag.name for tag in case.tags.all()),
        }
        super().__init__(data, initial=initial, prefix="case")
        offered = [(status, Status(status).label) for status in [case.status, *allowed_next(case.status)]]
        self.fields["status"] = _StatusField(offered=offered, label=_("Status"))
        self.order_fields(["version", "status"])
        self.fields["team"].choices = [("", _("No team")), *team_choices(teams)]  # type: ignore[attr-defined]
        self.fields["assignee"].choices = [("", _("Nobody")), *agent_choices(agents)]  # type: ignore[attr-defined]
        self.teams = {team.pk: team for team in teams}
        self.agents = {agent.pk: agent for agent in agents}
        self.conflict = conflict

    def changes(self) -> CaseChanges:
        data = self.cleaned_data
        return CaseChanges(
            status=data["status"],
            priority=data["priority"],
            kind=data["kind"],
            team=self.teams.get(data["team"]) if data["team"] is not None else None,
            assignee=self.agents.get(data["assignee"]) if data["assignee"] is not None else None,
            category=data["category"],
            tags=parse_tags(data["tags"]),
        )


class TakeCaseForm(PatronForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, data: Any = None, *, case: Case) -> None:
        super().__init__(data, initial={"version": case.version}, prefix="take")


class _ContactFields(PatronForm):
    """What happened in a phone call or face-to-face conversation."""

    service_fields = {"received_at": "occurred_at", "body": "summary", "channel": "channel"}

    channel = forms.ChoiceField(
        label=_("How"),
        choices=LOGGED_CHANNEL_CHOICES,
        widget=forms.RadioSelect,
        initial=Channel.PHONE,
        error_messages=_invalid(_("Choose phone or face to face.")),
    )
    direction = forms.ChoiceField(
        label=_("Who started it"), choices=DIRECTION_CHOICES, widget=forms.RadioSelect, initial="inbound"
    )
    occurred_at = LocalDateTimeField(
        label=_("When it happened"),
        error_messages={
            "required": _("Enter the day and time it happened."),
            "invalid": _("Enter the day and time as a date and a time, for example 01/07/2025 09:30."),
        },
    )
    summary = forms.CharField(
        label=_("What was said"),
        help_text=_("The customer's need in their words, what you told them and what happens next."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=200_000,
        error_messages={"required": _("Write what was said.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = now_for_input
        self.fields["occurred_at"].help_text = _("Day and time in %(zone)s.") % {
            "zone": timezone.get_current_timezone_name()
        }

    @property
    def outbound(self) -> bool:
        return bool(self.cleaned_data["direction"] == "outbound")


class LogCallForm(_ContactFields):
    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="call")


# --- choosing or adding a customer --------------------------------------------------------------


class CustomerPickForm(PatronForm):
    """An existing customer chosen from a search, or a new one by email or phone (found again
    if that address or number is already known, so duplicates are not made)."""

    service_fields = {"email": "new_email", "phone": "new_phone", "customer": "new_email", "name": "new_name"}

    customer = forms.TypedChoiceField(
        label=_("Customer"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a customer from the search results.")},
    )
    new_kind = forms.ChoiceField(
        label=_("New customer is"),
        choices=[(CustomerKind.EXTERNAL, _("An external customer")), (CustomerKind.INTERNAL, _("A colleague"))],
        widget=forms.RadioSelect,
        initial=CustomerKind.EXTERNAL,
        required=False,
    )
    new_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    new_email = forms.CharField(
        label=_("Email address"), max_length=320, required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    new_phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def __init__(self, data: Any = None, *, search: str = "", selected: str | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.candidates = self._candidates(search, data.get("customer") if data is not None else selected)
        self.fields["customer"].choices = [  # type: ignore[attr-defined]
            (str(customer.pk), describe_customer(customer)) for customer in self.candidates
        ]
        if selected and data is None:
            self.fields["customer"].initial = selected

    @staticmethod
    def _candidates(search: str, selected: object) -> list[Customer]:
        found = list(find_customers(text=search.replace("\x00", "")[:MAX_SEARCH])) if search.strip() else []
        wanted = int(selected) if isinstance(selected, str) and selected.isdigit() and len(selected) <= 12 else None
        if wanted is not None and wanted not in {customer.pk for customer in found}:
            try:
                chosen = customer_by_id(wanted)
            except NotFound:
                return found
            if chosen.merged_into_id is None:
                found.insert(0, chosen)
        return found

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        missing = data.get("customer") is None and not (data.get("new_email") or data.get("new_phone"))
        if missing and "customer" not in self.errors and "new_email" not in self.errors:
            field = "customer" if self.candidates else "new_email"
            self.add_error(
                field,
                _("Choose a customer from the search results, or give the email address or phone number of a new one."),
            )
        return data

    @property
    def chosen_customer(self) -> Customer | None:
        chosen = self.cleaned_data.get("customer")
        return next((customer for customer in self.candidates if customer.pk == chosen), None)


class _CaseDetailFields(PatronForm):
    """How a new case is filed: its kind, priority and team."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=CaseKind.choices,
        initial=CaseKind.ENQUIRY,
        error_messages=_invalid(_("“%(value)s” is not a kind of case. Choose one from the list.")),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        coerce=int,
        initial=Priority.NORMAL,
        error_messages=_invalid(_("“%(value)s” is not a priority. Choose one from the list.")),
    )
    team = forms.TypedChoiceField(
        label=_("Team"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages=_invalid(_("“%(value)s” is not a team. Choose one from the list.")),
    )

    def __init__(self, *args: Any, teams: Sequence[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("No team yet")), *team_choices(teams)]  # type: ignore[attr-defined]
        self.teams = {team.pk: team for team in teams}

    @property
    def chosen_team(self) -> Team | None:
        team_id = self.cleaned_data.get("team")
        return self.teams.get(team_id) if team_id is not None else None


class NewCaseForm(CustomerPickForm, _CaseDetailFields):
    service_fields = {**CustomerPickForm.service_fields, "body": "body", "subject": "subject"}
    field_order = [*CustomerPickForm.base_fields, "subject", "body", "channel", "kind", "priority", "team"]

    subject = forms.CharField(
        label=_("Subject"), max_length=250, error_messages={"required": _("Enter a subject for the case.")}
    )
    body = forms.CharField(
        label=_("What the customer needs"),
        help_text=_("In their words where you can."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=200_000,
        error_messages={"required": _("Describe what the customer needs.")},
    )
    channel = forms.ChoiceField(
        label=_("How they contacted us"),
        choices=NEW_CASE_CHANNELS,
        initial=Channel.PHONE,
        error_messages=_invalid(_("“%(value)s” is not a channel. Choose one from the list.")),
    )


class LogContactForm(CustomerPickForm, _ContactFields, _CaseDetailFields):
    """A call or visit, for a customer, on an existing case or as a new one."""

    service_fields = {**CustomerPickForm.service_fields, **_ContactFields.service_fields, "subject": "subject"}
    field_order = [
        *CustomerPickForm.base_fields,
        *_ContactFields.base_fields,
        "case_reference",
        "subject",
        "kind",
        "priority",
        "team",
    ]

    case_reference = forms.CharField(
        label=_("Case reference"),
        max_length=20,
        required=False,
        help_text=_("For example C-000123. Leave it empty to open a new case."),
    )
    subject = forms.CharField(
        label=_("Subject of the new case"),
        max_length=250,
        required=False,
        help_text=_("Leave it empty to use the first line of the summary."),
    )

    def __init__(self, data: Any = None, *, agent: Agent, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.agent = agent

    def clean_case_reference(self) -> Case | None:
        reference = self.cleaned_data["case_reference"].strip()
        if not reference:
            return None
        try:
            return case_for_agent(agent=self.agent, reference=reference)
        except NotFound as error:
            raise forms.ValidationError(error.message) from error


# --- customers ----------------------------------------------------------------------------------


class CustomerForm(PatronForm):
    """A customer's details: who they are and how to serve them well."""

    service_fields = {"organisation": "organisation"}

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    name = forms.CharField(
        label=_("Name"), max_length=200, error_messages={"required": _("Enter the customer's name.")}
    )
    kind = forms.ChoiceField(label=_("Kind of customer"), choices=CustomerKind.choices, widget=forms.RadioSelect)
    organisation = forms.CharField(label=_("Organisation or department"), max_length=200, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred way to be contacted"),
        choices=[("", _("No preference")), *PreferredChannel.choices],
        required=False,
    )
    preferred_language = forms.CharField(
        label=_("Preferred language"),
        max_length=35,
        required=False,
        help_text=_("For example English, Welsh or Polish."),
    )
    adjustments = forms.MultipleChoiceField(
        label=_("Reasonable adjustments"),
        help_text=_(
            "What the customer has asked for to use our service on equal terms. Record the need, never a diagnosis."
        ),
        choices=Adjustment.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    adjustments_note = forms.CharField(
        label=_("Other adjustments"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False)

    def __init__(self, data: Any = None, *, customer: Customer | None = None, conflict: str = "") -> None:
        initial = {}
        if customer is not None:
            initial = {
                "version": customer.version,
                "name": customer.name,
                "kind": customer.kind,
                "organisation": customer.organisation.name if customer.organisation else "",
                "job_title": customer.job_title,
                "preferred_channel": customer.preferred_channel,
                "preferred_language": customer.preferred_language,
                "adjustments": list(customer.adjustments),
                "adjustments_note": customer.adjustments_note,
                "notes": customer.notes,
            }
        super().__init__(data, initial=initial or {"kind": CustomerKind.EXTERNAL})
        self.conflict = conflict

    def details(self, **extra: Any) -> CustomerDetails:
        data = self.cleaned_data
        return CustomerDetails(
            name=data["name"],
            kind=data["kind"],
            job_title=data["job_title"],
            preferred_channel=data["preferred_channel"],
            preferred_language=data["preferred_language"],
            adjustments=data["adjustments"],
            adjustments_note=data["adjustments_note"],
            notes=data["notes"],
            **extra,
        )


class NewCustomerForm(CustomerForm):
    service_fields = {"email": "email", "phone": "phone"}

    email = forms.CharField(
        label=_("Email address"), max_length=320, required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        del self.fields["version"]
        self.order_fields(["name", "kind", "email", "phone"])


class ContactPointForm(PatronForm):
    service_fields = dict.fromkeys(ContactKind.values, "value")

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ContactKind.choices,
        error_messages=_invalid(_("“%(value)s” is not a kind of contact point. Choose one from the list.")),
    )
    value = forms.CharField(
        label=_("Email address, number, address or handle"),
        max_length=320,
        error_messages={"required": _("Enter the email address, phone number, address or handle.")},
    )
    is_primary = forms.BooleanField(label=_("Make this their main one of its kind"), required=False)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="point")


class MergeForm(PatronForm):
    duplicate = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=10**12)
