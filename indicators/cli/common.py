"""What every command shares: opening the configured store for a short, unattended run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from indicators.bootstrap import open_store
from indicators.config import number
from indicators.store import Store

DEFAULT_BUSY_TIMEOUT = 30.0  # the dashboard releases the file within about a second of going quiet


@contextmanager
def store_for_command() -> Iterator[Store]:
    """The configured store, migrated and seeded; released when the command ends. While the dashboard
    holds the file, we wait (INDICATORS_BUSY_TIMEOUT seconds, default 30) and then say the store is busy."""
    variable = "INDICATORS_BUSY_TIMEOUT"
    timeout = number(variable, os.environ.get(variable), DEFAULT_BUSY_TIMEOUT, whole=False, minimum=0)
    store = open_store(busy_timeout=timeout, idle_release=0)
    try:
        yield store
    finally:
        store.close()
