"""Database-level guard for the volunteer module's histories: UPDATE and DELETE on certification events, service
request events and service record corrections are refused by the database (one RunSQL per vendor)."""

from django.db import migrations

from fuhe.participation import triggers


class Migration(migrations.Migration):
    dependencies = [("participation", "0003_volunteers")]
    operations = triggers.operations(triggers.HISTORY_BY_VENDOR)
