from django.conf import settings

from fuhe.worker import NormalSyncSqliteStorage


def test_the_task_queue_commits_without_an_fsync_per_task(tmp_path):
    # huey's default (FULL) fsyncs every enqueued task, ~3 ms: more than a whole intake
    storage = NormalSyncSqliteStorage("test", filename=str(tmp_path / "tasks.sqlite3"))
    assert storage.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL, as the main database
    assert storage.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_embedded_worker_uses_that_queue():
    assert settings.HUEY["huey_class"] in {"fuhe.worker.SqliteHuey", "huey.RedisHuey"}
