"""Snapshots: an analyst exports what the dashboard holds, restores it elsewhere, and compares two."""

from __future__ import annotations

import io
import json
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from indicators.csvformat import neutralise_formulas, observations_csv, restore_formulas
from indicators.snapshot import (
    ArchiveError,
    Filters,
    Limits,
    apply_restore,
    build_snapshot,
    compare,
    compare_archives,
    export_snapshot,
    list_snapshots,
    plan_restore,
    read_archive,
)
from indicators.store.schema import SCHEMA_VERSION
from indicators.validate import validate_observations
from tests.snapshot_helpers import HOSTILE_NOTE, HOSTILE_QUOTE, add_figures, hostile_store, rewrite, store_state

TABLES = ("observations.csv", "indicators.csv", "sources.csv")
GDP = Filters(indicators=("gdp_growth",))  # one chart instead of twenty-two: keeps these tests quick
GDP_AND_TRADE = Filters(indicators=("gdp_growth", "trade_volume"))


def members(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def seeded_snapshot() -> bytes:
    """One snapshot of the seeded store, built once for the many damaged-archive cases (a build charts every
    indicator, about a second)."""
    from indicators.bootstrap import prepare
    from indicators.store import Store

    return build_snapshot(prepare(Store())).data


def restore(store, data: bytes, mode: str = "replace"):
    plan = plan_restore(store, read_archive(data, name="test.zip"), mode)
    return apply_restore(store, plan, who="tester")


# --- export ------------------------------------------------------------------------------------------


def test_a_snapshot_is_one_dated_zip_that_describes_itself(store, seeded_snapshot):
    files = members(seeded_snapshot)
    assert set(files) == {
        "manifest.json", "observations.csv", "indicators.csv", "sources.csv", "changes.csv",
        "observations.parquet", "snapshot.xlsx", "report.html", "README.md",
    }  # fmt: skip
    manifest = json.loads(files["manifest.json"])
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["counts"]["observations"] == store.counts()["observations"]
    assert set(manifest["members"]) == set(files) - {"manifest.json"}
    header = files["observations.csv"].decode().splitlines()[0]
    assert header == "indicator,entity,period,value,unit,qualifier,source,quote,note"
    readme = files["README.md"].decode()
    assert "How to cite" in readme and "Licence" in readme
    filename = build_snapshot(store, GDP).filename
    assert filename.startswith("indicators-") and filename.endswith("Z.zip")
    assert re.fullmatch(r"indicators-\d{4}-\d\d-\d\dT\d{4}Z\.zip", filename)


def test_every_member_including_the_manifest_unpacks_readable_by_everyone(seeded_snapshot):
    archive = zipfile.ZipFile(io.BytesIO(seeded_snapshot))
    assert {info.filename: (info.external_attr >> 16) & 0o777 for info in archive.infolist()} == {
        name: 0o644 for name in archive.namelist()
    }


def test_the_latest_value_is_the_usual_entitys_when_neighbours_report_the_same_year(store):
    """Defense spending: Albania, Croatia and Serbia all have 2023; the summary (report, workbook README) shows
    Serbia's, as the Overview does, not the alphabetically first country's."""
    add_figures(store, [
        {"indicator": "defense_share_gdp", "entity": entity, "period": "2031", "value": value, "source": "pupin_2024"}
        for entity, value in (("ALB", 2.0), ("HRV", 1.8), ("SRB", 2.6))
    ])  # fmt: skip
    add_figures(store, [{"indicator": "gdp_growth", "entity": "HRV", "period": "2032", "value": 3.1,
                         "source": "pupin_2024"}])  # fmt: skip
    summary = store.snapshot_summary().set_index("indicator")
    defense = summary.loc["defense_share_gdp"]
    assert (defense["latest_entity"], defense["latest_period"], defense["latest_value"]) == ("SRB", "2031", 2.6)
    # a newer figure of another country does not hide the usual entity's latest
    assert summary.loc["gdp_growth", "latest_entity"] == "SRB"
    assert summary.loc["gdp_growth", "latest_period"] != "2032"
    # a scope without the usual entity shows the newest of what it holds
    from indicators.store import Scope

    croatia = store.snapshot_summary(Scope(entities=("HRV",))).set_index("indicator")
    assert croatia.loc["gdp_growth", "latest_entity"] == "HRV" and croatia.loc["gdp_growth", "latest_period"] == "2032"


def test_the_report_works_offline_with_plotly_included_once(store, seeded_snapshot):
    report = members(seeded_snapshot)["report.html"].decode()
    assert report.count("plotly.js v") <= 2  # the library's own banner; the script itself appears once
    assert report.count("<script type='text/javascript'>") == 1
    assert "https://cdn" not in report.split("</head>")[1]
    with_figures = int((store.overview()["observations"] > 0).sum())  # indicators waiting for figures have no chart
    assert report.count("class='chart'") == with_figures
    assert "The papers' claims" in report and "Sources" in report


def test_a_chart_of_a_period_range_draws_and_counts_the_entities_of_that_range(store):
    """Defense spending 1949-1955 holds the US only: its chart said 'This chart shows 8 entities; 3 more are in
    the CSV files' (entities counted over all years), and drew eight lines of which seven were empty."""
    early = Filters(indicators=("defense_share_gdp",), period_from="1949", period_to="1955")
    files = members(build_snapshot(store, early).data)
    in_csv = set(pd.read_csv(io.BytesIO(files["observations.csv"]))["entity"])
    report = files["report.html"].decode()
    assert len(in_csv) == 1 and "more are in the CSV files" not in report
    spec = re.search(r"Plotly.newPlot\('chart-0', (\[.*?\]), Object", report).group(1)
    assert len(json.loads(spec)) == len(in_csv)  # one line, no empty ones
    late = Filters(indicators=("defense_share_gdp",), period_from="2024", period_to="2024")
    files = members(build_snapshot(store, late).data)
    in_csv = set(pd.read_csv(io.BytesIO(files["observations.csv"]))["entity"])
    shown = f"This chart shows 8 entities; {len(in_csv) - 8} more are in the CSV files."
    assert shown in files["report.html"].decode()


def test_the_reports_latest_values_name_the_source_by_its_title(store):
    """An analyst reads 'US Census Bureau, U.S. trade in goods with Serbia ...', not the source's id."""
    files = members(build_snapshot(store, Filters(indicators=("trade_volume",))).data)
    latest = files["report.html"].decode().split("<h2>Latest values</h2>")[1].split("</table>")[0]
    assert "<td>US Census Bureau, U.S. trade in goods with Serbia (exports + imports), 2024 download</td>" in latest
    assert "us-census-bureau-u-s-trade" not in latest


def test_a_sources_text_in_the_readme_shows_as_typed_not_as_markdown(store):
    """README.md lists the sources; a title typed as a markdown link and an image rendered as a link and an
    image in any markdown viewer (GitHub, an editor's preview), presented as the source."""
    from indicators.models import Source

    title = "[Official data](https://evil.example) ![x](https://evil.example/t.png) <b>*bold*</b>\n# Heading"
    store.save_source(
        Source(id="odd_source", title=title, publisher="_Press_", licence="`CC`", kind="user"), who="e", reason="r"
    )
    add_figures(
        store, [{"indicator": "gdp_growth", "entity": "SRB", "period": "2021", "value": 1, "source": "odd_source"}]
    )
    readme = members(build_snapshot(store, GDP).data)["README.md"].decode("utf-8")
    line = next(text for text in readme.splitlines() if "Official data" in text)
    assert line.startswith("- \\[Official data\\](https://evil.example) \\!\\[x\\]")
    assert "\\<b\\>\\*bold\\*\\</b\\>" in line and "\\# Heading" in line  # one line, no heading
    assert "(\\_Press\\_)" in line and "Licence: \\`CC\\`." in line


def test_hostile_text_in_the_report_is_escaped(store):
    hostile_store(store)
    add_figures(store, [{"indicator": "gdp_growth", "entity": "SRB", "period": "2021", "value": 1,
                         "source": "pupin_2024", "quote": "<script>alert(1)</script>"}])  # fmt: skip
    report = members(build_snapshot(store, GDP).data)["report.html"].decode()
    assert "<script>alert(1)</script>" not in report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report


def test_filters_choose_indicators_entities_and_periods(store):
    hostile_store(store)
    filters = Filters(indicators=("gdp_growth",), entities=("SRB",), period_from="2019", period_to="2020")
    files = members(build_snapshot(store, filters).data)
    figures = pd.read_csv(io.BytesIO(files["observations.csv"]), dtype=str)
    assert list(figures["period"]) == ["2019", "2020-Q3"]  # 2024 is outside; 2020-Q3 is inside "to 2020"
    assert json.loads(files["manifest.json"])["filters"]["period_to"] == "2020"
    assert list(pd.read_csv(io.BytesIO(files["indicators.csv"]))["id"]) == ["gdp_growth"]
    assert list(pd.read_csv(io.BytesIO(files["sources.csv"]))["id"]) == ["pupin_2024"]


def test_a_snapshot_of_one_pair_and_year_counts_the_indicators_its_figures_measure(store, tmp_path):
    """Filtered by entity and period only, a snapshot describes the indicators its figures use: 'N figures
    of 28 indicators' (the whole catalog) was what the manifest, the README and the Saved list said."""
    path, manifest = export_snapshot(
        store, tmp_path, Filters(entities=("SRB-USA",), period_from="2018", period_to="2018")
    )
    files = members(path.read_bytes())
    measured = set(pd.read_csv(io.BytesIO(files["observations.csv"]))["indicator"])
    assert 1 < len(measured) < len(store.indicators())
    assert set(pd.read_csv(io.BytesIO(files["indicators.csv"]))["id"]) == measured
    assert manifest["counts"]["indicators"] == len(measured)
    assert f"of {len(measured)} indicators" in files["README.md"].decode("utf-8")
    assert list(list_snapshots(tmp_path)["indicators"]) == [len(measured)]


def test_export_to_a_folder_never_overwrites(store, tmp_path):
    first, _ = export_snapshot(store, tmp_path, GDP)
    second, _ = export_snapshot(store, tmp_path, GDP)
    assert first != second and first.exists() and second.exists()
    listed = list_snapshots(tmp_path)
    assert set(listed["file"]) == {first.name, second.name}
    expected = len(store.observations_table(["gdp_growth"]))  # the paper's figure and the WDI series
    assert (listed["observations"] == expected).all() and (listed["filters"] == "indicators: gdp_growth").all()
    with pytest.raises(FileExistsError):
        export_snapshot(store, first, GDP)


def test_the_readme_inside_names_the_file_it_was_saved_as(store, tmp_path):
    """README.md tells how to cite, restore and compare the snapshot by its file name: the name given on the
    command line, or the '-2' a second export in the same minute gets, not the default dated name."""
    named, _ = export_snapshot(store, tmp_path / "for-the-minister.zip", GDP)
    first, _ = export_snapshot(store, tmp_path, GDP)
    second, _ = export_snapshot(store, tmp_path, GDP)
    for path in (named, first, second):
        readme = zipfile.ZipFile(path).read("README.md").decode("utf-8")
        assert f"snapshot `{path.name}`" in readme and f"restore {path.name} --dry-run" in readme, path.name


# --- formulas ------------------------------------------------------------------------------------------


def test_cells_that_look_like_formulas_are_neutralised_and_numbers_stay_numbers():
    frame = pd.DataFrame(
        {
            "text": ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'=x", "plain", "it's fine"],
            "value": [-5.0, 1, 2, 3, 4, 5, 6, 7, 8],
        }
    )
    safe = neutralise_formulas(frame)
    assert list(safe["text"]) == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "''=x", "plain", "it's fine"]
    assert safe["value"].tolist() == frame["value"].tolist()
    assert restore_formulas(safe)["text"].tolist() == frame["text"].tolist()


def test_hostile_cells_are_neutralised_in_the_csv_and_the_workbook(store):
    hostile_store(store)
    files = members(build_snapshot(store, GDP_AND_TRADE).data)
    csv_text = files["observations.csv"].decode()
    # written by DuckDB, byte for byte what our CSV writer writes (so it imports as it is)
    assert files["observations.csv"] == observations_csv(store.snapshot_observations(GDP_AND_TRADE.scope()))
    assert "'=HYPERLINK" in csv_text and "'-1+2 is how" in csv_text and "'@SUM" in csv_text
    assert ",-1.1," in csv_text  # a negative number is still a number
    book = openpyxl.load_workbook(io.BytesIO(files["snapshot.xlsx"]))
    cells = [cell for row in book["observations"].iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    assert any(cell.value == "'" + HOSTILE_QUOTE for cell in cells)
    assert -1.1 in [cell.value for cell in cells]


def test_the_workbook_holds_what_the_csv_files_hold_with_a_readme_first(store):
    hostile_store(store)
    files = members(build_snapshot(store, Filters(indicators=("gdp_growth", "trade_volume"))).data)
    book = openpyxl.load_workbook(io.BytesIO(files["snapshot.xlsx"]))
    assert book.sheetnames == ["README", "summary", "observations", "indicators", "sources", "changes"]
    for sheet in ("observations", "indicators", "sources", "changes"):
        expected = pd.read_csv(io.BytesIO(files[f"{sheet}.csv"]), dtype=str, keep_default_na=False)
        rows = list(book[sheet].iter_rows(values_only=True))
        assert list(rows[0]) == list(expected.columns)
        assert len(rows) - 1 == len(expected)
        if sheet == "changes":
            continue  # timestamps are dates in the workbook, text in the CSV
        for got, want in zip(rows[1:], expected.itertuples(index=False), strict=True):
            as_text = ["" if v is None else (f"{v:.15g}" if isinstance(v, float | int) else str(v)) for v in got]
            assert as_text == list(want)


# --- round trip ------------------------------------------------------------------------------------------


def test_a_quote_pasted_from_word_and_a_very_long_reason_still_export_and_open_in_excel(store):
    """Word's line break inside a paragraph is a vertical tab (\x0b), which no XLSX cell may hold: openpyxl
    raised IllegalCharacterError and no snapshot could be exported at all. An Excel cell holds at most 32,767
    characters. The workbook shows the control character as its symbol and cuts an over-long cell, saying so;
    the CSV files keep both exactly."""
    figure = {"indicator": "gdp_growth", "entity": "SRB", "period": "2021", "value": 1.5, "source": "pupin_2024",
              "quote": "pasted from Word\x0bsecond line", "note": "bell\x07"}  # fmt: skip
    checked = validate_observations(pd.DataFrame([figure]), store.indicator_map())
    reason = "a whole e-mail pasted as the reason " + "x" * 40_000
    store.write_observations(checked.rows, kind="edit", who="analyst", reason=reason)
    files = members(build_snapshot(store, GDP).data)
    book = openpyxl.load_workbook(io.BytesIO(files["snapshot.xlsx"]))
    rows = list(book["observations"].iter_rows(values_only=True))
    header = rows[0]
    (mine,) = [dict(zip(header, row, strict=True)) for row in rows[1:] if row[header.index("period")] == "2021"]
    assert mine["quote"] == "pasted from Word\u240bsecond line" and mine["note"] == "bell\u2407"
    reasons = [row[4] for row in book["changes"].iter_rows(min_row=2, values_only=True) if row[4].startswith("a whole")]
    assert reasons and all(
        len(text) <= 32_767 and text.endswith("characters; changes.csv holds it whole)") for text in reasons
    )
    csv = pd.read_csv(io.BytesIO(files["observations.csv"]), dtype=str, keep_default_na=False)
    assert csv.loc[csv["period"] == "2021", "quote"].tolist() == ["pasted from Word\x0bsecond line"]
    assert reason in files["changes.csv"].decode("utf-8")


def test_export_restore_into_an_empty_store_export_again_gives_the_same_tables(store, empty_store):
    hostile_store(store)
    first = build_snapshot(store)
    result = restore(empty_store, first.data)
    assert result.added == store.counts()["observations"] and result.removed == 0
    second = build_snapshot(empty_store)
    a, b = members(first.data), members(second.data)
    for table in TABLES:
        assert a[table] == b[table], table
    restored = empty_store.snapshot_observations()
    assert HOSTILE_QUOTE in set(restored["quote"]) and HOSTILE_NOTE in set(restored["note"])
    assert "'=already quoted by the author" in set(restored["note"])
    assert 0.1 + 0.2 in set(restored["value"])  # exact, not rounded to 15 digits
    kinds = empty_store.query_rows("SELECT kind, added FROM batch")
    assert kinds == [("restore", result.added)]


def test_replace_removes_figures_the_snapshot_does_not_hold_within_its_filters(store):
    snapshot = build_snapshot(store, Filters(indicators=("gdp_growth",)))
    add_figures(store, [
        {"indicator": "gdp_growth", "entity": "SRB", "period": "2022", "value": 2.5, "source": "pupin_2024"},
        {"indicator": "trade_volume", "entity": "SRB-USA", "period": "2019", "value": 5e8, "source": "pupin_2024"},
    ])  # fmt: skip
    trade_before = len(store.snapshot_observations().query("indicator == 'trade_volume'"))
    plan = plan_restore(store, read_archive(snapshot.data, name="s.zip"), "replace")
    summary = plan.summary().set_index("indicator")
    assert summary.loc["gdp_growth", "removed"] == 1
    assert "trade_volume" not in summary.index  # outside the snapshot's filters: untouched
    result = apply_restore(store, plan, who="tester")
    assert (result.added, result.changed, result.removed) == (0, 0, 1)
    assert len(store.snapshot_observations().query("indicator == 'trade_volume'")) == trade_before
    batch = store.query_rows("SELECT kind, removed FROM batch WHERE id = ?", [result.batch_id])
    assert batch == [("restore", 1)]


def test_merge_adds_and_corrects_but_removes_nothing(store):
    snapshot = build_snapshot(store, GDP)
    add_figures(store, [{"indicator": "gdp_growth", "entity": "SRB", "period": "2022", "value": 2.5,
                         "source": "pupin_2024"}])  # fmt: skip
    add_figures(store, [{"indicator": "gdp_growth", "entity": "SRB", "period": "2024", "value": 9.9,
                         "source": "pupin_2024", "quote": "changed"}])  # fmt: skip
    result = restore(store, snapshot.data, mode="merge")
    assert (result.added, result.changed, result.removed) == (0, 1, 0)
    assert 2.5 in set(store.snapshot_observations()["value"])


def test_a_dry_run_changes_nothing(store):
    snapshot = build_snapshot(store, GDP)
    add_figures(store, [{"indicator": "gdp_growth", "entity": "SRB", "period": "2022", "value": 2.5,
                         "source": "pupin_2024"}])  # fmt: skip
    before = store_state(store)
    plan = plan_restore(store, read_archive(snapshot.data), "replace")
    assert plan.changes == 1 and store_state(store) == before


# --- damaged and hostile archives -------------------------------------------------------------------------


DAMAGE = {
    "bad checksum": lambda d: rewrite(d, replace={"observations.csv": b"indicator\n"}, relist=False),
    "missing member": lambda d: rewrite(d, drop=["observations.parquet"]),
    "parent path": lambda d: rewrite(d, add={"../evil.txt": b"x"}),
    "absolute path": lambda d: rewrite(d, add={"/etc/evil.txt": b"x"}),
    "unlisted member": lambda d: rewrite(d, add={"extra.txt": b"x"}, relist=False),
    "zip bomb": lambda d: rewrite(d, replace={"README.md": b"\0" * (8 * 1024 * 1024)}),
    "not a zip": lambda d: b"PK\x03\x04 this is not really a zip" + b"\0" * 100,
    "manifest from the future": lambda d: rewrite(d, manifest_changes={"schema_version": SCHEMA_VERSION + 1}),
    "manifest not json": lambda d: rewrite(d, manifest_changes={"format": "something else"}),
}
REASONS = {
    "bad checksum": "checksum",
    "missing member": "missing",
    "parent path": "leaves the archive",
    "absolute path": "absolute path",
    "unlisted member": "does not list",
    "zip bomb": "zip bomb",
    "not a zip": "not a zip",
    "manifest from the future": "newer version",
    "manifest not json": "not a snapshot manifest",
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_or_hostile_archive_is_refused_and_the_store_is_unchanged(store, seeded_snapshot, case):
    data = DAMAGE[case](seeded_snapshot)
    add_figures(store, [{"indicator": "gdp_growth", "entity": "SRB", "period": "2022", "value": 2.5,
                         "source": "pupin_2024"}])  # fmt: skip
    before = store_state(store)
    with pytest.raises(ArchiveError, match=REASONS[case]):
        restore(store, data)
    assert store_state(store) == before


def test_a_member_larger_than_the_limit_is_refused_before_it_is_unpacked(seeded_snapshot):
    data = seeded_snapshot
    with pytest.raises(ArchiveError, match="over the limit"):
        read_archive(data, limits=Limits(max_member_bytes=1000))


def test_invalid_figures_in_an_intact_archive_are_refused_with_row_column_and_reason(seeded_snapshot, empty_store):
    data = seeded_snapshot
    frame = pd.read_parquet(io.BytesIO(members(data)["observations.parquet"]))
    frame.loc[0, "period"] = "2019-13"
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    before = store_state(empty_store)
    with pytest.raises(ArchiveError, match=r"row 2, column period, value '2019-13'"):
        restore(empty_store, rewrite(data, replace={"observations.parquet": buffer.getvalue()}))
    assert store_state(empty_store) == before


def test_an_older_schema_version_is_accepted(store, seeded_snapshot, empty_store, monkeypatch):
    from indicators.snapshot import archive as archive_module

    monkeypatch.setattr(archive_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)  # as if we had migrated since
    result = restore(empty_store, seeded_snapshot)
    assert result.added == store.counts()["observations"]


# --- compare ------------------------------------------------------------------------------------------------


def test_compare_shows_added_changed_and_removed_per_figure(store):
    before = build_snapshot(store, GDP)
    add_figures(store, [
        {"indicator": "gdp_growth", "entity": "SRB", "period": "2022", "value": 2.5, "source": "pupin_2024"},
        {"indicator": "gdp_growth", "entity": "SRB", "period": "2024", "value": 4.0, "source": "pupin_2024"},
    ])  # fmt: skip
    after = build_snapshot(store, GDP)
    differences = compare_archives(read_archive(before.data), read_archive(after.data))
    rows = {(r.period, r.status): (r.old_value, r.new_value) for r in differences.itertuples()}
    assert rows[("2022", "added")][1] == 2.5
    assert rows[("2024", "changed")] == (3.8, 4.0)
    assert len(differences) == 2
    assert compare_archives(read_archive(after.data), store).empty  # the live store is the same as `after`
    removed = compare(store.snapshot_observations(), store.snapshot_observations().iloc[1:])
    assert removed["status"].tolist() == ["removed"]


def test_a_large_snapshot_limits_the_workbook_and_report_and_says_so(store, monkeypatch):
    monkeypatch.setattr("indicators.snapshot.export.WORKBOOK_ROW_LIMIT", 5)
    monkeypatch.setattr("indicators.snapshot.report.REPORT_FULL_LIMIT", 5)
    six = ("gdp_growth", "trade_volume", "defense_share_gdp", "diaspora_us", "eu_share_exports", "eu_share_imports")
    snapshot = build_snapshot(store, Filters(indicators=six))
    files = members(snapshot.data)
    book = openpyxl.load_workbook(io.BytesIO(files["snapshot.xlsx"]))
    assert book.sheetnames == ["README", "summary", "indicators", "sources"]
    readme_sheet = " ".join(str(row[0]) for row in book["README"].iter_rows(values_only=True))
    rows = len(store.observations_table(six))
    assert f"The observations sheet is left out: {rows:,} rows" in readme_sheet
    assert snapshot.manifest["limited"] == {
        "workbook_sheets_left_out": ["observations", "changes"],
        "report_charts_usual_entity_only": True,
    }
    assert "each chart shows the indicator's usual entity only" in files["report.html"].decode()
    assert "Limits of this snapshot" in files["README.md"].decode()
    assert len(pd.read_csv(io.BytesIO(files["observations.csv"]))) == rows  # the CSV is always complete


def test_a_parquet_file_with_a_repeated_index_restores_every_figure(store, seeded_snapshot):
    """A Parquet file written by pandas keeps its index; one with repeated labels (two frames concatenated)
    still restores every figure it holds: here the same figures twice, so a replace changes nothing (it
    removed all of them: validation aligned on the index and kept no row)."""
    figures = pd.read_parquet(io.BytesIO(members(seeded_snapshot)["observations.parquet"]))
    buffer = io.BytesIO()
    pd.concat([figures, figures]).to_parquet(buffer)  # index 0..n-1 twice, stored and read back by pandas
    counts = {**json.loads(members(seeded_snapshot)["manifest.json"])["counts"], "observations": 2 * len(figures)}
    twice = rewrite(
        seeded_snapshot, replace={"observations.parquet": buffer.getvalue()}, manifest_changes={"counts": counts}
    )
    plan = plan_restore(store, read_archive(twice), "replace")
    assert plan.changes == 0 and len(plan.rows) == len(figures)
