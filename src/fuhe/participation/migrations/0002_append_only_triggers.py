"""Database-level guard: UPDATE and DELETE on the ledger's entries, transactions and checkpoints are refused by the
database itself, with one RunSQL per vendor (SQLite, PostgreSQL) that runs only on its own vendor.

The hash chain *detects* a rewrite; these triggers *prevent* one through any path that goes through the database
with ordinary privileges (a DBA who drops a trigger is still caught by ``fuhe ledger verify``).
"""

from django.db import migrations

from fuhe.participation import triggers


class Migration(migrations.Migration):
    dependencies = [("participation", "0001_initial")]
    operations = triggers.operations()
