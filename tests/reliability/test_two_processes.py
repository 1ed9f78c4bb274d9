"""Two processes, one store file. DuckDB lets one process hold a file; the store leases it briefly and
retries while another process holds it, so the command line and the dashboard take turns. Whoever waits
too long is told plainly that the store is busy: never DuckDB's lock error, never a traceback."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from live_dashboard import CHROMIUM_ARGS, dashboard, env_for

from indicators.bootstrap import prepare
from indicators.store import Store, StoreBusy

HERE = Path(__file__).parent
REPOSITORY = HERE.parents[1]
LOCK_WORDS = ("Conflicting lock", "Could not set lock", "IO Error", "Traceback")


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    path = tmp_path / "store.duckdb"
    prepare(Store(path, idle_release=0)).close()
    return path


@contextmanager
def held(path: Path, seconds: float, note: str | None = None) -> Iterator[subprocess.Popen]:
    """Another process holding the store (a long import, say) for ``seconds``."""
    args = [sys.executable, str(HERE / "child_hold_store.py"), str(path), str(seconds)] + ([note] if note else [])
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env_for(path), cwd=REPOSITORY)
    try:
        assert child.stdout.readline().strip() == "HOLDING"
        yield child
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        child.stdout.close()


def cli(path: Path, *args: str, busy_timeout: float) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "indicators", *args],
        capture_output=True,
        text=True,
        env=env_for(path, INDICATORS_BUSY_TIMEOUT=str(busy_timeout)),
        cwd=REPOSITORY,
        timeout=120,
    )
    return done, time.monotonic() - started


def test_a_second_process_is_told_plainly_that_the_store_is_busy(seeded):
    with held(seeded, 30):
        store = Store(seeded, busy_timeout=1)
        started = time.monotonic()
        with pytest.raises(StoreBusy) as refused:
            store.counts()
        waited = time.monotonic() - started
    message = str(refused.value)
    assert "is busy" in message and str(seeded) in message and "Try again" in message
    assert not any(word in message for word in LOCK_WORDS)
    assert 0.9 <= waited < 5, f"gave up after {waited:.1f} s instead of about 1 s"
    # once the other process is gone, the same store object works
    assert store.counts()["indicators"] > 0
    store.close()


def test_the_command_line_waits_for_a_short_hold_and_then_goes_through(seeded):
    with held(seeded, 2):
        done, seconds = cli(seeded, "list", busy_timeout=30)
    assert done.returncode == 0, done.stderr
    assert "gdp_growth" in done.stdout
    assert seconds >= 1.0, "the command should have waited for the other process"


@pytest.mark.parametrize("command", [["list"], ["show", "gdp_growth"]])
def test_the_command_line_gives_up_after_its_busy_timeout_with_a_plain_message(seeded, command):
    before = seeded.read_bytes()
    with held(seeded, 60):
        done, seconds = cli(seeded, *command, busy_timeout=1)
    assert done.returncode == 1
    assert "is busy" in done.stderr and "INDICATORS" not in done.stdout
    assert not any(word in done.stderr for word in LOCK_WORDS), done.stderr
    assert seconds < 20
    assert seeded.read_bytes() == before


IMPORT = "indicator,entity,period,value,unit,qualifier,source,quote,note\n" + "".join(
    f"gdp_growth,SRB,{year},{year % 7}.5,percent,exactly,pupin_2024,,imported while busy\n"
    for year in range(1990, 2020)
)


def _imported(path: Path) -> int:
    store = Store(path, read_only=True, idle_release=0)
    try:
        return int((store.series("gdp_growth")["note"] == "imported while busy").sum())
    finally:
        store.close()


def test_an_import_waits_for_a_short_hold_then_writes_its_whole_batch(seeded, tmp_path):
    upload = tmp_path / "figures.csv"
    upload.write_text(IMPORT)
    with held(seeded, 2):
        done, seconds = cli(seeded, "import", str(upload), busy_timeout=30)
    assert done.returncode == 0, done.stderr
    assert seconds >= 1.0
    assert _imported(seeded) == 30


def test_an_import_that_cannot_get_the_store_says_so_and_writes_nothing(seeded, tmp_path):
    upload = tmp_path / "figures.csv"
    upload.write_text(IMPORT)
    before = seeded.read_bytes()
    with held(seeded, 60):
        done, _seconds = cli(seeded, "import", str(upload), busy_timeout=1)
    assert done.returncode == 1
    assert "is busy" in done.stderr and not any(word in done.stderr for word in LOCK_WORDS), done.stderr
    assert seeded.read_bytes() == before
    assert _imported(seeded) == 0


# --- a real dashboard and a real command line -----------------------------------------------------------


def _health(url: str) -> int:
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as answer:
        return answer.status


@pytest.mark.browser
@pytest.mark.slow
def test_the_dashboard_and_the_command_line_take_turns_and_no_viewer_sees_a_lock_error(seeded):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's Chromium is not installed")
    with dashboard(seeded) as url, playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()

        def rendered() -> str:
            page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
            page.wait_for_timeout(300)
            return page.inner_text("[data-testid='stApp']")

        page.goto(url)
        text = rendered()
        assert "gdp_growth" in text or "GDP" in text, text[:500]
        assert not any(word in text for word in LOCK_WORDS)

        # 1. a viewer has just loaded the page; the command line gets the file once the dashboard is idle
        done, seconds = cli(seeded, "list", busy_timeout=30)
        assert done.returncode == 0, done.stderr
        assert _health(url) == 200
        print(f"command line beside an idle dashboard: {seconds:.1f} s")

        # 2. an import holds the file (after writing a figure) while a viewer reloads: the viewer waits,
        #    then sees the page with no error
        with held(seeded, 3, note="written while the dashboard was serving") as holder:
            started = time.monotonic()
            page.reload()
            assert _health(url) == 200
            text = rendered()
            print(f"page reload while another process held the store: {time.monotonic() - started:.1f} s")
            assert holder.wait(timeout=30) == 0
        assert not any(word in text for word in LOCK_WORDS), text
        assert "busy" not in text.lower()
        assert "4.2" in text, "the page should show the figure the other process wrote"
        browser.close()
