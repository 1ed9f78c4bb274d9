"""Start `streamlit run app.py` on a free port against a store we prepared, and stop it again.

Shared by the browser tests' fixtures and by scripts/screenshots.py. The store is created (and seeded by
the caller) and CLOSED before the server starts: DuckDB lets one process hold a file at a time.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 60.0  # seconds; a cold start on a busy 2-core machine takes ~5 s


@dataclass
class Server:
    url: str
    db_path: Path
    log_path: Path
    process: subprocess.Popen
    facts: object = None  # what the seed function returned: the expectations a test compares against

    def output(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_store(db_path: Path, seed: Callable | None = None) -> object:
    """Create the store at ``db_path`` with the bundled figures, let ``seed(store)`` add more, close it.
    Returns what ``seed`` returned."""
    from indicators.bootstrap import prepare
    from indicators.store import Store

    store = Store(db_path)
    try:
        prepare(store)
        return seed(store) if seed is not None else None
    finally:
        store.close()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    """Stop the server's whole process group: politely, then firmly."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def running_server(
    workdir: Path | None = None, seed: Callable | None = None, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """A Streamlit server for app.py on a fresh store in ``workdir`` (a new temporary directory if None)."""
    with tempfile.TemporaryDirectory(prefix="indicators-browser-") as scratch:
        workdir = Path(workdir or scratch)
        db_path = workdir / "store.duckdb"
        facts = prepare_store(db_path, seed)
        port = free_port()
        server_env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"INDICATORS_EDITOR_PASSWORD", "INDICATORS_READ_ONLY"}
        }
        server_env.update(
            INDICATORS_DB=str(db_path),
            INDICATORS_SNAPSHOTS_DIR=str(workdir / "snapshots"),
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")])),
            PYTHONUNBUFFERED="1",
        )
        server_env.update(env or {})
        command = [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ]  # fmt: skip
        log_path = workdir / "server.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command, cwd=REPOSITORY, env=server_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        url = f"http://127.0.0.1:{port}"
        server = Server(url=url, db_path=db_path, log_path=log_path, process=process, facts=facts)
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while not _healthy(server.url):
                if process.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {process.returncode}:\n{server.output()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"streamlit did not answer /_stcore/health in {STARTUP_TIMEOUT:g} s:\n{server.output()}"
                    )
                time.sleep(0.2)
            yield server
        finally:
            _stop(process)


def add_figures(store, rows: list[dict], *, who: str = "browser-test", reason: str = "test data") -> None:
    """Write observations in our CSV shape (indicator, entity, period, value, unit, qualifier, source, quote,
    note) through the same validation and write path an upload uses."""
    import pandas as pd

    from indicators.validate import validate_observations

    validated = validate_observations(pd.DataFrame(rows), store.indicator_map())
    assert validated.ok, validated.problems.to_string()
    store.write_observations(validated.rows, kind="upload", who=who, reason=reason)
