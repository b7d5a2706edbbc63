"""Full-text search over cases, one function for both databases. A case matches when every word
searched for appears somewhere in it: its subject or any of its messages (internal notes
included, since only agents search). Both databases stem English words (Porter / Snowball), so
"refunds" finds "refund".

SQLite keeps one FTS5 document per case (subject and the text of its messages), maintained by
triggers, so a search answers case ids straight from the index. PostgreSQL uses GIN indexes on
tsvector expressions of subjects and message bodies and intersects the cases found per word.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models.expressions import RawSQL

MAX_TERMS = 12
_WORD = re.compile(r"\w+", re.UNICODE)

SQLITE_SETUP = [
    "CREATE VIRTUAL TABLE case_fts USING fts5(subject, body, tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER case_fts_insert AFTER INSERT ON cases_case BEGIN "
    "INSERT INTO case_fts(rowid, subject, body) VALUES (new.id, new.subject, ''); END",
    "CREATE TRIGGER case_fts_subject AFTER UPDATE OF subject ON cases_case BEGIN "
    "UPDATE case_fts SET subject = new.subject WHERE rowid = new.id; END",
    "CREATE TRIGGER case_fts_delete AFTER DELETE ON cases_case BEGIN DELETE FROM case_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER message_fts_insert AFTER INSERT ON cases_message BEGIN "
    "UPDATE case_fts SET body = body || char(10) || new.body_text WHERE rowid = new.case_id; END",
    # Changing or removing a message (erasure, redaction) rebuilds its case's document.
    "CREATE TRIGGER message_fts_update AFTER UPDATE OF body_text, case_id ON cases_message BEGIN "
    "UPDATE case_fts SET body = coalesce((SELECT group_concat(body_text, char(10)) FROM cases_message "
    "WHERE case_id = old.case_id), '') WHERE rowid = old.case_id; "
    "UPDATE case_fts SET body = coalesce((SELECT group_concat(body_text, char(10)) FROM cases_message "
    "WHERE case_id = new.case_id), '') WHERE rowid = new.case_id; END",
    "CREATE TRIGGER message_fts_delete AFTER DELETE ON cases_message BEGIN "
    "UPDATE case_fts SET body = coalesce((SELECT group_concat(body_text, char(10)) FROM cases_message "
    "WHERE case_id = old.case_id), '') WHERE rowid = old.case_id; END",
    "INSERT INTO case_fts(rowid, subject, body) SELECT c.id, c.subject, coalesce((SELECT group_concat(m.body_text, "
    "char(10)) FROM cases_message m WHERE m.case_id = c.id), '') FROM cases_case c",
]
SQLITE_TEARDOWN = [
    "DROP TRIGGER IF EXISTS case_fts_insert",
    "DROP TRIGGER IF EXISTS case_fts_subject",
    "DROP TRIGGER IF EXISTS case_fts_delete",
    "DROP TRIGGER IF EXISTS message_fts_insert",
    "DROP TRIGGER IF EXISTS message_fts_update",
    "DROP TRIGGER IF EXISTS message_fts_delete",
    "DROP TABLE IF EXISTS case_fts",
]
SQLITE_TRIGGERS = (
    "case_fts_insert",
    "case_fts_subject",
    "case_fts_delete",
    "message_fts_insert",
    "message_fts_update",
    "message_fts_delete",
)
POSTGRES_SETUP = [
    "CREATE INDEX case_subject_fts ON cases_case USING gin (to_tsvector('english'::regconfig, subject))",
    "CREATE INDEX message_fts ON cases_message USING gin (to_tsvector('english'::regconfig, body_text))",
]
POSTGRES_TEARDOWN = ["DROP INDEX IF EXISTS case_subject_fts", "DROP INDEX IF EXISTS message_fts"]


def search_terms(text: str) -> list[str]:
    """The words searched for: letters and digits only, so no input can break the query syntax."""
    return _WORD.findall(text.lower())[:MAX_TERMS]


def matching_case_ids(text: str) -> RawSQL:
    """A subquery of the ids of cases holding every word, in the subject or any message."""
    terms = search_terms(text)
    if not terms:
        return RawSQL("SELECT id FROM cases_case WHERE 1 = 0", [])
    if connection.vendor == "postgresql":
        per_term = (
            "SELECT id FROM cases_case WHERE to_tsvector('english'::regconfig, subject) "
            "@@ plainto_tsquery('english'::regconfig, %s) "
            "UNION SELECT case_id FROM cases_message WHERE to_tsvector('english'::regconfig, body_text) "
            "@@ plainto_tsquery('english'::regconfig, %s)"
        )
        sql = " INTERSECT ".join(f"({per_term})" for _ in terms)
        # Only the fixed fragment above is repeated; the words themselves are parameters.
        return RawSQL(sql, [value for term in terms for value in (term, term)])  # noqa: S611
    match = " ".join(f'"{term}"' for term in terms)
    return RawSQL("SELECT rowid FROM case_fts WHERE case_fts MATCH %s", [match])


# Beyond this many matching cases, a page of the most recent is found faster by walking the
# cases in order and keeping those that match than by fetching every match and sorting them.
COMMON_MATCHES = 2000


def is_common(text: str) -> bool:
    """Whether the words match so many cases that the inbox should walk its sort order rather
    than start from the matches (SQLite; PostgreSQL's planner weighs this itself)."""
    terms = search_terms(text)
    if not terms or connection.vendor != "sqlite":
        return False
    match = " ".join(f'"{term}"' for term in terms)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT rowid FROM case_fts WHERE case_fts MATCH %s LIMIT %s)",
            [match, COMMON_MATCHES],
        )
        (count,) = cursor.fetchone()
    return bool(count >= COMMON_MATCHES)
