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
