import importlib

from django.db import migrations

first_search = importlib.import_module("patron.cases.migrations.0002_full_text_search")


def to_case_documents(apps, schema_editor):
    """SQLite: one search document per case instead of one per message, so a search answers
    case ids straight from the index (PostgreSQL keeps its indexes)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    from patron.cases.search import SQLITE_SETUP

    for statement in [*first_search.SQLITE_TEARDOWN, *SQLITE_SETUP]:
        schema_editor.execute(statement)


def back_to_message_documents(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from patron.cases.search import SQLITE_TEARDOWN

    for statement in SQLITE_TEARDOWN:
        schema_editor.execute(statement)
    first_search.create_search_index(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_case_due_and_target_events")]

    operations = [migrations.RunPython(to_case_documents, back_to_message_documents)]
