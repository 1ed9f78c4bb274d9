"""The store's plumbing: where the file is, opening it, running parameterised SQL, transactions,
migrations, and the version token that tells caches the store has changed.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from indicators.store.connection import ConnectionLease, ReadOnlyStore, StoreError
from indicators.store.faults import explain, is_fatal
from indicators.store.schema import MIGRATIONS, SCHEMA_VERSION, applied_migrations, ensure_migration_table

MEMORY = ":memory:"

_WRITE_LOCKS: dict[Path, threading.RLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock_for(path: Path | None) -> threading.RLock:
    """One write lock per store file in this process: two ``Store`` objects on one file (DuckDB shares the
    open database between them) still write one at a time, which the observation ids rely on (schema.py)."""
    if path is None:
        return threading.RLock()
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(path.resolve(), threading.RLock())


def utc_now() -> dt.datetime:
    """Naive UTC timestamps, as the store keeps them (microseconds, like pandas 3 and DuckDB)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def local_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user database in some containers: still record something honest
        return os.environ.get("USER") or "local user"


class StoreBase:
    def __init__(
        self,
        path: str | Path = MEMORY,
        *,
        read_only: bool = False,
        busy_timeout: float = 10.0,
        idle_release: float = 1.0,
    ) -> None:
        self.path: Path | None = None if str(path) == MEMORY else Path(path)
        self.read_only = read_only
        # A read-only store on an existing file opens it read-only in DuckDB too; either way our own
        # write methods refuse first (see _require_writable), so read-only holds even for a new file.
        duck_read_only = read_only and self.path is not None and self.path.exists()
        self._lease = ConnectionLease(
            self.path, read_only=duck_read_only, busy_timeout=busy_timeout, idle_release=idle_release
        )
        self._write_lock = _write_lock_for(self.path)
        self._write_count = 0
        self._ready = False

    def __repr__(self) -> str:
        return f"Store({str(self.path) if self.path else MEMORY!r}, read_only={self.read_only})"

    @property
    def label(self) -> str:
        return str(self.path) if self.path else "in-memory store"

    # --- running SQL ---------------------------------------------------------------------------

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lease.cursor() as cursor:
            yield cursor

    def query_df(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        with self.cursor() as cursor:
            return cursor.execute(sql, params or []).df()

    def query_rows(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple]:
        with self.cursor() as cursor:
            return cursor.execute(sql, params or []).fetchall()

    def query_value(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        rows = self.query_rows(sql, params)
        return rows[0][0] if rows else None

    def _require_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyStore("This dashboard is read-only (INDICATORS_READ_ONLY=1): nothing can be changed here.")

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All of it or none of it. Writes in this process are serialised (see connection.py)."""
        self._require_writable()
        with self._write_lock, self.cursor() as cursor:
            with self._atomic(cursor):
                yield cursor
            self._write_count += 1

    @contextmanager
    def _atomic(self, cursor: duckdb.DuckDBPyConnection) -> Iterator[None]:
        """One DuckDB transaction on ``cursor``: committed when the body ends, rolled back (and the error
        put in plain words where we know it, e.g. a full disk) when it raises."""
        cursor.execute("BEGIN TRANSACTION")
        try:
            yield
            cursor.execute("COMMIT")
        except BaseException as error:
            self._abandon(cursor, error)
            plain = explain(error, self.label)
            if plain is not None:
                raise plain from error
            raise

    def _abandon(self, cursor: duckdb.DuckDBPyConnection, error: BaseException) -> None:
        """Roll back after a failed write. A failed commit has already ended the transaction, and a fatal
        error invalidates the database: neither may hide the original error."""
        with suppress(duckdb.Error):
            cursor.execute("ROLLBACK")
        if is_fatal(error):
            self._lease.discard()

    def close(self) -> None:
        self._lease.close()

    # --- versions, for caches ------------------------------------------------------------------

    def version_token(self) -> tuple:
        """Changes whenever the store may have changed: our own writes, or another process's (the file
        and its write-ahead log change size or time). Cheap: no query, no lock."""
        parts: list[Any] = [id(self), self._write_count]
        if self.path is not None:
            for candidate in (self.path, Path(f"{self.path}.wal")):
                try:
                    stat = candidate.stat()
                    parts += [stat.st_mtime_ns, stat.st_size]
                except FileNotFoundError:
                    parts += [0, 0]
        return tuple(parts)

    # --- schema --------------------------------------------------------------------------------

    def schema_version(self) -> int:
        with self.cursor() as cursor:
            return len(applied_migrations(cursor))

    def migrate(self) -> list[str]:
        """Bring the schema up to date; returns the names applied. A store from a newer release is refused;
        an older one is first copied to a dated backup beside it."""
        with self.cursor() as cursor:
            done = applied_migrations(cursor)
        known = [name for name, _ in MIGRATIONS]
        unknown = [name for name in done if name not in known]
        if unknown or len(done) > SCHEMA_VERSION:
            raise StoreError(
                f"The store {self.label} was written by a newer version of this dashboard "
                f"(schema {len(done)}, this version knows {SCHEMA_VERSION}); it was not changed. "
                "Upgrade the dashboard to open it."
            )
        pending = [(name, step) for name, step in MIGRATIONS if name not in done]
        if not pending:
            return []
        if self.read_only and done:
            raise ReadOnlyStore(
                f"The store {self.label} was written by an earlier version of this dashboard (schema {len(done)}; "
                f"this version needs {SCHEMA_VERSION}), and a read-only dashboard may not bring it up to date. Run "
                "`python -m indicators init` once without INDICATORS_READ_ONLY (it backs the store up first), then "
                "start the read-only dashboard again. The store was not changed."
            )
        self._require_writable()
        if done and self.path is not None:
            self._backup_before_migration(len(done))
        applied = []
        with self._write_lock, self.cursor() as cursor:
            for name, step in pending:
                with self._atomic(cursor):
                    ensure_migration_table(cursor)
                    step(cursor)
                    cursor.execute("INSERT INTO schema_migration VALUES (?, ?)", [name, utc_now()])
                applied.append(name)
        self._write_count += 1
        return applied

    def _backup_before_migration(self, old_version: int) -> Path:
        assert self.path is not None
        with self.cursor() as cursor:
            cursor.execute("CHECKPOINT")
        stamp = utc_now().strftime("%Y-%m-%dT%H%M%SZ")
        backup = self.path.with_name(f"{self.path.stem}.schema{old_version}-{stamp}.backup.duckdb")
        # Copy while we hold the file (the lease), so no other process writes half-way through the copy.
        with self.cursor():
            try:
                shutil.copy2(self.path, backup)
            except OSError as error:
                backup.unlink(missing_ok=True)  # never leave half a backup that looks like a whole one
                plain = explain(error, str(backup))
                raise (plain or StoreError(f"Could not back up the store to {backup}: {error}")) from error
        return backup
