"""Child process for the two-process tests: open a store file, optionally write one figure, and hold the
file for a while, as a long import from the command line would.

Usage: ``python child_hold_store.py STORE SECONDS [NOTE]``. Prints ``HOLDING`` once the file is locked, then
sleeps SECONDS with the connection open and prints ``RELEASED`` after closing it.
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from indicators.store import Store


def main(path: str, seconds: float, note: str | None) -> None:
    store = Store(path, idle_release=0)
    with store.cursor() as cursor:  # the lease opens the file and holds it until the block ends
        if note:
            row = pd.DataFrame(
                {
                    "indicator_id": ["gdp_growth"],
                    "entity": ["SRB"],
                    "period": ["2099"],
                    "period_start": [pd.Timestamp("2099-01-01")],
                    "value": [4.2],
                    "qualifier": ["exactly"],
                    "source_id": ["holder"],
                    "quote": [pd.NA],
                    "note": [note],
                }
            )
            store.write_observations(row, kind="upload", who="holder", reason=note)
        cursor.execute("SELECT 1").fetchall()
        print("HOLDING", flush=True)
        time.sleep(seconds)
    store.close()
    print("RELEASED", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)
