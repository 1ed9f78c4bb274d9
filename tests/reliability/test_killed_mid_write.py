"""A large import is killed with SIGKILL before, during and after its commit. Each time the reopened store
holds all of that batch or none of it, and every figure written earlier is exactly as it was.

The child (child_big_write.py) writes 300,000 generated figures in one ``write_observations`` call; 1,000
of them correct figures an earlier batch recorded, so a half-applied batch would show up as superseded rows
without their replacements. The kill moments are spread over the measured length of the write.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from child_big_write import generated_rows
from killing import wait_for

from indicators.bootstrap import prepare
from indicators.store import Store

CHILD = Path(__file__).parent / "child_big_write.py"
REPOSITORY = Path(__file__).resolve().parents[2]
ROWS = 300_000
EARLIER = 1_000  # figures of an earlier batch that the big batch corrects
# When to kill, as a fraction of the measured write time after the child says WRITING; None = right after
# BUILT (before the write starts), "after" = after COMMITTED but before the store is closed (WAL not merged).
KILL_POINTS = ["before", 0.05, 0.25, 0.5, 0.75, 0.95, "after"]


def _child(path: Path, marker: str) -> subprocess.Popen:
    env = {"PYTHONPATH": str(REPOSITORY), "PATH": "/usr/bin:/bin"}
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(path), str(ROWS), marker],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPOSITORY,
    )


def _current(path: Path) -> pd.DataFrame:
    store = Store(path, idle_release=0)
    try:
        return store.query_df(
            "SELECT id, indicator_id, entity, period, value, qualifier, source_id, quote, note, batch_id "
            "FROM current_observation ORDER BY id"
        )
    finally:
        store.close()


@pytest.fixture(scope="module")
def base_store(tmp_path_factory) -> Path:
    """A seeded store plus an earlier batch of 1,000 figures that the big write will correct."""
    path = tmp_path_factory.mktemp("crash") / "base.duckdb"
    store = prepare(Store(path, idle_release=0))
    earlier = generated_rows(EARLIER, "earlier batch")
    earlier["value"] = -1.0
    store.write_observations(earlier, kind="upload", who="tester", reason="earlier batch")
    store.close()
    return path


def _measure_write(base: Path, tmp_path: Path) -> float:
    copy = tmp_path / "calibrate.duckdb"
    shutil.copy(base, copy)
    child = _child(copy, "calibration")
    wait_for(child, "WRITING")
    started = time.monotonic()
    wait_for(child, "COMMITTED")
    elapsed = time.monotonic() - started
    child.wait(timeout=30)
    return elapsed


def test_a_killed_import_leaves_all_of_its_batch_or_none_and_everything_earlier_intact(base_store, tmp_path):
    before = _current(base_store)
    assert (before["note"] == "earlier batch").sum() == EARLIER
    write_seconds = _measure_write(base_store, tmp_path)
    outcomes = []
    for point in KILL_POINTS:
        path = tmp_path / f"killed-{point}.duckdb"
        shutil.copy(base_store, path)
        marker = f"kill at {point}"
        child = _child(path, marker)
        if point == "before":
            wait_for(child, "BUILT")
        elif point == "after":
            wait_for(child, "COMMITTED")
        else:
            wait_for(child, "WRITING")
            time.sleep(point * write_seconds)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        child.stdout.close()

        after = _current(path)
        mine = after[after["note"] == marker]
        assert len(mine) in (0, ROWS), f"killed at {point}: {len(mine)} of {ROWS} rows of the batch survived"
        untouched = after[after["note"] != marker].reset_index(drop=True)
        if mine.empty:
            pd.testing.assert_frame_equal(untouched, before, obj=f"store after a kill at {point}")
            outcomes.append("none")
        else:
            # the batch is whole: it replaced exactly the 1,000 earlier figures, the seed is untouched
            expected = before[before["note"] != "earlier batch"].reset_index(drop=True)
            pd.testing.assert_frame_equal(untouched, expected, obj=f"store after a kill at {point}")
            assert mine["batch_id"].nunique() == 1
            outcomes.append("all")
    # the experiment covered both outcomes: killed before the commit (none) and after it (all)
    assert outcomes[0] == "none" and outcomes[-1] == "all", outcomes
    summary = dict(zip(map(str, KILL_POINTS), outcomes, strict=True))
    print(f"write of {ROWS} rows took {write_seconds:.2f} s; outcome by kill point: {summary}")
