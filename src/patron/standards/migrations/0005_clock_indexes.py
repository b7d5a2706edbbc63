import django.db.models.deletion
from django.db import migrations, models


def _case_indexes(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, "standards_slaclock")
    return [
        name
        for name, info in constraints.items()
        if info["index"] and not info["primary_key"] and not info["unique"] and info["columns"] == ["case_id"]
    ]


def drop_case_index(apps, schema_editor):
    for name in _case_indexes(schema_editor):
        schema_editor.execute(f'DROP INDEX "{name}"')


def restore_case_index(apps, schema_editor):
    if not _case_indexes(schema_editor):
        schema_editor.execute('CREATE INDEX "standards_slaclock_case_id_single" ON "standards_slaclock" ("case_id")')


class Migration(migrations.Migration):
    """Clocks are only ever found by case, which the unique (case, target) index serves: the
    index on the case alone and the one on (running, due_at), which nothing reads since wake-up
    times drive the checks, only cost every new case two more index writes per clock."""

    dependencies = [("cases", "0009_search_index_in_batches"), ("standards", "0004_configuration_version")]

    operations = [
        migrations.RemoveIndex(model_name="slaclock", name="sla_clock_due_idx"),
        # Only the index goes: Django would rebuild the whole table on SQLite to change db_index.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="slaclock",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sla_clocks",
                        to="cases.case",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_case_index, restore_case_index)],
        ),
    ]
