"""The first visitor after a restart arrives through a shared link, not through the front page.

Until some session has run app.py, Streamlit serves /indicator by running pages/indicator.py on its own (its
old pages/ directory mode). Every page therefore starts with webapp.page_needs_app(), which runs app.py
instead when the page finds itself alone."""

from __future__ import annotations

import re

import pytest
from browsing import open_app
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def fresh_server(streamlit_app):
    return streamlit_app()


def test_a_deep_link_as_the_first_visit_gets_the_app_with_its_navigation(page, fresh_server):
    open_app(page, fresh_server, "indicator?indicator=defense_share_gdp")
    expect(page.locator("h1")).to_have_text("Defense spending as a share of GDP")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("Store:", timeout=3_000)  # app.py's sidebar: absent when app.py did not run
    # app.py's titles ("Overview"), not the file names of the old mode ("app", "overview")
    expect(sidebar.get_by_test_id("stSidebarNavLink").first).to_have_text(re.compile("Overview$"), timeout=3_000)
