"""Real-browser harness: Debian's Chromium driven by Playwright, against `streamlit run app.py`.

- ``chromium``: one browser for the whole session. Without Chromium the tests are skipped, saying how to
  install it; on CI (``CI=true``) a missing Chromium is a failure, not a skip.
- ``streamlit_app``: a factory for servers (one per module in practice, see ``seeded_server``), each on a
  free port against a fresh temporary store, stopped (whole process group) when the module is done.
- ``page``: a fresh browser context and tab per test; on failure a full-page screenshot is saved under the
  test's tmp path and the server's output is printed.
- ``settle(page)``: wait until Streamlit has finished the script run caused by the last interaction.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit_server import Server, running_server

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
HOW_TO_INSTALL = "Chromium not found: install it with `apt-get install chromium` (Debian/Ubuntu), or set CHROMIUM_PATH"


def find_chromium() -> str | None:
    candidates = [os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")]
    candidates += [shutil.which("chromium-browser")]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str):
    if on_ci():
        pytest.fail(f"{reason} (CI=true: the browser tests must run on CI)", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    path = find_chromium()
    if path is None:
        _unavailable(HOW_TO_INSTALL)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed: pip install -e '.[test]'")
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)  # the machine may be busy: patience, not fixed sleeps
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def streamlit_app(tmp_path_factory):
    """``start(seed=None, env=None) -> Server``: a server on a fresh store; ``seed(store)`` may add data and
    return facts the tests compare against (kept as ``server.facts``). Stopped when the module ends."""
    from contextlib import ExitStack

    with ExitStack() as stack:

        def start(seed=None, env=None) -> Server:
            workdir = tmp_path_factory.mktemp("server")
            return stack.enter_context(running_server(workdir, seed=seed, env=env))

        yield start


@pytest.fixture
def page(chromium, request, tmp_path):
    """A new tab in a fresh context (desktop size; tests resize for phones). Dialogs are recorded in
    ``page.dialogs`` and dismissed, so a test can assert none fired."""
    context = chromium.new_context(viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.dialogs = []
    context.on("page", lambda other: _watch_dialogs(other, tab.dialogs))
    _watch_dialogs(tab, tab.dialogs)
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        for number, open_page in enumerate(context.pages):
            shot = tmp_path / f"failure-{number}.png"
            try:
                open_page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot of the failing page: {shot}")
            except Exception as error:  # a crashed page cannot be photographed; say so and go on
                print(f"no screenshot ({error})")
        for name in request.fixturenames:
            value = request.getfixturevalue(name) if name.endswith("server") else None
            if isinstance(value, Server):
                print(f"--- output of the Streamlit server ({value.url}) ---\n{value.output()}")
    context.close()


def _watch_dialogs(tab, seen: list) -> None:
    def record(dialog):
        seen.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    tab.on("dialog", record)


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
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, exceptions.all_inner_texts()


def scroll_overflow(page) -> int:
    """How many pixels the page is wider than the viewport (0 when nothing overflows sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def chart_points(page):
    """Every marker plotly drew on the page's chart."""
    return page.locator("[data-testid='stPlotlyChart'] .scatterlayer path.point")


def hover_point(page, value: float):
    """Move the mouse onto the point plotted for ``value``; returns the hover box's locator. The point is
    found through plotly's own data (``calcdata``), then hovered where a person would put the mouse."""
    index = page.evaluate(
        """(value) => {
            const plot = document.querySelector("[data-testid='stPlotlyChart'] .js-plotly-plot");
            let index = 0;
            for (const trace of plot.calcdata) {
                for (const point of trace) {
                    if (Math.abs(point.y - value) < 1e-9) return index;
                    index += 1;
                }
            }
            return -1;
        }""",
        value,
    )
    assert index >= 0, f"no point for {value} on the chart"
    box = chart_points(page).nth(index).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    return page.locator("[data-testid='stPlotlyChart'] .hoverlayer .hovertext")


REPOSITORY = Path(__file__).resolve().parents[2]
