"""Progress of long work (exports, restores) as fractions from 0 to 1, for a progress bar.

Work that takes a ``progress`` callback calls it as ``progress(fraction, message)``: ``fraction`` never goes
down and the last call is ``1.0``; ``message`` says what is happening now ("observations", "zip" ...). The
callback is always called from the thread that started the work (Streamlit's ``st.progress`` needs that).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

ProgressCallback = Callable[[float, str], None]


class Stages:
    """Named stages with weights (rough shares of the time); ``start(name)`` reports the fraction of the work
    done before that stage, ``done()`` reports 1.0. Stages may be skipped, never revisited."""

    def __init__(self, callback: ProgressCallback | None, stages: Sequence[tuple[str, float]]) -> None:
        self._callback = callback
        total = sum(weight for _, weight in stages) or 1.0
        self._starts: dict[str, float] = {}
        done = 0.0
        for name, weight in stages:
            self._starts[name] = done / total
            done += weight
        self._last = 0.0

    def _report(self, fraction: float, message: str) -> None:
        fraction = min(1.0, max(self._last, fraction))
        self._last = fraction
        if self._callback is not None:
            self._callback(fraction, message)

    def start(self, name: str, message: str | None = None) -> None:
        self._report(self._starts[name], message or name)

    def done(self, message: str = "done") -> None:
        self._report(1.0, message)


def scaled(callback: ProgressCallback | None, start: float, end: float) -> ProgressCallback | None:
    """A callback for one step of a longer piece of work: its 0..1 becomes ``start``..``end`` of the whole
    (a restore is: read the archive, plan, apply)."""
    if callback is None:
        return None

    def report(fraction: float, message: str) -> None:
        callback(start + (end - start) * fraction, message)

    return report


def stderr_progress(label: str, stream=None) -> ProgressCallback:
    """A callback for the command line: one line per stage on stderr (stdout stays for the command's
    output, e.g. the CSV of ``diff``), like ``export:  40% report``."""
    import sys

    def report(fraction: float, message: str) -> None:
        out = stream or sys.stderr
        print(f"{label}: {fraction:4.0%} {message}", file=out, flush=True)

    return report
