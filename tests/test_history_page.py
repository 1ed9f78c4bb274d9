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
