"""The SQLite backend (fuhe.db.sqlite): writers queue on a file lock instead of sleeping in SQLite's busy handler,
and a checkpointer thread keeps the write-ahead log short outside the requests."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

import pytest
from django.db import OperationalError, connection, connections

from fuhe.db.sqlite import base

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's backend only")]


@pytest.fixture
def no_checkpointer(settings):
    settings.FUHE_SQLITE_CHECKPOINTER = False


def wrapper(path, timeout: float = 0.3) -> base.DatabaseWrapper:
    settings_dict = {
        **connections["default"].settings_dict,
        "NAME": str(path),
        "TEST": {},
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": timeout,
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
        },
    }
    return base.DatabaseWrapper(settings_dict, alias=f"flock-{path.name}-{time.monotonic_ns()}")


def begin(db) -> None:
    db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def end(db, *, commit: bool = True) -> None:
    db.commit() if commit else db.rollback()
    db.set_autocommit(True)


def lock_is_free(path) -> bool:
    fd = os.open(base.lock_path(path), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_an_in_memory_database_has_no_lock_file():
    assert base.lock_path(":memory:") is None and base.lock_path("") is None
    assert base.lock_path("file:memorydb_default?mode=memory&cache=shared") is None
    assert base.lock_path("/srv/fuhe/fuhe.sqlite3") == "/srv/fuhe/fuhe.sqlite3-writer.lock"


def test_a_transaction_holds_the_lock_until_it_commits_or_rolls_back(tmp_path, no_checkpointer):
    path = tmp_path / "fuhe.sqlite3"
    db = wrapper(path)
    try:
        with db.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x)")
        assert lock_is_free(path)
        begin(db)
        with db.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (1)")
        assert not lock_is_free(path)
        end(db)
        assert lock_is_free(path)
        begin(db)
        assert not lock_is_free(path)
        end(db, commit=False)
        assert lock_is_free(path)
    finally:
        db.close()


def test_a_waiting_writer_goes_on_as_soon_as_the_holder_commits(tmp_path, no_checkpointer):
    path = tmp_path / "fuhe.sqlite3"
    first = wrapper(path, timeout=5)
    started = {}

    def write():
        second = wrapper(path, timeout=5)  # a connection belongs to the thread that made it
        begin(second)
        started["at"] = time.monotonic()
        end(second)
        second.close()

    try:
        first.ensure_connection()
        begin(first)
        thread = threading.Thread(target=write)
        thread.start()
        time.sleep(0.2)
        assert "at" not in started  # still waiting for the first transaction
        committed = time.monotonic()
        end(first)
        thread.join(5)
        assert committed <= started["at"] < committed + 0.05  # woken by the release, not a busy handler's sleep
    finally:
        first.close()


def test_a_wait_longer_than_the_timeout_is_the_usual_locked_error(tmp_path, no_checkpointer):
    path = tmp_path / "fuhe.sqlite3"
    holder, waiter = wrapper(path), wrapper(path, timeout=0.1)
    try:
        holder.ensure_connection()
        begin(holder)
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            begin(waiter)
        assert time.monotonic() - started >= 0.1
        end(holder)
        waiter.set_autocommit(True)
        begin(waiter)  # nothing was left held
        end(waiter)
    finally:
        holder.close()
        waiter.close()


def _frames(path) -> int:
    with sqlite3.connect(path) as probe:
        return probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]


def test_the_checkpointer_copies_the_log_and_lets_it_restart_once_long(tmp_path, monkeypatch):
    path = str(tmp_path / "fuhe.sqlite3")
    monkeypatch.setattr(base, "RESTART_FRAMES", 20)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE t (x)")
    for i in range(5):
        writer.execute("INSERT INTO t VALUES (?)", [str(i)])  # a frame each: the log stays short
    checkpointer = base.Checkpointer(path, timeout=1.0)
    connection_ = sqlite3.connect(path, isolation_level=None)
    fd = os.open(base.lock_path(path), os.O_RDWR | os.O_CREAT)
    try:
        checkpointer.checkpoint(connection_, fd)
        assert checkpointer.passes == 1 and checkpointer.catch_ups == 0  # short: copied, no need to queue
        for i in range(30):
            writer.execute("INSERT INTO t VALUES (?)", [str(i) * 3000])
        before = _frames(path)
        checkpointer.checkpoint(connection_, fd)
        assert checkpointer.catch_ups == 1
        writer.execute("INSERT INTO t VALUES ('after')")
        assert before > 20 and _frames(path) < 5  # the next write started the log from its beginning
        assert writer.execute("SELECT count(*) FROM t").fetchone()[0] == 36
    finally:
        os.close(fd)
        connection_.close()
        writer.close()


def test_connections_leave_checkpoints_to_the_thread_only_when_it_runs(tmp_path, settings):
    settings.FUHE_SQLITE_CHECKPOINTER = True
    db = wrapper(tmp_path / "on.sqlite3")
    try:
        with db.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone()[0] == base.BACKSTOP_FRAMES
        checkpointer = base.checkpointer_for(str(tmp_path / "on.sqlite3"), 0.3)
        assert checkpointer is base.checkpointer_for(str(tmp_path / "on.sqlite3"), 0.3)  # one per process
        assert checkpointer._thread.is_alive()
    finally:
        db.close()
        base._checkpointers.pop(f"{os.getpid()}:{tmp_path / 'on.sqlite3'}").stop()
    settings.FUHE_SQLITE_CHECKPOINTER = False
    db = wrapper(tmp_path / "off.sqlite3")
    try:
        with db.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone()[0] == 1000  # SQLite's default (the platform's settings raise it)
    finally:
        db.close()
