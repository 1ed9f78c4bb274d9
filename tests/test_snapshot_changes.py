"""changes.csv in a snapshot: the export derives the change log more cheaply than the ``change_log`` view
does, and must write exactly the bytes the view would, whatever happened to the figures and whatever the
filters."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from indicators.models import Observation
from indicators.snapshot import Filters, apply_restore, build_snapshot, plan_restore, read_archive
from indicators.store import Scope
from tests.snapshot_helpers import add_figures, hostile_store


def _eventful(store):
    """A store whose history holds every kind of change: the seed, an upload adding and correcting figures,
    edits by a user whose name and reasons look like formulas, a deletion, an undo of a correction and an
    undo of that deletion, the same figure from two sources in one batch, and a replace-restore removing
    figures in bulk."""
    hostile_store(store)
    before = build_snapshot(store, Filters(indicators=("trade_volume",))).data
    add_figures(
        store,
        [
            {"indicator": "gdp_growth", "entity": "SRB", "period": "2019", "value": 4.3, "source": "pupin_2024"},
            {"indicator": "gdp_growth", "entity": "USA", "period": "2021", "value": 5.9, "source": "pupin_2024"},
            {"indicator": "gdp_growth", "entity": "USA", "period": "2021", "value": 6.1, "source": "five_areas_2019"},
            {"indicator": "trade_volume", "entity": "SRB-USA", "period": "2018", "value": 1e-7, "source": "pupin_2024"},
            {
                "indicator": "trade_volume",
                "entity": "SRB-USA",
                "period": "2017",
                "value": 123456789012345678.0,
                "source": "pupin_2024",
            },
        ],
        who="=cmd|' /C calc'!A0",
    )
    corrected = store.save_observation(
        Observation(indicator_id="gdp_growth", entity="SRB", period="2019", value=0.1 + 0.2, source_id="pupin_2024"),
        who="@editor",
        reason="+ corrected from the table",
    )
    deleted = store.delete_observation("gdp_growth", "SRB", "2020-Q3", "pupin_2024", who="-me", reason="=dup()")
    store.undo_batch(corrected.batch_id, who="reviewer", reason="the old value was right")
    store.undo_batch(deleted.batch_id, who="reviewer", reason=None)
    # restoring the snapshot taken before the upload (replace mode) removes its new figures in one batch
    plan = plan_restore(store, read_archive(before, name="before.zip"), "replace")
    apply_restore(store, plan, who="restorer", reason="back to the snapshot")
    return store


SCOPES = [
    Scope(),
    Scope(indicators=("gdp_growth",)),
    Scope(indicators=("trade_volume", "gdp_growth")),
    Scope(entities=("SRB",)),
    Scope(start_min=dt.date(2019, 1, 1)),
    Scope(
        indicators=("gdp_growth",),
        entities=("SRB", "USA"),
        start_min=dt.date(2018, 1, 1),
        start_max=dt.date(2020, 12, 31),
    ),
]


@pytest.mark.parametrize("scope", SCOPES, ids=lambda scope: repr(scope))
def test_the_exported_change_log_is_byte_for_byte_the_views(store, tmp_path, scope):
    _eventful(store)
    log = store.snapshot_changes(Scope())
    assert {"add", "change", "delete"} <= set(log["action"])  # every kind of row is there to compare
    assert {"edit", "delete", "undo", "restore"} <= set(log["kind"])
    reference, derived = tmp_path / "view.csv", tmp_path / "derived.csv"
    rows = store.snapshot_changes_csv_from_view(reference, scope)
    assert store.snapshot_changes_csv(derived, scope) == rows
    assert derived.read_bytes() == reference.read_bytes()
    # and it is the change log the workbook shows: the same rows, formulas neutralised
    table = pd.read_csv(derived, dtype=str, keep_default_na=False)
    assert len(table) == len(store.snapshot_changes(scope)) == rows
    if scope == Scope():
        assert "'=cmd|' /C calc'!A0" in set(table["who"]) and "'=dup()" in set(table["reason"])
        assert "0.3" in set(table["new_value"]) and "1.23456789012346e+17" in set(table["new_value"])


def test_an_empty_change_log_writes_only_the_header(empty_store, tmp_path):
    path = tmp_path / "changes.csv"
    assert empty_store.snapshot_changes_csv(path) == 0
    assert path.read_text().splitlines() == [
        "batch_id,kind,who,changed_at,reason,indicator_id,entity,period,source_id,action,old_value,new_value,"
        "old_qualifier,new_qualifier"
    ]


def test_observations_csv_read_back_from_parquet_keeps_the_files_order(store, tmp_path):
    """observations.csv is read from the sorted observations.parquet: a file of many row groups, read by
    several threads, must come out in the file's order, formulas neutralised, as our CSV writer writes it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from indicators.csvformat import observations_csv

    rows = 40_000
    frame = pd.DataFrame(
        {
            "indicator": [f"ind_{(n * 7919) % 97:02d}" for n in range(rows)],  # in no order DuckDB could infer
            "entity": ["SRB" if n % 3 else "USA" for n in range(rows)],
            "period": [str(1960 + (n * 31) % 64) for n in range(rows)],
            "value": [n * 0.25 - 100 for n in range(rows)],
            "unit": "percent",
            "qualifier": "exactly",
            "source": "pupin_2024",
            "quote": [None if n % 1000 else "=1+1" for n in range(rows)],
            "note": [None if n % 777 else "-x" for n in range(rows)],
        }
    )
    parquet = tmp_path / "observations.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), parquet, row_group_size=1_000)
    written = tmp_path / "observations.csv"
    assert store.snapshot_csv(written, parquet=parquet) == rows
    assert written.read_bytes() == observations_csv(frame)
