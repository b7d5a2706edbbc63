"""The case (ticket), its messages and the event stream every timeline, journey, audit
question and KPI is read from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.accounts.models import Team
from patron.customers.models import Customer

REFERENCE_PREFIX = "C-"


class CaseKind(models.TextChoices):
    ENQUIRY = "enquiry", _("Enquiry")
    REQUEST = "request", _("Request")
    COMPLAINT = "complaint", _("Complaint")
    COMPLIMENT = "compliment", _("Compliment")
    INCIDENT = "incident", _("Incident")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone")
    FACE_TO_FACE = "face_to_face", _("Face to face")
    CHAT = "chat", _("Chat")
    SOCIAL = "social", _("Social media")
    API = "api", _("API")
    INTERNAL = "internal", _("Internal")


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    AWAITING_CUSTOMER = "awaiting_customer", _("Awaiting customer")
    AWAITING_THIRD_PARTY = "awaiting_third_party", _("Awaiting third party")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("From the customer")
    OUTBOUND = "outbound", _("Reply to the customer")
    NOTE = "note", _("Internal note")


class EventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    MESSAGE_RECEIVED = "message_received", _("Message received")
    REPLIED = "replied", _("Reply sent")
    NOTE_ADDED = "note_added", _("Internal note added")
    CONTACT_LOGGED = "contact_logged", _("Contact logged")
    STATUS_CHANGED = "status_changed", _("Status changed")
    REOPENED = "reopened", _("Case reopened")
    ASSIGNED = "assigned", _("Assigned")
    TEAM_CHANGED = "team_changed", _("Team changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    KIND_CHANGED = "kind_changed", _("Kind changed")
    SUBJECT_CHANGED = "subject_changed", _("Subject changed")
    CATEGORY_CHANGED = "category_changed", _("Category changed")
    TAGS_CHANGED = "tags_changed", _("Tags changed")
    RESTRICTION_CHANGED = "restriction_changed", _("Access changed")
    COMPLAINT_OPENED = "complaint_opened", _("Complaint recorded")
    COMPLAINT_STEP = "complaint_step", _("Complaint handled")
    COMPLAINT_ESCALATED = "complaint_escalated", _("Complaint escalated")
    COMPLAINT_DEESCALATED = "complaint_deescalated", _("Complaint de-escalated")
    COMPLAINT_FINAL_RESPONSE = "complaint_final", _("Final response sent")
    COMPLAINT_LETTER = "complaint_letter", _("Complaint letter sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledgement sent")
    EMAIL_FAILED = "email_failed", _("Email could not be sent")
    EMAIL_HELD = "email_held", _("Email held back")
    CUSTOMER_CHANGED = "customer_changed", _("Customer changed")
    TARGET_MET = "target_met", _("Service target met")
    TARGET_BREACHED = "target_breached", _("Service target breached")
    PERSONAL_DATA_ERASED = "personal_data_erased", _("Personal data erased")
    SURVEY_SENT = "survey_sent", _("Survey sent")
    SURVEY_NOT_SENT = "survey_not_sent", _("Survey not sent")
    SURVEY_ANSWERED = "survey_answered", _("Survey answered")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """One customer need, followed from inquiry to follow-up. `version` rises with every change
    to the case's own fields, so a save based on an old read is refused, not lost."""

    subject = models.CharField(_("subject"), max_length=250)
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices, default=CaseKind.ENQUIRY)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=25, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    # These foreign keys need no index of their own: each leads a composite index in Meta.
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="cases", verbose_name=_("customer"), db_index=False
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("team"),
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
        db_index=False,
    )
    category = models.CharField(_("category"), max_length=100, blank=True)
    # Only the people named in `access_grants` may see a restricted case (e.g. a colleague's
    # HR-sensitive request); each opening of it is recorded with the reason given.
    is_restricted = models.BooleanField(_("restricted"), default=False)
    tags = models.ManyToManyField(Tag, related_name="cases", blank=True, verbose_name=_("tags"))
    created_at = models.DateTimeField(_("received"))
    updated_at = models.DateTimeField(_("last activity"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The soonest due time among the case's running service targets, kept by the standards app,
    # so the inbox can sort by what is due first without a join.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # Not stored: the first message of a case just opened, so its opener needs no query for it.
    opening_message: Message | None = None

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            # Keyset pagination for each inbox sort, and for each filter the inbox offers.
            models.Index(fields=["updated_at", "id"], name="case_updated_idx"),
            models.Index(fields=["created_at", "id"], name="case_created_idx"),
            models.Index(fields=["status", "updated_at", "id"], name="case_status_idx"),
            models.Index(fields=["team", "updated_at", "id"], name="case_team_idx"),
            models.Index(fields=["assignee", "updated_at", "id"], name="case_assignee_idx"),
            models.Index(fields=["kind", "updated_at", "id"], name="case_kind_idx"),
            models.Index(fields=["channel", "updated_at", "id"], name="case_channel_idx"),
            models.Index(fields=["priority", "updated_at", "id"], name="case_priority_idx"),
            models.Index(fields=["customer", "updated_at"], name="case_customer_idx"),
            models.Index(fields=["due_at", "id"], name="case_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("web:case", args=[self.reference])

    @property
    def reference(self) -> str:
        return format_reference(self.pk)

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.RESOLVED, Status.CLOSED)


def format_reference(pk: int) -> str:
    return f"{REFERENCE_PREFIX}{pk:06d}"


def parse_reference(reference: str) -> int | None:
    """The case id behind a reference such as `C-000123` (or a bare number); None if it is not one."""
    text = reference.strip().upper()
    if text.startswith(REFERENCE_PREFIX):
        text = text[len(REFERENCE_PREFIX) :]
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return None
    return int(text)


class Message(models.Model):
    """Something said on a case: by the customer, to the customer, or between colleagues."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages", db_index=False)
    direction = models.CharField(_("type"), max_length=10, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    author_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    body_text = models.TextField(_("message"))
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at", "id"], name="message_case_idx")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} on {format_reference(self.case_id)}"

    @property
    def is_note(self) -> bool:
        return self.direction == Direction.NOTE


class CaseAccess(models.Model):
    """One person named on a restricted case: who may see it, who named them, when and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_grants")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_access")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "agent"], name="case_access_once")]
        indexes = [models.Index(fields=["agent", "case"], name="case_access_agent_idx")]

    def __str__(self) -> str:
        return f"{self.agent_id} on {format_reference(self.case_id)}"


class Attachment(models.Model):
    """A file that came with a message. The bytes are kept once per content, named by their
    SHA-256 (the same logo in a thousand signatures takes the room of one); `sha256` is empty
    when the file was too large to keep apart from the original email it arrived in."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    content_id = models.CharField(_("Content-ID"), max_length=250, blank=True)
    is_inline = models.BooleanField(_("shown within the message"), default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_stored(self) -> bool:
        return bool(self.sha256)


class CaseEvent(models.Model):
    """One change to a case: who, when, what, with before and after in `data`. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    # No `choices` here: other apps add kinds to EventKind, and that should not need a migration.
    kind = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["case", "created_at", "id"], name="event_case_idx"),
            models.Index(fields=["kind", "created_at"], name="event_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} on {format_reference(self.case_id)}"

    @property
    def kind_label(self) -> str:
        return str(EventKind(self.kind).label) if self.kind in EventKind.values else self.kind
