"""Service managers keep calendars, policies and escalation rules here; rules are data."""

from django.contrib import admin

from patron.standards.models import BusinessCalendar, Closure, EscalationRule, SlaPolicy, TeamCalendar


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone", "region")
    inlines = [ClosureInline]


@admin.register(TeamCalendar)
class TeamCalendarAdmin(admin.ModelAdmin):
    list_display = ("team", "calendar")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "position",
        "is_active",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "business_hours",
    )
    list_editable = ("position", "is_active")


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    """Rules are checked as they are saved (the model's clean), so a half-configured rule is
    refused with a message rather than skipped silently later."""

    list_display = ("name", "position", "is_active", "trigger", "target", "threshold_percent", "wait_minutes")
    list_editable = ("position", "is_active")
