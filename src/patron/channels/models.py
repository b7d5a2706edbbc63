"""What arrived on a channel, kept exactly as received before anything reads it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.cases.models import Case, Message, format_reference


class InboundSource(models.TextChoices):
    STDIN = "stdin", _("Standard input")
    FILE = "file", _("File")
    MAILDIR = "maildir", _("Maildir")
    MBOX = "mbox", _("Mbox archive")
    API = "api", _("API")


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
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_emails", verbose_name=_("case")
    )
    case_message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("message")
    )
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

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
