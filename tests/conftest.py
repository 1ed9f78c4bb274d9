"""Fixtures: every test gets a fresh temporary store; no test touches the user's store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from indicators.bootstrap import prepare
from indicators.store import Store

REPOSITORY = Path(__file__).resolve().parent.parent
SEEDS = REPOSITORY.parent / "shared" / "seeds"  # the papers; present in CI, absent in a user's clone
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def store() -> Store:
    """An in-memory store seeded with the bundled figures."""
    return prepare(Store())


@pytest.fixture
def empty_store() -> Store:
    """An in-memory store with the schema and nothing else."""
    seeded = Store()
    seeded.migrate()
    return seeded


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary store file the app and the CLI will use (INDICATORS_DB points at it)."""
    path = tmp_path / "store.duckdb"
    monkeypatch.setenv("INDICATORS_DB", str(path))
    monkeypatch.delenv("INDICATORS_EDITOR_PASSWORD", raising=False)
    monkeypatch.delenv("INDICATORS_READ_ONLY", raising=False)
    return path


@pytest.fixture
def app(store_path: Path):
    """A factory for AppTest runs of app.py against the temporary store."""
    from streamlit.testing.v1 import AppTest

    def make(timeout: float = 30) -> AppTest:
        return AppTest.from_file(str(REPOSITORY / "app.py"), default_timeout=timeout)

    return make


def pytest_report_header(config):
    return f"INDICATORS_DB is set per test; shared/seeds {'found' if SEEDS.exists() else 'absent'}; pid {os.getpid()}"
