"""Import N rows in our CSV format with our importer vs bare DuckDB, in the same run.

    PYTHONPATH=. python bench/ingest.py [--rows 1000000] [--repeats 3]

"ours" = read_upload (decode, dialect, format) + plan_upload (vectorised validation with the models' rules,
preview against the store) + commit_upload (one transaction into a seeded store). "bare" = DuckDB
`CREATE TABLE t AS SELECT * FROM read_csv(path)` on the same file. Each run is a fresh subprocess, so the
peak memory (ru_maxrss) is that method's own. Prints medians, the ratio and the peaks. Target: ours <= 2x
bare, under 1 GB. "floor" = bare SQL inserting the same rows as new versions into the same seeded store (what
the import cannot avoid), so the report says how far the product is from it as well as from the copy.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ENTITIES = [
    "SRB", "USA", "HRV", "HUN", "ROU", "BGR", "BIH", "MNE", "MKD", "ALB", "XKX", "AUT", "DEU", "FRA", "ITA", "ESP",
    "PRT", "NLD", "BEL", "LUX", "IRL", "DNK", "SWE", "FIN", "EST", "LVA", "LTU", "POL", "CZE", "SVK", "SVN", "GRC",
    "CYP", "MLT", "GBR", "NOR", "CHE", "TUR", "UKR", "MDA",
]  # fmt: skip


def _clock() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), usage.ru_utime + usage.ru_stime


def _since(started: tuple[float, float]) -> tuple[float, float]:
    """(wall, CPU) seconds since ``_clock()``: the CPU of every thread of the process, steadier than the wall
    time on a loaded machine when comparing two versions of the product."""
    now = _clock()
    return now[0] - started[0], now[1] - started[1]


def generate(path: Path, rows: int) -> None:
    """rows distinct figures: gdp_growth for 40 entities x daily periods from 1950, values in range."""
    rng = np.random.default_rng(7)
    days = pd.date_range("1950-01-01", periods=rows // len(ENTITIES) + 1, freq="D").strftime("%Y-%m-%d")
    frame = pd.DataFrame(
        {
            "indicator": "gdp_growth",
            "entity": np.tile(ENTITIES, len(days))[:rows],
            "period": np.repeat(days, len(ENTITIES))[:rows],
            "value": np.round(rng.uniform(-10, 10, rows), 3),
            "unit": "percent",
            "qualifier": "exactly",
            "source": "bench",
            "quote": "",
            "note": "",
        }
    )
    frame.to_csv(path, index=False)


def run_ours(path: Path) -> tuple[float, float]:
    from indicators.bootstrap import prepare
    from indicators.ingest import Options, commit_upload, plan_upload, read_upload
    from indicators.models import Source
    from indicators.store import Store

    store = prepare(Store())
    store.save_source(Source(id="bench", title="Benchmark", kind="user"), who="bench", reason="bench")
    started = _clock()
    parsed = read_upload(path.read_bytes(), path.name, Options(max_mb=10_000))
    plan = plan_upload(store, parsed)
    assert plan.validated.ok, plan.problems.head()
    result = commit_upload(store, plan, who="bench")
    elapsed = _since(started)
    assert result.added == len(parsed.table), result
    return elapsed


def run_bare(path: Path) -> tuple[float, float]:
    import duckdb

    con = duckdb.connect()
    started = _clock()
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(path)])
    elapsed = _since(started)
    assert con.execute("SELECT count(*) FROM t").fetchone()[0] > 0
    return elapsed


def run_floor(path: Path) -> tuple[float, float]:
    """The least the import must do: bare SQL reading the file and inserting its rows as new versions into the
    same seeded in-memory store, in one transaction (no checks, no messages, no dialect detection; the first
    day of a period from its year alone; bench/floor.py's statements without the classification, which
    the product skips too when every figure is new)."""
    from bench.floor import _READ_OURS
    from indicators.bootstrap import prepare
    from indicators.store import Store

    store = prepare(Store())
    started = _clock()
    with store.transaction() as con:
        con.execute(_READ_OURS, [str(path)])
        con.execute(
            """
            INSERT INTO observation (id, indicator_id, entity, period, period_start, value, qualifier, source_id,
                                     quote, note, batch_id, recorded_at, recorded_by)
            SELECT (SELECT max(id) FROM observation) + 1 + rowid - (SELECT min(rowid) FROM incoming), indicator_id,
                   entity, period, make_date(TRY_CAST(left(period, 4) AS INTEGER), 1, 1), value, qualifier,
                   source_id, quote, note, 0, now()::TIMESTAMP, 'floor'
            FROM incoming
            """
        )
    elapsed = _since(started)
    assert store.query_value("SELECT count(*) FROM observation WHERE recorded_by = 'floor'") > 0
    return elapsed


METHODS = {"bare": run_bare, "floor": run_floor, "ours": run_ours}


def child(method: str, path: Path) -> None:
    elapsed, cpu = METHODS[method](path)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak_mb": peak_mb}))


def measure(method: str, path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", method, "--file", str(path)], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"{method} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=sorted(METHODS), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file)
        return
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bench.csv"
        generate(path, args.rows)
        print(f"{args.rows:,} rows, {path.stat().st_size / 2**20:.1f} MB, {args.repeats} runs each")
        results: dict[str, list[dict]] = {method: [] for method in METHODS}
        for _ in range(args.repeats):  # taken in turns, so that a change in the machine's load hits all three
            for method in METHODS:
                results[method].append(measure(method, path))
    medians = {m: statistics.median(r["seconds"] for r in runs) for m, runs in results.items()}
    peaks = {m: max(r["peak_mb"] for r in runs) for m, runs in results.items()}
    cpu = {m: statistics.median(r["cpu"] for r in runs) for m, runs in results.items()}
    for method in METHODS:
        print(
            f"{method:>5}: median {medians[method]:.2f} s, peak memory {peaks[method]:.0f} MB (CPU {cpu[method]:.2f} s)"
        )
    print(f"CPU ours/bare: {cpu['ours'] / cpu['bare']:.1f}x, floor/bare {cpu['floor'] / cpu['bare']:.1f}x")
    ratio = medians["ours"] / medians["bare"]
    floor = medians["floor"] / medians["bare"]
    print(f"ratio ours/bare: {ratio:.1f}x (target <= 2x); ours peak {peaks['ours']:.0f} MB (target < 1024 MB)")
    print(
        f"floor (bare SQL inserting the same rows into the seeded store): {floor:.1f}x bare; ours/floor "
        f"{medians['ours'] / medians['floor']:.1f}x"
    )


if __name__ == "__main__":
    main()
