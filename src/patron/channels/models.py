"""What arrived on a channel, kept exactly as received before anything reads it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.accounts.models import Team
from patron.cases.models import Case, Message, format_reference
from patron.db import TimestampedModel


class InboundSource(models.TextChoices):
    STDIN = "stdin", _("Standard input")
    FILE = "file", _("File")
    MAILDIR = "maildir", _("Maildir")
    MBOX = "mbox", _("Mbox archive")
    API = "api", _("API")
    IMAP = "imap", _("IMAP mailbox")
    SMTP = "smtp", _("SMTP delivery")
    LMTP = "lmtp", _("LMTP delivery")


class InboundStatus(models.TextChoices):
    STORED = "stored", _("Stored, not yet processed")
    PROCESSED = "processed", _("Processed")
    DUPLICATE = "duplicate", _("Duplicate")
    QUARANTINED = "quarantined", _("Quarantined")
    DISCARDED = "discarded", _("Discarded by an administrator")


class AutomatedKind(models.TextChoices):
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    BOUNCE = "bounce", _("Delivery report")
    BULK = "bulk", _("Bulk mail")
    MAILING_LIST = "mailing_list", _("Mailing list")


class MailSecurity(models.TextChoices):
    TLS = "tls", _("TLS from the start (IMAPS, port 993)")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (only for a server on this machine)")


class Mailbox(TimestampedModel):
    """An address customers write to, and the team that answers it. Replies to a case go out
    from its team's mailbox; email to the address opens cases for that team. When the mail
    sits on an IMAP server, Patron polls it; the password is read from an environment variable
    so that it is never stored in the database."""

    address = models.EmailField(_("address"), unique=True)
    name = models.CharField(_("name shown to customers"), max_length=100, blank=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="mailboxes", verbose_name=_("team"))
    is_active = models.BooleanField(_("active"), default=True)
    send_acknowledgement = models.BooleanField(
        _("acknowledge new cases"),
        default=True,
        help_text=_("Email the customer their case reference when their email opens a case."),
    )
    acknowledgement_text = models.TextField(
        _("acknowledgement"),
        blank=True,
        help_text=_(
            "What the acknowledgement says; empty for the standard wording. These are filled in: "
            "{customer_name}, {reference}, {subject}, {reply_promise}, {team_name}."
        ),
    )
    imap_host = models.CharField(_("IMAP server"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=10, choices=MailSecurity.choices, default=MailSecurity.TLS
    )
    imap_folder = models.CharField(_("IMAP folder"), max_length=255, default="INBOX")
    imap_username = models.CharField(_("IMAP user name"), max_length=255, blank=True)
    imap_password_variable = models.CharField(
        _("environment variable holding the IMAP password"), max_length=100, blank=True
    )
    # Where polling got to: UIDs are only comparable while the folder's UIDVALIDITY stays the same.
    imap_uidvalidity = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    imap_last_uid = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["address"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return self.address

    @property
    def polls_imap(self) -> bool:
        return bool(self.is_active and self.imap_host)


class InboundEmail(models.Model):
    """One email exactly as it arrived. The raw bytes are saved before they are parsed, so
    nothing a customer sends is lost, even when it cannot be read; the same bytes twice are
    one row (`sha256`), and a Message-ID already processed is recognised as a duplicate."""

    raw = models.BinaryField(_("original email"))
    sha256 = models.CharField(_("SHA-256 of the original"), max_length=64, unique=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    message_id = models.CharField(_("Message-ID"), max_length=998, null=True, blank=True)
    received_at = models.DateTimeField(_("received"))
    source = models.CharField(_("source"), max_length=10, choices=InboundSource.choices)
    status = models.CharField(_("status"), max_length=12, choices=InboundStatus.choices, default=InboundStatus.STORED)
    quarantine_reason = models.CharField(_("reason for quarantine"), max_length=500, blank=True)
    automated = models.BooleanField(_("automated"), default=False)
    automated_kind = models.CharField(
        _("kind of automated mail"), max_length=20, choices=AutomatedKind.choices, blank=True
    )
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("mailbox")
    )
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_emails", verbose_name=_("case")
    )
    case_message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("message")
    )
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    # Set when the retention schedule removed the original bytes; the row stays, so a late
    # reply quoting this Message-ID still finds its case.
    raw_removed_at = models.DateTimeField(_("original removed"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["message_id"], name="inbound_message_id_idx"),
            models.Index(fields=["status", "received_at", "id"], name="inbound_status_idx"),
        ]
        verbose_name = _("inbound email")

    def __str__(self) -> str:
        where = f" on {format_reference(self.case_id)}" if self.case_id else ""
        return f"Email {self.pk} ({self.get_status_display()}){where}"


class OutboundKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    SURVEY = "survey", _("Survey")


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Not sent yet: trying again")
    FAILED = "failed", _("Could not be sent")
    # Queued before the customer restricted processing (or was erased): kept, not sent, until
    # someone tries again once that is lifted.
    HELD = "held", _("Held back, not sent")


class OutboundEmail(TimestampedModel):
    """One email Patron sends to a customer: a reply an agent wrote, or the acknowledgement of a
    new case. Its Message-ID is fixed when it is queued, so every attempt sends the same email
    and the customer's reply threads back to the case. A send that fails is tried again and,
    once attempts run out, stays visible on the case until someone tries again."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outbound_emails", db_index=False)
    case_message = models.OneToOneField(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="outbound_email"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OutboundKind.choices, default=OutboundKind.REPLY)
    message_id = models.CharField(_("Message-ID"), max_length=250, unique=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=998, blank=True)
    references = models.TextField(_("References"), blank=True)
    from_address = models.CharField(_("from"), max_length=400)
    to_address = models.CharField(_("to"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["case", "created_at"], name="outbound_case_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="outbound_status_idx"),
        ]
        verbose_name = _("outbound email")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to_address or 'nobody'} on {format_reference(self.case_id)}"
