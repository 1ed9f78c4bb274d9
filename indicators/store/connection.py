"""How the store holds its DuckDB file: the connection model, in one place.

DuckDB 2.0 lets exactly one *process* hold a database file, and one connection must not be used by two
threads at once. The dashboard serves many sessions from threads of one process, and the CLI must be able
to import while the dashboard runs. So:

* Within a process, one root connection is opened on first use and every unit of work runs on its own
  ``cursor()`` (DuckDB's documented way to use one database from many threads).
* The root connection is **leased**: when no unit of work has used it for ``idle_release`` seconds it is
  closed, which releases the file lock. Opening costs ~20 ms, a cursor query under 1 ms, so a page run's
  burst of queries shares one open, and another process (the CLI) gets the file a second after the
  dashboard goes quiet.
* Opening retries with back-off while another process holds the lock, up to ``busy_timeout`` seconds, then
  raises :class:`StoreBusy` with a message for a person, never DuckDB's lock error.
* Writes are serialised inside the process by a lock (``Store.transaction``), so two editors never hit
  DuckDB's ``Conflict on update``; appends from different processes never overlap because of the file lock.
"""

from __future__ import annotations

import atexit
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


class StoreError(Exception):
    """Something a person can act on; the message says what happened and what to do."""


class StoreBusy(StoreError):
    """Another program holds the store's file for longer than we are willing to wait."""


class ReadOnlyStore(StoreError):
    """A write was attempted on a store opened read-only (INDICATORS_READ_ONLY=1)."""


def _is_read_only_file(error: Exception) -> bool:
    text = str(error).lower()
    return "read-only file system" in text or "permission denied" in text


def _is_lock_conflict(error: Exception) -> bool:
    text = str(error).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


# Every lease still alive, so that the process closes their files itself before it exits: an idle-release
# timer firing during interpreter shutdown would close DuckDB (a checkpoint, in C++) on a daemon thread that
# the interpreter then kills, and the C++ runtime aborts the process ("FATAL: exception not rethrown").
_LEASES: weakref.WeakSet[ConnectionLease] = weakref.WeakSet()


@atexit.register
def _close_every_lease() -> None:
    for lease in list(_LEASES):
        lease.close()


class ConnectionLease:
    """One root DuckDB connection per store, opened on demand and closed when idle."""

    def __init__(
        self,
        path: Path | None,
        *,
        read_only: bool = False,
        busy_timeout: float = 10.0,
        idle_release: float = 1.0,
    ) -> None:
        self.path = path  # None: an in-memory database (tests), never released
        self.read_only = read_only
        self.busy_timeout = busy_timeout
        self.idle_release = idle_release
        self._lock = threading.Lock()
        self._root: duckdb.DuckDBPyConnection | None = None
        self._users = 0
        self._timer: threading.Timer | None = None
        self._stale = False  # a fatal error invalidated the database: reopen once nobody uses it
        self.fell_back_to_read_only = False
        _LEASES.add(self)

    def _open(self) -> duckdb.DuckDBPyConnection:
        if self.path is None:
            return duckdb.connect(":memory:")
        deadline = time.monotonic() + self.busy_timeout
        delay = 0.05
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=self.read_only)
            except duckdb.ConnectionException as error:
                # This process already has the file open read-write (e.g. a dashboard switched to read-only
                # mode while its earlier store was still leased). DuckDB refuses a second configuration in one
                # process; share the open instance instead. Read-only is still enforced by the store itself.
                if self.read_only and "different configuration" in str(error):
                    return duckdb.connect(str(self.path))
                raise StoreError(f"Cannot open the store {self.path}: {error}") from None
            except duckdb.IOException as error:
                if _is_read_only_file(error) and not self.read_only and self.path.exists():
                    # A read-only volume or file: browsing still works; every write is refused plainly
                    # (DuckDB refuses them, faults.explain words it).
                    self.fell_back_to_read_only = True
                    return duckdb.connect(str(self.path), read_only=True)
                if not _is_lock_conflict(error):
                    raise StoreError(f"Cannot open the store {self.path}: {error}") from None
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"The store {self.path} is busy: another program (an import from the command line, "
                        f"or a second dashboard) has held it for more than {self.busy_timeout:g} s. "
                        "Try again when it has finished."
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._root is None:
                self._root = self._open()
            self._users += 1
            root = self._root
        cursor = root.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    if self._stale:
                        self._stale = False
                        self._close_root()
                    else:
                        self._schedule_release()

    def discard(self) -> None:
        """Close the root connection as soon as no unit of work uses it (after a fatal DuckDB error)."""
        with self._lock:
            self._stale = True

    def _schedule_release(self) -> None:
        if self.path is None:
            return
        if self.idle_release <= 0:
            self._close_root()
            return
        self._timer = threading.Timer(self.idle_release, self._release_if_idle)
        self._timer.daemon = True
        self._timer.start()

    def _release_if_idle(self) -> None:
        with self._lock:
            if self._users == 0:
                self._close_root()

    def _close_root(self) -> None:
        if self._root is not None:
            self._root.close()
            self._root = None

    def close(self) -> None:
        """Release the file now (the CLI calls this before it exits)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._close_root()

    @property
    def is_open(self) -> bool:
        return self._root is not None
