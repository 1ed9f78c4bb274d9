"""The Indicator page as an analyst uses it: a shared link restores the view, the store as recorded on a
past day, both countries' numbers side by side, and events added from a form."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from indicators.bootstrap import prepare
from indicators.models import Source
from indicators.store import Store
from indicators.validate import validate_observations


def add_figures(path, indicator: str, entity: str, source: str, values: dict[str, float], who: str = "ana") -> None:
    store = prepare(Store(path))
    if source not in store.source_ids():
        store.save_source(Source(id=source, title=source.upper(), kind="official"), who=who, reason="test source")
    frame = pd.DataFrame(
        {
            "row": range(2, len(values) + 2),
            "indicator": indicator,
            "entity": entity,
            "period": list(values),
            "value": [str(v) for v in values.values()],
            "unit": "",
            "qualifier": "exactly",
            "source": source,
            "quote": "",
            "note": "",
        }
    )
    validated = validate_observations(frame, store.indicator_map())
    assert validated.ok, validated.problems
    store.write_observations(validated.rows, kind="edit", who=who, reason="test figures")
    store.close()


def by_label(elements, label):
    return next(element for element in elements if element.label == label)


def params(at) -> dict[str, str]:
    return {
        key: at.query_params[key] if isinstance(at.query_params[key], str) else at.query_params[key][0]
        for key in at.query_params
    }


def opened(app, link: dict[str, str]):
    at = app()
    for key, value in link.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


GDP_SERIES = {
    str(year): value for year, value in zip(range(1996, 2004), [5.9, 1.9, 2.5, -11.0, 5.0, 5.1, 4.3, 2.7], strict=True)
}


def test_a_shared_link_opens_exactly_the_view_it_describes(app, store_path):
    add_figures(store_path, "gdp_growth", "SRB", "wb", GDP_SERIES)
    link = {
        "indicator": "gdp_growth",
        "entities": "SRB",
        "from": "1997",
        "to": "2002",
        "scale": "log",
        "events": "visit,conflict",
        "event": "1999-03-nato-bombing",
        "window": "3",
    }
    at = opened(app, link)
    assert by_label(at.selectbox, "Indicator").value == "gdp_growth"
    assert by_label(at.multiselect, "Entities to compare").value == ["SRB"]
    assert at.select_slider[0].value == ("1997", "2002")
    assert by_label(at.toggle, "Logarithmic scale").value is True
    assert by_label(at.multiselect, "Events shown on the chart").value == ["visit", "conflict"]
    assert by_label(at.selectbox, "Event").value == "1999-03-nato-bombing"
    assert params(at) == link  # the URL the page writes back is the one it was opened with

    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["yaxis"]["type"] == "log"
    event_lines = [shape for shape in spec["layout"].get("shapes", []) if shape.get("name", "").startswith("event:")]
    assert [shape["name"] for shape in event_lines] == ["event:1999-03-nato-bombing"]  # Carter 1980 is out of range

    # before and after the bombing: 1998 (2.5) to 2002 (4.3), the 1999 figure contains the event
    change = at.dataframe[0].value
    pairs = list(zip(change["Before"], change["After"], strict=True))
    assert ("2.5 % (1998)", "4.3 % (2002)") in pairs  # the line of this test's source, beside the bundled WDI


def test_changing_the_view_changes_the_link_and_the_new_link_restores_it(app, store_path):
    add_figures(store_path, "gdp_growth", "SRB", "wb", GDP_SERIES)
    at = opened(app, {"indicator": "gdp_growth"})
    assert params(at)["from"] == "1996" and params(at)["to"] == "2024"
    at.select_slider[0].set_value(("1998", "2001")).run()
    by_label(at.toggle, "Logarithmic scale").set_value(True).run()
    by_label(at.multiselect, "Events shown on the chart").set_value(["crisis"]).run()
    assert not at.exception
    link = params(at)
    assert (link["from"], link["to"], link["scale"], link["events"]) == ("1998", "2001", "log", "crisis")

    again = opened(app, link)
    assert again.select_slider[0].value == ("1998", "2001")
    assert by_label(again.toggle, "Logarithmic scale").value is True
    assert by_label(again.multiselect, "Events shown on the chart").value == ["crisis"]
    assert params(again) == link


def test_a_broken_link_shows_warnings_and_the_page_still_works(app, store_path):
    at = opened(app, {"indicator": "nope", "as_of": "2999-01-01", "scale": "huge", "entities": "SRB,ZZZ"})
    warnings = " ".join(warning.value for warning in at.warning)
    assert "no indicator" in warnings and "2999" in warnings and "scale" in warnings
    assert params(at)["scale"] == "linear"


def test_as_recorded_on_shows_the_figure_before_its_correction_and_marks_revisions(app, store_path):
    prepare(Store(store_path)).close()
    store = Store(store_path)
    with store.transaction() as con:  # the bundled figures were recorded a month ago
        con.execute("UPDATE observation SET recorded_at = recorded_at - INTERVAL 30 DAY")
        con.execute("UPDATE batch SET created_at = created_at - INTERVAL 30 DAY")
        con.execute("UPDATE event SET recorded_at = recorded_at - INTERVAL 30 DAY")
    store.close()
    add_figures(store_path, "gdp_growth", "SRB", "pupin_2024", {"2024": 4.1})  # a correction, today

    now = opened(app, {"indicator": "gdp_growth"})
    table = now.dataframe[-1].value
    table = table[table["Source"].str.startswith("A Vision")]  # the paper's figure, not the bundled WDI series
    assert list(table["Value"]) == ["4.1 %"] and list(table["Revised"]) == ["✎ 2 versions"]

    before = (dt.date.today() - dt.timedelta(days=10)).isoformat()
    then = opened(app, {"indicator": "gdp_growth", "as_of": before})
    assert by_label(then.date_input, "As recorded on").value == dt.date.fromisoformat(before)
    table = then.dataframe[-1].value
    table = table[table["Source"].str.startswith("A Vision")]
    assert list(table["Value"]) == ["3.8 %"] and list(table["Revised"]) == [""]
    assert any("as they were recorded on" in info.value for info in then.info)
    assert params(then)["as_of"] == before


def test_both_countries_numbers_appear_side_by_side_only_when_both_report(app, store_path):
    add_figures(store_path, "srb_exports_to_usa", "SRB-USA", "rzs", {"2017": 100e6, "2018": 120e6})
    one_side = opened(app, {"indicator": "srb_exports_to_usa"})
    assert not [h for h in one_side.subheader if h.value.startswith("Both sides")]

    add_figures(store_path, "us_imports_from_srb", "SRB-USA", "census", {"2017": 292.5e6, "2018": 300e6})
    both = opened(app, {"indicator": "srb_exports_to_usa"})
    assert [h.value for h in both.subheader if h.value.startswith("Both sides")] == [
        "Both sides' numbers: Goods from Serbia to the US"
    ]
    assert any("CIF" in caption.value for caption in both.caption)
    mirror = next(frame.value for frame in both.dataframe if "Gap (a − b)" in frame.value.columns)
    assert list(mirror["Period"]) == ["2017", "2018"]


def test_an_editor_adds_an_event_from_the_form_and_a_bad_date_is_refused(app, store_path):
    at = opened(app, {"indicator": "gdp_growth"})
    by_label(at.text_input, "Date").set_value("2025-13")
    by_label(at.text_input, "Title").set_value("US Vice President visits Belgrade")
    by_label(at.text_input, "Reason for the change").set_value("news")
    by_label(at.button, "Add event").click().run()
    assert any("Date" in error.value and "month 13" in error.value for error in at.error)

    by_label(at.text_input, "Date").set_value("2025-09")
    by_label(at.button, "Add event").click().run()
    assert not at.exception and not at.error
    assert any("added" in success.value for success in at.success)
    store = Store(store_path)
    added = store.events().set_index("id").loc["2025-09-us-vice-president-visits-belgrade"]
    assert added.recorded_by and added.type == "visit"
    store.close()


def test_a_log_scale_says_which_figures_it_cannot_draw(app, store_path):
    """GDP growth turned negative in 1999; on a log axis that year silently vanished from the chart. The page
    now says which figures are not drawn, and says nothing on the linear scale."""
    add_figures(store_path, "gdp_growth", "SRB", "wb", GDP_SERIES)
    at = opened(app, {"indicator": "gdp_growth", "entities": "SRB", "scale": "log"})
    warnings = " ".join(warning.value for warning in at.warning)
    assert "cannot draw" in warnings and "at or below zero (1999" in warnings
    by_label(at.toggle, "Logarithmic scale").set_value(False).run()
    assert "cannot draw" not in " ".join(warning.value for warning in at.warning)


def test_the_change_around_an_event_in_a_percentage_is_in_percentage_points(app, store_path):
    """GDP growth went from 2.5 % to 4.3 %: the table said '+1.8 %' beside 'Change % +72.0 %', which a reader
    takes for a relative change. A difference of two percentages is 1.8 percentage points."""
    add_figures(store_path, "gdp_growth", "SRB", "wb", GDP_SERIES)
    at = opened(app, {"indicator": "gdp_growth", "entities": "SRB", "event": "1999-03-nato-bombing", "window": "3"})
    change = at.dataframe[0].value
    ours = change[change["Before"] == "2.5 % (1998)"].iloc[0]
    assert ours["After"] == "4.3 % (2002)"
    assert ours["Change"] == "+1.8 pp"
    assert ours["Change %"] == "+72.0 %"


QUARTERS = {"2018-Q4": 3.9, "2019-Q1": 3.5, "2019-Q2": 3.2, "2019-Q3": 2.9, "2019-Q4": 2.5, "2020-Q1": -0.5}


def test_a_link_to_a_year_of_quarterly_figures_shows_all_four_quarters(app, store_path):
    """`?from=2019&to=2019` on a quarterly series showed 2019-Q1 only: 'to' was read as the year's first day."""
    add_figures(store_path, "gdp_growth", "HUN", "ksh", QUARTERS)
    at = opened(app, {"indicator": "gdp_growth", "entities": "HUN", "from": "2019", "to": "2019"})
    assert at.select_slider[0].value == ("2019-Q1", "2019-Q4")
    assert list(at.dataframe[-1].value["Period"]) == ["2019-Q1", "2019-Q2", "2019-Q3", "2019-Q4"]
    assert not [warning for warning in at.warning if "This link" in warning.value]


def test_a_link_to_periods_without_figures_says_so_and_shows_them_all(app, store_path):
    """`?from=2021&to=2022` on a series that ends in 2020-Q1 showed 2020-Q1 alone, outside the range asked
    for, without a word."""
    add_figures(store_path, "gdp_growth", "HUN", "ksh", QUARTERS)
    at = opened(app, {"indicator": "gdp_growth", "entities": "HUN", "from": "2021", "to": "2022"})
    slider = at.select_slider[0]
    assert slider.value == (slider.options[0], slider.options[-1]) and slider.value[1] == "2020-Q1"
    warnings = " ".join(warning.value for warning in at.warning)
    assert "no figures of this selection from 2021 to 2022" in warnings


def test_a_link_to_an_event_that_is_not_there_says_so(app, store_path):
    """An outdated link (the event's id changed, or a typo) silently lost its event."""
    at = opened(app, {"indicator": "gdp_growth", "event": "1999-nato-bombing", "window": "50"})
    warnings = " ".join(warning.value for warning in at.warning)
    assert "no event" in warnings and "1999" in warnings
    assert "window of 50 years is outside 1" in warnings.replace("\\", "")
    assert by_label(at.selectbox, "Event").value == ""


def test_an_empty_entity_choice_says_that_every_entity_is_shown(app, store_path):
    """A link whose entities have no figures (`entities=FRA`), or an analyst removing every entity, left the
    box empty while the chart drew every country, with nothing saying why."""
    add_figures(store_path, "gdp_growth", "HUN", "ksh", QUARTERS)
    at = opened(app, {"indicator": "gdp_growth", "entities": "FRA"})
    assert by_label(at.multiselect, "Entities to compare").value == []
    entities = len(by_label(at.multiselect, "Entities to compare").options)
    assert f"No entity chosen: all {entities} entities with figures are shown." in [c.value for c in at.caption]
    by_label(at.multiselect, "Entities to compare").set_value(["HUN"]).run()
    assert not [caption for caption in at.caption if caption.value.startswith("No entity chosen")]


def test_a_source_with_yearly_and_quarterly_figures_is_not_drawn_as_one_line(app, store_path):
    """An analyst adds the Census Bureau's first quarters of 2023 under the same source as its yearly totals:
    the chart joined 2022 (USD 949 m for the year) to 2023-Q1 (USD 250 m for a quarter) in one line, a
    collapse of trade that never happened. A year and a quarter are drawn as two lines, each named."""
    census = "us-census-bureau-u-s-trade-in-goods-with-serbia-exports-imports-2024-download"
    add_figures(store_path, "trade_volume", "SRB-USA", census, {"2023-Q1": 250e6, "2023-Q2": 260e6})
    at = opened(app, {"indicator": "trade_volume", "from": "2020"})
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    census_lines = [trace for trace in spec["data"] if "Census" in trace["name"]]
    assert len(census_lines) == 2
    names = sorted(trace["name"] for trace in census_lines)
    assert names[0].endswith("(annual)") and names[1].endswith("(quarterly)")
    assert not [warning for warning in at.warning if "This link" in warning.value]
    captions = " ".join(caption.value for caption in at.caption)
    assert "a total over its period (trade, arrivals), a quarter's is not comparable with a year's" in captions


def test_a_range_ending_on_a_year_holds_that_years_quarters_on_the_page_and_in_its_link(app, store_path):
    """A chart holds the Census Bureau's 2023 total and a newer source's 2023 quarters. An analyst drags the
    range to end at 2023: the page showed 2023-Q1 but not Q2 or Q3 (it cut at the year's first day), while the
    link it gave (`to=2023`) opened with all three quarters: the colleague saw another view."""
    census = "us-census-bureau-u-s-trade-in-goods-with-serbia-exports-imports-2024-download"
    add_figures(store_path, "trade_volume", "SRB-USA", census, {"2023": 1.1e9})
    quarters = {"2023-Q1": 2.5e8, "2023-Q2": 2.6e8, "2023-Q3": 2.7e8}
    add_figures(store_path, "trade_volume", "SRB-USA", "quarterly", quarters)
    at = opened(app, {"indicator": "trade_volume", "from": "2021"})
    at.select_slider[0].set_value(("2021", "2023")).run()
    assert not at.exception
    shown = sorted(at.dataframe[-1].value["Period"])
    assert shown == ["2021", "2022", "2023", "2023-Q1", "2023-Q2", "2023-Q3"]
    link = params(at)
    assert (link["from"], link["to"]) == ("2021", "2023")

    again = opened(app, link)
    assert sorted(again.dataframe[-1].value["Period"]) == shown


def test_an_event_added_on_the_page_appears_on_its_chart_at_once(app, store_path):
    """An editor adds a 2019 visit from the form under the chart: "Event ... added", but the chart above (drawn
    before the form was sent) and the before/after picker did not have it until something else was clicked."""
    at = opened(app, {"indicator": "gdp_growth"})
    by_label(at.text_input, "Date").set_value("2019-09")
    by_label(at.text_input, "Title").set_value("US Vice President visits Belgrade")
    by_label(at.text_input, "Reason for the change").set_value("news")
    by_label(at.button, "Add event").click().run()
    assert not at.exception and not at.error
    assert any("added" in success.value for success in at.success)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [shape.get("name", "") for shape in spec["layout"].get("shapes", [])]
    assert "event:2019-09-us-vice-president-visits-belgrade" in names
    assert "2019-09 · US Vice President visits Belgrade" in by_label(at.selectbox, "Event").options


def test_a_figure_deleted_and_brought_back_unchanged_is_not_called_revised(app, store_path):
    """An editor deletes the paper's 2024 growth figure by mistake and undoes the deletion: the figure is back
    at 3.8 %, yet the chart ringed it and the table said "✎ 2 versions" under "Revised", as if the paper's
    number had been corrected. A figure whose value changed is still marked."""
    store = prepare(Store(store_path))
    deleted = store.delete_observation("gdp_growth", "SRB", "2024", "pupin_2024", who="ana", reason="oops")
    store.undo_batch(deleted.batch_id, who="ana", reason="it was right")
    store.close()
    add_figures(store_path, "gdp_growth", "SRB", "wb", {"2019": 4.2})
    add_figures(store_path, "gdp_growth", "SRB", "wb", {"2019": 4.3})  # a real revision

    at = opened(app, {"indicator": "gdp_growth", "from": "2019"})
    table = at.dataframe[-1].value.set_index("Period")
    assert table.loc["2024", "Value"] == "3.8 %" and table.loc["2024", "Revised"] == ""
    assert table.loc["2019", "Revised"] == "✎ 2 versions"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    ringed = [trace for trace in spec["data"] if (trace.get("meta") or {}).get("revised")]
    assert len(ringed) == 1 and ringed[0]["customdata"] == [["2019", 2]]
