"""Entries, transactions and checkpoints are never updated or deleted: the database refuses it (triggers on SQLite
and PostgreSQL), and so does the ORM."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from fuhe.participation import triggers
from fuhe.participation.models import AppendOnlyError, Checkpoint, CheckpointBalance, Entry, Transaction
from fuhe.participation.services import ledger_checkpoint

pytestmark = pytest.mark.django_db

STATEMENTS = [
    "UPDATE participation_entry SET amount = amount + 1",
    "DELETE FROM participation_entry",
    "UPDATE participation_transaction SET reference = 'forged'",
    "DELETE FROM participation_transaction",
    "UPDATE participation_checkpoint SET hash = 'x'",
    "DELETE FROM participation_checkpoint",
    "UPDATE participation_checkpointbalance SET balance = 1000",
    "DELETE FROM participation_checkpointbalance",
]


@pytest.fixture
def ledger_rows(earn):
    earn(points=5)
    ledger_checkpoint()
    assert Entry.objects.count() == 2 and CheckpointBalance.objects.count() == 2


@pytest.mark.parametrize("sql", STATEMENTS)
def test_the_database_refuses_updates_and_deletes(ledger_rows, sql):
    before = (
        list(Entry.objects.values_list("seq", "amount", "hash")),
        list(Transaction.objects.values_list("id", "reference")),
        list(Checkpoint.objects.values_list("seq", "hash")),
        list(CheckpointBalance.objects.values_list("account_id", "balance")),
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    after = (
        list(Entry.objects.values_list("seq", "amount", "hash")),
        list(Transaction.objects.values_list("id", "reference")),
        list(Checkpoint.objects.values_list("seq", "hash")),
        list(CheckpointBalance.objects.values_list("account_id", "balance")),
    )
    assert after == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's triggers")
def test_sqlite_has_a_trigger_per_table_and_statement(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'participation_%'")
        names = {row[0] for row in cursor.fetchall()}
    assert names == {
        f"{table}_no_{verb}" for table in (*triggers.TABLES, *triggers.HISTORY_TABLES) for verb in ("update", "delete")
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's triggers")
def test_postgresql_has_a_trigger_per_table(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'participation_%'")
        names = {row[0] for row in cursor.fetchall()}
    assert names == {f"{table}_append_only" for table in (*triggers.TABLES, *triggers.HISTORY_TABLES)}


def test_the_orm_refuses_bulk_updates_and_deletes(ledger_rows):
    for queryset in (Entry.objects.all(), Transaction.objects.all(), Checkpoint.objects.all()):
        with pytest.raises(AppendOnlyError):
            queryset.update(pk=1)
        with pytest.raises(AppendOnlyError):
            queryset.delete()


def test_saving_an_entry_again_is_refused_by_the_database(ledger_rows):
    entry = Entry.objects.first()
    entry.amount = 1000
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.save()
