"""A full disk or a read-only file: writes fail with a plain message, nothing is half-written, browsing
still works.

What each test really proves:
* ``full disk``: a real 6 MB tmpfs that fills during a large write (needs root and mount; skipped otherwise).
  DuckDB's own error, the rollback and our message are all real.
* ``read-only volume``: a real read-only bind mount of a directory holding a store (root and mount again):
  the store opens read-only by itself, pages render, writes are refused plainly.
* ``failed commit``: no mount; the COMMIT statement is made to raise DuckDB's out-of-space error, which
  proves the mapping and rollback at the last possible moment, on any machine.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from child_big_write import generated_rows

from indicators.bootstrap import prepare
from indicators.store import Store, StoreUnwritable
from indicators.store.faults import explain


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, timeout=10)


@contextlib.contextmanager
def _mounted(target: Path, *args: str) -> Iterator[Path]:
    target.mkdir(parents=True, exist_ok=True)
    try:
        _mount(*args, str(target))
    except (OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"cannot mount here ({error}); the monkeypatched commit test still covers the mapping")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False, timeout=10)


def _current(store: Store) -> pd.DataFrame:
    return store.query_df("SELECT * FROM current_observation ORDER BY id")


def _incompressible(count: int) -> pd.DataFrame:
    rows = generated_rows(count, "fills the disk")
    generator = np.random.default_rng(7)
    rows["value"] = generator.random(count)
    rows["note"] = [f"{number:032x}" for number in generator.integers(0, 2**62, count)]
    return rows


def test_a_write_that_fills_the_disk_is_refused_plainly_and_leaves_the_store_as_it_was(tmp_path):
    with _mounted(tmp_path / "small-disk", "-t", "tmpfs", "-o", "size=6m", "tmpfs") as disk:
        path = disk / "store.duckdb"
        store = prepare(Store(path, idle_release=0))
        before = _current(store)
        with pytest.raises(StoreUnwritable) as refused:
            store.write_observations(_incompressible(200_000), kind="upload", who="tester", reason="too big")
        message = str(refused.value)
        assert "disk" in message and "full" in message and "nothing was saved" in message
        assert "IO Error" not in message
        # browsing still works, on the same store object and after reopening the file
        assert store.counts()["observations"] == len(before)
        assert len(store.overview()) == store.counts()["indicators"]
        pd.testing.assert_frame_equal(_current(store), before)
        store.close()
        reopened = Store(path, idle_release=0)
        pd.testing.assert_frame_equal(_current(reopened), before)
        reopened.close()


def test_a_store_on_a_read_only_volume_can_be_browsed_but_not_written(tmp_path, monkeypatch):
    writable = tmp_path / "data"
    writable.mkdir()
    prepare(Store(writable / "store.duckdb", idle_release=0)).close()
    original = (writable / "store.duckdb").read_bytes()
    with _mounted(tmp_path / "ro", "--bind", str(writable)) as mounted:
        _mount("-o", "remount,bind,ro", str(mounted))
        path = mounted / "store.duckdb"
        store = Store(path, idle_release=0)
        assert len(store.overview()) == store.counts()["indicators"] > 0
        before = _current(store)
        with pytest.raises(StoreUnwritable, match=r"cannot be written.*browsing still works"):
            store.write_observations(before.head(1).assign(value=1.0), kind="edit", who="tester", reason="x")
        with pytest.raises(StoreUnwritable):
            store.set_meta("note", "x")
        assert store._lease.fell_back_to_read_only
        store.close()

        # the dashboard itself renders its pages from that volume
        from streamlit.testing.v1 import AppTest

        monkeypatch.setenv("INDICATORS_DB", str(path))
        monkeypatch.delenv("INDICATORS_READ_ONLY", raising=False)
        app = AppTest.from_file(str(Path(__file__).parents[2] / "app.py"), default_timeout=30).run()
        assert not app.exception, app.exception
        assert not app.error, [element.value for element in app.error]
    assert (writable / "store.duckdb").read_bytes() == original


class _FailingCommit:
    """A cursor whose COMMIT fails as DuckDB's does when the write-ahead log cannot grow."""

    def __init__(self, cursor):
        self._cursor = cursor

    def execute(self, sql, *args, **kwargs):
        if sql.strip().upper() == "COMMIT":
            raise duckdb.TransactionException(
                'TransactionContext Error: Failed to commit: Could not write file "store.duckdb.wal": '
                "No space left on device"
            )
        return self._cursor.execute(sql, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


def test_a_commit_that_fails_for_lack_of_space_rolls_back_and_the_next_write_works(tmp_path, monkeypatch):
    store = prepare(Store(tmp_path / "store.duckdb"))
    before = _current(store)
    batches = store.counts()["batches"]
    rows = generated_rows(1_000, "lost to a full disk")
    real_cursor = store._lease.cursor

    @contextlib.contextmanager
    def failing_cursor():
        with real_cursor() as cursor:
            yield _FailingCommit(cursor)

    monkeypatch.setattr(store._lease, "cursor", failing_cursor)
    with pytest.raises(StoreUnwritable, match="is full, so nothing was saved"):
        store.write_observations(rows, kind="upload", who="tester", reason="full")
    monkeypatch.undo()
    pd.testing.assert_frame_equal(_current(store), before)
    assert store.counts()["batches"] == batches
    assert store.write_observations(rows, kind="upload", who="tester", reason="space again").added == 1_000
    store.close()


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (duckdb.IOException('IO Error: Could not write file "s.duckdb": No space left on device'), "is full"),
        (duckdb.FatalException("FATAL Error: Failed to create checkpoint: No space left on device"), "is full"),
        (duckdb.IOException('IO Error: Cannot open file "s.duckdb": Read-only file system'), "cannot be written"),
        (duckdb.IOException('IO Error: Cannot open file "s.duckdb": Permission denied'), "cannot be written"),
        (OSError(28, "No space left on device"), "is full"),
        (duckdb.InvalidInputException('Cannot execute statement of type "INSERT" on database "s" which is '
                                      "attached in read-only mode!"), "cannot be written"),
    ],
)  # fmt: skip
def test_disk_and_permission_errors_are_said_plainly(error, words):
    plain = explain(error, "the store")
    assert plain is not None and words in str(plain)


def test_other_errors_are_not_disguised():
    assert explain(duckdb.CatalogException("Table with name x does not exist"), "the store") is None
    assert explain(ValueError("No space left on device"), "the store") is None
