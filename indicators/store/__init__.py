"""The store: the only part of the product that speaks SQL.

``Store(path)`` opens (or creates) a DuckDB file; ``Store()`` is an in-memory store for tests. The
connection model is explained in ``connection.py``; the schema and its migrations in ``schema.py``.
"""

from __future__ import annotations

from indicators.store.base import MEMORY, StoreBase, local_user, utc_now
from indicators.store.chunked import ChunkedWritesMixin
from indicators.store.claimcheck import ClaimCheckMixin
from indicators.store.connection import ReadOnlyStore, StoreBusy, StoreError
from indicators.store.edits import ANY_VERSION, EditConflict, EditResult, EditsMixin, FigureVersion
from indicators.store.events import EventsMixin
from indicators.store.faults import StoreUnwritable
from indicators.store.fresh import FreshWritesMixin
from indicators.store.history import HistoryMixin, UndoRefused, UndoResult
from indicators.store.reads import ReadsMixin
from indicators.store.snapshot_changes import SnapshotChangesMixin
from indicators.store.snapshots import RestoreResult, Scope, SnapshotsMixin
from indicators.store.staging import StagedRows, StagingMixin
from indicators.store.summary import SummaryMixin
from indicators.store.writes import WriteResult, WritesMixin


class Store(
    ClaimCheckMixin,
    ReadsMixin,
    SummaryMixin,
    WritesMixin,
    FreshWritesMixin,
    StagingMixin,
    ChunkedWritesMixin,
    EditsMixin,
    HistoryMixin,
    EventsMixin,
    SnapshotsMixin,
    SnapshotChangesMixin,
    StoreBase,
):
    """All reads and writes of the dashboard's data, on one DuckDB file."""


__all__ = [
    "ANY_VERSION",
    "MEMORY",
    "EditConflict",
    "EditResult",
    "FigureVersion",
    "ReadOnlyStore",
    "RestoreResult",
    "Scope",
    "StagedRows",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreUnwritable",
    "UndoRefused",
    "UndoResult",
    "WriteResult",
    "local_user",
    "utc_now",
]
