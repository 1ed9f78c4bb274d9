"""DuckDB's disk and file errors, said the way a person can act on them.

A full disk, a read-only volume or a file we may not write surface from DuckDB as ``IOException``,
``TransactionException`` ("Failed to commit: ... No space left on device") or ``FatalException`` (a failed
checkpoint). Whatever the class, the transaction was rolled back, so the message can promise that nothing
was saved. Errors we do not recognise are left alone (they are bugs, and their tracebacks help).
"""

from __future__ import annotations

import duckdb

from indicators.store.connection import StoreError

DISK_FULL = ("no space left on device", "disk quota exceeded", "file too large")
NOT_WRITABLE = ("read-only file system", "permission denied", "attached in read-only mode", "operation not permitted")


class StoreUnwritable(StoreError):
    """The store's file or disk cannot take a write right now (full, read-only, no permission)."""


def explain(error: BaseException, label: str) -> StoreUnwritable | None:
    """A plain StoreUnwritable for a disk or permission error from DuckDB or the OS, else None."""
    if not isinstance(error, duckdb.Error | OSError):
        return None
    text = str(error).lower()
    if any(phrase in text for phrase in DISK_FULL):
        return StoreUnwritable(
            f"The disk holding the store {label} is full, so nothing was saved (the whole change was undone). "
            "Free some space and try again; browsing still works."
        )
    if any(phrase in text for phrase in NOT_WRITABLE):
        return StoreUnwritable(
            f"The store {label} cannot be written: its file or disk is read-only, or this program may not "
            "write it. Nothing was saved; browsing still works."
        )
    return None


def is_fatal(error: BaseException) -> bool:
    """DuckDB invalidates a database after a fatal error (e.g. a checkpoint that failed for lack of space):
    the connection must be closed and reopened, which replays the write-ahead log."""
    return isinstance(error, duckdb.FatalException) or "invalidated" in str(error).lower()
