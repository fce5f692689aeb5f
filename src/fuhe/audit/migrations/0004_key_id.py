"""The id of the key each event is signed with (ADR 0003); existing events keep an empty one (plain SHA-256).

The columns are added with ``ALTER TABLE … ADD COLUMN … DEFAULT ''`` on both engines: Django's own AddField would
rebuild SQLite's append-only audit table (copying every event and losing its triggers)."""

from django.db import migrations, models

ADD = "ALTER TABLE {table} ADD COLUMN key_id varchar(16) DEFAULT '' NOT NULL"
DROP = "ALTER TABLE {table} DROP COLUMN key_id"


def _column(model_name: str, table: str, field: models.Field) -> migrations.SeparateDatabaseAndState:
    return migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RunSQL(ADD.format(table=table), DROP.format(table=table))],
        state_operations=[migrations.AddField(model_name=model_name, name="key_id", field=field)],
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_partial_indexes")]

    operations = [
        _column(
            "auditevent",
            "audit_auditevent",
            models.CharField(blank=True, db_default="", default="", max_length=16, verbose_name="key id"),
        ),
        _column(
            "auditchainhead",
            "audit_auditchainhead",
            models.CharField(blank=True, db_default="", default="", max_length=16),
        ),
    ]
