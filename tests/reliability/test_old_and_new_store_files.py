"""Store files from other versions. An older schema is migrated forward after a dated backup copy of the
file; a store written by a newer version is refused and left byte-for-byte as it was.

"Older" is made real by creating a store with only the first migration, then opening it with an extra,
made-up migration added to the list (as the next release would add one)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from child_big_write import generated_rows

import indicators.store.base as store_base
from indicators.store import Store, StoreError
from indicators.store.schema import MIGRATIONS

REPOSITORY = Path(__file__).resolve().parents[2]
FIRST = MIGRATIONS[:1]


def _next_release(con) -> None:
    con.execute("CREATE TABLE reliability_note (id INTEGER, text VARCHAR)")
    con.execute("ALTER TABLE batch ADD COLUMN reviewed BOOLEAN DEFAULT false")


def _broken_release(con) -> None:
    con.execute("CREATE TABLE half_done (id INTEGER)")
    raise RuntimeError("this migration fails half-way")


def _use_migrations(monkeypatch, migrations) -> None:
    monkeypatch.setattr(store_base, "MIGRATIONS", migrations)
    monkeypatch.setattr(store_base, "SCHEMA_VERSION", len(migrations))


def _figures(store: Store) -> pd.DataFrame:
    return store.query_df("SELECT id, indicator_id, entity, period, value, note FROM current_observation ORDER BY id")


@pytest.fixture
def old_store(tmp_path, monkeypatch) -> Path:
    """A store file as the first release left it: one migration, one batch of figures."""
    path = tmp_path / "store.duckdb"
    _use_migrations(monkeypatch, FIRST)
    store = Store(path, idle_release=0)
    store.migrate()
    store.write_observations(generated_rows(300, "from the old release"), kind="upload", who="old", reason="old")
    store.close()
    return path


def test_an_old_store_is_backed_up_then_migrated_forward(old_store, monkeypatch):
    old_bytes = old_store.read_bytes()
    _use_migrations(monkeypatch, FIRST)
    figures_before = _figures(Store(old_store, read_only=True, idle_release=0))

    _use_migrations(monkeypatch, [*FIRST, ("9001_reliability_next_release", _next_release)])
    store = Store(old_store, idle_release=0)
    assert store.migrate() == ["9001_reliability_next_release"]
    assert store.schema_version() == 2
    assert store.query_value("SELECT count(*) FROM reliability_note") == 0
    pd.testing.assert_frame_equal(_figures(store), figures_before)
    store.close()

    backups = list(old_store.parent.glob("store.schema1-*.backup.duckdb"))
    assert len(backups) == 1, backups
    assert backups[0].read_bytes() == old_bytes, "the backup is the old file exactly"
    _use_migrations(monkeypatch, FIRST)
    backup = Store(backups[0], read_only=True, idle_release=0)
    assert backup.schema_version() == 1
    pd.testing.assert_frame_equal(_figures(backup), figures_before)
    backup.close()


def test_a_migration_that_fails_half_way_leaves_the_store_on_its_old_schema(old_store, monkeypatch):
    _use_migrations(monkeypatch, [*FIRST, ("9002_reliability_broken", _broken_release)])
    store = Store(old_store, idle_release=0)
    before = _figures(store)
    with pytest.raises(RuntimeError, match="half-way"):
        store.migrate()
    assert store.schema_version() == 1
    assert store.query_value("SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_done'") == 0
    pd.testing.assert_frame_equal(_figures(store), before)
    store.close()
    assert len(list(old_store.parent.glob("*.backup.duckdb"))) == 1


@pytest.fixture
def newer_store(old_store, monkeypatch) -> Path:
    """A store a newer release has migrated: it records a migration this version does not know."""
    _use_migrations(monkeypatch, [*FIRST, ("9001_reliability_next_release", _next_release)])
    store = Store(old_store, idle_release=0)
    store.migrate()
    store.close()
    for backup in old_store.parent.glob("*.backup.duckdb"):
        backup.unlink()
    monkeypatch.undo()
    return old_store


def _files(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_a_store_from_a_newer_version_is_refused_and_not_touched(newer_store):
    before = _files(newer_store.parent)
    store = Store(newer_store, idle_release=0)
    with pytest.raises(StoreError, match=r"newer version of this dashboard.*it was not changed"):
        store.migrate()
    store.close()
    assert _files(newer_store.parent) == before


def test_the_command_line_refuses_a_newer_store_plainly_and_leaves_it_alone(newer_store):
    before = _files(newer_store.parent)
    env = {key: value for key, value in os.environ.items() if not key.startswith("INDICATORS_")}
    env.update(PYTHONPATH=str(REPOSITORY), INDICATORS_DB=str(newer_store))
    done = subprocess.run(
        [sys.executable, "-m", "indicators", "list"], capture_output=True, text=True, env=env, cwd=REPOSITORY
    )
    assert done.returncode == 1
    assert "newer version" in done.stderr and "Traceback" not in done.stderr
    assert _files(newer_store.parent) == before


def test_a_read_only_dashboard_on_an_older_store_says_how_to_bring_it_up_to_date_and_changes_nothing(
    old_store, monkeypatch
):
    """A read-only deployment upgraded to a release with a new migration: it may not migrate the store, so it
    says which command does, and the file stays exactly as it was; after that command it opens."""
    before = _files(old_store.parent)
    _use_migrations(monkeypatch, [*FIRST, ("9001_reliability_next_release", _next_release)])
    store = Store(old_store, read_only=True, idle_release=0)
    with pytest.raises(StoreError, match=r"schema 1; this version needs 2.*python -m indicators init.*not changed"):
        store.migrate()
    store.close()
    assert _files(old_store.parent) == before
    store = Store(old_store, idle_release=0)  # `init`, run once without INDICATORS_READ_ONLY
    assert store.migrate() == ["9001_reliability_next_release"]
    store.close()
    read_only = Store(old_store, read_only=True, idle_release=0)
    assert read_only.migrate() == []
    assert len(_figures(read_only)) == 300
    read_only.close()
