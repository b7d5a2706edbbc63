from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "patron.privacy"
    label = "privacy"

    def ready(self) -> None:
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from patron.privacy.admin_log import copy_to_audit_trail

        post_save.connect(copy_to_audit_trail, sender=LogEntry, dispatch_uid="patron-admin-log-to-audit")
