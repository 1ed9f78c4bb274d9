"""The snapshots already saved in the snapshots folder, newest first, with their size and counts."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
import zlib
from pathlib import Path

import pandas as pd

from indicators.snapshot.archive import MANIFEST

CATALOG_COLUMNS = ["file", "created_at", "bytes", "observations", "indicators", "sources", "filters", "path"]
NOT_A_SNAPSHOT = "not a snapshot (no manifest)"
# what reading a manifest from any zip in the folder may raise; the listing must never fail on one file:
# a damaged zip (BadZipFile, zlib.error for flipped bytes, EOFError cut short), a manifest nested [[[[...]]]]
# (RecursionError), a member protected by a password (RuntimeError) or compressed by an unknown method
UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    OSError,
    ValueError,
    RecursionError,
    RuntimeError,
    NotImplementedError,
)


def _manifest(path: Path) -> dict:
    """The manifest only (cheap: no member is checked here; restore and diff check everything)."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(MANIFEST)
            if info.file_size > 1024**2:
                return {}
            data = json.loads(archive.read(info).decode("utf-8"))
            return data if isinstance(data, dict) else {}
    except UNREADABLE:
        return {}


def list_snapshots(folder: Path) -> pd.DataFrame:
    rows = []
    if folder.is_dir():
        for path in folder.glob("*.zip"):
            if not path.is_file():  # a folder named like a zip, a dangling link: nothing to list or download
                continue
            manifest = _manifest(path)
            counts = manifest.get("counts") if isinstance(manifest.get("counts"), dict) else {}
            filters = manifest.get("filters") if isinstance(manifest.get("filters"), dict) else {}
            described = "; ".join(f"{k}: {_listed(v)}" for k, v in filters.items() if v) or "all figures"
            stat = path.stat()
            rows.append(
                {
                    "file": path.name,
                    "created_at": manifest.get("created_at")
                    or dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "bytes": stat.st_size,
                    "observations": counts.get("observations"),
                    "indicators": counts.get("indicators"),
                    "sources": counts.get("sources"),
                    "filters": described if manifest else NOT_A_SNAPSHOT,
                    "path": str(path),
                }
            )
    frame = pd.DataFrame(rows, columns=CATALOG_COLUMNS)
    for count in ("observations", "indicators", "sources"):  # whole numbers, blank for a zip without manifest
        frame[count] = pd.to_numeric(frame[count], errors="coerce").astype("Int64")
    # snapshots first, newest first: another zip dropped in the folder must not become Compare's default
    frame["_other"] = frame["filters"].eq(NOT_A_SNAPSHOT)
    frame = frame.sort_values(["_other", "created_at", "file"], ascending=[True, False, False], ignore_index=True)
    return frame.drop(columns="_other")


def snapshot_files(catalog: pd.DataFrame) -> list[str]:
    """The files of a ``list_snapshots`` frame that are snapshots (a manifest), newest first: what Compare
    offers."""
    return list(catalog.loc[catalog["filters"] != NOT_A_SNAPSHOT, "file"])


def _listed(value) -> str:
    """A manifest's filter as a person reads it: indicators: gdp_growth, trade_volume (not a Python list)."""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
