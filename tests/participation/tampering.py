"""Writing behind the ledger's back, as someone with the database could: lift the triggers, then run SQL."""

from __future__ import annotations

from django.db import connection

from fuhe.participation import triggers


def raw(sql: str, params=()) -> None:
    """Run ``sql`` with the append-only triggers lifted (inside the test's transaction: rolled back after it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred foreign-key check pending on the tables
            for table in triggers.TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        else:
            for statement in triggers.SQLITE_REMOVE:
                cursor.execute(statement)
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
