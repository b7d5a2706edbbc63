from django.db import migrations

# Each step now records its parts in fields of their own; the wording starts the main one.
OLD = {
    "listen": "The customer told us: … They would like: … I read this back and they agreed it is right.",
    "explain": "I explained what happened and why: … I acknowledged how it affected them: …",
    "resolve": "We offered: … The customer accepted / did not accept. Follow up on: …",
}
NEW = {
    "listen": "The customer told us: …",
    "explain": "What happened: … This happened because: …",
    "resolve": "We offered: …",
}


def reword(apps, schema_editor):
    """The built-in wording is replaced; wording the desk has edited is left as it is."""
    StepTemplate = apps.get_model("complaints", "StepTemplate")
    for step, text in OLD.items():
        StepTemplate.objects.filter(step=step, text=text).update(text=NEW[step])


def restore(apps, schema_editor):
    StepTemplate = apps.get_model("complaints", "StepTemplate")
    for step, text in NEW.items():
        StepTemplate.objects.filter(step=step, text=text).update(text=OLD[step])


class Migration(migrations.Migration):
    dependencies = [("complaints", "0008_complaint_outcome")]
    operations = [migrations.RunPython(reword, restore)]
