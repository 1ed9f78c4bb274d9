"""The Snapshots page, as a user meets it (AppTest). Download bytes are not exposed by AppTest: the builder
(`build_snapshot`) is tested in test_snapshot.py."""

from __future__ import annotations

import pytest

from indicators.bootstrap import open_store
from indicators.snapshot import Filters, build_snapshot
from indicators.webapp import md
from tests.snapshot_helpers import add_figures, rewrite


@pytest.fixture
def page(app, store_path, tmp_path, monkeypatch):
    monkeypatch.setenv("INDICATORS_SNAPSHOTS_DIR", str(tmp_path / "snaps"))

    def open_page():
        at = app()
        at.run()
        at.switch_page("pages/snapshots.py").run()
        assert not at.exception, at.exception
        return at

    return open_page


def _snapshot_bytes() -> bytes:
    store = open_store(idle_release=0)
    try:
        return build_snapshot(store, Filters(indicators=("gdp_growth",))).data
    finally:
        store.close()


def _batches() -> list[tuple]:
    store = open_store(idle_release=0)
    try:
        return store.query_rows("SELECT kind, added, changed, removed FROM batch WHERE kind <> 'seed' ORDER BY id")
    finally:
        store.close()


def test_the_page_opens_with_export_saved_compare_and_restore(page):
    at = page()
    assert at.title[0].value == "Snapshots"
    assert [tab.label for tab in at.tabs] == ["Export", "Saved snapshots", "Compare", "Restore"]
    assert any("No snapshots saved yet" in info.value for info in at.info)


def test_export_with_a_filter_saves_the_snapshot_and_lists_it(page, tmp_path):
    at = page()
    at.multiselect[0].set_value(["gdp_growth"])
    at.text_input(key="period_from").set_value("2020")
    at.button(key="export").click().run()
    assert not at.exception
    assert "1 figures, 1 indicators" in at.success[0].value
    (saved,) = (tmp_path / "snaps").glob("*.zip")
    assert "saved in the snapshots folder as " + md(saved.name) in at.success[0].value
    assert at.dataframe[0].value["file"].tolist() == [saved.name]  # the saved list now shows it
    assert at.selectbox(key="compare_a").value == saved.name
    at.button(key="compare").click().run()  # the snapshot against the live store: nothing changed since
    assert at.success[-1].value == "No differences."


def test_another_zip_in_the_folder_is_listed_as_such_and_not_offered_for_comparing(page, tmp_path):
    """A colleague drops a zip of charts into the snapshots folder after two exports. The saved list shows the
    snapshots first with whole counts and readable filters, the stranger last, marked; Compare offers only the
    snapshots, so its default A is still a snapshot."""
    at = page()
    at.multiselect[0].set_value(["gdp_growth", "trade_volume"])
    for _ in range(2):
        at.button(key="export").click().run()
    folder = tmp_path / "snaps"
    snapshots = sorted(path.name for path in folder.glob("*.zip"))
    (folder / "zzz-charts.zip").write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip: no manifest
    at = page()
    saved = at.dataframe[0].value
    assert saved["file"].tolist()[-1] == "zzz-charts.zip"
    assert saved["filters"].tolist() == ["indicators: gdp_growth, trade_volume"] * 2 + ["not a snapshot (no manifest)"]
    assert str(saved["observations"].dtype) == "Int64" and saved["observations"].isna().tolist() == [False, False, True]
    compare_a = at.selectbox(key="compare_a")
    assert sorted(compare_a.options) == snapshots and compare_a.value in snapshots


def test_a_bad_period_filter_is_explained(page):
    at = page()
    at.text_input(key="period_to").set_value("2020-Q5")
    at.button(key="export").click().run()
    assert "Filters:" in at.error[0].value and not at.exception


def test_a_period_range_typed_backwards_is_refused_not_exported_empty(page, tmp_path):
    """An analyst types "from 2020 to 2010": the page says the range is backwards and saves no empty zip."""
    at = page()
    at.text_input(key="period_from").set_value("2020")
    at.text_input(key="period_to").set_value("2010")
    at.button(key="export").click().run()
    assert not at.exception and not at.success
    assert "2020" in at.error[0].value and "comes after" in at.error[0].value
    assert not list((tmp_path / "snaps").glob("*.zip"))


def test_text_typed_into_a_filter_is_shown_as_text_not_markdown(page):
    """Whatever a user types is echoed in the error as typed: no link or bold appears from it."""
    at = page()
    at.text_input(key="period_from").set_value("[click](https://example.com) **now**")
    at.button(key="export").click().run()
    assert at.error[0].value == "Filters: " + md(
        "'[click](https://example.com) **now**' is not a period: write a year (2019), a half-year (2019-S1), "
        "a quarter (2019-Q3), a month (2019-07) or a day (2019-07-15)"
    )


def _snapshot_with_a_figure_added_since() -> bytes:
    """A snapshot of the store; then one figure is added to the store (restoring the snapshot removes it)."""
    data = _snapshot_bytes()
    store = open_store(idle_release=0)
    add_figures(store, [{"indicator": "gdp_growth", "entity": "SRB", "period": "2022", "value": 2.5,
                         "source": "pupin_2024"}])  # fmt: skip
    store.close()
    return data


def test_restore_previews_then_applies_one_batch(page):
    data = _snapshot_with_a_figure_added_since()
    at = page()
    at.file_uploader(key="restore_upload").set_value(("snap.zip", data, "application/zip")).run()
    assert not at.exception
    assert any("1 figure(s) would change" in md.value for md in at.markdown)
    assert _batches() == [("edit", 1, 0, 0)]  # the preview wrote nothing
    at.button(key="apply_restore").click().run()
    assert "Restored as batch" in at.success[-1].value and "1 removed" in at.success[-1].value
    assert _batches() == [("edit", 1, 0, 0), ("restore", 0, 0, 1)]


def test_after_a_restore_the_page_no_longer_offers_the_preview_it_applied(page):
    """Once the restore is applied, the page says so and the preview ("1 figure(s) would change", and its
    Apply button) is gone: it described the store before the restore."""
    data = _snapshot_with_a_figure_added_since()
    at = page()
    at.file_uploader(key="restore_upload").set_value(("snap.zip", data, "application/zip")).run()
    at.button(key="apply_restore").click().run()
    assert not at.exception
    assert "Restored as batch" in at.success[-1].value
    assert not any("would change" in element.value for element in at.markdown)
    assert "apply_restore" not in [button.key for button in at.button]


def test_a_hostile_upload_is_refused_and_nothing_changes(page):
    hostile = rewrite(_snapshot_bytes(), add={"/etc/passwd": b"root"})
    at = page()
    at.file_uploader(key="restore_upload").set_value(("snap.zip", hostile, "application/zip")).run()
    assert not at.exception
    assert "Refused, nothing changed" in at.error[0].value and "absolute path" in at.error[0].value
    assert "Apply restore" not in [button.label for button in at.button]
    assert _batches() == []


def test_a_refused_archive_is_named_as_text_even_when_its_name_looks_like_a_link(page):
    at = page()
    name = "[restore me](https://example.com).zip"
    at.file_uploader(key="restore_upload").set_value((name, b"not a zip", "application/zip")).run()
    assert not at.exception
    assert at.error[0].value.startswith("Refused, nothing changed: " + md(name))


def test_restore_is_for_editors_only(page, monkeypatch):
    monkeypatch.setattr("indicators.access.current_editor", lambda: None)
    at = page()
    assert any("only editors" in info.value and "Sign in in the sidebar" in info.value for info in at.info)
    assert len(at.file_uploader) == 0


def test_a_read_only_dashboard_says_why_there_is_no_restore_rather_than_asking_for_an_editor(page, monkeypatch):
    page()  # the store exists
    monkeypatch.setenv("INDICATORS_READ_ONLY", "1")
    at = page()
    (note,) = [info.value for info in at.info if "only editors" in info.value]
    assert note.endswith("This dashboard is read-only.") and "Sign in" not in note
    assert len(at.file_uploader) == 0


def test_export_and_restore_show_a_progress_bar_that_ends_full(page):
    at = page()
    at.multiselect[0].set_value(["gdp_growth"])
    at.button(key="export").click().run()
    assert not at.exception
    (bar,) = at.get("progress")
    assert bar.proto.value == 100 and bar.proto.text == "Building the snapshot: done"
    data = _snapshot_with_a_figure_added_since()
    at.file_uploader(key="restore_upload").set_value(("snap.zip", data, "application/zip")).run()
    assert not at.exception
    at.button(key="apply_restore").click().run()
    bars = at.get("progress")
    assert bars[-1].proto.value == 100 and bars[-1].proto.text == "Restoring: restored"


def test_an_upload_whose_manifest_python_cannot_read_is_refused_not_a_crash(page):
    """A manifest holding a number of 5,000 digits is valid JSON that Python refuses to read (ValueError, not a
    JSONDecodeError): the page says the manifest does not parse."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(_snapshot_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in source.namelist():
            content = source.read(name)
            if name == "manifest.json":
                content = content.replace(b'"schema_version": ', b'"schema_version": 1' + b"0" * 5000 + b', "x": ')
            archive.writestr(name, content)
    at = page()
    at.file_uploader(key="restore_upload").set_value(("big.zip", out.getvalue(), "application/zip")).run()
    assert not at.exception
    assert at.error[0].value.startswith("Refused, nothing changed: " + md("big.zip: manifest.json does not parse"))
    assert _batches() == []


def test_a_restore_that_only_puts_back_a_sources_licence_can_be_previewed_and_applied(page):
    """An editor corrected a source after the snapshot: the preview names the source the restore would
    overwrite, and Apply is offered (it was disabled: '0 figure(s) would change')."""
    from indicators.models import Source

    data = _snapshot_bytes()
    store = open_store(idle_release=0)
    pupin = next(s for s in store.snapshot_sources().to_dict("records") if s["id"] == "pupin_2024")
    fields = {k: v for k, v in pupin.items() if k in Source.model_fields and v == v and v is not None}
    store.save_source(Source(**{**fields, "licence": "CC BY 4.0"}), who="editor", reason="licence found")
    store.close()
    at = page()
    at.file_uploader(key="restore_upload").set_value(("snap.zip", data, "application/zip")).run()
    assert any("0 figure(s) and 1 indicator(s) or source(s) would change" in md.value for md in at.markdown)
    assert "pupin_2024" in list(at.dataframe[-1].value["id"])
    at.button(key="apply_restore").click().run()
    assert not at.exception
    assert "1 indicator(s) or source(s) updated" in at.success[-1].value
    assert _batches() == [("source", 0, 0, 0), ("restore", 0, 0, 0)]


def test_two_exports_in_one_minute_each_name_their_own_file_inside(page, tmp_path):
    """The second export of the minute is saved as '...-2.zip'; its README cited the first one's name."""
    import zipfile

    at = page()
    at.multiselect[0].set_value(["gdp_growth"])
    at.button(key="export").click().run()
    at.button(key="export").click().run()
    assert not at.exception
    saved = sorted((tmp_path / "snaps").glob("*.zip"))
    assert len(saved) == 2
    for path in saved:
        assert f"snapshot `{path.name}`" in zipfile.ZipFile(path).read("README.md").decode("utf-8")
    newest = max(saved, key=lambda path: path.stat().st_mtime_ns)
    assert "saved in the snapshots folder as " + md(newest.name) in at.success[0].value


def test_a_snapshots_folder_that_cannot_be_written_still_gives_the_download(page, tmp_path, monkeypatch):
    """INDICATORS_SNAPSHOTS_DIR names a place that cannot be a folder (here: below a file): the page said
    nothing useful (a traceback); now it says why it was not saved and still offers the download."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("INDICATORS_SNAPSHOTS_DIR", str(blocker / "snaps"))
    at = page()
    at.multiselect[0].set_value(["gdp_growth"])
    at.button(key="export").click().run()
    assert not at.exception
    assert "could not be saved in " + md(blocker / "snaps") in at.warning[0].value
    assert "figures, 1 indicators" in at.success[0].value and "saved in" not in at.success[0].value
    assert "Download the snapshot" in [button.label for button in at.get("download_button")]


def test_a_damaged_zip_in_the_folder_does_not_break_the_page(page, tmp_path):
    """A snapshot copied half-way, or with flipped bytes, lies in the snapshots folder: the whole page failed
    (zlib.error while reading its manifest); now it opens and lists the file as not a snapshot."""
    import io
    import zipfile

    data = bytearray(_snapshot_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("manifest.json")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)  # the manifest's compressed bytes
    for position in range(start, start + 40):
        data[position] ^= 0xFF
    folder = tmp_path / "snaps"
    folder.mkdir()
    (folder / "damaged.zip").write_bytes(bytes(data))
    at = page()
    assert at.dataframe[0].value["filters"].tolist() == ["not a snapshot (no manifest)"]
