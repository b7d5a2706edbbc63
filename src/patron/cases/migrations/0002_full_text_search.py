from django.db import migrations


def create_search_index(apps, schema_editor):
    from patron.cases.search import POSTGRES_SETUP, SQLITE_SETUP

    statements = {"sqlite": SQLITE_SETUP, "postgresql": POSTGRES_SETUP}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def drop_search_index(apps, schema_editor):
    from patron.cases.search import POSTGRES_TEARDOWN, SQLITE_TEARDOWN

    statements = {"sqlite": SQLITE_TEARDOWN, "postgresql": POSTGRES_TEARDOWN}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(create_search_index, drop_search_index)]
