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
    assert "python -m indicators init" in message
    # The read-only dashboard wrote nothing: no empty store file was left behind.
    assert not store_path.exists()
