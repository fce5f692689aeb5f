"""The background worker's queue on SQLite (the embedded default; Redis is chosen in the settings for scale)."""

from __future__ import annotations

import huey
from huey.storage import SqliteStorage


class NormalSyncSqliteStorage(SqliteStorage):
    """Huey's SQLite queue with ``synchronous=NORMAL``, as the main database runs.

    Huey offers only FULL (an fsync per enqueued task, ~3 ms — more than a whole intake) or OFF. In WAL mode
    NORMAL survives a crash of the application; only the last moments before an OS crash or power loss may be
    lost, the same guarantee the platform's own database gives.
    """

    def _create_connection(self):
        connection = super()._create_connection()
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection


class SqliteHuey(huey.SqliteHuey):
    storage_class = NormalSyncSqliteStorage
