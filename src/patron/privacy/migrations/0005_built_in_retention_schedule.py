from django.db import migrations

# category, months, days, action, why
BUILT_IN = [
    ("closed_cases", 24, None, "anonymise",
     "Long enough to answer a follow-up or a repeat contact; counts and dates stay for the figures."),
    ("closed_complaints", 72, None, "anonymise",
     "Six years: the limitation period for a contract claim (Limitation Act 1980), which a complaint may become."),
    ("raw_emails", None, 90, "delete",
     "The case keeps what was said; the email as it arrived is needed only to check a delivery or a forgery."),
    ("survey_answers", 12, None, "anonymise", "A year of answers is what the service reviews compare."),
]


def load_schedule(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    for category, months, days, action, why in BUILT_IN:
        RetentionRule.objects.get_or_create(
            category=category, defaults={"keep_months": months, "keep_days": days, "action": action, "why": why}
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0004_consent_holds_retention")]
    operations = [migrations.RunPython(load_schedule, migrations.RunPython.noop)]
