"""Full-text search as first built: one FTS5 document per message on SQLite (replaced by one per
case in 0004), GIN indexes on PostgreSQL. The SQL is kept here as it was, so history replays."""

from django.db import migrations

SQLITE_SETUP = [
    "CREATE VIRTUAL TABLE case_subject_fts USING fts5(subject, content='cases_case', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE message_fts USING fts5(body_text, content='cases_message', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER case_fts_insert AFTER INSERT ON cases_case BEGIN "
    "INSERT INTO case_subject_fts(rowid, subject) VALUES (new.id, new.subject); END",
    "CREATE TRIGGER case_fts_delete AFTER DELETE ON cases_case BEGIN "
    "INSERT INTO case_subject_fts(case_subject_fts, rowid, subject) VALUES ('delete', old.id, old.subject); END",
    "CREATE TRIGGER case_fts_update AFTER UPDATE OF subject ON cases_case BEGIN "
    "INSERT INTO case_subject_fts(case_subject_fts, rowid, subject) VALUES ('delete', old.id, old.subject); "
    "INSERT INTO case_subject_fts(rowid, subject) VALUES (new.id, new.subject); END",
    "CREATE TRIGGER message_fts_insert AFTER INSERT ON cases_message BEGIN "
    "INSERT INTO message_fts(rowid, body_text) VALUES (new.id, new.body_text); END",
    "CREATE TRIGGER message_fts_delete AFTER DELETE ON cases_message BEGIN "
    "INSERT INTO message_fts(message_fts, rowid, body_text) VALUES ('delete', old.id, old.body_text); END",
    "CREATE TRIGGER message_fts_update AFTER UPDATE OF body_text ON cases_message BEGIN "
    "INSERT INTO message_fts(message_fts, rowid, body_text) VALUES ('delete', old.id, old.body_text); "
    "INSERT INTO message_fts(rowid, body_text) VALUES (new.id, new.body_text); END",
    "INSERT INTO case_subject_fts(case_subject_fts) VALUES ('rebuild')",
    "INSERT INTO message_fts(message_fts) VALUES ('rebuild')",
]
SQLITE_TEARDOWN = [
    "DROP TRIGGER IF EXISTS case_fts_insert",
    "DROP TRIGGER IF EXISTS case_fts_delete",
    "DROP TRIGGER IF EXISTS case_fts_update",
    "DROP TRIGGER IF EXISTS message_fts_insert",
    "DROP TRIGGER IF EXISTS message_fts_delete",
    "DROP TRIGGER IF EXISTS message_fts_update",
    "DROP TABLE IF EXISTS case_subject_fts",
    "DROP TABLE IF EXISTS message_fts",
]
POSTGRES_SETUP = [
    "CREATE INDEX case_subject_fts ON cases_case USING gin (to_tsvector('english'::regconfig, subject))",
    "CREATE INDEX message_fts ON cases_message USING gin (to_tsvector('english'::regconfig, body_text))",
]
POSTGRES_TEARDOWN = ["DROP INDEX IF EXISTS case_subject_fts", "DROP INDEX IF EXISTS message_fts"]


def create_search_index(apps, schema_editor):
    statements = {"sqlite": SQLITE_SETUP, "postgresql": POSTGRES_SETUP}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def drop_search_index(apps, schema_editor):
    statements = {"sqlite": SQLITE_TEARDOWN, "postgresql": POSTGRES_TEARDOWN}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(create_search_index, drop_search_index)]
