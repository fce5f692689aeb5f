"""The search index of new cases on SQLite, written in batches by the background worker.

A one-row FTS5 transaction costs about 0.3 ms (a third of an intake), a row in a batch about 0.1 ms. Cases are
indexed in id order; SQLite runs one write transaction at a time (``BEGIN IMMEDIATE``), so cases commit in id
order and "every case up to the mark is indexed" holds. Searches add the cases after the mark
(``fuhe.cases.selectors``). On PostgreSQL intake writes the terms itself (``index_for_search``).
"""

from __future__ import annotations

from django.db import connection, transaction

from fuhe.cases.core.search import search_terms

BATCH = 1000


def cases_search_index(*, batch: int = BATCH) -> int:
    """Index the cases received since the last run (SQLite); returns how many. Safe to run concurrently: each
    batch reads and moves the mark inside one write transaction."""
    if connection.vendor != "sqlite":
        return 0
    done = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT through FROM cases_casesearch_mark WHERE id = 1")
            through = cursor.fetchone()[0]
            cursor.execute(
                "SELECT id, title, text, address FROM cases_case WHERE id > %s ORDER BY id LIMIT %s", [through, batch]
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            cursor.executemany(
                "INSERT INTO cases_casesearch_fts (rowid, terms) VALUES (%s, %s)",
                [(pk, search_terms(title, text, address)) for pk, title, text, address in rows],
            )
            cursor.execute("UPDATE cases_casesearch_mark SET through = %s WHERE id = 1", [rows[-1][0]])
        done += len(rows)
