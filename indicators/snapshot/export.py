"""Store -> one dated, self-describing zip: the figures as CSV and Parquet, the catalog, the change log, a
workbook, an offline report, a README, and a manifest with a SHA-256 of every other member.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tempfile
import time
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from queue import Queue
from typing import BinaryIO

import pandas as pd
from isal import isal_zlib

import indicators
from indicators.csvformat import csv_text, neutralise_formulas
from indicators.progress import ProgressCallback, Stages
from indicators.snapshot.archive import FORMAT, FORMAT_VERSION, MANIFEST, MEMBERS
from indicators.snapshot.filters import Filters
from indicators.snapshot.readme import readme_text, workbook_readme
from indicators.snapshot.report import build_report, report_charts
from indicators.snapshot.workbook import WORKBOOK_ROW_LIMIT, build_workbook
from indicators.store import Store
from indicators.store.schema import SCHEMA_VERSION

# Already-compressed members are stored as they are; text is deflated at a fast level.
_STORED = {"observations.parquet", "snapshot.xlsx"}
_CHUNK = 1024 * 1024
_POLL = 0.005  # seconds between looks at a file DuckDB is still writing
_ISAL_LEVEL = 1  # ISA-L's levels are 0-3; 1 is about as fast as 0 and compresses better
# Rough shares of an export's time as seen from the calling thread (1 M figures), for a progress bar.
EXPORT_STAGES = (
    ("catalog", 1),
    ("report", 2),
    ("changes", 2),
    ("workbook", 1),
    ("observations", 2),
    ("zip", 2),
    ("checksum", 0.5),
)


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


def build_snapshot(
    store: Store,
    filters: Filters | None = None,
    *,
    at: dt.datetime | None = None,
    progress: ProgressCallback | None = None,
) -> Snapshot:
    """Build the whole archive in memory (the page offers it as a download; ``export_snapshot`` saves it)."""
    at = (at or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    buffer = io.BytesIO()
    manifest = write_snapshot(store, buffer, filters, at=at, progress=progress)
    return Snapshot(filename=snapshot_filename(store, at), data=buffer.getvalue(), manifest=manifest)


def write_snapshot(
    store: Store,
    target: BinaryIO,
    filters: Filters | None = None,
    *,
    at: dt.datetime,
    progress: ProgressCallback | None = None,
    filename: str | None = None,
) -> dict:
    """Write the archive to ``target`` (a binary file, seekable); returns the manifest. ``filename`` is the
    name the README inside cites (default the dated name).

    The big members are written by DuckDB with ``COPY`` (formulas neutralised in SQL) in one worker thread:
    changes.csv, observations.parquet, then observations.csv read back from the Parquet file (already joined
    and sorted). A second worker adds each member to the zip as soon as it exists, computing its SHA-256 on
    the way (each file is read once). This thread meanwhile reads the catalog and builds the workbook, the
    report and the README, and reports progress. manifest.json comes last, when every checksum is known.
    """
    filters = filters or Filters()
    stages = Stages(progress, EXPORT_STAGES)
    stages.start("catalog")
    scope = filters.scope()
    with (
        tempfile.TemporaryDirectory() as folder,
        ThreadPoolExecutor(1, thread_name_prefix="snapshot-duckdb") as duckdb_writes,
        ThreadPoolExecutor(1, thread_name_prefix="snapshot-zip") as zipping,
    ):
        folder = Path(folder)
        changes = duckdb_writes.submit(store.snapshot_changes_csv, folder / "changes.csv", scope)
        parquet = duckdb_writes.submit(store.snapshot_parquet, folder / "observations.parquet", scope)

        def write_figures() -> int:
            parquet.result()  # the CSV is read from the Parquet file
            return store.snapshot_csv(folder / "observations.csv", scope, parquet=folder / "observations.parquet")

        figures = duckdb_writes.submit(write_figures)
        queue: Queue = Queue()
        for name, written in (
            ("changes.csv", changes),
            ("observations.csv", figures),
            ("observations.parquet", parquet),  # after the CSV, which is read from it
        ):
            queue.put((name, folder / name, written))
        archive = zipfile.ZipFile(target, "w")
        zipped = zipping.submit(_zip_members, archive, queue, at)
        try:
            try:
                manifest = _small_members(store, filters, scope, at, stages, queue, changes=changes, filename=filename)
                stages.start("observations")
                # the rows DuckDB wrote (the same as the summary's count unless a write came in between)
                manifest["counts"]["observations"] = figures.result()
                parquet.result()
            finally:
                queue.put(None)  # no more members: the zip worker stops after the ones it has
                wait([zipped])
            stages.start("zip")
            checksums = zipped.result()
            stages.start("checksum")
            manifest["members"] = {name: checksums[name] for name in MEMBERS if name in checksums}
            info = zipfile.ZipInfo(MANIFEST, date_time=at.timetuple()[:6])
            info.external_attr = 0o644 << 16  # readable like every other member (a bare name would give 0600)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, json.dumps(manifest, indent=2, ensure_ascii=False))
        finally:
            archive.close()
    stages.done()
    return manifest


def _zip_members(archive: zipfile.ZipFile, queue: Queue, at: dt.datetime) -> dict[str, dict]:
    """Add the queued members to the zip in order, each read once: its SHA-256 is computed while its bytes go
    in. A queued item is ``(name, bytes)`` or ``(name, path, future)`` for a file DuckDB is writing; ``None``
    ends. zlib, SHA-256 and file reads release the GIL, so this overlaps the other work."""
    checksums: dict[str, dict] = {}
    while (item := queue.get()) is not None:
        name = item[0]
        info = zipfile.ZipInfo(name, date_time=at.timetuple()[:6])
        info.external_attr = 0o644 << 16
        if name in _STORED:  # already compressed (Parquet, xlsx): stored as it is
            info.compress_type = zipfile.ZIP_STORED
        else:  # text: deflated (CSV still shrinks 10x)
            info.compress_type = zipfile.ZIP_DEFLATED
        digest = hashlib.sha256()
        if len(item) == 2:
            data = item[1]
            info.file_size = len(data)
            with _open_member(archive, info) as out:
                out.write(data)
            digest.update(data)
            size = len(data)
        else:
            _, path, written = item
            size = 0
            with _open_member(archive, info, force_zip64=True) as out:  # sizes are set when it closes
                for chunk in _chunks(path, written, follow=name not in _STORED):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            if size != path.stat().st_size:  # never: DuckDB only appends, and is done
                raise OSError(f"{name} changed while it was added to the snapshot")
            path.unlink()  # in the zip now: the temporary folder never holds everything at once
        checksums[name] = {"sha256": digest.hexdigest(), "bytes": size}
    return checksums


def _chunks(path: Path, written: Future, *, follow: bool):
    """The bytes of a file DuckDB writes. A CSV file is followed while DuckDB writes it (its COPY only ever
    appends), so it is compressed and hashed meanwhile, not after; anything else is read once it is done.
    DuckDB's error, if any, is raised here."""
    while follow and not path.exists() and not written.done():
        time.sleep(_POLL)  # the file appears when DuckDB starts writing it
    if not follow or not path.exists():
        written.result()
    with path.open("rb") as source:
        while True:
            if chunk := source.read(_CHUNK):
                yield chunk
            elif written.done():
                written.result()
                while chunk := source.read(_CHUNK):  # what came after the last read
                    yield chunk
                return
            else:
                time.sleep(_POLL)  # caught up with DuckDB


def _open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, **options):
    """A member opened for writing; a deflated one is compressed by ISA-L (``isal``), four to five times
    faster than zlib's fastest level and a little smaller (157 MB of CSV: 0.07 s against 0.32 s). Its output is
    plain deflate that any unzip reads. zipfile has no public way to choose the compressor: the one it made is
    replaced before any byte is written, and zlib's is kept if zipfile ever stops naming it ``_compressor``."""
    out = archive.open(info, "w", **options)
    if info.compress_type == zipfile.ZIP_DEFLATED and hasattr(out, "_compressor"):
        out._compressor = isal_zlib.compressobj(_ISAL_LEVEL, isal_zlib.DEFLATED, -15)
    return out


def _small_members(store: Store, filters: Filters, scope, at, stages: Stages, queue: Queue, *, changes, filename):
    """The catalog, workbook, report and README (built here while DuckDB writes the big members); returns the
    manifest without its member list."""
    indicator_table = store.snapshot_indicators(scope)
    source_table = store.snapshot_sources(scope)
    summary = store.snapshot_summary(scope)
    queue.put(("indicators.csv", table_csv(indicator_table)))
    queue.put(("sources.csv", table_csv(source_table)))
    observation_count = int(summary["figures"].sum()) if not summary.empty else 0
    # the charts first: they do not need the change log's count, which DuckDB is still writing
    stages.start("report")
    charts = report_charts(store, scope=scope, figures=observation_count, indicators=indicator_table)
    stages.start("changes")
    counts = {
        "observations": observation_count,
        "indicators": len(indicator_table),
        "sources": len(source_table),
        "changes": changes.result(),
    }
    created = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    filename = filename or snapshot_filename(store, at)
    title = f"Serbia–US relations in figures: snapshot of {created}"
    describe = [
        f"Created {created} by version {indicators.__version__} of the dashboard (store schema {SCHEMA_VERSION}).",
        f"Holds {filters.describe()}: {counts['observations']:,} figures of {counts['indicators']} indicators "
        f"from {counts['sources']} sources; {counts['changes']:,} entries of the change log.",
    ]

    stages.start("workbook")
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
    queue.put(("snapshot.xlsx", build_workbook(sheets, omitted, workbook_readme(describe))))
    report, report_limited = build_report(
        store,
        scope=scope,
        summary=summary,
        figures=counts["observations"],
        indicators=indicator_table,
        sources=source_table,
        title=title,
        header_lines=describe,
        charts=charts,
    )
    queue.put(("report.html", report))
    readme = readme_text(
        filename=filename,
        describe=describe,
        sources=source_table,
        created=created,
        workbook_omitted=list(omitted),
        report_limited=report_limited,
    )
    queue.put(("README.md", readme.encode("utf-8")))
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": created,
        "app_version": indicators.__version__,
        "schema_version": SCHEMA_VERSION,
        "store": store.path.name if store.path is not None else "in-memory store",
        "filters": filters.to_manifest(),
        "counts": counts,
        "limited": {"workbook_sheets_left_out": list(omitted), "report_charts_usual_entity_only": report_limited},
    }


def export_snapshot(
    store: Store,
    target: str | Path,
    filters: Filters | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> tuple[Path, dict]:
    """Write a snapshot straight to its file (never whole in memory); see ``save_snapshot`` for where it goes
    and how a name is never overwritten."""
    at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    path = _target_path(target, snapshot_filename(store, at))
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as out:
            manifest = write_snapshot(store, out, filters, at=at, progress=progress, filename=path.name)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path, manifest


@dataclass
class PageExport:
    """What the page's export gives: the snapshot to download, where it was saved (or None), and why it could
    not be saved (or None)."""

    snapshot: Snapshot
    saved: Path | None = None
    not_saved: str | None = None


def export_for_page(
    store: Store,
    filters: Filters,
    folder: Path | None,
    *,
    progress: ProgressCallback | None = None,
) -> PageExport:
    """The page's export: saved in ``folder`` (editors; None: not saved) under a free name, which the README
    inside cites and the download keeps, then read back for the download. A folder that cannot be written
    (missing rights, a file in the way, a full disk) is said in ``not_saved`` and the snapshot is built in
    memory for the download all the same."""
    if folder is not None:
        try:
            path, manifest = export_snapshot(store, folder, filters, progress=progress)
            return PageExport(Snapshot(filename=path.name, data=path.read_bytes(), manifest=manifest), saved=path)
        except OSError as error:
            problem = f"it could not be saved in {folder}: {error.strerror or error}"
            return PageExport(build_snapshot(store, filters, progress=progress), not_saved=problem)
    return PageExport(build_snapshot(store, filters, progress=progress))


def save_snapshot(snapshot: Snapshot, target: str | Path) -> Path:
    """Save a built snapshot. ``target`` is a folder (the dated file name is chosen inside it, created if
    needed) or a file path ending in ``.zip``. Never overwrites: in a folder an existing name gets ``-2``,
    ``-3`` ...; an existing file path is refused (FileExistsError). Written to a temporary name first and
    renamed, so a half-written snapshot never appears."""
    candidate = _target_path(target, snapshot.filename)
    partial = candidate.with_name(candidate.name + ".partial")
    partial.write_bytes(snapshot.data)
    partial.replace(candidate)
    return candidate


def _target_path(target: str | Path, filename: str) -> Path:
    """Where a snapshot goes: ``target`` itself when it names a .zip (refused if it exists), else a free name
    in the folder ``target`` (created if needed)."""
    target = Path(target).expanduser()
    if target.suffix.lower() == ".zip":
        if target.exists():
            raise FileExistsError(f"{target} exists already; give another file name or a folder")
        path = target
    else:
        path = target / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate
