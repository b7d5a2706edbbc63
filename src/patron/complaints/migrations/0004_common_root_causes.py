from django.db import migrations

COMMON = [
    ("product_fault", "Product fault", "The product or service itself did not work as it should."),
    ("delivery", "Delivery", "Late, missing or damaged deliveries, and missed appointments."),
    ("billing_error", "Billing error", "Wrong charges, refunds not made, payments misapplied."),
    ("staff_behaviour", "Staff behaviour", "How a colleague treated the customer."),
    ("policy", "Policy", "The customer was treated as our policy says, and the policy is the problem."),
    ("communication", "Communication", "Unclear, wrong or missing information; promises not kept."),
]


def load_root_causes(apps, schema_editor):
    RootCause = apps.get_model("complaints", "RootCause")
    for code, name, description in COMMON:
        RootCause.objects.get_or_create(code=code, defaults={"name": name, "description": description})


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0003_root_causes_and_corrective_actions"),
    ]

    operations = [
        migrations.RunPython(load_root_causes, migrations.RunPython.noop),
    ]
