from django.db import migrations

# The triggers as they were: each new case and message indexed in its own transaction.
IMMEDIATE_INSERT_TRIGGERS = [
    "CREATE TRIGGER case_fts_insert AFTER INSERT ON cases_case BEGIN "
    "INSERT INTO case_fts(rowid, subject, body) VALUES (new.id, new.subject, ''); END",
    "CREATE TRIGGER message_fts_insert AFTER INSERT ON cases_message BEGIN "
    "UPDATE case_fts SET body = body || char(10) || new.body_text WHERE rowid = new.case_id; END",
    "CREATE TRIGGER case_fts_delete AFTER DELETE ON cases_case BEGIN DELETE FROM case_fts WHERE rowid = old.id; END",
]


def index_in_batches(apps, schema_editor):
    """SQLite: new cases and messages wait to be indexed in batches (the index as it is stays)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    from patron.cases.search import SQLITE_TRIGGERS_SETUP, SQLITE_TRIGGERS_TEARDOWN

    for statement in [*SQLITE_TRIGGERS_TEARDOWN, *SQLITE_TRIGGERS_SETUP]:
        schema_editor.execute(statement)


def index_each_at_once(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from patron.cases.search import SQLITE_CATCH_UP

    for statement in [
        *SQLITE_CATCH_UP,
        "DROP TRIGGER IF EXISTS case_fts_catch_up",
        "DROP TRIGGER IF EXISTS case_fts_insert",
        "DROP TRIGGER IF EXISTS message_fts_insert",
        "DROP TRIGGER IF EXISTS case_fts_delete",
        "DROP TABLE case_fts_pending",
        *IMMEDIATE_INSERT_TRIGGERS,
    ]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_restricted_cases")]

    operations = [migrations.RunPython(index_in_batches, index_each_at_once)]
