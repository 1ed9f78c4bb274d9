"""Snapshots: a dated, self-describing zip of the store (export), checked and loaded back (restore), and
compared with another snapshot or the live store (diff).

- ``export``: store -> zip (manifest, CSV, Parquet, workbook, offline report, README)
- ``archive``: reading a zip safely (checksums, paths, sizes, schema version)
- ``restore``: zip -> preview -> one transaction
- ``diff``: what changed between two snapshots, or a snapshot and the store
- ``catalog``: the snapshots already saved in the snapshots folder
"""

from indicators.snapshot.archive import DEFAULT_LIMITS, Archive, ArchiveError, Limits, read_archive
from indicators.snapshot.catalog import list_snapshots, snapshot_files
from indicators.snapshot.diff import compare, compare_archives, diff_csv, diff_summary
from indicators.snapshot.export import Snapshot, build_snapshot, export_snapshot
from indicators.snapshot.filters import Filters
from indicators.snapshot.restore import MODES, RestorePlan, RestoreRefused, apply_restore, plan_restore

__all__ = [
    "DEFAULT_LIMITS",
    "MODES",
    "Archive",
    "ArchiveError",
    "Filters",
    "Limits",
    "RestorePlan",
    "RestoreRefused",
    "Snapshot",
    "apply_restore",
    "build_snapshot",
    "compare",
    "compare_archives",
    "diff_csv",
    "diff_summary",
    "export_snapshot",
    "list_snapshots",
    "plan_restore",
    "read_archive",
    "snapshot_files",
]
