"""Full-text search over cases, one function for both databases. A case matches when every word
searched for appears somewhere in it: its subject or any of its messages (internal notes
included, since only agents search). Both databases stem English words (Porter / Snowball), so
"refunds" finds "refund".

SQLite keeps one FTS5 document per case (subject and the text of its messages), maintained by
triggers, so a search answers case ids straight from the index; new cases and messages are
indexed in batches and before each search (see INDEX_BATCH). PostgreSQL uses GIN indexes on
tsvector expressions of subjects and message bodies and intersects the cases found per word.
"""

from __future__ import annotations

import re

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

MAX_TERMS = 12
_WORD = re.compile(r"\w+", re.UNICODE)

# A case's document is rebuilt from its subject and every message.
_DOCUMENT_BODY = (
    "coalesce((SELECT group_concat(m.body_text, char(10)) FROM cases_message m WHERE m.case_id = c.id), '')"
)
# New cases and messages wait in `case_fts_pending` and are indexed this many at a time, and
# before every search. Indexed in its own commit, each case had the index write a new segment
# and merge segments every few commits: about 0.24 ms of the 1.9 ms a case took through the API,
# against 0.09 ms in batches. Changes and removals (erasure, redaction, deleting a case) still
# reach the index in their own transaction, so no removed text outlives the change removing it.
INDEX_BATCH = 64
SQLITE_CATCH_UP = [
    "DELETE FROM case_fts WHERE rowid IN (SELECT case_id FROM case_fts_pending)",
    f"INSERT INTO case_fts(rowid, subject, body) SELECT c.id, c.subject, {_DOCUMENT_BODY} FROM cases_case c "  # noqa: S608
    "WHERE c.id IN (SELECT case_id FROM case_fts_pending)",
    "DELETE FROM case_fts_pending",
]
SQLITE_TRIGGERS_SETUP = [
    "CREATE TABLE IF NOT EXISTS case_fts_pending (case_id INTEGER PRIMARY KEY)",
    "CREATE TRIGGER case_fts_insert AFTER INSERT ON cases_case BEGIN "
    "INSERT OR IGNORE INTO case_fts_pending (case_id) VALUES (new.id); END",
    "CREATE TRIGGER message_fts_insert AFTER INSERT ON cases_message BEGIN "
    "INSERT OR IGNORE INTO case_fts_pending (case_id) VALUES (new.case_id); END",
    f"CREATE TRIGGER case_fts_catch_up AFTER INSERT ON case_fts_pending "  # noqa: S608
    f"WHEN (SELECT count(*) FROM case_fts_pending) >= {INDEX_BATCH} BEGIN {'; '.join(SQLITE_CATCH_UP)}; END",
    "CREATE TRIGGER case_fts_subject AFTER UPDATE OF subject ON cases_case BEGIN "
    "UPDATE case_fts SET subject = new.subject WHERE rowid = new.id; END",
    "CREATE TRIGGER case_fts_delete AFTER DELETE ON cases_case BEGIN DELETE FROM case_fts WHERE rowid = old.id; "
    "DELETE FROM case_fts_pending WHERE case_id = old.id; END",
    # Changing or removing a message (erasure, redaction) rebuilds its case's document at once.
    "CREATE TRIGGER message_fts_update AFTER UPDATE OF body_text, case_id ON cases_message BEGIN "
    "UPDATE case_fts SET body = coalesce((SELECT group_concat(body_text, char(10)) FROM cases_message "
    "WHERE case_id = old.case_id), '') WHERE rowid = old.case_id; "
    "UPDATE case_fts SET body = coalesce((SELECT group_concat(body_text, char(10)) FROM cases_message "
    "WHERE case_id = new.case_id), '') WHERE rowid = new.case_id; END",
    "CREATE TRIGGER message_fts_delete AFTER DELETE ON cases_message BEGIN "
    "UPDATE case_fts SET body = coalesce((SELECT group_concat(body_text, char(10)) FROM cases_message "
    "WHERE case_id = old.case_id), '') WHERE rowid = old.case_id; END",
]
SQLITE_TRIGGERS = (
    "case_fts_insert",
    "message_fts_insert",
    "case_fts_catch_up",
    "case_fts_subject",
    "case_fts_delete",
    "message_fts_update",
    "message_fts_delete",
)
SQLITE_TRIGGERS_TEARDOWN = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]
SQLITE_SETUP = [
    "CREATE VIRTUAL TABLE case_fts USING fts5(subject, body, tokenize='porter unicode61 remove_diacritics 2')",
    *SQLITE_TRIGGERS_SETUP,
    f"INSERT INTO case_fts(rowid, subject, body) SELECT c.id, c.subject, {_DOCUMENT_BODY} FROM cases_case c",  # noqa: S608
]
SQLITE_TEARDOWN = [
    *SQLITE_TRIGGERS_TEARDOWN,
    "DROP TABLE IF EXISTS case_fts_pending",
    "DROP TABLE IF EXISTS case_fts",
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
    catch_up()
    match = " ".join(f'"{term}"' for term in terms)
    return RawSQL("SELECT rowid FROM case_fts WHERE case_fts MATCH %s", [match])


def catch_up() -> None:
    """Index the cases and messages still waiting (SQLite), so a search finds everything
    written before it. Only a search that finds some waiting takes the write lock."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM case_fts_pending)")
        (waiting,) = cursor.fetchone()
    if waiting:
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in SQLITE_CATCH_UP:
                cursor.execute(statement)


# Beyond this many matching cases, a page of the most recent is found faster by walking the
# cases in order and keeping those that match than by fetching every match and sorting them.
COMMON_MATCHES = 2000


def is_common(text: str) -> bool:
    """Whether the words match so many cases that the inbox should walk its sort order rather
    than start from the matches (SQLite; PostgreSQL's planner weighs this itself)."""
    terms = search_terms(text)
    if not terms or connection.vendor != "sqlite":
        return False
    # No catching up here: `matching_case_ids` has just done it, and the few cases that may wait
    # cannot move a count measured against thousands.
    match = " ".join(f'"{term}"' for term in terms)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT rowid FROM case_fts WHERE case_fts MATCH %s LIMIT %s)",
            [match, COMMON_MATCHES],
        )
        (count,) = cursor.fetchone()
    return bool(count >= COMMON_MATCHES)
