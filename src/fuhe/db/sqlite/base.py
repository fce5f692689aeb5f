"""SQLite, with writers queued on a file lock instead of sleeping in SQLite's busy handler.

The platform opens SQLite transactions with ``BEGIN IMMEDIATE`` (settings: ``transaction_mode``), so a
transaction holds the database's write lock from its start. A second writer then waits in SQLite's busy handler,
which sleeps 1, 2, 5, 10 … up to 100 ms between tries — far longer than a typical write transaction (an intake
holds the lock for a fraction of a millisecond). With two web workers writing, each spent much of its time asleep
while the database was free (intake over HTTP ran at half the rate of one worker's loop; docs/performance.md).

So before ``BEGIN IMMEDIATE`` a connection takes an exclusive ``flock`` on a file beside the database
(``<name>-writer.lock``), held until COMMIT or ROLLBACK. Every connection opens the file itself, so threads of one
process and separate processes queue alike. A waiter polls the lock every 50–500 µs instead of 1–100 ms, so it
goes on almost as soon as the holder commits. The lock only queues writers: SQLite's own lock still guards the
data, writes outside a transaction (autocommit) do not take it, and a process that dies loses its lock with its
file descriptor. The wait is bounded by the database's ``timeout`` option, after which the same "database is
locked" error as SQLite's is raised. An in-memory database (tests) needs no file lock: SQLite's own suffices.

Checkpoints are moved out of the requests too. SQLite copies the write-ahead log back into the database file
(a checkpoint) inside the commit that finds the log over its limit; that commit then also synchronises the file to
disk, 20–200 ms, while it still holds the writer lock, so every writer of every process waited for it. Instead,
one process at a time (the holder of ``<name>-checkpointer.lock``) runs a thread that checkpoints every
``CHECKPOINT_INTERVAL`` seconds without blocking anyone (PASSIVE), and, once the log is longer than
``RESTART_FRAMES``, queues like a writer to copy the few frames written since, so the log is copied whole and
the next writer starts it from the beginning: it does not grow without end. Connections keep SQLite's own
automatic checkpoint only as a backstop (``BACKSTOP_FRAMES``) for a checkpointer that is not running.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time

from django.conf import settings
from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

DEFAULT_TIMEOUT = 5.0  # seconds, as Python's sqlite3 waits by default
FIRST_POLL, LAST_POLL = 50e-6, 500e-6  # seconds between tries of a waiter: grows by half each time
CHECKPOINT_INTERVAL = 0.1  # seconds between the checkpointer's passes
RESTART_FRAMES = 4000  # log frames (4 KiB pages) after which the checkpointer copies it whole (~16 MB)
BACKSTOP_FRAMES = 100_000  # SQLite's automatic checkpoint in a commit, should the checkpointer not run (~400 MB)

logger = logging.getLogger("fuhe.db")


def lock_path(name) -> str | None:
    """The writer lock's file for a database file name, or None for an in-memory database."""
    name = str(name)
    if not name or name == ":memory:" or "mode=memory" in name:
        return None
    return name + "-writer.lock"


def acquire(fd: int, timeout: float) -> bool:
    """Take the exclusive lock on ``fd``, polling for at most ``timeout`` seconds."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        pass
    deadline = time.monotonic() + timeout
    delay = FIRST_POLL
    while True:
        time.sleep(delay)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
        delay = min(delay * 1.5, LAST_POLL)


class Checkpointer:
    """The thread that checkpoints one database file's log for its process, while it holds the checkpointer
    lock of that file (one process at a time does the work; the others' threads only try the lock now and
    then, and take over when its holder ends)."""

    def __init__(self, database: str, timeout: float):
        self.database, self.timeout = database, timeout
        self.passes = self.catch_ups = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"sqlite-checkpointer:{os.path.basename(database)}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        try:
            leader_fd = os.open(self.database + "-checkpointer.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            writer_fd = os.open(lock_path(self.database), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError:
            logger.exception(
                "no checkpointer for %s: SQLite's commits checkpoint at %s frames", self.database, BACKSTOP_FRAMES
            )
            return
        connection = None
        try:
            while not self._stop.wait(CHECKPOINT_INTERVAL):
                try:
                    fcntl.flock(leader_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # kept once taken
                except BlockingIOError:
                    continue  # another process checkpoints
                try:
                    if connection is None:
                        connection = sqlite3.connect(
                            self.database, timeout=self.timeout, isolation_level=None, check_same_thread=False
                        )
                        connection.execute("PRAGMA synchronous=NORMAL")
                    self.checkpoint(connection, writer_fd)
                except sqlite3.Error:
                    logger.exception("checkpoint of %s failed", self.database)
        finally:
            if connection is not None:
                connection.close()
            os.close(writer_fd)
            os.close(leader_fd)

    def checkpoint(self, connection: sqlite3.Connection, writer_fd: int) -> None:
        """One pass: copy what the log holds into the database file without waiting for anyone; once the log is
        long, queue like a writer and copy what came in meanwhile, so the whole log is copied and the next writer
        starts it again from the beginning.

        Only PASSIVE checkpoints: they never wait for readers (RESTART would wait for them while holding the
        writer lock, so one long report could stall every intake). A reader still using old pages keeps them
        from being copied; the log then grows until it is done, as with SQLite's own checkpoints."""
        _busy, frames, _copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.passes += 1
        if frames < RESTART_FRAMES:
            return
        if not acquire(writer_fd, self.timeout):
            return
        try:
            _busy, frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self.catch_ups += 1 if copied == frames else 0
        finally:
            fcntl.flock(writer_fd, fcntl.LOCK_UN)


_checkpointers: dict[str, Checkpointer] = {}
_checkpointers_lock = threading.Lock()


def checkpointer_for(database: str, timeout: float) -> Checkpointer:
    """This process's checkpointer of ``database``, started on first use (and again in a forked child)."""
    key = f"{os.getpid()}:{database}"
    with _checkpointers_lock:
        if key not in _checkpointers:
            _checkpointers[key] = Checkpointer(database, timeout)
            _checkpointers[key].start()
        return _checkpointers[key]


class DatabaseWrapper(base.DatabaseWrapper):
    _lock_fd: int | None = None
    _holds_write_lock = False

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        path = lock_path(self.settings_dict["NAME"])
        if path is not None and (self.transaction_mode or "").upper() == "IMMEDIATE":
            self._lock_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            if getattr(settings, "FUHE_SQLITE_CHECKPOINTER", True):
                checkpointer_for(str(self.settings_dict["NAME"]), self._timeout())
                connection.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_FRAMES}")
        return connection

    def _timeout(self) -> float:
        return float(self.settings_dict.get("OPTIONS", {}).get("timeout", DEFAULT_TIMEOUT))

    def _start_transaction_under_autocommit(self):
        if self._lock_fd is not None:
            timeout = self._timeout()
            if not acquire(self._lock_fd, timeout):
                raise OperationalError(f"database is locked: another writer held it for {timeout:g} s")
            self._holds_write_lock = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _release_write_lock(self) -> None:
        if self._holds_write_lock:
            self._holds_write_lock = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

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
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
