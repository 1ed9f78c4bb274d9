"""Undo of a large upload, and reading the change log, against bare DuckDB doing the same row work.

Run: PYTHONPATH=. python bench/undo.py [ROWS]. Prints seconds and the ratio to a bare-DuckDB baseline (one
UPDATE of the rows plus one INSERT ... SELECT of their copies, which is the least an undo must do).
"""

from __future__ import annotations

import sys
import time

import duckdb
import numpy as np
import pandas as pd

from indicators.bootstrap import prepare
from indicators.store import Store
from indicators.validate import validate_observations


def main(rows: int) -> None:
    store = prepare(Store())
    years = np.arange(rows) % 200 + 1850
    entities = [f"X{chr(65 + i // 26 % 26)}{chr(65 + i % 26)}" for i in range(rows // 200 + 1)]
    frame = pd.DataFrame(
        {
            "indicator": "gdp_growth",
            "entity": [entities[i // 200] for i in range(rows)],
            "period": years.astype(str),
            "value": np.random.default_rng(1).normal(2, 1, rows).round(2),
            "source": "pupin_2024",
        }
    )
    valid = validate_observations(frame, store.indicator_map()).rows
    first = store.write_observations(valid, kind="upload", who="bench", reason="first")
    valid2 = valid.assign(value=valid["value"] + 1)
    second = store.write_observations(valid2, kind="upload", who="bench", reason="second (changes every row)")
    assert second.changed == rows, second

    start = time.perf_counter()
    store.undo_batch(second.batch_id, who="bench")
    undo_s = time.perf_counter() - start

    start = time.perf_counter()
    log = store.change_log(batch_id=first.batch_id)
    log_s = time.perf_counter() - start
    assert len(log) == rows

    con = duckdb.connect()
    con.execute("CREATE TABLE o AS SELECT *, NULL::TIMESTAMP AS superseded_at FROM valid2")
    start = time.perf_counter()
    con.execute(
        "BEGIN; UPDATE o SET superseded_at = now(); "
        "INSERT INTO o SELECT * REPLACE (NULL AS superseded_at) FROM o; COMMIT"
    )
    bare_s = time.perf_counter() - start

    print(f"rows: {rows}")
    print(
        f"undo of a batch that changed every row: {undo_s:.3f} s (bare DuckDB update+insert {bare_s:.3f} s, "
        f"ratio {undo_s / bare_s:.1f}x)"
    )
    print(f"change log of one batch ({rows} rows): {log_s:.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
