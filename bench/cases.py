"""The benchmarks. Each runs the product's own code and a bare-DuckDB baseline doing the same work, in the
same run, interleaved, and returns an :class:`Outcome` with the medians and the ratio."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.export import bench_export
from bench.floor import floor_import
from bench.generate import Scale, quiet_connect, write_import_csv
from bench.timing import Outcome, interleaved, paired, timed

REPOSITORY = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass
class Workspace:
    root: Path
    scale: Scale

    @property
    def store(self) -> Path:
        return self.root / "store.duckdb"

    @property
    def seed_store(self) -> Path:
        return self.root / "seed.duckdb"

    @property
    def import_csv(self) -> Path:
        return self.root / "import.csv"

    @property
    def wdi_csv(self) -> Path:
        return self.root / "wdi.csv"

    @property
    def baseline_db(self) -> Path:
        return self.root / "baseline.duckdb"

    def scratch(self, name: str) -> Path:
        path = self.root / "scratch" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


def _copy_store(source: Path, target: Path) -> Path:
    for stale in (target, Path(f"{target}.wal")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def _product_env(db: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPOSITORY)
    env["INDICATORS_DB"] = str(db)
    env.pop("INDICATORS_READ_ONLY", None)
    env.pop("INDICATORS_EDITOR_PASSWORD", None)
    return env


# --- (a) import our CSV format -------------------------------------------------------------------------


def import_our_csv(store_path: Path, csv_path: Path, progress=None) -> dict:
    """The product's bulk path for our CSV format (``indicators.bulkload``): read in chunks, validate each
    column-wise, stage in DuckDB, then one write: dedupe against the store, supersede, insert, one batch."""
    from indicators.bulkload import import_csv
    from indicators.store import Store

    store = Store(store_path, idle_release=0)
    try:
        result = import_csv(store, csv_path, who="bench", reason="benchmark import", progress=progress)
        write = result.write
        return {"added": write.added, "changed": write.changed, "unchanged": write.unchanged}
    finally:
        store.close()


def import_with_importer(store_path: Path, csv_path: Path) -> dict:
    """The Upload page's and ``import`` command's path, end to end: read_upload (decode, dialect, format),
    plan_upload (map, validate), commit_upload (dedupe against the store, one audited batch)."""
    from indicators.ingest import Options, commit_upload, plan_upload, read_upload
    from indicators.store import Store

    store = Store(store_path, idle_release=0)  # as the import command opens it, held from check to commit
    try:
        parsed = read_upload(csv_path.read_bytes(), csv_path.name, Options(max_mb=100_000))
        with store.holding():
            plan = plan_upload(store, parsed)
            if not plan.validated.ok:
                raise RuntimeError(f"benchmark file did not validate: {plan.problems.head()}")
            result = commit_upload(store, plan, who="bench", reason="benchmark import")
        return {"added": result.added, "changed": result.changed, "unchanged": result.unchanged}
    finally:
        store.close()


def _ctas_baseline(work: Path, sql: str, csv_path: Path) -> None:
    con = quiet_connect(work)
    con.execute(sql, [str(csv_path)])
    con.close()


def _floor_note(floor: float, product: float, baseline: float) -> str:
    return (
        f"floor, bare SQL doing only the writes: {floor:.2f} s = {floor / baseline:.1f}x the copy; "
        f"product = {product / floor:.1f}x the floor"
    )


def bench_import(ws: Workspace, repeats: int = 3) -> Outcome:
    work = ws.scratch("import.duckdb")
    last: dict = {}
    p, b, floor = interleaved(
        [
            lambda: last.update(import_with_importer(work, ws.import_csv)),
            lambda: _ctas_baseline(work, "CREATE TABLE imported AS SELECT * FROM read_csv(?)", ws.import_csv),
            lambda: floor_import(work, ws.import_csv),
        ],
        repeats,
        setup=lambda: _copy_store(ws.store, work),
    )
    return Outcome(
        "a",
        f"import {ws.scale.import_rows:,} rows, our CSV, into {ws.scale.observations:,} (ingest, end to end)",
        p,
        b,
        "<= 2x",
        p <= 2 * b,
        note=f"{last.get('added', 0):,} added, {last.get('changed', 0):,} changed, "
        f"{last.get('unchanged', 0):,} unchanged; {_floor_note(floor, p, b)}",
    )


def bench_bulk_import(ws: Workspace, repeats: int | None = None) -> Outcome:
    """The same file through the streaming bulk path (indicators.bulkload)."""
    repeats = repeats or (1 if ws.scale.name == "full" else 3)
    work = ws.scratch("bulk.duckdb")
    p, b, floor = interleaved(
        [
            lambda: import_our_csv(work, ws.import_csv),
            lambda: _ctas_baseline(work, "CREATE TABLE imported AS SELECT * FROM read_csv(?)", ws.import_csv),
            lambda: floor_import(work, ws.import_csv),
        ],
        repeats,
        setup=lambda: _copy_store(ws.store, work),
    )
    return Outcome(
        "a2",
        f"import {ws.scale.import_rows:,} rows, our CSV, into {ws.scale.observations:,} (bulkload, streamed)",
        p,
        b,
        "<= 2x",
        p <= 2 * b,
        note=f"median of {repeats}; {_floor_note(floor, p, b)}",
    )


# --- (b) World Bank wide file ----------------------------------------------------------------------------


def import_world_bank(store_path: Path, wdi_path: Path) -> int:
    """A WDI wide file through the importer in one batch: parsed once, every series it holds mapped onto
    its indicator (``Mapping.series_indicators``), checked and committed together."""
    from indicators.ingest import Mapping, Options, commit_upload, plan_upload, read_upload
    from indicators.store import Store

    store = Store(store_path, idle_release=0)
    try:
        parsed = read_upload(wdi_path.read_bytes(), wdi_path.name, Options(max_mb=100_000))
        # BX.GDP.0007 -> indicator wb_0007
        chosen = {series: "wb_" + series.split(" ", 1)[0].rsplit(".", 1)[-1] for series in parsed.series_choices()}
        with store.holding():
            plan = plan_upload(store, parsed, Mapping(series_indicators=chosen))
            if not plan.validated.ok:
                raise RuntimeError(f"WDI file did not validate: {plan.problems.head()}")
            return commit_upload(store, plan, who="bench", reason="benchmark WDI import").written
    finally:
        store.close()


UNPIVOT_SQL = """
    CREATE TABLE imported AS
    UNPIVOT (SELECT * FROM read_csv(?, skip=4, header=true, all_varchar=true))
    ON COLUMNS('^[0-9]{4}$') INTO NAME period VALUE value
"""


def bench_world_bank(ws: Workspace, repeats: int | None = None) -> Outcome:
    repeats = repeats or (1 if ws.scale.name == "full" else 3)
    work = ws.scratch("wdi.duckdb")
    # the settings import streamlit once per process (for its secrets): not part of the import being timed,
    # and paid already when (b) runs after (a); warmed here so `--only worldbank` times the same work
    from indicators.config import settings

    settings()
    last: dict = {}
    p, b, floor = interleaved(
        [
            lambda: last.update(written=import_world_bank(work, ws.wdi_csv)),
            lambda: _ctas_baseline(work, UNPIVOT_SQL, ws.wdi_csv),
            lambda: floor_import(work, ws.wdi_csv, world_bank=True),
        ],
        repeats,
        setup=lambda: _copy_store(ws.store, work),
    )
    return Outcome(
        "b",
        f"import a World Bank wide file of {ws.scale.wide_cells:,} cells into {ws.scale.observations:,}",
        p,
        b,
        "<= 2x",
        p <= 2 * b,
        note=f"median of {repeats}; {last.get('written', 0):,} figures written in one batch; "
        f"{_floor_note(floor, p, b)}",
    )


# --- (c) Overview render -----------------------------------------------------------------------------------


def _render_overview(db: Path) -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["INDICATORS_DB"] = str(db)
    st.cache_data.clear()  # a fresh render: queries run, nothing served from an earlier run
    at = AppTest.from_file(str(REPOSITORY / "app.py"), default_timeout=900)
    at.run()
    if at.exception:
        raise RuntimeError(f"Overview failed: {at.exception[0].message}")


def bench_overview(ws: Workspace, repeats: int | None = None) -> Outcome:
    # a full-size render reads the Overview's summary (store/summary.py): about a second, so medians of 5
    repeats = repeats or 5
    # warm up both, as a running dashboard is: imports, store open, migrations check, and the Overview's summary
    # brought up to date after the last write (store/summary.py; its cost is the first look after a write)
    _render_overview(ws.seed_store)
    _render_overview(ws.store)
    p, b = paired(lambda: _render_overview(ws.store), lambda: _render_overview(ws.seed_store), repeats)
    from indicators.store import Store

    store = Store(ws.store, idle_release=60)
    store.counts()  # the file is open, as in a running dashboard
    queries = timed(lambda: (store.overview(), store.sparklines()))
    tiles = store.counts()["indicators"]
    store.close()
    seed = Store(ws.seed_store, idle_release=0)
    seed_tiles = seed.counts()["indicators"]
    seed.close()
    return Outcome(
        "c",
        f"Overview render (AppTest), {ws.scale.observations:,} vs seed store",
        p,
        b,
        "<= 1.5x",
        p <= 1.5 * b,
        note=f"median of {repeats}; {tiles} tiles vs {seed_tiles}; its two queries take {queries:.2f} s of it",
    )


# --- (d) Indicator page data -------------------------------------------------------------------------------


def build_baseline_db(ws: Workspace) -> None:
    """A bare table of the current figures with an ART index on (indicator_id, entity)."""
    ws.baseline_db.unlink(missing_ok=True)
    con = quiet_connect(ws.baseline_db)
    con.execute("ATTACH ? AS s (READ_ONLY)", [str(ws.store)])
    con.execute(
        "CREATE TABLE obs AS SELECT indicator_id, entity, period, period_start, value, qualifier, source_id "
        "FROM s.observation WHERE superseded_at IS NULL"
    )
    con.execute("CREATE INDEX obs_indicator_entity ON obs (indicator_id, entity)")
    con.execute("DETACH s")
    con.close()


def bench_series(ws: Workspace, repeats: int = 21) -> Outcome:
    from bench.generate import country_codes
    from indicators.store import Store

    if not ws.baseline_db.exists():
        build_baseline_db(ws)
    codes = [code for code, _ in country_codes()[: ws.scale.entities]]
    entities = [codes[n] for n in (3, 40, 17, 25, 9)][:5]
    store = Store(ws.store, idle_release=60)
    bare = quiet_connect(ws.baseline_db, read_only=True)
    sql = (
        "SELECT indicator_id, entity, period, period_start, value, qualifier, source_id FROM obs "
        "WHERE indicator_id = ? AND entity IN (?, ?, ?, ?, ?) ORDER BY entity, source_id, period_start"
    )
    product_times, baseline_times, sizes = [], [], set()
    try:
        store.series("wb_0000", entities)  # open the file once, as a running dashboard has
        bare.execute(sql, ["wb_0000", *entities]).fetchall()
        for n in range(repeats):
            indicator = f"wb_{(n * 37) % ws.scale.indicators:04d}"
            product_times.append(timed(lambda i=indicator: sizes.add(len(store.series(i, entities)))))
            baseline_times.append(timed(lambda i=indicator: sizes.add(len(bare.execute(sql, [i, *entities]).df()))))
    finally:
        store.close()
        bare.close()
    p, b = sorted(product_times)[len(product_times) // 2], sorted(baseline_times)[len(baseline_times) // 2]
    return Outcome(
        "d",
        f"Indicator page data, 1 indicator x 5 entities, {ws.scale.observations:,} in store",
        p,
        b,
        "<= 3x and < 100 ms",
        p <= 3 * b and p < 0.1,
        note=f"{sorted(sizes)} rows per call",
    )


# --- (e) peak memory of a big import ---------------------------------------------------------------------------


def bench_memory(ws: Workspace, rows: int | None = None) -> Outcome:
    rows = rows or ws.scale.memory_rows
    big = ws.scratch(f"memory-{rows}.csv")
    if not big.exists():
        write_import_csv(big, ws.scale, rows=rows)
    work = _copy_store(ws.store, ws.scratch("memory.duckdb"))
    started = time.perf_counter()
    out = subprocess.run(
        [PYTHON, "-m", "bench.memory_child", str(work), str(big)],
        env=_product_env(work),
        stdout=subprocess.PIPE,  # progress goes to stderr, live
        text=True,
        cwd=REPOSITORY,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if out.returncode != 0:
        raise RuntimeError(f"memory child failed (exit {out.returncode}); see its output above")
    report = json.loads(out.stdout.strip().splitlines()[-1])
    megabytes = report["max_rss_kb"] / 1024
    big.unlink(missing_ok=True)
    return Outcome(
        "e",
        f"peak memory importing {rows:,} rows into a store of {ws.scale.observations:,}",
        megabytes,
        None,
        "< 2048 MB",
        megabytes < 2048,
        unit="MB",
        note=f"{elapsed:.0f} s, {report['added']:,} added; `python -m indicators import`, "
        + ("streamed" if report["streamed"] else "read whole (under the streaming threshold)"),
    )


# --- (f) cold start ------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cold_start(script: Path, db: Path, cwd: Path) -> float:
    port = _free_port()
    command = [
        PYTHON,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    started = time.perf_counter()
    server = subprocess.Popen(command, env=_product_env(db), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"streamlit exited: {server.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started
            except OSError:
                pass
            if time.perf_counter() - started > 300:
                raise RuntimeError("streamlit did not answer within 300 s")
            time.sleep(0.05)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def bench_cold_start(ws: Workspace, repeats: int = 3) -> Outcome:
    hello = ws.scratch("hello") / "hello.py"
    hello.parent.mkdir(parents=True, exist_ok=True)
    hello.write_text('import streamlit as st\n\nst.title("Hello")\nst.write("A hello-sized app.")\n')
    p, b = paired(
        lambda: _cold_start(REPOSITORY / "app.py", ws.store, REPOSITORY),
        lambda: _cold_start(hello, ws.store, hello.parent),
        repeats,
    )
    return Outcome(
        "f",
        f"cold start to healthy /_stcore/health, {ws.scale.observations:,} in store vs hello app",
        p,
        b,
        "<= 1.5x",
        p <= 1.5 * b,
    )


CASES = {
    "import": bench_import,
    "bulkimport": bench_bulk_import,
    "worldbank": bench_world_bank,
    "overview": bench_overview,
    "series": bench_series,
    "memory": bench_memory,
    "coldstart": bench_cold_start,
    "export": bench_export,
}
