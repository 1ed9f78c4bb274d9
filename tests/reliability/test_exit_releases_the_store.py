"""A process that used the store and exits at once (a CLI command, a test run) closes the store's file itself
before the interpreter shuts down. Left to the idle-release timer, DuckDB's close could run on a daemon thread
the interpreter is killing, and the C++ runtime aborted the process ("terminate called after throwing an
instance of ''", exit 134) after its work was done: about one pytest run in two of the Indicator page's
event test."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import atexit, sys
    leases = []
    # registered before the store's own handler, so it runs after it (atexit is last in, first out)
    atexit.register(lambda: print("released at exit:", all(not lease.is_open for lease in leases)))
    from indicators.store import Store
    store = Store(sys.argv[1], idle_release=30)  # the timer is still pending when the script ends
    store.query_value("SELECT 42")
    leases.append(store._lease)
    print("open before exit:", store._lease.is_open)
    """
)


def test_a_process_that_exits_right_after_a_query_releases_the_store_and_exits_cleanly(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(tmp_path / "store.duckdb")],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.split("\n")[:2] == ["open before exit: True", "released at exit: True"], done.stdout
