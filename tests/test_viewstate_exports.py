"""A view in the URL, and the chart's data and image as files people keep."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pandas as pd

from indicators import charts
from indicators.exports import chart_csv, chart_xlsx
from indicators.models import EVENT_TYPES
from indicators.viewstate import ViewState, parse_params, range_warning, snap_range, to_params

LINK = {
    "indicator": "gdp_growth",
    "entities": "SRB,HUN",
    "from": "2000",
    "to": "2019-Q3",
    "scale": "log",
    "as_of": "2025-01-31",
    "events": "visit,conflict",
    "event": "1999-03-nato-bombing",
    "window": "5",
}


def test_a_link_gives_back_exactly_the_view_it_was_made_from():
    state = parse_params(LINK)
    assert state.entities == ("SRB", "HUN") and state.start == "2000" and state.end == "2019-Q3"
    assert state.log_scale and state.as_of == dt.date(2025, 1, 31) and state.window == 5
    assert state.event_types == ("visit", "conflict") and not state.warnings
    assert to_params(state) == LINK


def test_an_empty_link_means_the_defaults_and_every_event_type():
    state = parse_params({})
    assert state.entities is None and not state.log_scale and state.event_types == EVENT_TYPES
    assert to_params(state) == {"scale": "linear", "events": ",".join(EVENT_TYPES)}
    assert parse_params({"events": "none"}).event_types == ()
    assert to_params(ViewState(event_types=()))["events"] == "none"


def test_a_hand_edited_link_with_nonsense_is_read_with_warnings_not_errors():
    state = parse_params(
        {
            "entities": "SRB,<b>",
            "from": "2019-13",
            "scale": "huge",
            "as_of": "yesterday",
            "events": "visit,party",
            "window": "x",
        }
    )
    assert state.entities == ("SRB",) and state.start is None and not state.log_scale and state.as_of is None
    assert state.event_types == ("visit",) and state.window == 3
    assert len(state.warnings) == 6


def test_the_period_range_snaps_to_the_periods_there_are():
    options = ["1998", "2000", "2004", "2010"]
    assert snap_range(options, None, None) == ("1998", "2010")
    assert snap_range(options, "2000", "2004") == ("2000", "2004")
    assert snap_range(options, "1999", "2005") == ("2000", "2004")
    assert snap_range(options, "2030", "1990") == ("1998", "2010")  # nonsense: a valid range all the same


def test_a_linked_range_ending_in_a_year_keeps_that_year_s_quarters_and_months():
    options = ["2018", "2019-Q1", "2019-Q2", "2019-07", "2019-Q4", "2020-Q1"]
    assert snap_range(options, "2019", "2019") == ("2019-Q1", "2019-Q4")
    assert snap_range(options, "2019-Q3", "2019") == ("2019-07", "2019-Q4")
    assert snap_range(options, "2019", "2018") == ("2018", "2019-Q4")  # ends swapped by hand
    assert range_warning(options, "2019", "2019") is None
    assert "from 2021 to 2022" in range_warning(options, "2021", "2022")


def _series(store):
    return store.series("trade_volume")


def test_the_csv_download_starts_with_what_when_and_from_where(store):
    indicator = store.indicator("trade_volume")
    at = dt.datetime(2026, 11, 23, 21, 0)
    content = chart_csv(_series(store), indicator, {"entities": "SRB-USA", "scale": "log"}, at).decode()
    header = [line for line in content.splitlines() if line.startswith("#")]
    assert header[0].startswith("# indicator: Serbia–US trade in goods (trade_volume)")
    assert any(line.startswith("# unit: ") for line in header)
    assert any("Ministry of Foreign Affairs of Serbia" in line for line in header if line.startswith("# sources"))
    assert "# filter entities: SRB-USA" in header and "# exported at: 2026-11-23T21:00:00Z" in header
    data = pd.read_csv(io.StringIO(content), comment="#", dtype=str)
    assert list(data.columns)[:4] == ["indicator", "entity", "period", "value"]
    assert len(data) == len(_series(store))


def test_the_xlsx_download_opens_with_the_header_above_the_data(store):
    indicator = store.indicator("trade_volume")
    content = chart_xlsx(_series(store), indicator, {"scale": "linear"}, dt.datetime(2026, 1, 1))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "indicator" and "trade_volume" in rows[0][1]
    header_row = next(i for i, row in enumerate(rows) if row[0] == "indicator" and row[1] == "entity")
    assert rows[header_row + 1][1] == "SRB-USA" and isinstance(rows[header_row + 1][3], int | float)


def test_events_are_vertical_markers_filtered_by_type_with_escaped_labels(store):
    indicator = store.indicator("gdp_growth")
    events = store.events()
    events.loc[events.index[0], "title"] = "<script>alert(1)</script>"
    figure = charts.indicator_figure(store.series("gdp_growth"), indicator)
    charts.add_event_markers(figure, events[events["type"].isin(["visit", "conflict"])])
    lines = [shape for shape in figure.layout.shapes if (shape.name or "").startswith("event:")]
    assert len(lines) == len(events[events["type"].isin(["visit", "conflict"])])
    labels = [note.text for note in figure.layout.annotations if (note.name or "").startswith("event:")]
    assert any("&lt;script&gt;" in label for label in labels) and not any("<script>" in label for label in labels)
    json.loads(figure.to_json())  # serialisable as the page sends it


def test_the_image_carries_title_unit_and_sources_and_the_camera_button_can_give_svg(store):
    indicator = store.indicator("gdp_growth")
    figure = charts.caption_figure(
        charts.indicator_figure(store.series("gdp_growth"), indicator), indicator, ["WB", "WB"]
    )
    assert figure.layout.title.text == indicator.name
    assert figure.layout.title.subtitle.text == "Unit: percent · Source: WB"
    assert charts.image_config("gdp_growth", "svg")["toImageButtonOptions"]["format"] == "svg"


def test_revised_figures_are_ringed(store):
    series = store.series("gdp_growth")
    revised = pd.DataFrame({"entity": ["SRB"], "period": ["2024"], "source_id": ["pupin_2024"], "versions": [2]})
    figure = charts.mark_revised(charts.indicator_figure(series, store.indicator("gdp_growth")), series, revised)
    assert [trace.name for trace in figure.data if trace.meta and trace.meta.get("revised")] == [
        "revised (value changed)"
    ]
