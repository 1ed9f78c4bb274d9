"""AppTest for every page, with the seed store and with an empty store: what a user sees."""

import json

import pytest

from indicators.bootstrap import prepare
from indicators.seed import seed_checksum
from indicators.store import Store

PAGES = ["pages/overview.py", "pages/indicator.py", "pages/sources.py"]


def _texts(at):
    return [element.value for element in at.markdown] + [element.value for element in at.caption]


def test_overview_shows_a_tile_for_every_indicator_with_value_and_unit(app):
    at = app().run()
    assert not at.exception
    texts = _texts(at)
    assert "### USD 949\\.1 m" in texts  # trade volume: US Census 2022, newer than the paper's figure
    assert any(t.startswith("The paper said: \\> USD 400 m") for t in texts)  # "just over $ 400 million"
    assert "### ≈ USD 1\\.7 bn ★" in texts
    assert "### 39,000 people ★" in texts
    assert len([t for t in texts if t.startswith("### ")]) == 22  # every indicator with figures
    assert [h.value for h in at.header] == ["Economy", "Security", "People", "Politics"]
    # indicators defined without figures yet (the Serbian side of mirror pairs) wait in one place
    assert at.expander[0].label.startswith("Indicators waiting for figures")


def test_indicator_page_charts_the_deep_linked_indicator_with_its_quote_in_the_hover(app):
    at = app()
    at.query_params["indicator"] = "defense_share_gdp"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Defense spending as a share of GDP"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    (trace,) = [t for t in spec["data"] if t.get("marker", {}).get("symbol") == "star"]
    assert "exceeding the desirable 2% of GDP" in trace["customdata"][0][3]
    assert spec["layout"]["shapes"][0]["y0"] == 2  # NATO's 2 % benchmark
    assert "> 2 %" in at.dataframe[0].value["Value"].tolist()


def test_indicator_page_warns_about_an_unknown_id_and_shows_the_first(app):
    at = app()
    at.query_params["indicator"] = "no_such_thing"
    at.run()
    assert not at.exception
    assert "there is no indicator" in at.warning[0].value


def test_indicator_page_compares_entities_present_in_the_store(app, store_path):
    at = app().run()
    at.switch_page("pages/indicator.py").run()
    box = at.selectbox[0]
    box.set_value("defense_share_gdp").run()
    assert "Serbia (SRB)" in at.multiselect[0].options
    assert "Hungary (HUN)" in at.multiselect[0].options  # SIPRI's neighbours, from the reference series


def test_sources_page_lists_each_paper_with_its_figures_and_sentences(app):
    at = app().run()
    at.switch_page("pages/sources.py").run()
    assert not at.exception
    texts = _texts(at)
    assert "A Vision for Future Cooperation Between Serbia and the US" in [s.value for s in at.subheader]
    assert "**6 figures**" in texts and "**16 figures**" in texts
    assert any("Another favorable factor is that Trump has a 59% approval rating" in t.replace("\\", "") for t in texts)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_reads_well_with_an_empty_store(app, store_path, page):
    # schema but no figures: the bundled seed is marked as applied, as if a user had deleted everything
    empty = Store(store_path, idle_release=0)
    empty.migrate()
    empty.set_meta("seed_checksum", seed_checksum())
    empty.close()
    at = app().run()
    at.switch_page(page).run()
    assert not at.exception
    assert at.info, "an empty store explains itself"


def test_a_store_with_hundreds_of_indicators_shows_a_search_and_a_bounded_number_of_tiles(app, store_path):
    import pandas as pd

    from indicators.models import Indicator
    from indicators.validate import validate_observations

    store = prepare(Store(store_path, idle_release=0))
    many = [Indicator(id=f"wdi_series_{n:03d}", name=f"World Bank series {n}", unit="percent", category="economy")
            for n in range(60)]  # fmt: skip
    store.upsert_catalog([], many)
    frame = pd.DataFrame(
        {"indicator": [i.id for i in many], "entity": "SRB", "period": "2020", "value": 1.0, "source": "pupin_2024"}
    )
    store.write_observations(
        validate_observations(frame, store.indicator_map()).rows, kind="upload", who="t", reason="t"
    )
    store.close()

    at = app().run()
    assert not at.exception
    assert at.text_input[0].label == "Find indicators"
    assert len([t for t in _texts(at) if t.startswith("### ")]) == 48
    assert "Showing 48 of 82 indicators" in _texts(at)[-1] or any("Showing 48 of 82" in t for t in _texts(at))
    at.text_input[0].set_value("series 5").run()
    names = [m.value for m in at.markdown if m.value.startswith("**World Bank series")]
    assert sorted(names) == sorted(f"**World Bank series {n}**" for n in range(60) if "5" in str(n))


def _plotted_values(chart) -> list[float]:
    import base64

    import numpy as np

    values = []
    for trace in json.loads(chart.proto.spec)["data"]:
        y = trace.get("y", [])
        if isinstance(y, dict):  # plotly 7: {"dtype", "bdata"}
            y = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).tolist()
        values.extend(float(v) for v in y)
    return values


def test_an_overview_sparkline_does_not_run_a_years_total_into_a_quarters(app, store_path):
    """The Census Bureau's yearly trade totals end in 2022 (USD 949 m); an analyst adds 2023's first quarters
    (about USD 250 m each) under the same source. The tile rightly shows 2023-Q2, but its sparkline fell from
    949 m to 250 m: a quarter's trade drawn as if it were a year's. It shows the quarters alone."""
    import pandas as pd

    from indicators.validate import validate_observations

    census = "us-census-bureau-u-s-trade-in-goods-with-serbia-exports-imports-2024-download"
    store = prepare(Store(store_path))
    rows = pd.DataFrame(
        {
            "indicator": "trade_volume",
            "entity": "SRB-USA",
            "period": ["2023-Q1", "2023-Q2"],
            "value": ["250000000", "260000000"],
            "source": census,
        }
    )
    validated = validate_observations(rows, store.indicator_map())
    store.write_observations(validated.rows, kind="upload", who="ana", reason="quarters")
    ordered = ["indicator_id", "period_start"]
    from_summary = store.sparklines().sort_values(ordered, ignore_index=True)
    from_figures = store._sparklines_from_figures().sort_values(ordered, ignore_index=True)
    store.close()
    assert from_summary.equals(from_figures)

    at = app().run()
    assert not at.exception
    trade = [values for values in map(_plotted_values, at.get("plotly_chart")) if 250e6 in values]
    assert trade == [[250e6, 260e6]]


def test_a_paper_without_author_or_publisher_says_which_is_missing(app):
    """The untitled paper's byline read "not stated, not stated, 2019": two unnamed blanks a reader cannot
    tell apart. It names what is not stated."""
    at = app().run()
    at.switch_page("pages/sources.py").run()
    captions = [caption.value for caption in at.caption]
    assert "authors not stated, publisher not stated, 2019" in captions
    assert not [caption for caption in captions if "not stated, not stated" in caption]
    assert "Vuk Velebit; Andrej Cvejanov; Petar Ivić, Pupin Initiative, 2024" in captions


def test_an_overview_tile_whose_latest_figure_is_a_quarter_says_so(app, store_path):
    """The trade tile showed "USD 260 m" for 2023-Q2 under the paper's "> USD 400 m (2017)", a year's total:
    read at a glance, trade had fallen by a third. The tile says the figure is quarterly."""
    import pandas as pd

    from indicators.validate import validate_observations

    store = prepare(Store(store_path))
    census = "us-census-bureau-u-s-trade-in-goods-with-serbia-exports-imports-2024-download"
    rows = pd.DataFrame(
        {"indicator": "trade_volume", "entity": "SRB-USA", "period": ["2023-Q2"], "value": ["260000000"]}
    ).assign(source=census)
    validated = validate_observations(rows, store.indicator_map())
    store.write_observations(validated.rows, kind="upload", who="ana", reason="a quarter")
    store.close()
    at = app().run()
    assert not at.exception
    captions = [caption.value for caption in at.caption]
    assert any(caption.startswith("SRB\\-USA · 2023\\-Q2 \\(quarterly\\) · US Census") for caption in captions)
    assert any(caption.startswith("SRB · 2024 · A Vision") for caption in captions)  # a year needs no word


def test_an_official_figure_just_over_a_papers_bound_is_shown_with_the_digits_that_decide(app, store_path):
    """The paper says defence spending is "exceeding the desirable 2%"; had SIPRI said 2.04 %, the tile read
    "SIPRI ..., 2024: 2 %, which confirms the paper's figure": 2 % confirming "more than 2 %". The official
    figure is shown with the decimals the verdict rests on."""
    import pandas as pd

    from indicators.validate import validate_observations

    store = prepare(Store(store_path))
    sipri = "sipri-military-expenditure-database-via-our-world-in-data-2025-release"
    rows = pd.DataFrame({"indicator": ["defense_share_gdp"], "entity": "SRB", "period": "2024", "value": "2.04"})
    validated = validate_observations(rows.assign(source=sipri), store.indicator_map())
    store.write_observations(validated.rows, kind="upload", who="ana", reason="a revision")
    store.close()
    at = app().run()
    official = [c.value for c in at.caption if c.value.startswith("Official statistics: SIPRI")]
    assert len(official) == 1 and "2024\\: 2\\.04 %, which confirms the paper" in official[0]
