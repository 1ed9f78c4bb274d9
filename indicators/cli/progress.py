"""Progress for long commands, as plain lines on stderr (no dependency, nothing to redraw): shown when
stderr is a terminal, or when the work is big enough that a script's log should say where it is."""

from __future__ import annotations

import sys
import time
from typing import TextIO

BIG_FILE_BYTES = 5 * 1024 * 1024
BIG_FILE_ROWS = 100_000


class Progress:
    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self._is_terminal() if enabled is None else enabled
        self.started = time.perf_counter()
        self._last_share = -1.0

    def _is_terminal(self) -> bool:
        try:
            return self.stream.isatty()
        except (AttributeError, ValueError):
            return False

    @classmethod
    def for_file(cls, size: int, stream: TextIO | None = None) -> Progress:
        progress = cls(stream)
        progress.enabled = progress.enabled or size >= BIG_FILE_BYTES
        return progress

    def rows(self, count: int) -> None:
        """Once the file is read: a file of many rows reports its progress even when piped."""
        self.enabled = self.enabled or count >= BIG_FILE_ROWS

    def say(self, text: str) -> None:
        if self.enabled:
            print(f"[{time.perf_counter() - self.started:6.1f} s] {text}", file=self.stream, flush=True)

    def writing(self, share: float, what: str) -> None:
        """A ``progress(share, what)`` callback for ``commit_upload`` / ``Store.write_observations``."""
        if share > self._last_share:
            self._last_share = share
            self.say(f"writing {share:4.0%}: {what}")
