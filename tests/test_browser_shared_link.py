"""In a real browser: a colleague opens a shared link to the Indicator page and sees the same view."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed (apt-get install chromium)"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = free_port()
    env = {**os.environ, "INDICATORS_DB": str(tmp_path / "store.duckdb"), "PYTHONPATH": str(REPOSITORY)}
    env.pop("INDICATORS_READ_ONLY", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPOSITORY / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=REPOSITORY, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                pytest.fail(f"streamlit did not start:\n{output}")
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_shared_link_restores_the_view_in_a_browser(server):
    link = f"{server}/indicator?indicator=gdp_growth&entities=SRB&scale=log&events=visit,conflict"
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        )  # fmt: skip
        try:
            page = browser.new_page()
            page.goto(link)
            page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
            page.get_by_role("heading", name="Serbia’s real GDP growth").first.wait_for(timeout=30_000)
            switch = page.get_by_role("switch", name="Logarithmic scale")
            assert switch.is_checked(timeout=10_000)
            assert "scale=log" in page.url and "events=visit%2Cconflict" in page.url.replace(",", "%2C")
            page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=30_000)

            switch.click(force=True)
            page.wait_for_function("() => window.location.search.includes('scale=linear')", timeout=30_000)
        finally:
            browser.close()
