"""The harness itself: without Chromium the browser tests skip and say how to install it, except on CI."""

from __future__ import annotations

import pytest
from browsing import HOW_TO_INSTALL, find_chromium, unavailable


def test_without_chromium_a_developer_is_told_how_to_install_it(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        unavailable(HOW_TO_INSTALL)


def test_on_ci_a_missing_chromium_fails_instead_of_skipping(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        unavailable(HOW_TO_INSTALL)


def test_chromium_path_names_the_browser_to_use(monkeypatch, tmp_path):
    browser = tmp_path / "my-chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    monkeypatch.setenv("CHROMIUM_PATH", str(browser))
    assert find_chromium() == str(browser)
