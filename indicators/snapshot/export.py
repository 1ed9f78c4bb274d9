"""Store -> one dated, self-describing zip: the figures as CSV and Parquet, the catalog, the change log, a
workbook, an offline report, a README, and a manifest with a SHA-256 of every other member.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import indicators
from indicators.csvformat import csv_text, neutralise_formulas
from indicators.snapshot.archive import FORMAT, FORMAT_VERSION, MANIFEST
from indicators.snapshot.filters import Filters
from indicators.snapshot.readme import readme_text, workbook_readme
from indicators.snapshot.report import build_report
from indicators.snapshot.workbook import WORKBOOK_ROW_LIMIT, build_workbook
from indicators.store import Store
from indicators.store.schema import SCHEMA_VERSION

# Already-compressed members are stored as they are; text is deflated at a fast level.
_STORED = {"observations.parquet", "snapshot.xlsx"}


@dataclass
class Snapshot:
    """An exported snapshot: its file name, bytes and manifest."""

    filename: str
    data: bytes
    manifest: dict


def table_csv(frame: pd.DataFrame) -> bytes:
    """Any table as CSV written the way our observations are (UTF-8, formulas neutralised, numbers plain)."""
    return csv_text(neutralise_formulas(frame), float_format="%.15g").encode("utf-8")


def snapshot_filename(store: Store, at: dt.datetime) -> str:
    """``<store name>-<UTC time>.zip``, e.g. ``indicators-2026-11-23T1405Z.zip``."""
    stem = store.path.stem if store.path is not None else "indicators"
    return f"{stem}-{at.strftime('%Y-%m-%dT%H%MZ')}.zip"


def build_snapshot(store: Store, filters: Filters | None = None, *, at: dt.datetime | None = None) -> Snapshot:
    """Build the whole archive in memory (the page offers it as a download; ``export_snapshot`` saves it)."""
    filters = filters or Filters()
    at = (at or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    scope = filters.scope()
    indicator_table = store.snapshot_indicators(scope)
    source_table = store.snapshot_sources(scope)
    summary = store.snapshot_summary(scope)
    members: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as folder:
        # The big members are written by DuckDB (observations.csv byte for byte as csvformat writes it).
        figures = store.snapshot_csv(Path(folder) / "observations.csv", scope)
        changes = store.snapshot_changes_csv(Path(folder) / "changes.csv", scope)
        store.snapshot_parquet(Path(folder) / "observations.parquet", scope)
        members["observations.csv"] = (Path(folder) / "observations.csv").read_bytes()
        members["indicators.csv"] = table_csv(indicator_table)
        members["sources.csv"] = table_csv(source_table)
        members["changes.csv"] = (Path(folder) / "changes.csv").read_bytes()
        members["observations.parquet"] = (Path(folder) / "observations.parquet").read_bytes()
    counts = {
        "observations": figures,
        "indicators": len(indicator_table),
        "sources": len(source_table),
        "changes": changes,
    }
    created = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    filename = snapshot_filename(store, at)
    title = f"Serbia–US relations in figures: snapshot of {created}"
    describe = [
        f"Created {created} by version {indicators.__version__} of the dashboard (store schema {SCHEMA_VERSION}).",
        f"Holds {filters.describe()}: {counts['observations']:,} figures of {counts['indicators']} indicators "
        f"from {counts['sources']} sources; {counts['changes']:,} entries of the change log.",
    ]

    sheets: dict[str, pd.DataFrame] = {"summary": summary}
    omitted: dict[str, int] = {}
    for name, read in (
        ("observations", store.snapshot_observations),
        ("indicators", None),
        ("sources", None),
        ("changes", store.snapshot_changes),
    ):
        if read is None:
            sheets[name] = indicator_table if name == "indicators" else source_table
        elif counts[name] <= WORKBOOK_ROW_LIMIT:
            sheets[name] = read(scope)
        else:
            omitted[name] = counts[name]
    members["snapshot.xlsx"] = build_workbook(sheets, omitted, workbook_readme(describe))
    report, report_limited = build_report(
        store,
        scope=scope,
        summary=summary,
        figures=counts["observations"],
        indicators=indicator_table,
        sources=source_table,
        title=title,
        header_lines=describe,
    )
    members["report.html"] = report
    members["README.md"] = readme_text(
        filename=filename,
        describe=describe,
        sources=source_table,
        created=created,
        workbook_omitted=list(omitted),
        report_limited=report_limited,
    ).encode("utf-8")

    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": created,
        "app_version": indicators.__version__,
        "schema_version": SCHEMA_VERSION,
        "store": store.path.name if store.path is not None else "in-memory store",
        "filters": filters.to_manifest(),
        "counts": counts,
        "limited": {"workbook_sheets_left_out": list(omitted), "report_charts_usual_entity_only": report_limited},
        "members": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)} for name, data in members.items()
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False), zipfile.ZIP_DEFLATED)
        for name, data in members.items():
            if name in _STORED:
                archive.writestr(name, data, zipfile.ZIP_STORED)
            else:
                archive.writestr(name, data, zipfile.ZIP_DEFLATED, compresslevel=1)
    return Snapshot(filename=filename, data=buffer.getvalue(), manifest=manifest)


def export_snapshot(store: Store, target: str | Path, filters: Filters | None = None) -> tuple[Path, dict]:
    """Build and save a snapshot; see ``save_snapshot`` for where it goes."""
    snapshot = build_snapshot(store, filters)
    return save_snapshot(snapshot, target), snapshot.manifest


def save_snapshot(snapshot: Snapshot, target: str | Path) -> Path:
    """Save a built snapshot. ``target`` is a folder (the dated file name is chosen inside it, created if
    needed) or a file path ending in ``.zip``. Never overwrites: in a folder an existing name gets ``-2``,
    ``-3`` ...; an existing file path is refused (FileExistsError). Written to a temporary name first and
    renamed, so a half-written snapshot never appears."""
    target = Path(target).expanduser()
    if target.suffix.lower() == ".zip":
        if target.exists():
            raise FileExistsError(f"{target} exists already; give another file name or a folder")
        path = target
    else:
        path = target / snapshot.filename
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    partial = candidate.with_name(candidate.name + ".partial")
    partial.write_bytes(snapshot.data)
    partial.replace(candidate)
    return candidate
