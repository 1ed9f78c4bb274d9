"""Undoing an event's batch, like a figure's: the previous version comes back as a new batch of kind
``undo``, refused when a later batch changed the same event since, and the undo can itself be undone."""

from __future__ import annotations

import pytest

from indicators.models import Event
from indicators.store import UndoRefused

VISIT = Event(date="2025-09", type="visit", title="A visit", source_id="pupin_2024")


def current(store, event_id: str):
    events = store.events().set_index("id")
    return events.loc[event_id] if event_id in events.index else None


def add(store, event: Event, who: str = "ana", reason: str = "news") -> int:
    return store.write_events([event], kind="event", who=who, reason=reason).batch_id


def test_undoing_a_correction_makes_the_old_version_current_again(store):
    add(store, VISIT)
    fix = add(store, VISIT.model_copy(update={"title": "A state visit", "note": "by the president"}), who="bo")
    result = store.undo_batch(fix, who="cy", reason="it was a working visit")
    assert (result.events_restored, result.events_removed, result.restored, result.removed) == (1, 0, 0, 0)
    event = current(store, VISIT.id)
    assert event["title"] == "A visit" and event["note"] != event["note"]  # the note is gone again (NaN)
    batch = store.batches(limit=1).iloc[0]
    assert (batch["kind"], batch["undoes"], batch["who"], batch["changed"]) == ("undo", fix, "cy", 1)
    assert "1 event(s) restored, 0 removed" in result.summary()


def test_undoing_an_added_event_removes_it_and_the_undo_can_be_undone(store):
    added = add(store, VISIT)
    undo = store.undo_batch(added, who="bo")
    assert (undo.events_removed, undo.events_restored) == (1, 0)
    assert current(store, VISIT.id) is None
    assert store.query_value("SELECT count(*) FROM current_event WHERE id = ?", [VISIT.id]) == 0
    again = store.undo_batch(undo.batch_id, who="ana", reason="it did happen")
    assert again.events_restored == 1
    assert current(store, VISIT.id)["title"] == "A visit"
    log = store.event_changes(limit=3)
    assert list(zip(log["kind"], log["action"], strict=True)) == [("undo", "add"), ("undo", "delete"), ("event", "add")]


def test_undoing_a_deletion_brings_the_event_back(store):
    batch = store.delete_event("2015-migration-crisis", who="ana", reason="not bilateral")
    assert current(store, "2015-migration-crisis") is None
    assert store.undo_batch(batch, who="bo").events_restored == 1
    assert current(store, "2015-migration-crisis")["source_id"] == "five_areas_2019"


def test_undo_is_refused_when_a_later_batch_changed_the_same_event(store):
    first = add(store, VISIT)
    second = add(store, VISIT.model_copy(update={"title": "A state visit"}), who="bo")
    with pytest.raises(UndoRefused, match=f"later batches \\({second}\\) changed the same events since"):
        store.undo_batch(first, who="cy")
    assert current(store, VISIT.id)["title"] == "A state visit"  # nothing changed
    undo = store.undo_batch(second, who="cy")
    with pytest.raises(UndoRefused, match=f"already undone by batch {undo.batch_id}"):
        store.undo_batch(second, who="cy")
    store.undo_batch(first, who="cy")  # nothing later stands in the way now
    assert current(store, VISIT.id) is None


def test_undo_is_refused_when_a_deleted_event_was_added_again(store):
    deleted = store.delete_event("2015-migration-crisis", who="ana", reason="not bilateral")
    again = add(store, Event(id="2015-migration-crisis", date="2015", type="crisis", title="x", source_id="pupin_2024"))
    with pytest.raises(UndoRefused, match=f"event 2015-migration-crisis by batch {again}"):
        store.undo_batch(deleted, who="bo")
