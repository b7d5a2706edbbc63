from django.contrib import admin

from patron.complaints.models import ComplaintRegime


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
