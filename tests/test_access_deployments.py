"""How the dashboard behaves for different deployments: a read-only dashboard started before its store exists."""

from pathlib import Path

import pytest


def test_a_read_only_dashboard_without_a_store_says_how_to_create_one_and_creates_nothing(
    app, store_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # An operator deploys with INDICATORS_READ_ONLY=1 but forgot `python -m indicators init`.
    monkeypatch.setenv("INDICATORS_READ_ONLY", "1")
    at = app()
    at.run()
    assert not at.exception
    message = " ".join(error.value for error in at.error)
    assert str(store_path) in message.replace("\\", "")
    assert "python -m indicators init" in message.replace("\\", "")
    # The read-only dashboard wrote nothing: no empty store file was left behind.
    assert not store_path.exists()


def test_a_store_path_whose_folder_cannot_be_made_gets_a_plain_message_not_a_traceback(
    app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # INDICATORS_DB points beneath something that is not a folder (as on a read-only or wrong volume).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be\n")
    monkeypatch.setenv("INDICATORS_DB", str(blocker / "data" / "store.duckdb"))
    at = app()
    at.run()
    assert not at.exception
    message = " ".join(error.value for error in at.error).replace("\\", "")
    assert "INDICATORS_DB" in message
    assert str(blocker / "data") in message


def test_a_store_path_with_markdown_characters_is_shown_as_typed(app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # /srv/__live__/store_2026.duckdb: the underscores must not turn the path into bold text.
    from indicators.webapp import md

    path = tmp_path / "__live__" / "store_*2026*.duckdb"
    monkeypatch.setenv("INDICATORS_DB", str(path))
    monkeypatch.setenv("INDICATORS_READ_ONLY", "1")
    at = app()
    at.run()
    assert not at.exception
    (message,) = [error.value for error in at.error]
    assert md(str(path)) in message
