"""Export speed: a full snapshot of 1,000,000 observations against bare DuckDB `COPY ... TO` Parquet + CSV of
the same table, in the same run, on the same store. Prints medians and the ratio (target: at most 2x).

``python -m bench --only export`` runs it as benchmark (g) on a store of World Bank shape (266 entities x 59
indicators x 64 years = 1,004,416 figures at full scale, generated once into the workspace). This script runs
it on daily figures (10 indicators x 100 entities x ~1,000 days), the shape with the most figures per chart:

    PYTHONPATH=$PWD python bench/export.py [--rows 1000000] [--repeat 3]

The snapshot does more than the bare copies: our CSV format (formulas neutralised and numbers as %.15g, in
DuckDB's SQL), the change log as CSV (as many rows as figures here), the catalog, a zip with a SHA-256 of
every member, the workbook (observation and change sheets left out above 10,000 rows) and the report (a chart
of each indicator's usual entity above 20,000 figures).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indicators.bootstrap import prepare
from indicators.snapshot import export_snapshot
from indicators.store import Store


def fill(store: Store, rows: int) -> None:
    """``rows`` figures: 10 indicators x 100 entities x daily periods, written as one batch."""
    indicators = [i.id for i in store.indicators() if i.unit == "percent"][:10]
    entities = [chr(65 + a) + chr(65 + b) + chr(65 + c) for a in range(26) for b in range(26) for c in range(26)][:100]
    days = rows // (len(indicators) * len(entities))
    periods = pd.date_range("1990-01-01", periods=days, freq="D")
    grid = pd.MultiIndex.from_product([indicators, entities, periods], names=["indicator_id", "entity", "start"])
    frame = grid.to_frame(index=False)
    frame["period"] = frame["start"].dt.strftime("%Y-%m-%d")
    frame["period_start"] = frame["start"]
    frame["value"] = np.random.default_rng(1).uniform(0, 100, len(frame)).round(3)
    frame["qualifier"] = "exactly"
    frame["source_id"] = "pupin_2024"
    frame["quote"] = pd.NA
    frame["note"] = np.where(np.arange(len(frame)) % 1000 == 0, "=1+1 hostile note", None)
    store.write_observations(frame.drop(columns="start"), kind="upload", who="bench", reason="bench data")


def bare_copy(store: Store, folder: Path) -> None:
    with store.cursor() as con:  # the bare baseline: the same table, straight out of DuckDB
        select = (
            "SELECT o.indicator_id AS indicator, o.entity, o.period, o.value, i.unit, o.qualifier, "
            "o.source_id AS source, o.quote, o.note "
            "FROM current_observation o JOIN indicator i ON i.id = o.indicator_id "
            "ORDER BY o.indicator_id, o.entity, o.source_id, o.period_start, o.period"
        )
        con.execute(f"COPY ({select}) TO '{folder / 'bare.parquet'}' (FORMAT parquet, COMPRESSION zstd)")
        con.execute(f"COPY ({select}) TO '{folder / 'bare.csv'}' (FORMAT csv, HEADER)")


# the change log's 14 columns as the view gives them, in changes.csv's order
CHANGE_LOG_COLUMNS = (
    "batch_id, kind, who, changed_at, reason, indicator_id, entity, period, source_id, action, "
    "old_value, new_value, old_qualifier, new_qualifier"
)


def bare_changes_copy(store: Store, folder: Path) -> None:
    """The floor for changes.csv: DuckDB's ``COPY`` of the ``change_log`` view, sorted as changes.csv is, with
    nothing of ours (no formulas neutralised, numbers as DuckDB writes them)."""
    with store.cursor() as con:
        select = (
            f"SELECT {CHANGE_LOG_COLUMNS} FROM change_log ORDER BY batch_id, indicator_id, entity, period, source_id"
        )
        con.execute(f"COPY ({select}) TO '{folder / 'bare-changes.csv'}' (FORMAT csv, HEADER)")


def bench_export(ws, repeats: int = 5):
    """(g) ``export_snapshot`` of a whole store of about 1 M figures against ``COPY`` of its current figures to
    Parquet and CSV, alternating, on the same open store."""
    from bench.generate import FIRST_YEAR, LAST_YEAR, Scale, generate_store
    from bench.timing import Outcome

    years = LAST_YEAR - FIRST_YEAR + 1
    indicators = min(ws.scale.indicators, -(-1_000_000 // (ws.scale.entities * years)))
    shape = Scale("export", entities=ws.scale.entities, indicators=indicators, import_rows=0, wide_cells=0,
                  memory_rows=0)  # fmt: skip
    path = ws.scratch(f"export-{shape.observations}.duckdb")
    if not path.exists():
        generate_store(path, shape)
    store = Store(path, idle_release=60)
    folder = ws.scratch("export-runs")
    load_before = os.getloadavg()[0]  # the machine's load from others (this run adds about 2 while it runs)
    ours, bare, changes, sizes = [], [], [], []
    cpu = {
        "ours": [],
        "bare": [],
        "changes": [],
    }  # CPU seconds of the whole process (every thread): what the load cannot skew
    try:
        count = store.counts()["observations"]
        export_snapshot(store, folder / "warm-up.zip")  # imports and the file's first read, as a running app has
        for attempt in range(repeats):
            started, used = time.perf_counter(), time.process_time()
            bare_copy(store, folder)
            bare.append(time.perf_counter() - started)
            cpu["bare"].append(time.process_time() - used)
            started, used = time.perf_counter(), time.process_time()
            bare_changes_copy(store, folder)
            changes.append(time.perf_counter() - started)
            cpu["changes"].append(time.process_time() - used)
            started, used = time.perf_counter(), time.process_time()
            written, manifest = export_snapshot(store, folder / f"run{attempt}.zip")
            ours.append(time.perf_counter() - started)
            cpu["ours"].append(time.process_time() - used)
            sizes.append(written.stat().st_size)
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)
    product, baseline = statistics.median(ours), statistics.median(bare)
    cpu_ours, cpu_bare = statistics.median(cpu["ours"]), statistics.median(cpu["bare"])
    # the floor: the bare copies plus a bare copy of the one big member they lack (DuckDB alone, no zip)
    bare_changes = statistics.median(changes)
    floor = baseline + bare_changes
    limited = manifest["limited"]["workbook_sheets_left_out"]
    report_limited = manifest["limited"]["report_charts_usual_entity_only"]
    return Outcome(
        "g",
        f"snapshot export of {count:,} observations ({indicators} indicators) vs COPY to Parquet + CSV",
        product,
        baseline,
        "<= 2x",
        product <= 2 * baseline,
        note=f"median of {repeats}; CPU {cpu_ours:.2f} s vs {cpu_bare:.2f} s ({cpu_ours / cpu_bare:.2f}x), the "
        f"floor's {cpu_bare + statistics.median(cpu['changes']):.2f} s; "
        f"floor {floor:.2f} s = the bare copies + a bare COPY of the change log's "
        f"{manifest['counts']['changes']:,} rows to CSV ({bare_changes:.2f} s), export at {product / floor:.2f}x "
        f"the floor; load average {load_before:.1f} before; zip {sizes[-1] / 1e6:.0f} MB; workbook without "
        f"{', '.join(limited) or 'nothing'}; report limited: {report_limited}",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        store = prepare(Store(folder / "bench.duckdb"))
        started = time.perf_counter()
        fill(store, args.rows)
        count = store.counts()["observations"]
        print(f"store: {count:,} observations (filled in {time.perf_counter() - started:.1f} s)")
        ours, bare, changes = [], [], []
        for attempt in range(args.repeat):
            started = time.perf_counter()
            bare_copy(store, folder)
            bare.append(time.perf_counter() - started)
            started = time.perf_counter()
            bare_changes_copy(store, folder)
            changes.append(time.perf_counter() - started)
            started = time.perf_counter()
            path, manifest = export_snapshot(store, folder / f"run{attempt}")
            ours.append(time.perf_counter() - started)
            size = path.stat().st_size
        print(f"bare DuckDB COPY Parquet + CSV: median {statistics.median(bare):.2f} s  {[round(t, 2) for t in bare]}")
        print(f"snapshot export (zip):          median {statistics.median(ours):.2f} s  {[round(t, 2) for t in ours]}")
        print(
            f"ratio: {statistics.median(ours) / statistics.median(bare):.2f}x (target <= 2x); zip {size / 1e6:.0f} MB"
        )
        floor = statistics.median(bare) + statistics.median(changes)
        print(
            f"floor (bare copies + bare COPY of the change log to CSV, median {statistics.median(changes):.2f} s): "
            f"{floor:.2f} s; export at {statistics.median(ours) / floor:.2f}x the floor"
        )
        print(f"limited for a large store: {manifest['limited']}")
        print(f"at {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
        store.close()


if __name__ == "__main__":
    main()
