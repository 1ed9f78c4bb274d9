"""The store: seeding is idempotent, edits survive restarts and seed updates, versions are kept, and a
second process can use the file while the dashboard has it."""

import os
import shutil
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest

from indicators.bootstrap import prepare
from indicators.config import DATA_DIR
from indicators.seed import apply_seed
from indicators.store import ReadOnlyStore, Store, StoreBusy
from indicators.validate import validate_observations
from tests.conftest import REPOSITORY


def _rows(store, **figure):
    frame = pd.DataFrame([{"row": 2, "entity": "", "unit": "", "qualifier": "", "quote": "", "note": "", **figure}])
    result = validate_observations(frame, store.indicator_map())
    assert result.ok, result.problems
    return result.rows


def test_a_new_store_holds_every_figure_of_both_papers(store):
    assert len(store.claims()) == 22
    counts = store.counts()
    assert counts["observations"] > 22  # and the official reference series beside them
    assert counts["indicators"] == len(pd.read_csv(DATA_DIR / "indicators.csv"))


def test_seeding_twice_adds_nothing(store):
    before = store.counts()
    assert apply_seed(store) is None  # same checksum: nothing to do
    forced = apply_seed(store, force=True)
    assert (forced.added, forced.changed) == (0, 0)
    assert store.counts() == before


def test_a_users_edit_survives_a_restart_and_a_seed_data_update(tmp_path):
    path = tmp_path / "store.duckdb"
    store = prepare(Store(path, idle_release=0))
    store.write_observations(
        _rows(store, indicator="gdp_growth", entity="SRB", period="2024", value="3.9", source="pupin_2024"),
        kind="edit",
        who="analyst",
        reason="typo in the paper",
    )
    store.close()

    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    figures = (data / "figures.csv").read_text(encoding="utf-8")
    (data / "figures.csv").write_text(figures.replace("gdp_growth,SRB,2024,3.8", "gdp_growth,SRB,2024,3.7"), "utf-8")

    reopened = prepare(Store(path, idle_release=0))
    result = apply_seed(reopened, data)
    assert result.skipped == 1  # the seed's correction does not override the analyst
    series = reopened.series("gdp_growth")
    series = series[series["source_id"] == "pupin_2024"]
    assert list(series["value"]) == [3.9]
    assert list(series["recorded_by"]) == ["analyst"]


def test_a_correction_keeps_the_old_version_and_the_store_can_show_it_as_recorded_before(store):
    def paper_figure(**when):
        series = store.series("gdp_growth", **when)
        return list(series[series["source_id"] == "pupin_2024"]["value"])

    before = store.series("gdp_growth")["recorded_at"].max()
    time.sleep(0.01)
    store.write_observations(
        _rows(store, indicator="gdp_growth", entity="SRB", period="2024", value="3.9", source="pupin_2024"),
        kind="edit",
        who="analyst",
        reason="correction",
    )
    assert paper_figure() == [3.9]
    assert paper_figure(as_of=before.to_pydatetime()) == [3.8]
    change = store.query_df("SELECT action, old_value, new_value, who FROM change_log WHERE kind = 'edit'")
    assert change.to_dict("records") == [{"action": "change", "old_value": 3.8, "new_value": 3.9, "who": "analyst"}]


def test_a_failed_write_leaves_nothing_behind(store):
    before = store.counts()
    with pytest.raises(RuntimeError), store.transaction() as con:
        con.execute("DELETE FROM observation")
        raise RuntimeError("the power went out")
    assert store.counts() == before


def test_a_read_only_store_refuses_writes(tmp_path):
    path = tmp_path / "store.duckdb"
    prepare(Store(path, idle_release=0)).close()
    read_only = Store(path, read_only=True, idle_release=0)
    assert len(read_only.claims()) == 22
    with pytest.raises(ReadOnlyStore, match="read-only"):
        read_only.write_observations(
            _rows(read_only, indicator="gdp_growth", entity="SRB", period="2025", value="3", source="pupin_2024"),
            kind="edit",
            who="x",
            reason="y",
        )


def test_the_version_token_changes_after_a_write(tmp_path):
    store = prepare(Store(tmp_path / "store.duckdb"))
    token = store.version_token()
    assert store.version_token() == token
    store.set_meta("touched", "yes")
    assert store.version_token() != token


def _cli(*args, env_path, timeout=60):
    env = {**os.environ, "INDICATORS_DB": str(env_path), "PYTHONPATH": str(REPOSITORY)}
    return subprocess.run(
        [sys.executable, "-m", "indicators", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def test_a_second_process_can_read_while_the_dashboard_holds_the_store(tmp_path):
    path = tmp_path / "store.duckdb"
    dashboard = prepare(Store(path, idle_release=0.3))
    holding = threading.Event()

    def long_page_run():
        with dashboard.cursor() as cursor:  # a page in the middle of its queries holds the file
            holding.set()
            time.sleep(1.5)
            cursor.execute("SELECT 1").fetchall()

    reader = threading.Thread(target=long_page_run)
    reader.start()
    holding.wait()
    started = time.monotonic()
    result = _cli("show", "trade_volume", env_path=path)
    reader.join()
    assert result.returncode == 0, result.stderr
    assert "trade_volume,SRB-USA,2017,400000000,USD,more than,mfa_serbia_bilateral" in result.stdout
    assert time.monotonic() - started >= 1.0  # it waited for the page run, then read
    assert len(dashboard.claims()) == 22  # and the dashboard reopens the file afterwards


def test_a_store_held_too_long_by_another_process_is_reported_busy(tmp_path):
    path = tmp_path / "store.duckdb"
    prepare(Store(path, idle_release=0)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(path)!r}); print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreBusy, match="busy: another program"):
            Store(path, busy_timeout=0.5).counts()
    finally:
        holder.kill()
        holder.wait()


def test_a_read_only_store_opens_while_this_process_holds_the_file_read_write(tmp_path):
    path = tmp_path / "store.duckdb"
    writer = prepare(Store(path, idle_release=60))  # keeps the file open read-write for a minute
    writer.counts()
    viewer = Store(path, read_only=True)
    assert viewer.counts()["observations"] == writer.counts()["observations"]
    with pytest.raises(ReadOnlyStore):
        viewer.set_meta("x", "y")
    writer.close()
