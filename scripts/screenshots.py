"""Save a desktop-width screenshot of every page of the dashboard under docs/screenshots/.

    python scripts/screenshots.py [--out docs/screenshots] [--width 1280]

Starts `streamlit run app.py` on a free port against a fresh temporary store seeded with the bundled
figures (the same way the browser tests do), opens each page registered in app.py in Debian's Chromium
(Playwright), waits until Streamlit has finished running the page, and saves `<page>.png`. Needs Chromium
(`apt-get install chromium`); never downloads a browser.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPOSITORY), str(REPOSITORY / "tests" / "browser")]

from browsing import CHROMIUM_ARGS, HOW_TO_INSTALL, find_chromium, settle  # noqa: E402
from streamlit_server import running_server  # noqa: E402

# Where a page needs a query to show something worth seeing (the Indicator page: one with a benchmark).
QUERIES = {"indicator": "?indicator=defense_share_gdp"}
PAGE_PATTERN = re.compile(r'st\.Page\(\s*(?:PAGES\s*/\s*"|"pages/)(\w+)\.py",\s*title="([^"]+)"')


def registered_pages() -> list[tuple[str, str]]:
    """(url path, title) of every page app.py registers, in the sidebar's order."""
    return PAGE_PATTERN.findall((REPOSITORY / "app.py").read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPOSITORY / "docs" / "screenshots")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        print(HOW_TO_INSTALL, file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with running_server() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        page.set_default_timeout(30_000)
        # Open the front page first: until app.py has run once, Streamlit serves pages/*.py on their own
        # (see tests/browser/test_journey_first_visit.py).
        page.goto(server.url)
        page.wait_for_selector("h1")
        settle(page)
        for path, title in registered_pages():
            page.goto(f"{server.url}/{path}{QUERIES.get(path, '')}")
            page.wait_for_selector("h1")
            settle(page)
            if path in QUERIES:
                page.wait_for_selector("[data-testid='stPlotlyChart'] .scatterlayer path.point")
            target = args.out / f"{path}.png"
            page.screenshot(path=str(target), full_page=True)
            print(f"{title}: {target.relative_to(REPOSITORY) if target.is_relative_to(REPOSITORY) else target}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
