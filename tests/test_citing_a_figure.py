"""A journalist or diplomat cites a figure from the dashboard: whatever they copy (a tile, the table, the
chart's hover, image or download) must say whose sentence it is and where it came from."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from indicators import charts, exports, views

FIVE_AREAS = "Serbia and the United States: five areas for lasting relations (untitled paper)"
EXPORTED_AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_a_papers_sentence_citing_another_source_is_attributed_to_the_paper_everywhere(store, app):
    # The sentence "Two thirds of exports (67%) ..." is the five-areas paper's, which cites the EC Delegation.
    # Credited to the EC Delegation alone, a journalist would put the paper's words in the EC's mouth.
    indicator = store.indicator("eu_share_exports")
    series = store.series("eu_share_exports")
    expected = f"{FIVE_AREAS}, citing Benefits of Serbia’s trade with the EU"

    assert list(views.series_table(series, indicator)["Source"]) == [expected]
    csv = exports.chart_csv(series, indicator, {}, EXPORTED_AT).decode()
    assert f"# sources: {expected}\n" in csv
    figure = charts.caption_figure(charts.indicator_figure(series, indicator), indicator, list(series["source_title"]))
    assert FIVE_AREAS.split(":")[0] in figure.layout.title.subtitle.text
    assert "five areas" in str(figure.data[0].customdata[0][2])  # the hover's "Source:"

    at = app()
    at.run()
    captions = [caption.value for caption in at.caption]
    assert any("five areas for lasting relations" in text and "Benefits of Serbia" in text for text in captions)


def test_a_papers_own_figure_and_official_statistics_keep_their_plain_source(store):
    assert set(store.series("gdp_growth")["source_title"]) >= {
        "A Vision for Future Cooperation Between Serbia and the US"
    }
    official = store.series("trade_volume")
    assert not official[official["source_kind"] == "official"]["source_title"].str.contains("citing").any()


def test_a_saved_chart_image_names_every_source_in_full(store):
    # The PNG/SVG from the camera button is all a reader of a printed article sees: the source line drawn on
    # it must not be cut off before the official statistics' title.
    indicator = store.indicator("trade_volume")
    series = store.series("trade_volume")
    figure = charts.caption_figure(charts.indicator_figure(series, indicator), indicator, list(series["source_title"]))
    drawn = figure.layout.title.subtitle.text.replace("<br>", " ")
    assert "…" not in drawn
    assert drawn.endswith("US Census Bureau, U.S. trade in goods with Serbia (exports + imports), 2024 download")
    assert figure.layout.margin.t >= 62 + 22 * (figure.layout.title.subtitle.text.count("<br>") + 1)


def test_the_sources_page_says_who_published_each_source_where_to_find_it_and_under_which_licence(app):
    # A diplomat quoting "USD 949.1 m of trade in 2022" must be able to say where the figure is published and
    # whether it may be reproduced; the papers' own terms are shown with them.
    at = app()
    at.run()
    at.switch_page("pages/sources.py").run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("Title")
    census = table.loc["US Census Bureau, U.S. trade in goods with Serbia (exports + imports), 2024 download"]
    assert census["Publisher"] == "US Census Bureau"
    assert census["URL"] == "https://www.census.gov/foreign-trade/balance/c4801.html"
    assert census["Licence"].startswith("Public domain")
    assert table.loc["World Bank WDI, last updated 2017-03-23", "Licence"] == "CC BY 4.0"
    assert table.loc["Benefits of Serbia’s trade with the EU", "Cited in"] == FIVE_AREAS
    assert any("Licence: © 2023-2024 Pupin Initiative" in caption.value.replace("\\", "") for caption in at.caption)


def test_the_chart_spreadsheet_gives_the_census_dollars_as_whole_numbers_like_the_csv(store):
    # US Census trade is converted from millions; 2010 (164.275702 + 104.469213 million) was stored as
    # 268744915.0000001 and the XLSX cell showed that to anyone who opened it.
    indicator = store.indicator("trade_volume")
    series = store.series("trade_volume")
    sheet = openpyxl.load_workbook(io.BytesIO(exports.chart_xlsx(series, indicator, {}, EXPORTED_AT))).active
    values = {row[2]: row[3] for row in sheet.iter_rows(values_only=True) if row[0] == "trade_volume"}
    assert values["2010"] == 268744915
    csv = exports.chart_csv(series, indicator, {}, EXPORTED_AT).decode()
    assert "trade_volume,SRB-USA,2010,268744915,USD" in csv


def test_a_snapshot_workbook_gives_the_same_numbers_as_its_csv(store):
    from indicators.snapshot.workbook import build_workbook

    observations = store.observations_table(["trade_volume"])
    content = build_workbook({"observations": observations}, {}, ["a snapshot"])
    sheet = openpyxl.load_workbook(io.BytesIO(content))["observations"]
    rows = list(sheet.iter_rows(values_only=True))
    value_column = rows[0].index("value")
    by_period = {row[rows[0].index("period")]: row[value_column] for row in rows[1:]}
    assert by_period["2010"] == 268744915


def test_a_first_time_visitor_sees_on_the_overview_which_latest_figures_are_out_of_date(store, app):
    # "67 %" of Serbia's exports go to the EU, for 2017: a journalist must not quote it as today's share.
    tiles = {
        tile.indicator_id: tile
        for tiles in views.overview_tiles(store.overview(), today=dt.date(2025, 6, 1)).values()
        for tile in tiles
    }
    assert tiles["eu_share_exports"].overdue == (
        "Older than its release cycle: a newer figure was expected by January 2019"
    )
    assert tiles["gdp_growth"].overdue is None  # 2024's figure, a 12-month cycle: not yet due in June 2025
    assert tiles["yugoslavia_ww2_deaths"].overdue is None  # no release cycle: a historical figure

    at = app()
    at.run()
    assert any("Older than its release cycle" in caption.value for caption in at.caption)


def test_a_snapshots_offline_report_credits_a_cited_sentence_to_the_paper(store_path, tmp_path, capsys):
    # The report travels by e-mail without the dashboard: its claims list and its charts' hovers must say
    # whose sentence each claim is, as the dashboard does.
    import zipfile

    from indicators.cli import main

    archive = tmp_path / "eu.zip"
    assert main(["export", str(archive), "--indicator", "eu_share_exports"]) == 0
    report = zipfile.ZipFile(archive).read("report.html").decode("utf-8")
    assert "five areas for lasting relations (untitled paper), citing Benefits of Serbia’s trade with the EU" in report


def test_the_overview_says_which_paper_made_the_claim_beside_newer_statistics(app):
    # Two papers: "The paper said: > USD 400 m (2017)" must say which one, and whose statistics it cites.
    at = app()
    at.run()
    said = [caption.value for caption in at.caption if caption.value.startswith("The paper said")]
    trade = next(text for text in said if "400" in text)
    assert "five areas for lasting relations" in trade and "Ministry of Foreign Affairs of Serbia" in trade
    defense = next(text for text in said if "2 %" in text)
    assert "A Vision for Future Cooperation Between Serbia and the US" in defense


def test_the_csv_header_cannot_smuggle_a_formula_into_a_spreadsheet(store):
    # A source title typed at upload ("Stats office,=HYPERLINK(...)") lands in the download's "# sources:" line;
    # Excel splits that line at the comma (Serbian Excel at the semicolon) and would run the formula.
    import csv

    indicator = store.indicator("gdp_growth")
    series = store.series("gdp_growth").head(2).copy()
    series["source_title"] = ['Stats office,=HYPERLINK("http://evil.example","x")', 'Agency; "@SUM(1+1)"']
    text = exports.chart_csv(series, indicator, {}, EXPORTED_AT).decode()
    header = [line for line in text.splitlines() if line.startswith("#")]
    for separator in ",;":
        cells = [cell.strip() for row in csv.reader(header, delimiter=separator) for cell in row]
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")], separator
    assert "Stats office,'=HYPERLINK" in text  # still readable, shown as text


def test_the_charts_own_download_imported_back_changes_nothing(store_path, tmp_path, capsys):
    # An analyst downloads US–Serbia trade as CSV and XLSX, and later imports the file back: the dry run must
    # not report the Census figures stored with float noise (268744915.0000001) as changed.
    from indicators.bootstrap import open_store
    from indicators.cli import main

    store = open_store()
    try:
        indicator, series = store.indicator("trade_volume"), store.series("trade_volume")
        (tmp_path / "trade.csv").write_bytes(exports.chart_csv(series, indicator, {}, EXPORTED_AT))
        (tmp_path / "trade.xlsx").write_bytes(exports.chart_xlsx(series, indicator, {}, EXPORTED_AT))
    finally:
        store.close()
    for name in ("trade.csv", "trade.xlsx"):
        assert main(["import", str(tmp_path / name), "--dry-run"]) == 0
        assert f"{len(series)} valid figures (0 new, 0 changed, {len(series)} unchanged)" in capsys.readouterr().out
