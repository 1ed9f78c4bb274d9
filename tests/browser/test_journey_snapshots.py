"""A reader exports a snapshot in the browser and downloads it: the zip holds the manifest and the CSVs,
with as many rows as the store holds."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from browsing import no_exceptions, open_app, settle
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(streamlit_app):
    return streamlit_app(seed=lambda store: store.counts())


def _rows(archive: zipfile.ZipFile, member: str) -> int:
    with archive.open(member) as raw:
        return sum(1 for _ in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")))


def test_export_a_snapshot_and_download_it(page, server, tmp_path):
    counts = server.facts
    open_app(page, server, "snapshots")
    no_exceptions(page)
    page.get_by_role("button", name="Export snapshot").click()
    expect(page.get_by_text(f"{counts['observations']} figures, {counts['indicators']} indicators")).to_be_visible()
    settle(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the snapshot").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    target = tmp_path / download.suggested_filename
    download.save_as(target)

    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        assert {"manifest.json", "observations.csv", "indicators.csv", "sources.csv"} <= names
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["counts"]["observations"] == counts["observations"]
        assert _rows(archive, "observations.csv") == counts["observations"]
        assert _rows(archive, "indicators.csv") == counts["indicators"]
        assert _rows(archive, "sources.csv") == counts["sources"]
