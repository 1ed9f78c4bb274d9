"""The History page when its filters show only part of a batch (AppTest)."""

from __future__ import annotations

from indicators.cli import main
from indicators.store import Store

HISTORY = "pages/history.py"


def test_a_filtered_history_says_the_whole_batch_is_bigger_before_undoing_it(store_path, app, tmp_path):
    """An analyst filters History to GDP growth and sees one figure of an upload; the batch picker said
    "1 change(s)" and Undo removed the upload's three trade figures as well, which the page never showed."""
    upload = tmp_path / "mixed.csv"
    upload.write_text(
        "indicator,entity,period,value,unit\n"
        "gdp_growth,SRB,2030,1.5,percent\n"
        "trade_volume,SRB-USA,2030,1,billion USD\n"
        "trade_volume,SRB-USA,2031,2,billion USD\n"
        "trade_volume,SRB-USA,2032,3,billion USD\n"
    )
    assert main(["import", str(upload), "--source", "a mixed file"]) == 0
    store = Store(store_path, idle_release=0)
    batch = int(store.batches().iloc[0]["batch_id"])
    store.close()

    at = app().run()
    at.switch_page(HISTORY).run()
    at.selectbox[0].set_value("gdp_growth").run()
    assert not at.exception
    label = at.selectbox(key="undo_batch").format_func(batch)
    assert "4 change(s), 1 shown" in label
    assert any("also undoes 3 change(s)" in warning.value for warning in at.warning)

    at.selectbox(key="undo_figure").set_value("gdp_growth SRB 2030 (a-mixed-file)").run()
    assert not [warning for warning in at.warning if "also undoes" in warning.value]
    at.button(key="undo").click().run()
    assert "1 removed" in at.success[0].value
    store = Store(store_path, idle_release=0)
    assert len(store.series("trade_volume").query("period >= '2030'")) == 3
    store.close()


def test_after_an_undo_the_picker_offers_the_undo_itself_and_the_reason_is_cleared(store_path, app, tmp_path):
    """An editor undoes an upload with a reason; the page says "Undo batch N to bring the changes back", but
    the picker still showed the batch just undone (a second Undo was refused) and the reason typed for the
    first undo stayed in the box, ready to be recorded again for a different change."""
    upload = tmp_path / "one.csv"
    upload.write_text("indicator,entity,period,value,unit\ngdp_growth,SRB,2030,1.5,percent\n")
    assert main(["import", str(upload), "--source", "a small file"]) == 0

    at = app().run()
    at.switch_page(HISTORY).run()
    uploaded = at.selectbox(key="undo_batch").value
    at.text_input(key="undo_reason").input("the upload was a test").run()
    at.button(key="undo").click().run()
    assert not at.exception
    message = at.success[0].value
    assert f"Undid batch {uploaded} as batch {uploaded + 1}" in message

    assert at.selectbox(key="undo_batch").value == uploaded + 1
    assert at.text_input(key="undo_reason").value == ""
    at.button(key="undo").click().run()  # the undo of the undo
    assert not at.error, [error.value for error in at.error]
    assert f"Undid batch {uploaded + 1} as batch {uploaded + 2}" in at.success[0].value
    store = Store(store_path, idle_release=0)
    assert list(store.series("gdp_growth").query("period == '2030'")["value"]) == [1.5]
    reasons = list(store.batches().head(2)["reason"])
    store.close()
    assert "the upload was a test" not in reasons[0]
