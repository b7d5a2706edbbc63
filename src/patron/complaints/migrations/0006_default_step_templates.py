from django.db import migrations

DEFAULTS = {
    "listen": "The customer told us: … They would like: … I read this back and they agreed it is right.",
    "apologise": "I apologised sincerely for …",
    "thank": "I thanked them for telling us, so we can put it right.",
    "explain": "I explained what happened and why: … I acknowledged how it affected them: …",
    "resolve": "We offered: … The customer accepted / did not accept. Follow up on: …",
}


def load_defaults(apps, schema_editor):
    StepTemplate = apps.get_model("complaints", "StepTemplate")
    for step, text in DEFAULTS.items():
        StepTemplate.objects.get_or_create(step=step, defaults={"text": text})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0005_tier_queues_and_step_templates")]
    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
