"""Bugs the browser tests found, pinned by unit tests: user text is shown as typed, never as markup."""

from indicators.charts import safe_text
from indicators.models import Indicator
from indicators.webapp import md

HOSTILE_NAME = '<script>alert("name")</script> Suspicious [x](javascript:alert(1)) name'


def test_chart_text_keeps_quotes_in_a_form_plotly_decodes():
    # plotly shows "&quot;" literally but decodes numeric references, so a title reads as typed
    assert safe_text("say \"hi\" & 'bye'") == "say &#34;hi&#34; &amp; &#39;bye&#39;"
    assert "&quot;" not in safe_text('"', width=10)


def test_indicator_page_title_shows_a_hostile_name_as_typed(app, store_path):
    from indicators.bootstrap import prepare
    from indicators.store import Store

    store = prepare(Store(store_path))
    store.save_indicator(
        Indicator(id="hostile_text", name=HOSTILE_NAME, unit="percent", category="politics"), who="t", reason="t"
    )
    store.close()
    at = app()
    at.query_params["indicator"] = "hostile_text"
    at.run()
    assert not at.exception
    assert at.title[0].value == md(HOSTILE_NAME)  # escaped: no link, no tag


def test_sidebar_names_the_store_without_a_code_span(app, store_path):
    at = app().run()
    (caption,) = [c.value for c in at.sidebar.caption if c.value.startswith("Store:")]
    assert "`" not in caption  # md() escapes inside a code span would show as backslashes
    assert caption == f"Store: {md(str(store_path))}"


def test_hover_of_a_figure_without_a_quote_shows_its_note_not_nan(store):
    import pandas as pd

    from indicators.charts import indicator_figure
    from indicators.validate import validate_observations

    row = {"indicator": "gdp_growth", "entity": "SRB", "period": "2021", "value": 7.7, "unit": "percent",
           "qualifier": "exactly", "source": "pupin_2024", "quote": None,
           "note": "from the statistics office"}  # fmt: skip
    validated = validate_observations(pd.DataFrame([row]), store.indicator_map())
    store.write_observations(validated.rows, kind="upload", who="t", reason="t")
    series = store.series("gdp_growth")
    assert series["quote"].isna().any()  # a missing quote comes back as NaN, which is truthy
    figure = indicator_figure(series, store.indicator("gdp_growth"))
    hovers = [row[3] for trace in figure.data for row in trace.customdata]
    assert "from the statistics office" in hovers
    assert not any("nan" in text for text in hovers)
