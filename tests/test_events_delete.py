"""Deleting an event, with a reason, from the command line and from the Indicator page; undoable."""

from __future__ import annotations

from indicators.bootstrap import prepare
from indicators.cli import main
from indicators.store import Store

CRISIS = "2015-migration-crisis"


def current_ids(store_path) -> set[str]:
    store = Store(store_path, idle_release=0)
    try:
        return set(store.events()["id"])
    finally:
        store.close()


def batches(store_path) -> int:
    store = Store(store_path, idle_release=0)
    try:
        return store.counts()["batches"]
    finally:
        store.close()


def test_delete_event_removes_it_with_a_reason_and_undo_brings_it_back(store_path, capsys):
    prepare(Store(store_path)).close()
    assert main(["delete-event", "--id", CRISIS, "--reason", "not bilateral"]) == 0
    out = capsys.readouterr().out
    assert f"event {CRISIS} deleted" in out
    assert CRISIS not in current_ids(store_path)
    store = Store(store_path, idle_release=0)
    change = store.event_changes(1).iloc[0]
    assert (change["action"], change["event_id"], change["reason"]) == ("delete", CRISIS, "not bilateral")
    store.close()
    batch = out.split("(batch ")[1].split(")")[0]
    assert main(["undo", batch]) == 0
    assert CRISIS in current_ids(store_path)


def test_delete_event_refuses_an_unknown_id_and_a_blank_reason_writing_nothing(store_path, capsys):
    prepare(Store(store_path)).close()
    before = batches(store_path)
    assert main(["delete-event", "--id", "1999-03-nato-bombin", "--reason", "typo"]) == 1
    err = capsys.readouterr().err
    assert "there is no event '1999-03-nato-bombin'" in err and "nothing was written" in err
    assert main(["delete-event", "--id", CRISIS, "--reason", "   "]) == 1
    assert "every change needs a reason" in capsys.readouterr().err
    assert CRISIS in current_ids(store_path) and batches(store_path) == before


def test_an_editor_deletes_an_event_on_the_indicator_page(app, store_path):
    at = app()
    at.query_params["indicator"] = "gdp_growth"
    at.run()
    picker = next(box for box in at.selectbox if box.label == "Event to delete")
    picker.set_value(CRISIS)
    delete = next(button for button in at.button if button.label == "Delete event")
    delete.click().run()
    assert any("say why" in error.value for error in at.error)  # a blank reason deletes nothing
    assert CRISIS in current_ids(store_path)

    next(field for field in at.text_input if field.label == "Reason for deleting it").set_value("not bilateral")
    next(button for button in at.button if button.label == "Delete event").click().run()
    assert not at.exception and not at.error
    shown = [success.value.replace("\\", "") for success in at.success]  # markdown escapes: 2015\-migration
    assert any(f"Event {CRISIS} deleted" in message for message in shown), shown
    assert CRISIS not in current_ids(store_path)
    picker = next(box for box in at.selectbox if box.label == "Event to delete")
    assert CRISIS not in picker.options and CRISIS not in [option for option in at.selectbox(key="view_event").options]
