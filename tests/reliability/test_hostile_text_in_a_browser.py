"""What a viewer's browser makes of hostile text: a real dashboard serves a store whose papers, indicators,
quotes and notes are all hostile strings, and Chromium opens the Overview, Sources and Indicator pages. No
script runs (no dialog opens), no element is injected (no img, svg handler or javascript: link), and the
hostile strings appear on the page as the text they are."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_strings import HOSTILE, store_hostile
from live_dashboard import CHROMIUM_ARGS, dashboard

from indicators.bootstrap import prepare
from indicators.store import Store

INJECTED = (
    "img[src='x'], img[src*='evil.example'], svg[onload], [onerror], a[href^='javascript'], "
    "a[href*='evil.example'], a[href^='mailto']"
)
# strings a viewer must see verbatim (those without characters the page layout trims or folds)
VISIBLE = ["<script>alert('x')</script>", "[click me](javascript:alert(1))", "x'); DROP TABLE observation;--"]


@pytest.mark.browser
@pytest.mark.slow
def test_hostile_text_is_shown_as_text_in_a_real_browser(tmp_path: Path):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's Chromium is not installed")
    path = tmp_path / "store.duckdb"
    store = prepare(Store(path, idle_release=0))
    store_hostile(store, kind="paper")
    store.close()

    dialogs: list[str] = []
    with dashboard(path) as url, playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        seen = ""
        for address in ("/", "/sources", f"/indicator?indicator=hostile_{HOSTILE.index(VISIBLE[0])}"):
            page.goto(url + address)
            page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
            page.wait_for_timeout(1000)
            injected = page.eval_on_selector_all(INJECTED, "nodes => nodes.map(n => n.outerHTML.slice(0, 120))")
            assert not injected, f"{address}: injected elements {injected}"
            scripts = page.eval_on_selector_all("script", "nodes => nodes.map(n => n.textContent)")
            assert not [script for script in scripts if "alert" in script], f"{address}: a hostile script element"
            assert not page.get_by_test_id("stException").count(), f"{address} shows an exception"
            seen += page.inner_text("[data-testid='stApp']")
        browser.close()
    assert not dialogs, f"a hostile script ran: {dialogs}"
    for text in VISIBLE:
        assert text in seen, f"{text!r} should be shown as typed"
