"""Database triggers refusing UPDATE and DELETE on the ledger's entries, transactions and checkpoints, for SQLite
and PostgreSQL (installed by migration 0002; tests that must empty the database lift them with ``remove``).

The hash chain *detects* a rewrite (``fuhe ledger verify``); the triggers *prevent* one through any path that
goes through the database with ordinary privileges."""

from __future__ import annotations

from django.db import migrations

TABLES = (
    "participation_entry",
    "participation_transaction",
    "participation_checkpoint",
    "participation_checkpointbalance",
)
MESSAGE = "the points ledger is append-only"

# the volunteer module's histories (migration 0004): certification events, request events, record corrections
HISTORY_TABLES = (
    "participation_certificationevent",
    "participation_servicerequestevent",
    "participation_servicerecordcorrection",
)


def _sqlite(tables) -> tuple[list[str], list[str]]:
    install = [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"""
        for table in tables
        for verb in ("UPDATE", "DELETE")
    ]
    remove = [f"DROP TRIGGER IF EXISTS {table}_no_{verb.lower()};" for table in tables for verb in ("UPDATE", "DELETE")]
    return install, remove


def _postgres(tables, *, with_function: bool) -> tuple[list[str], list[str]]:
    function = [
        f"""CREATE OR REPLACE FUNCTION participation_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END;
        $$ LANGUAGE plpgsql;"""
    ]
    install = [
        *(function if with_function else []),
        *[
            f"""CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION participation_append_only();"""
            for table in tables
        ],
    ]
    remove = [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in tables]
    if with_function:
        remove.append("DROP FUNCTION IF EXISTS participation_append_only();")
    return install, remove


SQLITE_INSTALL, SQLITE_REMOVE = _sqlite(TABLES)
POSTGRES_INSTALL, POSTGRES_REMOVE = _postgres(TABLES, with_function=True)
BY_VENDOR = {"sqlite": (SQLITE_INSTALL, SQLITE_REMOVE), "postgresql": (POSTGRES_INSTALL, POSTGRES_REMOVE)}
HISTORY_BY_VENDOR = {
    "sqlite": _sqlite(HISTORY_TABLES),
    "postgresql": _postgres(HISTORY_TABLES, with_function=False),
}


class VendorRunSQL(migrations.RunSQL):
    """``RunSQL`` that runs only on the database ``vendor`` (``connection.vendor``): one operation per vendor."""

    def __init__(self, vendor: str, sql, reverse_sql=None, **kwargs):
        self.vendor = vendor
        super().__init__(sql, reverse_sql, **kwargs)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, [self.vendor, *args], kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def operations(by_vendor=None) -> list[VendorRunSQL]:
    return [VendorRunSQL(vendor, install, remove) for vendor, (install, remove) in (by_vendor or BY_VENDOR).items()]


def _run(connection, statements) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection) -> None:
    _run(connection, BY_VENDOR.get(connection.vendor, ((), ()))[0])
    _run(connection, HISTORY_BY_VENDOR.get(connection.vendor, ((), ()))[0])


def remove(connection) -> None:
    _run(connection, HISTORY_BY_VENDOR.get(connection.vendor, ((), ()))[1])
    _run(connection, BY_VENDOR.get(connection.vendor, ((), ()))[1])
