"""The store keeps every version: edits, deletions, as-of reads, undo and undo of an undo, conflicts."""

from __future__ import annotations

import time

import pytest

from indicators.bootstrap import prepare
from indicators.models import Observation, Source
from indicators.store import EditConflict, ReadOnlyStore, Store, StoreError, UndoRefused, utc_now

KEY = ("gdp_growth", "SRB", "2024", "pupin_2024")


def figure(value: float, period: str = "2024", **extra) -> Observation:
    data = {"indicator_id": "gdp_growth", "entity": "SRB", "period": period, "value": value}
    data["source_id"] = extra.pop("source_id", "pupin_2024")
    return Observation.model_validate({**data, **extra})


def snapshot(store: Store) -> list[tuple]:
    """Everything a reader can see: the current figures with their contents."""
    return store.query_rows(
        "SELECT indicator_id, entity, period, source_id, value, qualifier, quote, note FROM current_observation "
        "ORDER BY ALL"
    )


def test_a_correction_keeps_the_old_version_and_as_of_reads_see_it(store):
    before = store.current_version(*KEY)
    assert before.value == 3.8
    moment = utc_now()
    time.sleep(0.01)
    result = store.save_observation(
        figure(3.9), who="ana", reason="revised by the statistics office", expected_version=before.id
    )
    assert result.action == "change"
    assert store.current_version(*KEY).value == 3.9
    assert store.current_version(*KEY).recorded_by == "ana"
    then = store.series("gdp_growth", as_of=moment)
    now = store.series("gdp_growth")
    assert list(then[then["period"] == "2024"]["value"]) == [3.8]
    assert list(now[now["period"] == "2024"]["value"]) == [3.9]
    log = store.change_log(indicator_id="gdp_growth", limit=1)
    assert log.iloc[0][["action", "old_value", "new_value", "who", "reason"]].tolist() == [
        "change",
        3.8,
        3.9,
        "ana",
        "revised by the statistics office",
    ]


def test_saving_the_same_contents_writes_nothing(store):
    batches = store.counts()["batches"]
    current = store.current_version(*KEY)
    result = store.save_observation(
        figure(current.value, qualifier=current.qualifier, quote=current.quote, note=current.note),
        who="ana",
        reason="no change",
    )
    assert result.action == "unchanged"
    assert store.counts()["batches"] == batches


def test_a_second_editor_is_refused_with_the_current_value(store):
    opened = store.current_version(*KEY).id  # both editors open the form on the same version
    store.save_observation(figure(4.0), who="ana", reason="first", expected_version=opened)
    with pytest.raises(EditConflict) as refused:
        store.save_observation(figure(4.1), who="ben", reason="second", expected_version=opened)
    assert refused.value.current.value == 4.0
    assert "ana" in str(refused.value) and "nothing was saved" in str(refused.value)
    assert store.current_version(*KEY).value == 4.0


def test_a_new_figure_expected_absent_is_refused_when_someone_added_it_first(store):
    store.save_observation(figure(2.5, period="2025"), who="ana", reason="new data", expected_version=None)
    with pytest.raises(EditConflict):
        store.save_observation(figure(2.6, period="2025"), who="ben", reason="new data", expected_version=None)


def test_a_reason_is_required(store):
    with pytest.raises(StoreError, match="reason"):
        store.save_observation(figure(4.0), who="ana", reason="  ")


def test_an_unknown_source_is_refused_and_a_new_one_is_created_with_the_figure(store):
    with pytest.raises(StoreError, match="no source"):
        store.save_observation(figure(2.0, period="2025", source_id="nbs_2025"), who="ana", reason="x")
    source = Source(id="nbs_2025", title="NBS release", publisher="National Bank of Serbia", year=2025)
    result = store.save_observation(
        figure(2.0, period="2025", source_id="nbs_2025"), who="ana", reason="x", new_source=source
    )
    assert result.action == "add"
    assert "nbs_2025" in store.source_ids()


def test_delete_supersedes_without_successor_and_undo_brings_it_back(store):
    before = snapshot(store)
    result = store.delete_observation(
        *KEY, who="ana", reason="wrong year", expected_version=store.current_version(*KEY).id
    )
    assert store.current_version(*KEY) is None
    log = store.change_log(batch_id=result.batch_id)
    assert log[["action", "old_value", "reason"]].values.tolist() == [["delete", 3.8, "wrong year"]]
    store.undo_batch(result.batch_id, who="ben")
    assert snapshot(store) == before


def test_undo_and_undo_of_undo_restore_exactly(store):
    original = snapshot(store)
    edit = store.save_observation(figure(4.2, qualifier="about", note="revised"), who="ana", reason="revision")
    added = store.save_observation(figure(1.1, period="2025"), who="ana", reason="new")
    assert store.undo_batch(added.batch_id, who="ben").removed == 1
    undo = store.undo_batch(edit.batch_id, who="ben", reason="the revision was wrong")
    assert undo.restored == 1
    assert snapshot(store) == original
    batch = store.batches(limit=1).iloc[0]
    assert (batch["kind"], batch["undoes"], batch["who"]) == ("undo", edit.batch_id, "ben")
    store.undo_batch(undo.batch_id, who="ana", reason="it was right after all")
    current = store.current_version(*KEY)
    assert (current.value, current.qualifier, current.note) == (4.2, "about", "revised")
    # every step is in the log
    assert store.change_log(indicator_id="gdp_growth", limit=3)["kind"].tolist() == ["undo", "undo", "undo"]


def test_undo_of_a_whole_upload_restores_every_figure(store):
    import pandas as pd

    from indicators.validate import validate_observations

    original = snapshot(store)
    frame = pd.DataFrame(
        {"indicator": ["gdp_growth"] * 3, "entity": "SRB", "period": ["2024", "2025", "2026"], "value": [5, 6, 7]}
    )
    frame["source"] = "pupin_2024"
    rows = validate_observations(frame, store.indicator_map()).rows
    upload = store.write_observations(rows, kind="upload", who="ana", reason="file")
    assert (upload.added, upload.changed) == (2, 1)
    result = store.undo_batch(upload.batch_id, who="ana")
    assert (result.restored, result.removed) == (1, 2)
    assert snapshot(store) == original


def test_undo_is_refused_when_a_later_batch_changed_the_same_figure(store):
    first = store.save_observation(figure(4.0), who="ana", reason="one")
    second = store.save_observation(figure(4.5), who="ben", reason="two")
    with pytest.raises(UndoRefused, match=f"later batches \\({second.batch_id}\\)"):
        store.undo_batch(first.batch_id, who="ana")
    assert store.current_version(*KEY).value == 4.5
    undo = store.undo_batch(second.batch_id, who="ben")
    with pytest.raises(UndoRefused, match=f"already undone by batch {undo.batch_id}"):
        store.undo_batch(second.batch_id, who="ben")
    store.undo_batch(first.batch_id, who="ana")  # now nothing later stands in the way
    assert store.current_version(*KEY).value == 3.8


def test_undo_refuses_batches_without_figures_and_unknown_batches(store):
    source = store.save_source(Source(id="x_src", title="X"), who="ana", reason="new source")
    with pytest.raises(UndoRefused, match="nothing to undo"):
        store.undo_batch(source, who="ana")
    with pytest.raises(UndoRefused, match="no batch 99999"):
        store.undo_batch(99999, who="ana")


def test_undo_of_one_figure_of_a_batch_leaves_the_rest(store):
    import pandas as pd

    from indicators.validate import validate_observations

    frame = pd.DataFrame({"indicator": "gdp_growth", "period": ["2025", "2026"], "value": [1.0, 2.0]})
    frame["source"] = "pupin_2024"
    upload = store.write_observations(
        validate_observations(frame, store.indicator_map()).rows, kind="upload", who="a", reason="f"
    )
    store.undo_batch(upload.batch_id, who="a", figure=("gdp_growth", "SRB", "2025", "pupin_2024"))
    assert store.current_version("gdp_growth", "SRB", "2025", "pupin_2024") is None
    assert store.current_version("gdp_growth", "SRB", "2026", "pupin_2024").value == 2.0


def test_change_log_filters_by_indicator_person_date_and_batch(store):
    edit = store.save_observation(figure(4.0), who="ana", reason="one")
    store.save_observation(
        Observation(indicator_id="defense_share_gdp", entity="SRB", period="2025", value=2.1, source_id="pupin_2024"),
        who="ben",
        reason="two",
    )
    assert set(store.change_log(who="ana")["indicator_id"]) == {"gdp_growth"}
    assert set(store.change_log(indicator_id="defense_share_gdp")["who"]) >= {"ben"}
    assert store.change_log(batch_id=edit.batch_id)["new_value"].tolist() == [4.0]
    today = utc_now().date()
    assert len(store.change_log(since=today, until=today)) >= 2
    import datetime as dt

    assert store.change_log(until=today - dt.timedelta(days=1)).empty
    assert {"ana", "ben"} <= set(store.editors())


def test_a_read_only_store_refuses_every_write(tmp_path):
    path = tmp_path / "store.duckdb"
    writable = prepare(Store(path, idle_release=0))
    before = snapshot(writable)
    batch = writable.save_observation(figure(4.0), who="ana", reason="x").batch_id
    before = snapshot(writable)
    writable.close()
    reader = Store(path, read_only=True, idle_release=0)
    with pytest.raises(ReadOnlyStore, match="read-only"):
        reader.save_observation(figure(5.0), who="ana", reason="x")
    with pytest.raises(ReadOnlyStore):
        reader.delete_observation(*KEY, who="ana", reason="x")
    with pytest.raises(ReadOnlyStore):
        reader.undo_batch(batch, who="ana")
    with pytest.raises(ReadOnlyStore):
        reader.save_source(Source(id="y", title="Y"), who="ana", reason="x")
    with pytest.raises(ReadOnlyStore), reader.transaction():
        pass
    assert snapshot(reader) == before
    reader.close()
