"""In a real browser: a colleague opens a shared link to the Indicator page and sees the same view.

(Moved from tests/test_browser_shared_link.py onto the shared harness: two sync Playwright sessions cannot
run in one pytest process.)"""

from __future__ import annotations

import pytest
from browsing import open_app
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(streamlit_app):
    return streamlit_app()


def test_a_shared_link_restores_the_view_in_a_browser(page, server):
    open_app(page, server, "/")  # see test_journey_first_visit.py: a deep link as the very first visit
    open_app(page, server, "indicator?indicator=gdp_growth&entities=SRB&scale=log&events=visit,conflict")
    expect(page.get_by_role("heading", name="Serbia’s real GDP growth").first).to_be_visible()
    switch = page.get_by_role("switch", name="Logarithmic scale")
    expect(switch).to_be_checked()
    assert "scale=log" in page.url and "events=visit%2Cconflict" in page.url.replace(",", "%2C")
    expect(page.get_by_test_id("stPlotlyChart")).to_be_visible()
    switch.click(force=True)
    page.wait_for_function("() => window.location.search.includes('scale=linear')")
