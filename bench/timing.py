"""Timing helpers: run product and baseline interleaved (so contention hits both), report medians."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.md"
HEADER = (
    "| date (UTC) | scale | benchmark | product | baseline | ratio | target | met |\n"
    "|---|---|---|---|---|---|---|---|\n"
)


@dataclass
class Outcome:
    name: str
    what: str
    product: float | None  # seconds (or MB for memory)
    baseline: float | None
    target: str
    met: bool | None
    unit: str = "s"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.product is None or not self.baseline:
            return None
        return self.product / self.baseline

    def line(self) -> str:
        def show(value):
            if value is None:
                return "-"
            return f"{value * 1000:.1f} ms" if self.unit == "s" and value < 1 else f"{value:.2f} {self.unit}"

        ratio = f"{self.ratio:.2f}x" if self.ratio is not None else "-"
        met = {True: "yes", False: "NO", None: "-"}[self.met]
        return f"{self.name}: product {show(self.product)}, baseline {show(self.baseline)}, ratio {ratio}, " + (
            f"target {self.target}: {met}" + (f" ({self.note})" if self.note else "")
        )

    def row(self, scale: str) -> str:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")

        def show(value):
            return "-" if value is None else (f"{value:.3f} s" if self.unit == "s" else f"{value:.0f} {self.unit}")

        ratio = f"{self.ratio:.2f}x" if self.ratio is not None else "-"
        met = {True: "yes", False: "no", None: "-"}[self.met]
        note = f" ({self.note})" if self.note else ""
        return (
            f"| {stamp} | {scale} | {self.name}: {self.what} | {show(self.product)} | {show(self.baseline)} | "
            f"{ratio} | {self.target} | {met}{note} |\n"
        )


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def paired(
    product: Callable[[], object],
    baseline: Callable[[], object],
    repeats: int = 3,
    setup: Callable[[], object] | None = None,
) -> tuple[float, float]:
    """Median seconds of ``product`` and ``baseline``, run alternately ``repeats`` times each."""
    product_time, baseline_time = interleaved([product, baseline], repeats, setup)
    return product_time, baseline_time


def interleaved(
    actions: list[Callable[[], object]], repeats: int = 3, setup: Callable[[], object] | None = None
) -> list[float]:
    """Median seconds of each action, run in turn ``repeats`` times (``setup`` before every run)."""
    times: list[list[float]] = [[] for _ in actions]
    for _ in range(repeats):
        for action, seconds in zip(actions, times, strict=True):
            if setup:
                setup()
            seconds.append(timed(action))
    return [statistics.median(seconds) for seconds in times]


def append_results(outcomes: list[Outcome], scale: str) -> None:
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Benchmark history\n\nAppended by `python -m bench`; newest last. Times are medians; the ratio is "
            "product / bare DuckDB in the same run.\n\n" + HEADER,
            encoding="utf-8",
        )
    with RESULTS.open("a", encoding="utf-8") as handle:
        for outcome in outcomes:
            handle.write(outcome.row(scale))
