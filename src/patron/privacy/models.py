"""The audit trail of personal data: who viewed, changed, merged or erased what, and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One attributable action on personal data. Rows are only ever added (the database refuses
    changes), and each is chained to the one before by a SHA-256 hash over its content and its
    predecessor's hash, so removing or altering an entry breaks the chain where it happened."""

    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=50)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    data = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, default="")
    entry_hash = models.CharField(max_length=64, default="")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_id}"


class RequestType(models.TextChoices):
    ACCESS = "access", "Access (subject access request)"
    RECTIFICATION = "rectification", "Rectification"
    ERASURE = "erasure", "Erasure"
    RESTRICTION = "restriction", "Restriction of processing"
    PORTABILITY = "portability", "Data portability"
    OBJECTION = "objection", "Objection"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    FULFILLED = "fulfilled", "Fulfilled"
    REFUSED = "refused", "Refused, with reasons"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SubjectRequest(models.Model):
    """A person exercising a data protection right, and the clock to answer it. Other apps'
    models are named by string: this module sits at the bottom of the import layers."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="subject_requests")
    type = models.CharField(max_length=20, choices=RequestType.choices)
    received_on = models.DateField()
    due_on = models.DateField()
    extended = models.BooleanField(default=False)
    extension_reason = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="subject_request_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} request {self.pk}"


class Breach(models.Model):
    """A personal data breach: every one is recorded, reportable or not (UK GDPR art. 33(5))."""

    summary = models.CharField(max_length=300)
    what_happened = models.TextField(blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    aware_at = models.DateTimeField()
    data_categories = models.CharField(max_length=500, blank=True)
    people_affected = models.PositiveIntegerField(null=True, blank=True)
    records_affected = models.PositiveIntegerField(null=True, blank=True)
    likely_consequences = models.TextField(blank=True)
    measures_taken = models.TextField(blank=True)
    reportable = models.BooleanField(null=True, blank=True)
    reportable_reason = models.TextField(blank=True)
    reported_to_ico_at = models.DateTimeField(null=True, blank=True)
    people_told_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-aware_at", "-id"]

    def __str__(self) -> str:
        return self.summary
