"""Event changes in the History page and the `history` command, and undoing an event's batch from there."""

from __future__ import annotations

import csv
import io

from indicators.bootstrap import prepare
from indicators.cli import main
from indicators.models import Event
from indicators.store import Store

HISTORY = "pages/history.py"
EVENT_ID = "2025-09-us-vice-president-visits-belgrade"


def by_label(elements, label):
    return next(element for element in elements if element.label == label)


def test_an_editor_adds_an_event_sees_it_in_history_and_undoes_it(app, store_path):
    at = app()
    at.query_params["indicator"] = "gdp_growth"
    at.run()
    by_label(at.text_input, "Date").set_value("2025-09")
    by_label(at.text_input, "Title").set_value("US Vice President visits Belgrade")
    by_label(at.text_input, "Reason for the change").set_value("news of the day")
    by_label(at.button, "Add event").click().run()
    assert not at.exception and any("added" in success.value for success in at.success)

    at.switch_page(HISTORY).run()
    assert not at.exception
    assert "Events" in [header.value for header in at.subheader]
    events = next(frame.value for frame in at.dataframe if "title" in frame.value.columns)
    first = events.iloc[0]
    assert (first["action"], first["event"], first["date"]) == ("add", EVENT_ID, "2025-09")
    assert (first["title"], first["why"]) == ("US Vice President visits Belgrade", "news of the day")
    batch = int(first["batch"])

    picker = at.selectbox(key="undo_batch")
    assert picker.value == batch  # the newest batch is the event's
    assert "event by" in picker.format_func(batch)
    assert not [warning for warning in at.warning if "also undoes" in warning.value]
    at.text_input(key="undo_reason").set_value("not confirmed")
    at.button(key="undo").click().run()
    assert not at.exception and not at.error
    assert "0 event(s) restored, 1 removed" in at.success[0].value
    events = next(frame.value for frame in at.dataframe if "title" in frame.value.columns)
    assert (events.iloc[0]["action"], events.iloc[0]["kind"], events.iloc[0]["why"]) == (
        "delete",
        f"undo of batch {batch}",
        "not confirmed",
    )
    store = Store(store_path, idle_release=0)
    assert store.query_value("SELECT count(*) FROM current_event WHERE id = ?", [EVENT_ID]) == 0
    store.close()


def test_history_filters_apply_to_events_and_a_batch_of_events_alone_is_shown(app, store_path):
    store = prepare(Store(store_path, idle_release=0))
    event = Event(date="2025-09", type="visit", title="A visit", source_id="pupin_2024")
    batch = store.write_events([event], kind="event", who="bo", reason="news").batch_id
    store.close()

    at = app().run()
    at.switch_page(HISTORY).run()
    at.number_input[0].set_value(batch).run()  # the Batch filter: a batch that changed no figure
    assert not at.exception and not at.info
    events = next(frame.value for frame in at.dataframe if "title" in frame.value.columns)
    assert list(events["event"]) == [event.id] and list(events["who"]) == ["bo"]
    assert any("No changes to the figures" in caption.value for caption in at.caption)
    by_label(at.selectbox, "Person").set_value("bo").run()
    assert not at.exception


def test_history_events_prints_the_events_change_log_as_csv(store_path, capsys):
    prepare(Store(store_path)).close()
    added = ["add-event", "--date", "2025-09", "--type", "visit", "--title", "A visit", "--source", "pupin_2024"]
    assert main([*added, "--reason", "news"]) == 0
    assert main([*added[:-2], "--source", "five_areas_2019", "--id", "2025-09-a-visit", "--reason", "fix"]) == 0
    capsys.readouterr()
    assert main(["history", "--events", "--limit", "2"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(row["action"], row["event"], row["reason"]) for row in rows] == [
        ("change", "2025-09-a-visit", "fix"),
        ("add", "2025-09-a-visit", "news"),
    ]
    assert rows[0]["old_title"] == rows[0]["new_title"] == "A visit" and rows[0]["changed_at"].endswith("Z")
    assert main(["history", "--events", "--indicator", "gdp_growth"]) == 1
    assert "--events" in capsys.readouterr().err


def test_history_refuses_to_undo_an_event_batch_a_later_batch_changed_and_says_why(app, store_path):
    store = prepare(Store(store_path, idle_release=0))
    event = Event(date="2025-09", type="visit", title="A visit", source_id="pupin_2024")
    first = store.write_events([event], kind="event", who="ana", reason="news").batch_id
    later = store.write_events(
        [event.model_copy(update={"title": "A state visit"})], kind="event", who="bo", reason="fix"
    )
    store.close()

    at = app().run()
    at.switch_page(HISTORY).run()
    at.selectbox(key="undo_batch").set_value(first).run()
    at.button(key="undo").click().run()
    assert not at.exception
    errors = [error.value.replace("\\", "") for error in at.error]  # markdown escapes
    assert any(f"later batches ({later.batch_id}) changed the same events" in error for error in errors), errors
    store = Store(store_path, idle_release=0)
    assert store.events().set_index("id").loc[event.id, "title"] == "A state visit"
    store.close()
