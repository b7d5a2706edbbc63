from django.contrib import admin
from django.http import HttpRequest

from patron.complaints.models import ComplaintRegime, CorrectiveAction, RootCause, StepTemplate, TierQueue


@admin.register(ComplaintRegime)
class ComplaintRegimeAdmin(admin.ModelAdmin[ComplaintRegime]):
    """Regimes are data: a new scheme's clocks are added here, not in code."""

    list_display = (
        "name",
        "code",
        "acknowledge_business_days",
        "final_response_business_days",
        "final_response_weeks",
        "summary_resolution_business_days",
        "referral_body",
        "referral_months",
        "is_default",
    )


@admin.register(RootCause)
class RootCauseAdmin(admin.ModelAdmin[RootCause]):
    """The desk's list of root causes is data: a cause is added, reworded or retired here. A
    cause in use is retired by making it inactive; it cannot be deleted while complaints name it."""

    list_display = ("name", "code", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code")


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(admin.ModelAdmin[CorrectiveAction]):
    """Read-only here: corrective actions change through the services, which audit each change."""

    list_display = ("title", "owner", "status", "due_on", "completed_on")
    list_filter = ("status",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CorrectiveAction | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CorrectiveAction | None = None) -> bool:
        return False


@admin.register(TierQueue)
class TierQueueAdmin(admin.ModelAdmin[TierQueue]):
    """Which team's queue a complaint joins when it is escalated to each tier."""

    list_display = ("tier", "team")


@admin.register(StepTemplate)
class StepTemplateAdmin(admin.ModelAdmin[StepTemplate]):
    """The wording agents start from for each LATER step, in the desk's own voice."""

    list_display = ("step", "text")
