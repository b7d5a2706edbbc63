"""Full-text search over case subjects and message bodies, one function for both databases:
SQLite FTS5 tables kept by triggers, PostgreSQL GIN indexes on tsvector expressions. Both stem
English words (Porter / Snowball), so "refunds" finds "refund" on either."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models.expressions import RawSQL

MAX_TERMS = 12
_WORD = re.compile(r"\w+", re.UNICODE)

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


def search_terms(text: str) -> list[str]:
    """The words searched for: letters and digits only, so no input can break the query syntax."""
    return _WORD.findall(text.lower())[:MAX_TERMS]


def matching_case_ids(text: str) -> RawSQL:
    """A subquery of the ids of cases whose subject, or any one message, holds every word."""
    terms = search_terms(text)
    if not terms:
        return RawSQL("SELECT id FROM cases_case WHERE 1 = 0", [])
    if connection.vendor == "postgresql":
        query = " ".join(terms)
        return RawSQL(
            "SELECT id FROM cases_case WHERE to_tsvector('english'::regconfig, subject) "
            "@@ plainto_tsquery('english'::regconfig, %s) "
            "UNION SELECT case_id FROM cases_message WHERE to_tsvector('english'::regconfig, body_text) "
            "@@ plainto_tsquery('english'::regconfig, %s)",
            [query, query],
        )
    match = " ".join(f'"{term}"' for term in terms)
    return RawSQL(
        "SELECT rowid FROM case_subject_fts WHERE case_subject_fts MATCH %s "
        "UNION SELECT m.case_id FROM message_fts JOIN cases_message m ON m.id = message_fts.rowid "
        "WHERE message_fts MATCH %s",
        [match, match],
    )
