"""The real command line, killed: ``python -m indicators import`` of a 60,000-row CSV is SIGKILLed at
several moments of its run (timed against an import that was let finish). Each time the reopened store
holds all of that import or none of it, and every earlier figure is intact."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from live_dashboard import REPOSITORY, env_for

from indicators.bootstrap import prepare
from indicators.store import Store

ROWS = 60_000
FRACTIONS = (0.3, 0.6, 0.8, 0.95)


def _csv(path: Path) -> None:
    days = pd.date_range("1900-01-01", periods=ROWS // 2, freq="D")  # 1900-1982: valid periods
    pd.DataFrame(
        {
            "indicator": "gdp_growth",
            "entity": ["SRB"] * len(days) + ["USA"] * len(days),
            "period": list(days.strftime("%Y-%m-%d")) * 2,
            "value": (pd.RangeIndex(ROWS) % 50) / 10,
            "unit": "percent",
            "qualifier": "exactly",
            "source": "pupin_2024",
            "quote": "",
            "note": "imported by the command line",
        }
    ).to_csv(path, index=False)


def _current(path: Path) -> pd.DataFrame:
    store = Store(path, idle_release=0)
    try:
        return store.query_df(
            "SELECT id, indicator_id, entity, period, value, note FROM current_observation ORDER BY id"
        )
    finally:
        store.close()


def _import(path: Path, upload: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "indicators", "import", str(upload)],
        stdout=subprocess.DEVNULL,
        stderr=(path.parent / f"{path.stem}.stderr").open("w"),
        env=env_for(path),
        cwd=REPOSITORY,
    )


@pytest.mark.slow
def test_a_killed_command_line_import_leaves_all_or_nothing(tmp_path):
    upload = tmp_path / "figures.csv"
    _csv(upload)
    base = tmp_path / "base.duckdb"
    prepare(Store(base, idle_release=0)).close()
    before = _current(base)

    finished = tmp_path / "finished.duckdb"
    shutil.copy(base, finished)
    started = time.monotonic()
    child = _import(finished, upload)
    assert child.wait(timeout=300) == 0, (tmp_path / "finished.stderr").read_text()[-2000:]
    full = time.monotonic() - started
    assert (_current(finished)["note"] == "imported by the command line").sum() == ROWS

    outcomes = []
    for fraction in FRACTIONS:
        path = tmp_path / f"killed-{fraction}.duckdb"
        shutil.copy(base, path)
        child = _import(path, upload)
        time.sleep(full * fraction)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        after = _current(path)
        mine = after["note"] == "imported by the command line"
        assert mine.sum() in (0, ROWS), f"killed at {fraction:.0%}: {mine.sum()} of {ROWS} figures"
        pd.testing.assert_frame_equal(after[~mine].reset_index(drop=True), before)
        outcomes.append("all" if mine.sum() else "none")
    summary = dict(zip(FRACTIONS, outcomes, strict=True))
    print(f"import of {ROWS} rows took {full:.1f} s; outcome by kill point: {summary}")
