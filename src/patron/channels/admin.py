from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from patron.cases.admin import ReadOnlyAdmin
from patron.channels.models import InboundEmail, Mailbox

PREVIEW_BYTES = 20_000


@admin.register(InboundEmail)
class InboundEmailAdmin(ReadOnlyAdmin):
    """Operators see every email as it arrived, and why any was quarantined."""

    list_display = (
        "id",
        "received_at",
        "source",
        "status",
        "quarantine_reason",
        "automated_kind",
        "sender",
        "subject",
        "case",
        "size",
    )
    list_filter = ("status", "source", "automated", "automated_kind")
    search_fields = ("message_id", "sender", "subject", "sha256")
    exclude = ("raw",)
    readonly_fields = ("original",)
    show_full_result_count = False

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).defer("raw")

    @admin.display(description=_("original (start)"))
    def original(self, obj: InboundEmail) -> str:
        return bytes(obj.raw[:PREVIEW_BYTES]).decode("utf-8", "replace")


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin[Mailbox]):
    """Administrators say which addresses Patron answers, for which team, and where to poll."""

    list_display = ("address", "name", "team", "is_active", "send_acknowledgement", "imap_host", "imap_last_uid")
    list_filter = ("is_active", "team")
    search_fields = ("address", "name")
    readonly_fields = ("imap_uidvalidity", "imap_last_uid")
