"""The real command line, killed while it restores: ``python -m indicators restore SNAPSHOT`` of a snapshot
of 60,000 figures is SIGKILLed just before its write and at several moments of it, in replace mode and in
merge mode. Each time the reopened store holds either exactly what it held before (every figure, id and
batch) or exactly what a restore that was let finish leaves, and the figures outside the snapshot are
untouched either way.

Between the export and the restore, half of the snapshotted figures were corrected and 6,000 new ones
added, so both modes have work to do: replace puts back 30,000 values and removes the 6,000 figures; merge
puts back the values and keeps the new figures.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from killing import wait_for
from live_dashboard import REPOSITORY

from indicators.bootstrap import prepare
from indicators.snapshot import Filters, export_snapshot
from indicators.store import Store

SCOPE = ("gdp_growth", "eu_share_exports")  # the snapshot holds these two indicators only
ROWS = 60_000
CORRECTED = ROWS // 2
ADDED = 6_000
PLANNED = "indicator\tadded"  # the CLI prints its per-indicator summary after planning, before writing
RESTORED = "Restored as batch"
# kill moments, as fractions of the measured time from the printed plan to the report of a finished restore;
# each mode also has one run killed right after it reported its batch (the whole restore, for comparison)
KILLS = {"replace": [0.0, 0.3, 0.65], "merge": [0.5]}
CONTENT = ["indicator_id", "entity", "period", "source_id", "value", "qualifier", "quote", "note"]


def _figures(count: int, note: str, first_day: int = 0) -> pd.DataFrame:
    """``count`` valid figures, half on each indicator of SCOPE, one per day from 1900-01-01 + first_day."""
    per_indicator = count // len(SCOPE)
    days = pd.date_range("1900-01-01", periods=first_day + per_indicator, freq="D")[first_day:]
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "indicator_id": indicator,
                    "entity": "SRB",
                    "period": days.strftime("%Y-%m-%d"),
                    "period_start": days,
                    "value": (pd.RangeIndex(per_indicator) % 40).astype(float),
                    "qualifier": "exactly",
                    "source_id": "pupin_2024",
                    "quote": pd.NA,
                    "note": note,
                }
            )
            for indicator in SCOPE
        ],
        ignore_index=True,
    )


def _state(path: Path) -> tuple[pd.DataFrame, int]:
    """Every current figure (with its id and batch) and the number of batches."""
    store = Store(path, idle_release=0)
    try:
        figures = store.query_df(f"SELECT id, batch_id, {', '.join(CONTENT)} FROM current_observation ORDER BY id")
        return figures, int(store.query_value("SELECT count(*) FROM batch"))
    finally:
        store.close()


def _content(figures: pd.DataFrame) -> pd.DataFrame:
    return figures[CONTENT].sort_values(CONTENT[:4]).reset_index(drop=True)


def _outside(figures: pd.DataFrame) -> pd.DataFrame:
    return figures[~figures["indicator_id"].isin(SCOPE)].reset_index(drop=True)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Path, Path]:
    """(store file, snapshot): the snapshot of SCOPE was taken before the store's last two batches."""
    folder = tmp_path_factory.mktemp("restore")
    store = prepare(Store(folder / "base.duckdb", idle_release=0))
    store.write_observations(_figures(ROWS, "as snapshotted"), kind="upload", who="tester", reason="snapshotted")
    snapshot, _ = export_snapshot(store, folder / "snapshot.zip", Filters(indicators=SCOPE))
    corrected = _figures(ROWS, "corrected later").groupby("indicator_id").head(CORRECTED // len(SCOPE))
    corrected["value"] += 1
    store.write_observations(corrected, kind="upload", who="tester", reason="corrected later")
    added = _figures(ADDED, "added later", first_day=ROWS)
    store.write_observations(added, kind="upload", who="tester", reason="added later")
    store.close()
    return folder / "base.duckdb", snapshot


def _restore(path: Path, snapshot: Path, mode: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY), "INDICATORS_DB": str(path), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "indicators", "restore", str(snapshot), "--mode", mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=REPOSITORY,
    )


def _killed(base: Path, snapshot: Path, mode: str, path: Path, point: float | str, write_seconds: float) -> None:
    """Run a restore on a copy of ``base`` at ``path`` and SIGKILL it ``point`` x ``write_seconds`` after it
    printed its plan, or as soon as it printed RESTORED."""
    shutil.copy(base, path)
    child = _restore(path, snapshot, mode)
    if point == RESTORED:
        wait_for(child, RESTORED, "the restore")
    else:
        wait_for(child, PLANNED, "the restore")
        time.sleep(point * write_seconds)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()


def _finished(base: Path, snapshot: Path, mode: str, path: Path) -> float:
    """Restore on a copy of ``base`` at ``path``, killed once it reported the batch (the store is closed by
    then): the state a whole restore leaves, and how long it ran from printing its plan to reporting."""
    shutil.copy(base, path)
    child = _restore(path, snapshot, mode)
    wait_for(child, PLANNED, "the restore")
    started = time.monotonic()
    wait_for(child, RESTORED, "the restore")
    elapsed = time.monotonic() - started
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()
    return elapsed


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["replace", "merge"])
def test_a_killed_restore_leaves_the_store_as_it_was_or_wholly_restored(prepared, mode, tmp_path):
    base, snapshot = prepared
    before, before_batches = _state(base)
    write_seconds = _finished(base, snapshot, mode, tmp_path / f"finished-{mode}.duckdb")
    after, after_batches = _state(tmp_path / f"finished-{mode}.duckdb")
    assert after_batches == before_batches + 1
    notes = after.loc[after["indicator_id"].isin(SCOPE), "note"].value_counts()
    assert notes["as snapshotted"] == ROWS and "corrected later" not in notes
    assert notes.get("added later", 0) == (0 if mode == "replace" else ADDED)
    pd.testing.assert_frame_equal(_outside(after), _outside(before))

    outcomes = []
    for point in KILLS[mode]:
        path = tmp_path / f"killed-{mode}-{point}.duckdb"
        _killed(base, snapshot, mode, path, point, write_seconds)
        figures, batches = _state(path)
        if batches == before_batches:
            pd.testing.assert_frame_equal(figures, before, obj=f"store after a kill at {point}")
            outcomes.append("none")
        else:
            assert batches == after_batches, f"killed at {point}: {batches} batches"
            pd.testing.assert_frame_equal(_content(figures), _content(after), obj=f"store after a kill at {point}")
            pd.testing.assert_frame_equal(_outside(figures), _outside(before), obj="figures outside the snapshot")
            outcomes.append("all")
    if mode == "replace":  # the first kill lands before the write starts
        assert outcomes[0] == "none", outcomes
    summary = dict(zip(map(str, KILLS[mode]), outcomes, strict=True))
    print(f"{mode} restore wrote for {write_seconds:.2f} s after planning; outcome by kill point: {summary}")
