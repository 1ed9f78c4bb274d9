"""A reader browses the dashboard in a real browser: the Overview, one indicator, a phone-sized screen."""

from __future__ import annotations

import re

import pytest
from browsing import PHONE, REPOSITORY, chart_points, hover_point, no_exceptions, open_app, scroll_overflow, settle
from playwright.sync_api import expect
from streamlit_server import add_figures

from indicators import views
from indicators.models import Indicator, Source

pytestmark = pytest.mark.browser


# Every page app.py registers (st.Page(..., title="...")), so pages added later are checked too.
PAGES = re.findall(
    r'st\.Page\(\s*(?:PAGES\s*/\s*)?"[^"]+",\s*title="([^"]+)"', (REPOSITORY / "app.py").read_text(encoding="utf-8")
)
# What a reader sees of each unit next to the number ("count" has no word: "22").
UNIT_MARKS = {"USD": "USD", "EUR": "EUR", "percent": "%", "persons": "people", "ratio": "×", "years": "years"}
GROWTH = "test_growth"  # our own indicator: the bundled reference series would crowd the chart
SERBIA = {"2019": 4.3, "2020": -0.9, "2021": 7.7, "2022": 2.6, "2023": 3.8}
USA = {"2020": -2.2, "2021": 6.1, "2022": 2.5, "2023": 2.9}
OFFICE = "test_statistics"


def _seed(store) -> dict:
    """Official growth figures for Serbia (five years) and the United States (four) beside the paper's claim."""
    store.save_indicator(
        Indicator(id=GROWTH, name="Growth in a test series", unit="percent", category="economy", decimals=1),
        who="browser-test",
        reason="test data",
    )
    store.save_source(
        Source(id=OFFICE, title="National accounts (test series)", publisher="A statistics office", kind="official"),
        who="browser-test",
        reason="test data",
    )
    rows = [
        {"indicator": GROWTH, "entity": entity, "period": period, "value": value, "unit": "percent",
         "qualifier": "exactly", "source": OFFICE, "quote": None, "note": "test figure"}
        for entity, values in (("SRB", SERBIA), ("USA", USA))
        for period, value in values.items()
    ]  # fmt: skip
    add_figures(store, rows)
    shown, waiting = views.split_waiting(views.overview_tiles(store.overview()))
    return {
        "tiles": [tile for tiles in shown.values() for tile in tiles],
        "waiting": waiting,
        "indicators": len(store.indicators()),
        "growth_points": len(store.series(GROWTH)),
        "growth_name": store.indicator(GROWTH).name,
    }


@pytest.fixture(scope="module")
def server(streamlit_app):
    return streamlit_app(seed=_seed)


def _tile(page, indicator_id: str):
    link = page.locator(f"a[href$='indicator={indicator_id}']")
    return page.locator("[data-testid='stVerticalBlock']").filter(has=link).last


def _tiles_as_shown(page) -> dict[str, tuple[str, str]]:
    """Each tile's name and value as the browser shows them, keyed by the indicator its link opens."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("a[href*='indicator?indicator=']")].map(link => {
            const tile = link.closest("[data-testid='stVerticalBlock']");
            const id = new URL(link.href).searchParams.get("indicator");
            const value = tile.querySelector("h3");
            return [id, value && [tile.querySelector("strong").innerText, value.innerText]];
        }).filter(([, shown]) => shown))"""
    )


def test_overview_shows_every_indicator_with_its_value_and_unit(page, server):
    open_app(page, server)
    no_exceptions(page)
    expect(page.locator("h1")).to_have_text("Serbia–US relations in figures")
    tiles, waiting = server.facts["tiles"], server.facts["waiting"]
    assert len(tiles) + len(waiting) == server.facts["indicators"] >= 22  # the papers' 22 and any added since
    # the tiles are drawn after the title; under load the first look can come before the last of them
    page.wait_for_function(
        """count => [...document.querySelectorAll("a[href*='indicator?indicator=']")]
            .filter(link => link.closest("[data-testid='stVerticalBlock']")?.querySelector("h3")).length >= count""",
        arg=len(tiles),
    )
    shown = _tiles_as_shown(page)
    assert set(shown) == {tile.indicator_id for tile in tiles}
    for tile in tiles:
        name, value = shown[tile.indicator_id]
        assert name == tile.name
        assert value.removesuffix(" ★") == tile.latest, tile.indicator_id
        if tile.unit in UNIT_MARKS:
            assert UNIT_MARKS[tile.unit] in value, (tile.indicator_id, value)
    if waiting:  # indicators without figures are listed by name under an expander, not as tiles
        page.get_by_text(f"Indicators waiting for figures ({len(waiting)})").click()
        for tile in waiting:
            expect(page.get_by_role("link", name=re.compile(re.escape(f"({tile.indicator_id})")))).to_be_visible()
    growth = next(tile for tile in tiles if tile.indicator_id == GROWTH)
    assert growth.latest == "3.8 %"  # Serbia's 2023 figure
    nav = page.get_by_test_id("stSidebarNav").get_by_test_id("stSidebarNavLink")
    assert {"Overview", "Indicator", "Sources"} <= set(PAGES)
    # each link shows its icon's ligature name, then the title
    expect(nav).to_have_text([re.compile(f"{re.escape(title)}$") for title in PAGES])


def test_indicator_opens_from_its_tile_charts_every_point_and_hovers_the_source(page, server):
    open_app(page, server)
    _tile(page, GROWTH).get_by_role("link", name="Chart and sources").click()
    expect(page.locator("h1")).to_have_text(server.facts["growth_name"])
    expect(page).to_have_url(re.compile(rf"indicator={GROWTH}(&|$)"))
    settle(page)
    no_exceptions(page)
    points = chart_points(page)
    expect(points).to_have_count(server.facts["growth_points"])  # Serbia's five figures, the United States' four

    # hover Serbia's 2021 point: the hover box names the value, the entity and the source
    traces = page.locator("[data-testid='stPlotlyChart'] .scatterlayer .trace").filter(has=page.locator("path.point"))
    for attempt in range(3):  # on a loaded machine plotly can miss one mouse move; a person moves again
        hover = hover_point(page, 7.7)
        try:
            expect(hover).to_contain_text("Source: National accounts (test series)", timeout=10_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    expect(hover).to_contain_text("Source: National accounts (test series)")
    expect(hover).to_contain_text("7.7 %")
    expect(hover).to_contain_text("Serbia")
    assert traces.count() == 2  # one line per entity


def test_compare_two_entities_and_reopen_the_view_from_its_link(page, server):
    open_app(page, server, f"?indicator={GROWTH}")  # the README's deep link
    expect(page.locator("h1")).to_have_text(server.facts["growth_name"])
    expect(page).to_have_url(re.compile(rf"/indicator\?indicator={GROWTH}(&|$)"))
    picker = page.get_by_test_id("stMultiSelect").filter(has_text="Entities to compare")
    expect(picker).to_contain_text("Serbia (SRB)")
    expect(picker).to_contain_text("United States (USA)")
    expect(chart_points(page)).to_have_count(len(SERBIA) + len(USA))

    # take the United States away, then compare again
    picker.get_by_role("button", name="Remove United States (USA)").click()
    expect(chart_points(page)).to_have_count(len(SERBIA))
    settle(page)
    picker.get_by_role("combobox").click()
    page.get_by_role("option", name="United States (USA)").click()
    expect(chart_points(page)).to_have_count(len(SERBIA) + len(USA))
    settle(page)
    expect(page.get_by_test_id("stPlotlyChart").locator(".legend")).to_contain_text("United States")
    no_exceptions(page)

    # the address bar's link opens the same view in a new tab
    link = page.url
    assert f"/indicator?indicator={GROWTH}" in link
    other = page.context.new_page()
    other.goto(link)
    expect(other.locator("h1")).to_have_text(server.facts["growth_name"])
    settle(other)
    chosen = other.get_by_test_id("stSelectbox").get_by_role("combobox", name="Indicator")
    expect(chosen).to_have_value(f"{server.facts['growth_name']} ({GROWTH})")
    expect(chart_points(other)).to_have_count(server.facts["growth_points"])
    no_exceptions(other)


@pytest.mark.parametrize("path", ["", f"?indicator={GROWTH}"], ids=["overview", "indicator"])
def test_phone_width_pages_are_readable_without_sideways_scrolling(page, server, path):
    page.set_viewport_size(PHONE)
    open_app(page, server, path)
    no_exceptions(page)
    title = page.locator("h1")
    expect(title).to_be_visible()
    if path:
        expect(chart_points(page)).to_have_count(server.facts["growth_points"])
        chart = page.get_by_test_id("stPlotlyChart").bounding_box()
        assert chart["width"] <= PHONE["width"]
        # the time axis ends near the last figure (2023): an event's label no longer stretches it for decades
        axis_end = page.evaluate("() => document.querySelector('.js-plotly-plot')._fullLayout.xaxis.range[1]")
        assert str(axis_end) < "2024-07", axis_end
    else:
        for value in page.locator("h3").all()[:6]:
            box = value.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], value.inner_text()
    assert title.bounding_box()["width"] <= PHONE["width"]
    assert scroll_overflow(page) <= 0
