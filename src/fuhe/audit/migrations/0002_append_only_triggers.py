"""Database-level guard: UPDATE and DELETE on audit events are refused by the database itself.

The hash chain *detects* rewriting; these triggers *prevent* it through any path that goes through the
database with ordinary privileges (a DBA who drops the trigger is still caught by ``fuhe audit verify``).
"""

from django.db import migrations

from fuhe.audit import triggers


def forward(apps, schema_editor):
    triggers.install(schema_editor.connection)


def backward(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
