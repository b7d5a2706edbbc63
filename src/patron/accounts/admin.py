from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from patron.accounts.models import Agent, ApiToken, Team


@admin.register(Agent)
class AgentAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "role", "is_active")
    list_filter = ("role", "is_active", "teams")
    fieldsets = (*UserAdmin.fieldsets, ("Patron", {"fields": ("role", "teams")}))  # type: ignore[misc]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_internal_desk", "email")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with `patron token create` (the secret is shown once); here they are
    only listed and revoked."""

    list_display = ("name", "prefix", "agent", "role", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("agent", "name", "prefix", "digest", "role", "created_by", "created_at", "last_used_at")

    def has_add_permission(self, request: object) -> bool:
        return False
