from django.contrib import admin
from django.http import HttpRequest

from patron.cases.models import Case, CaseEvent, Tag


class ReadOnlyAdmin(admin.ModelAdmin):
    """Operators may look; every change goes through the desk, which records it."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("id", "subject", "status", "kind", "channel", "priority", "team", "assignee", "updated_at")
    list_filter = ("status", "kind", "channel", "priority", "team")
    list_select_related = ("team", "assignee")
    show_full_result_count = False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ("case", "kind", "actor", "created_at")
    list_filter = ("kind",)
    list_select_related = ("actor",)
    show_full_result_count = False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)
