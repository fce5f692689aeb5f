"""The SQLite backend queues the write transactions of a process's threads on a lock (fuhe/db/sqlite)."""

import threading
import time

import pytest
from django.db import OperationalError, connection, connections, transaction

from fuhe.db.sqlite import base

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's backend only")


@pytest.mark.django_db(transaction=True)
def test_a_transaction_holds_the_lock_until_it_commits_or_rolls_back():
    assert not base._WRITE_LOCK.locked()
    with transaction.atomic():
        assert base._WRITE_LOCK.locked()
        with transaction.atomic():  # a savepoint takes nothing more
            assert base._WRITE_LOCK.locked()
    assert not base._WRITE_LOCK.locked()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert base._WRITE_LOCK.locked()
        1 / 0  # noqa: B018
    assert not base._WRITE_LOCK.locked()


@pytest.mark.django_db(transaction=True)
def test_another_thread_waits_for_the_commit_and_then_goes_on_at_once():
    started = {}

    def writer():
        try:
            with transaction.atomic():
                started["at"] = time.monotonic()
        finally:
            connections.close_all()

    with transaction.atomic():
        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(0.2)
        assert "at" not in started  # still waiting for this transaction
        committed = time.monotonic()
    thread.join(5)
    assert started["at"] >= committed
    assert started["at"] - committed < 0.05  # woken by the release, not by a sleep of the busy handler


@pytest.mark.django_db(transaction=True)
def test_a_wait_longer_than_the_timeout_is_the_usual_locked_error(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {**connection.settings_dict["OPTIONS"], "timeout": 0.1})
    base._WRITE_LOCK.acquire()
    try:
        with pytest.raises(OperationalError, match="database is locked"), transaction.atomic():
            pass
    finally:
        base._WRITE_LOCK.release()
    with transaction.atomic():  # nothing was left held
        assert base._WRITE_LOCK.locked()
