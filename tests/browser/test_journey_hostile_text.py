"""Text that came from a file or a form is shown as typed, never run: scripts, event handlers and
javascript: links in an indicator's name, a source's title, a quote and a note stay plain text."""

from __future__ import annotations

import pytest
from browsing import chart_points, hover_point, no_exceptions, open_app, settle
from playwright.sync_api import expect
from streamlit_server import add_figures

from indicators.models import Indicator, Source

pytestmark = pytest.mark.browser

INDICATOR = "hostile_text"
NAME = '<script>alert("name")</script> Suspicious [x](javascript:alert(1)) name'
TITLE = '<img src=x onerror=alert("title")> Suspicious source'
QUOTE = '[click me](javascript:alert("quote")) <script>alert("quote")</script> said the paper'
NOTE = '<img src=x onerror=alert("note")> **not bold** and [x](javascript:alert("note"))'


def _seed(store) -> dict:
    who = {"who": "browser-test", "reason": "hostile text"}
    store.save_source(Source(id="hostile_source", title=TITLE, kind="cited", cited_in="pupin_2024"), **who)
    store.save_indicator(Indicator(id=INDICATOR, name=NAME, unit="percent", category="politics"), **who)
    base = {"indicator": INDICATOR, "entity": "SRB", "unit": "percent", "qualifier": "exactly",
            "source": "hostile_source"}  # fmt: skip
    add_figures(
        store,
        [
            {**base, "period": "2020", "value": 10, "quote": QUOTE, "note": None},
            {**base, "period": "2021", "value": 20, "quote": None, "note": NOTE},
        ],
    )
    return {}


@pytest.fixture(scope="module")
def server(streamlit_app):
    return streamlit_app(seed=_seed)


def _nothing_ran(page) -> None:
    assert page.dialogs == [], page.dialogs
    injected = page.evaluate(
        """() => ({
            images: document.querySelectorAll("img[src='x'], img[onerror]").length,
            scripts: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('alert(')).length,
            links: document.querySelectorAll("a[href^='javascript']").length,
            handlers: document.querySelectorAll('[onerror], [onload], [onclick]').length,
        })"""
    )
    assert injected == {"images": 0, "scripts": 0, "links": 0, "handlers": 0}


def test_hostile_text_on_the_overview_shows_as_typed(page, server):
    open_app(page, server)
    no_exceptions(page)
    tile = page.locator("[data-testid='stVerticalBlock']").filter(has=page.locator(f"a[href$='={INDICATOR}']")).last
    expect(tile.locator("strong")).to_have_text(NAME)
    expect(tile.get_by_text(f"SRB · 2021 · {TITLE}")).to_be_visible()
    _nothing_ran(page)


def test_hostile_text_on_the_indicator_page_and_in_the_chart_shows_as_typed(page, server):
    open_app(page, server, f"?indicator={INDICATOR}")
    no_exceptions(page)
    expect(page.locator("h1")).to_have_text(NAME)
    expect(chart_points(page)).to_have_count(2)
    chart = page.get_by_test_id("stPlotlyChart")
    expect(chart.locator(".gtitle")).to_have_text(NAME)
    hover = hover_point(page, 10)
    # the paper's sentence, quoting the hostile source it cites: credited "<paper>, citing <source>"
    expect(hover).to_contain_text("Source: A Vision for Future Cooperation Between Serbia and the US, citing")
    expect(hover).to_contain_text(TITLE)
    expect(hover).to_contain_text('click me](javascript:alert("quote"))')
    expect(hover).to_contain_text('<script>alert("quote")</script>')
    hover = hover_point(page, 20)
    expect(hover).to_contain_text('<img src=x onerror=alert("note")>')
    settle(page)
    _nothing_ran(page)


def test_hostile_quote_and_source_on_the_sources_page_show_as_typed(page, server):
    open_app(page, server, "sources")
    no_exceptions(page)
    figure = page.locator("li").filter(has_text=NAME)
    expect(figure).to_contain_text(f"cites {TITLE}")
    expect(figure.locator("blockquote")).to_have_text(QUOTE)
    _nothing_ran(page)
