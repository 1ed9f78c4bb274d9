"""Real-browser harness: Debian's Chromium driven by Playwright, against `streamlit run app.py`.

- ``chromium``: one browser per test module (module scope, not session: other suites, e.g. the
  reliability tests, start Playwright themselves; the sync API allows one instance per thread).
  Without Chromium the tests are skipped, saying how to install it; on CI (``CI=true``) a missing
  Chromium is a failure, not a skip.
- ``streamlit_app``: a factory for servers (each test module starts one, seeded for its journeys), each on
  a free port against a fresh temporary store, stopped (whole process group) when the module is done.
- ``page``: a fresh browser context and tab per test; on failure a full-page screenshot is saved under the
  test's tmp path and the server's output is printed.
Helpers the tests call (``settle``, ``open_app``, ``hover_point`` ...) are in browsing.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browsing import CHROMIUM_ARGS, DESKTOP, HOW_TO_INSTALL, TIMEOUT_MS, find_chromium, unavailable
from streamlit_server import Server, running_server


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    path = find_chromium()
    if path is None:
        unavailable(HOW_TO_INSTALL)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed: pip install -e '.[test]'")
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
