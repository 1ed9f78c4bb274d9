"""What the browser tests share: how to find and launch Chromium, how to wait for Streamlit, what to look at.

Helpers live here, not in conftest.py, so test modules import them by a name no other conftest shares.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from streamlit_server import Server

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 20_000
REPOSITORY = Path(__file__).resolve().parents[2]
HOW_TO_INSTALL = "Chromium not found: install it with `apt-get install chromium` (Debian/Ubuntu), or set CHROMIUM_PATH"


def find_chromium() -> str | None:
    candidates = [os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")]
    candidates += [shutil.which("chromium-browser")]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str):
    """Skip, saying why, or on CI (CI=true) fail: CI must run the browser tests."""
    if on_ci():
        pytest.fail(f"{reason} (CI=true: the browser tests must run on CI)", pytrace=False)
    pytest.skip(reason)


def settle(page) -> None:
    """Wait until Streamlit's script run for the last interaction has finished and the page shows it."""
    page.wait_for_selector(IDLE, state="attached")
    # A rerun starts a moment after the click; when it has, wait for it to end as well.
    page.wait_for_function(
        "() => { const app = document.querySelector(\"[data-testid='stApp']\");"
        " return app && app.dataset.testScriptState === 'notRunning'"
        " && !document.querySelector('[data-stale=\"true\"]'); }"
    )


def open_app(page, server: Server, path: str = "") -> None:
    page.goto(server.url + "/" + path.lstrip("/"))
    page.wait_for_selector("h1")
    settle(page)


def no_exceptions(page) -> None:
    """No traceback on the page and no "Page not found" dialog (the address did not match a page)."""
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, exceptions.all_inner_texts()
    lost = page.get_by_test_id("stDialog").filter(has_text="Page not found")
    assert lost.count() == 0, f"{page.url}: {lost.all_inner_texts()}"


def scroll_overflow(page) -> int:
    """How many pixels the page is wider than the viewport (0 when nothing overflows sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def chart_points(page):
    """Every marker plotly drew on the page's chart."""
    return page.locator("[data-testid='stPlotlyChart'] .scatterlayer path.point")


def hover_point(page, value: float):
    """Move the mouse onto the point plotted for ``value``; returns the hover box's locator. The point is
    found through the data plotly bound to each marker, then hovered where a person would put the mouse."""
    index = page.evaluate(
        """(value) => [...document.querySelectorAll(
                "[data-testid='stPlotlyChart'] .scatterlayer path.point")]
            .findIndex(point => point.__data__ && Math.abs(point.__data__.y - value) < 1e-9)""",
        value,
    )
    assert index >= 0, f"no point for {value} on the chart"
    # Streamlit scrolls its main block, not the window: bring the point to the middle of the screen there.
    page.evaluate(
        """(index) => document.querySelectorAll("[data-testid='stPlotlyChart'] .scatterlayer path.point")[index]
            .scrollIntoView({block: "center"})""",
        index,
    )
    box = chart_points(page).nth(index).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    return page.locator("[data-testid='stPlotlyChart'] .hoverlayer .hovertext")
