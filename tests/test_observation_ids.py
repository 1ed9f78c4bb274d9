"""Every version of every figure has its own id, which the change log, undo and the history page point at.
Writes hand the ids out themselves (one past the largest, schema.NEXT_OBSERVATION_ID): these stories check
that no two versions ever share one, whichever way they were written, and that a store from before keeps
its ids and carries on after them."""

from __future__ import annotations

import threading

import duckdb
import pandas as pd
import pytest

import indicators.store.base as store_base
from indicators.bootstrap import prepare
from indicators.models import Observation
from indicators.seed import load_seed
from indicators.store import Store
from indicators.store.schema import MIGRATIONS


def _figures(indicator: str, periods: range, note: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": indicator,
            "entity": "SRB",
            "period": [str(year) for year in periods],
            "period_start": pd.to_datetime([f"{year}-01-01" for year in periods]),
            "value": [float(year % 97) for year in periods],
            "qualifier": "exactly",
            "source_id": "pupin_2024",
            "quote": pd.NA,
            "note": note,
        }
    )


def _ids(store: Store) -> pd.Series:
    return store.query_df("SELECT id FROM observation ORDER BY id")["id"]


def test_edits_uploads_deletions_and_undos_never_share_an_id(store):
    store.write_observations(_figures("gdp_growth", range(1900, 1950), "first"), kind="upload", who="a", reason="r")
    upload = store.write_observations(
        _figures("gdp_growth", range(1925, 1975), "second"), kind="upload", who="a", reason="r"
    )
    figure = {"indicator_id": "gdp_growth", "entity": "SRB", "period": "1910", "source_id": "pupin_2024"}
    store.save_observation(Observation.model_validate({**figure, "value": 1.5}), who="b", reason="revised")
    deletion = store.delete_observation("gdp_growth", "SRB", "1911", "pupin_2024", who="b", reason="withdrawn")
    store.undo_batch(upload.batch_id, who="c", reason="wrong file")
    store.undo_batch(deletion.batch_id, who="c", reason="withdrawn by mistake")
    # a big file's chunks, written part by part (store/chunked.py)
    store.write_observations(
        [_figures("gdp_growth", range(1990, 2010), "chunk 1"), _figures("trade_volume", range(1990, 2010), "chunk 2")],
        kind="upload",
        who="d",
        reason="streamed",
    )
    ids = _ids(store)
    assert ids.is_unique
    assert ids.min() >= 1
    # compact: one past the largest each time (a write numbering from a temp table's row ids once jumped by 2^55)
    assert ids.max() < 2 * len(ids)
    # a newer version always has a larger id than the one it replaced
    replaced = store.query_df(
        "SELECT o.id AS old, n.id AS new FROM observation o JOIN observation n ON o.superseded_batch = n.batch_id "
        "AND o.indicator_id = n.indicator_id AND o.entity = n.entity AND o.period = n.period "
        "AND o.source_id = n.source_id"
    )
    assert len(replaced) > 50 and (replaced["new"] > replaced["old"]).all()


def test_two_stores_on_one_file_writing_at_once_never_share_an_id(tmp_path):
    path = tmp_path / "store.duckdb"
    prepare(Store(path, idle_release=0)).close()
    dashboard, command = Store(path, idle_release=5), Store(path, idle_release=5)
    failures: list[BaseException] = []

    def write(store: Store, indicator: str) -> None:
        try:
            for start in range(1800, 2000, 20):
                store.write_observations(
                    _figures(indicator, range(start, start + 20), indicator), kind="upload", who="t", reason="r"
                )
        except BaseException as error:  # reported below: a thread's exception would otherwise vanish
            failures.append(error)

    threads = [
        threading.Thread(target=write, args=(dashboard, "gdp_growth")),
        threading.Thread(target=write, args=(command, "trade_volume")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    ids = _ids(dashboard)
    assert ids.is_unique
    assert dashboard.query_value("SELECT count(*) FROM observation WHERE recorded_by = 't'") == 400
    dashboard.close()
    command.close()


def test_a_store_from_before_keeps_its_ids_and_new_figures_follow_them(tmp_path, monkeypatch):
    path = tmp_path / "store.duckdb"
    before = MIGRATIONS[:3]  # the schema of the release that drew ids from a sequence
    monkeypatch.setattr(store_base, "MIGRATIONS", before)
    monkeypatch.setattr(store_base, "SCHEMA_VERSION", len(before))
    old = Store(path, idle_release=0)
    old.migrate()
    seed = load_seed()  # the bundled sources and indicators, as a first start loads them
    old.upsert_catalog(seed.sources, seed.indicators)
    old.write_observations(_figures("gdp_growth", range(1900, 2000), "old"), kind="upload", who="a", reason="r")
    old_ids = _ids(old)
    old.close()

    monkeypatch.setattr(store_base, "MIGRATIONS", MIGRATIONS)
    monkeypatch.setattr(store_base, "SCHEMA_VERSION", len(MIGRATIONS))
    store = Store(path, idle_release=0)
    assert store.migrate() == ["0004_observation_ids", "0005_sparkline_frequency"]
    pd.testing.assert_series_equal(_ids(store), old_ids)
    store.write_observations(_figures("gdp_growth", range(1950, 2050), "new"), kind="upload", who="a", reason="r")
    ids = _ids(store)
    assert ids.is_unique
    assert store.query_value("SELECT min(id) FROM observation WHERE note = 'new'") == old_ids.max() + 1
    store.close()


def test_an_insert_that_forgets_the_id_is_refused_rather_than_given_a_used_one(store):
    with pytest.raises(duckdb.ConstraintException), store.cursor() as con:
        con.execute(
            "INSERT INTO observation (indicator_id, entity, period, period_start, value, qualifier, source_id, "
            "batch_id, recorded_at, recorded_by) VALUES ('gdp_growth', 'SRB', '1800', DATE '1800-01-01', 1, "
            "'exactly', 'pupin_2024', 1, now()::TIMESTAMP, 'x')"
        )
