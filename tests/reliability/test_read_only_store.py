"""Read-only mode is enforced by the store itself, not only by hiding pages: every public write method of
``Store(path, read_only=True)`` is refused with a plain message, and the file is not changed by a byte."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

import indicators.store as store_package
from indicators.bootstrap import prepare
from indicators.models import Event, Indicator, Observation, Source
from indicators.store import ReadOnlyStore, Store

SOURCE = Source(id="read_only_test", title="A source", kind="user")
INDICATOR = Indicator(id="read_only_test", name="A test", unit="percent", category="economy")
ROWS = pd.DataFrame(
    {
        "indicator_id": ["gdp_growth"],
        "entity": ["SRB"],
        "period": ["2031"],
        "period_start": [pd.Timestamp("2031-01-01")],
        "value": [9.9],
        "qualifier": ["exactly"],
        "source_id": ["read_only_test"],
        "quote": [pd.NA],
        "note": ["should never be written"],
    }
)
EVENT = Event(date="2031-05", type="visit", title="A visit that never happened", source_id="pupin_2024")
FIGURE = Observation(indicator_id="gdp_growth", entity="SRB", period="2032", value=1.0, source_id="pupin_2024")
ENTITIES = pd.DataFrame({"code": ["XKX"], "name": ["Kosovo"], "aliases": [""]})

# Every public method that writes, with arguments that would succeed on a writable store.
WRITES = {
    "upsert_entities": lambda store: store.upsert_entities(ENTITIES),
    "upsert_catalog": lambda store: store.upsert_catalog([SOURCE], [INDICATOR]),
    "save_source": lambda store: store.save_source(SOURCE, who="intruder", reason="x"),
    "save_indicator": lambda store: store.save_indicator(INDICATOR, who="intruder", reason="x"),
    "write_observations": lambda store: store.write_observations(ROWS, kind="edit", who="intruder", reason="x"),
    "set_meta": lambda store: store.set_meta("seed_checksum", "tampered"),
    "write_events": lambda store: store.write_events([EVENT], kind="event", who="intruder", reason="x"),
    "delete_event": lambda store: store.delete_event(store.events()["id"].iloc[0], who="intruder", reason="x"),
    "save_observation": lambda store: store.save_observation(FIGURE, who="intruder", reason="x"),
    "delete_observation": lambda store: store.delete_observation(*_a_seed_figure(store), who="intruder", reason="x"),
    "undo_batch": lambda store: store.undo_batch(_the_upload(store), who="intruder", reason="x"),
    "restore_snapshot": lambda store: _restore(store),
}


def _restore(store: Store) -> None:
    """A real restore of a snapshot of this store (export, read, plan, apply), which ends in restore_snapshot."""
    from indicators.snapshot import apply_restore, build_snapshot, plan_restore, read_archive

    archive = read_archive(build_snapshot(store).data, name="snapshot.zip")
    apply_restore(store, plan_restore(store, archive, mode="merge"), who="intruder", reason="x")


def _a_seed_figure(store: Store) -> tuple[str, str, str, str]:
    figure = store.series("gdp_growth").iloc[0]
    return figure["indicator_id"], figure["entity"], figure["period"], figure["source_id"]


def _the_upload(store: Store) -> int:
    """The batch ``write_observations`` made on the writable store (any batch will do when read-only)."""
    batches = store.batches()
    mine = batches[(batches["who"] == "intruder") & (batches["added"] > 0) & (batches["kind"] == "edit")]
    return int(mine["batch_id"].iloc[-1]) if len(mine) else int(batches["batch_id"].iloc[0])


def _store_files(path) -> dict[str, bytes]:
    return {candidate.name: candidate.read_bytes() for candidate in sorted(path.parent.iterdir())}


@pytest.fixture
def seeded_file(tmp_path):
    path = tmp_path / "store.duckdb"
    prepare(Store(path, idle_release=0)).close()
    return path


@pytest.mark.parametrize("method", sorted(WRITES))
def test_every_write_is_refused_in_read_only_mode_and_the_file_is_untouched(seeded_file, method):
    before = _store_files(seeded_file)
    seeded = Store(seeded_file, read_only=True, idle_release=0)
    figures = seeded.counts()["observations"]
    seeded.close()
    store = Store(seeded_file, read_only=True, idle_release=0)
    with pytest.raises(ReadOnlyStore, match=r"read-only.*nothing can be changed"):
        WRITES[method](store)
    assert store.counts()["observations"] == figures  # browsing still works
    store.close()
    assert _store_files(seeded_file) == before


def test_the_same_writes_succeed_on_a_writable_store(seeded_file):
    """The refusals above are read-only mode at work, not broken arguments."""
    store = Store(seeded_file, idle_release=0)
    for write in WRITES.values():
        write(store)
    assert store.meta("seed_checksum") == "tampered"
    store.close()


def test_every_public_write_method_of_the_store_is_covered_here():
    """A new write method (an undo, a restore) must be added to WRITES, so read-only mode is tested on it."""
    writers = {
        name
        for name, function in inspect.getmembers(store_package.Store, inspect.isfunction)
        if not name.startswith("_") and "self.transaction(" in inspect.getsource(function)
    }
    assert {"write_observations", "save_source"} <= writers, "the detection itself must work"
    missing = writers - set(WRITES)
    assert not missing, f"add these write methods to WRITES in {__file__}: {sorted(missing)}"
