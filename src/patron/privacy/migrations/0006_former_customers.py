from django.db import migrations, models

WHY = (
    "Once every case of theirs has been anonymised and the record has not changed for two years: long "
    "enough to recognise a returning customer, never longer than their cases are kept."
)


def add_rule(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    RetentionRule.objects.get_or_create(
        category="former_customers", defaults={"keep_months": 24, "action": "anonymise", "why": WHY}
    )


def remove_rule(apps, schema_editor):
    apps.get_model("privacy", "RetentionRule").objects.filter(category="former_customers").delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0005_built_in_retention_schedule")]

    operations = [
        migrations.AlterField(
            model_name="retentionrule",
            name="category",
            field=models.CharField(
                choices=[
                    ("closed_cases", "Closed cases other than complaints"),
                    ("closed_complaints", "Closed complaints"),
                    ("raw_emails", "Emails as they arrived"),
                    ("survey_answers", "Survey answers"),
                    ("former_customers", "Customer records with nothing left to serve"),
                ],
                max_length=30,
                unique=True,
            ),
        ),
        migrations.RunPython(add_rule, remove_rule),
    ]
