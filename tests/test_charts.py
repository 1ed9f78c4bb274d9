"""Charts are pure functions: traces per entity and source, claims as stars, benchmarks, safe text."""

import pandas as pd

from indicators.charts import add_event_markers, entity_colour, indicator_figure, safe_text, sparkline_figure


def _observation(**overrides):
    row = {
        "id": 1,
        "indicator_id": "defense_share_gdp",
        "entity": "SRB",
        "entity_name": "Serbia",
        "period": "2020",
        "period_start": pd.Timestamp("2020-01-01"),
        "value": 2.0,
        "qualifier": "exactly",
        "source_id": "sipri",
        "source_title": "SIPRI",
        "source_kind": "official",
        "quote": None,
        "note": None,
        "is_claim": False,
    }
    return {**row, **overrides}


def test_each_entity_and_source_is_its_own_line_and_claims_are_stars(store):
    defense = store.indicator("defense_share_gdp")
    series = pd.DataFrame(
        [
            _observation(period="2020", value=2.1),
            _observation(period="2021", period_start=pd.Timestamp("2021-01-01"), value=2.2),
            _observation(entity="HUN", entity_name="Hungary", value=1.6),
            _observation(source_id="pupin_2024", source_title="Pupin", is_claim=True, quote="exceeding 2%", value=2.0),
        ]
    )
    figure = indicator_figure(series, defense)
    traces = {(t.meta["entity"], t.meta["source_id"]): t for t in figure.data}
    assert set(traces) == {("SRB", "sipri"), ("HUN", "sipri"), ("SRB", "pupin_2024")}
    assert len(traces[("SRB", "sipri")].y) == 2
    assert traces[("SRB", "pupin_2024")].marker.symbol == "star"
    assert traces[("SRB", "pupin_2024")].mode == "markers"
    assert traces[("SRB", "sipri")].marker.color == entity_colour("SRB")
    # NATO's 2 % guideline is drawn as a dashed line with its label
    (line,) = figure.layout.shapes
    assert (line.y0, line.y1, line.line.dash) == (2, 2, "dash")
    assert figure.layout.annotations[0].text == "NATO guideline 2 %"


def test_hover_shows_value_period_source_and_quote_escaped(store):
    gdp = store.indicator("gdp_growth")
    series = pd.DataFrame(
        [_observation(indicator_id="gdp_growth", quote="<script>alert(1)</script> grew", source_title="A & B")]
    )
    (trace,) = indicator_figure(series, gdp).data
    period, value, source, quote, entity = trace.customdata[0]
    assert (period, value, entity) == ("2020", "2 %", "Serbia")
    assert source == "A &amp; B"
    assert "&lt;script&gt;" in quote and "<script>" not in quote


def test_an_empty_series_reads_well(store):
    figure = indicator_figure(pd.DataFrame(columns=list(_observation())), store.indicator("gdp_growth"))
    assert figure.data == ()
    assert "No figures recorded" in figure.layout.annotations[0].text


def test_the_seed_series_of_every_indicator_charts(store):
    for indicator in store.indicators():
        figure = indicator_figure(store.series(indicator.id), indicator)
        assert sum(len(trace.y) for trace in figure.data) == len(store.series(indicator.id))


def test_sparkline_has_no_axes():
    points = pd.DataFrame({"period_start": pd.to_datetime(["2019-01-01", "2020-01-01"]), "value": [1.0, 2.0]})
    figure = sparkline_figure(points)
    assert figure.layout.xaxis.visible is False and figure.layout.yaxis.visible is False


def test_safe_text_wraps_and_escapes():
    assert safe_text("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert safe_text("word " * 30, width=20).count("<br>") >= 5
    assert safe_text(None) == ""


def test_years_are_labelled_as_years_and_a_lone_point_has_room(store):
    figure = indicator_figure(store.series("approval_us_president"), store.indicator("approval_us_president"))
    assert figure.layout.xaxis.tickformat == "%Y"
    low, high = (str(x)[:4] for x in figure.layout.xaxis.range)
    assert (low, high) == ("2022", "2026")


def test_lines_come_in_the_order_and_with_the_rows_pandas_groups_them():
    from indicators.charts import _lines
    from indicators.periods import period_frequency

    keys = [("SRB", "a"), ("USA", "b"), ("SRB", "a"), (None, "a"), ("USA", "a"), ("SRB", None), ("USA", "b")]
    series = pd.DataFrame(
        [_observation(entity=entity, source_id=source, value=float(n)) for n, (entity, source) in enumerate(keys)]
    ).astype({"entity": "str", "source_id": "str"})
    frequency = series["period"].map(period_frequency).rename("frequency")
    expected = [(key, group) for key, group in series.groupby(["entity", "source_id", frequency], sort=False)]
    got = _lines(series)
    assert (
        [key for key, _ in got]
        == [key for key, _ in expected]
        == [("SRB", "a", "A"), ("USA", "b", "A"), ("USA", "a", "A")]
    )
    for (_, mine), (_, theirs) in zip(got, expected, strict=True):
        pd.testing.assert_frame_equal(mine, theirs)
    one_line = series.iloc[[0, 2]]
    assert _lines(one_line)[0][1] is one_line  # a single line is the frame itself, not a copy


def test_an_indicator_without_figures_gets_no_event_labels_floating_over_its_empty_chart(store):
    """A mirror indicator has no figures yet: its chart says so, with no axes; the events have no time axis to
    stand on, so none is drawn (their labels piled up in a corner)."""
    indicator = store.indicator("srb_exports_to_usa")
    series = store.series("srb_exports_to_usa", None)
    assert series.empty
    figure = add_event_markers(indicator_figure(series, indicator), store.events())
    assert not figure.layout.shapes
    assert [note.text for note in figure.layout.annotations] == ["No figures recorded for this indicator yet"]


def test_event_labels_do_not_stretch_the_time_axis_past_the_figures(store):
    """Plotly widens an axis until every label fits: an event near the right edge stretched the time axis of
    Serbia-US trade (figures to 2022) to 2047 on a phone. The axis now ends just after the last figure or
    event, and the labels in the right part of the chart read leftwards from their line, inside it."""
    series = store.series("trade_volume", None)
    events = store.events()
    events = events[events["date_start"].between(pd.Timestamp("2009-01-01"), pd.Timestamp("2022-12-31"))]
    figure = add_event_markers(indicator_figure(series, store.indicator("trade_volume")), events)
    low, high = (pd.Timestamp(end) for end in figure.layout.xaxis.range)
    last = max(series["period_start"].max(), events["date_start"].max())
    assert pd.Timestamp("2008-01-01") < low < series["period_start"].min()
    assert last < high < last + pd.Timedelta(days=365)
    labels = [note for note in figure.layout.annotations if (note.name or "").startswith("event:")]
    assert {pd.Timestamp(note.x).year: note.xanchor for note in labels} == {2015: "left", 2022: "right"}
