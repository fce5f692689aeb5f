"""SQLite, with the writers of one process queued on a lock instead of SQLite's busy handler.

The platform opens SQLite transactions with ``BEGIN IMMEDIATE`` (settings: ``transaction_mode``), so a
transaction holds the database's write lock from its start. Another writer then waits in SQLite's busy handler,
which sleeps 1, 2, 5, 10 … up to 100 ms between tries — much longer than a typical write transaction (an
intake takes about a millisecond). Threads of one process (``fuhe serve`` runs threaded workers) therefore
first take a lock of the process, held until COMMIT or ROLLBACK, and wake as soon as it is free; only writers in
other processes meet the busy handler. The wait is bounded by the database's ``timeout`` option, after which the
same "database is locked" error as SQLite's is raised.
"""

from __future__ import annotations

import threading

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

_WRITE_LOCK = threading.Lock()
DEFAULT_TIMEOUT = 5.0  # seconds, as Python's sqlite3 waits by default


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_write_lock = False

    def _queues_writers(self) -> bool:
        return (self.transaction_mode or "").upper() == "IMMEDIATE"

    def _start_transaction_under_autocommit(self):
        if self._queues_writers():
            timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", DEFAULT_TIMEOUT))
            if not _WRITE_LOCK.acquire(timeout=timeout):
                raise OperationalError(f"database is locked: another thread's transaction held it for {timeout:g} s")
            self._holds_write_lock = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _release_write_lock(self) -> None:
        if self._holds_write_lock:
            self._holds_write_lock = False
            _WRITE_LOCK.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_write_lock()
