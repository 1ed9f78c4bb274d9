"""``python -m bench [--scale small|full] [--only NAME ...] [--fresh]``: generate the data (under /tmp), run
the benchmarks, print medians and ratios, and append them to ``bench/results.md``."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.cases import CASES, Workspace, build_baseline_db
from bench.generate import SCALES, generate_store, write_import_csv, write_world_bank_csv
from bench.timing import append_results


def _seed_store(path: Path) -> None:
    from indicators.bootstrap import prepare
    from indicators.store import Store

    for stale in (path, Path(f"{path}.wal")):
        stale.unlink(missing_ok=True)
    store = prepare(Store(path, idle_release=0))
    store.close()


def prepare_workspace(ws: Workspace, fresh: bool) -> None:
    if fresh and ws.root.exists():
        shutil.rmtree(ws.root)
    ws.root.mkdir(parents=True, exist_ok=True)
    steps = [
        (ws.store, lambda: generate_store(ws.store, ws.scale)),
        (ws.seed_store, lambda: _seed_store(ws.seed_store)),
        (ws.import_csv, lambda: write_import_csv(ws.import_csv, ws.scale)),
        (ws.wdi_csv, lambda: write_world_bank_csv(ws.wdi_csv, ws.scale)),
        (ws.baseline_db, lambda: build_baseline_db(ws)),
    ]
    for path, make in steps:
        if not path.exists():
            started = time.perf_counter()
            make()
            print(f"generated {path.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--only", action="append", choices=sorted(CASES), help="run only this benchmark (repeatable)")
    parser.add_argument("--dir", type=Path, help="where to generate the data (default: a folder under /tmp)")
    parser.add_argument("--fresh", action="store_true", help="regenerate the data")
    parser.add_argument("--keep", action="store_true", help="keep the generated data afterwards")
    parser.add_argument("--memory-rows", type=int, help="rows for the peak-memory import (default: the scale's)")
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/results.md")
    args = parser.parse_args(argv)

    scale = SCALES[args.scale]
    root = args.dir or Path(tempfile.gettempdir()) / f"indicators-bench-{scale.name}"
    ws = Workspace(root, scale)
    prepare_workspace(ws, args.fresh)
    outcomes = []
    for name in args.only or list(CASES):
        print(f"running {name} ...", file=sys.stderr, flush=True)
        outcome = CASES[name](ws, args.memory_rows) if name == "memory" else CASES[name](ws)
        print(outcome.line(), flush=True)
        outcomes.append(outcome)
    if not args.no_record:
        append_results(outcomes, scale.name)
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0 if all(o.met is not False for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
