"""Child process for the crash tests: write one large batch of generated figures into a store file.

Usage: ``python child_big_write.py STORE ROWS MARKER``. Prints ``BUILT`` when the rows are ready, ``WRITING`` just
before the write starts, ``COMMITTED <batch id>`` once ``write_observations`` has returned, and ``CLOSED``
after the store released the file. The parent kills it with SIGKILL at chosen moments.
"""

from __future__ import annotations

import datetime as dt
import sys

import pandas as pd

from indicators.store import Store

INDICATORS = ("gdp_growth", "trade_volume", "eu_share_exports")


def generated_rows(count: int, marker: str) -> pd.DataFrame:
    """``count`` figures on seeded indicators, one per day from 1900 on, each noted with ``marker``."""
    per_indicator = -(-count // len(INDICATORS))
    days = pd.date_range(dt.date(1900, 1, 1), periods=per_indicator, freq="D")
    frames = []
    for position, indicator in enumerate(INDICATORS):
        frames.append(
            pd.DataFrame(
                {
                    "indicator_id": indicator,
                    "entity": "SRB",
                    "period": days.strftime("%Y-%m-%d"),
                    "period_start": days,
                    "value": range(position, position + per_indicator),
                    "qualifier": "exactly",
                    "source_id": "crash_test",
                    "quote": pd.NA,
                    "note": marker,
                }
            )
        )
    return pd.concat(frames, ignore_index=True).iloc[:count]


def main(path: str, count: int, marker: str) -> None:
    rows = generated_rows(count, marker)
    store = Store(path, idle_release=0)
    print("BUILT", flush=True)
    print("WRITING", flush=True)
    result = store.write_observations(rows, kind="upload", who="crash test", reason=marker)
    print("COMMITTED", result.batch_id, flush=True)
    store.close()
    print("CLOSED", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
