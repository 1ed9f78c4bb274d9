"""Twenty viewers read while one editor writes, all on one file store object shared by threads (as the
dashboard's sessions share it). No reader gets an error, and no reader ever sees half a batch.

Every batch rewrites the same 40 figures of one entity with the batch's number as value and note, so a
reader that saw a half-applied batch would find fewer or more than 40 current figures, or two batch
numbers among them.
"""

from __future__ import annotations

import threading
import time

import pandas as pd

from indicators.bootstrap import prepare
from indicators.store import Store

FIGURES = 40
READERS = 20
BATCHES = 10  # the editor writes this many batches, then everyone stops (bounded by count, not by a clock)


def _batch(number: int) -> pd.DataFrame:
    years = [str(1900 + offset) for offset in range(FIGURES)]
    return pd.DataFrame(
        {
            "indicator_id": "gdp_growth",
            "entity": "TST",
            "period": years,
            "period_start": pd.to_datetime([f"{year}-01-01" for year in years]),
            "value": float(number),
            "qualifier": "exactly",
            "source_id": "editor",
            "quote": pd.NA,
            "note": f"batch {number}",
        }
    )


def test_twenty_readers_never_see_half_a_batch_while_one_editor_writes(tmp_path):
    store = prepare(Store(tmp_path / "store.duckdb"))
    indicator_count = store.counts()["indicators"]
    stop = threading.Event()
    errors: list[BaseException] = []
    torn: list[str] = []
    reads = [0] * READERS
    written = [0]

    def editor() -> None:
        number = 0
        try:
            while number < BATCHES:
                number += 1
                result = store.write_observations(_batch(number), kind="edit", who="editor", reason=f"{number}")
                assert result.written == FIGURES
                written[0] = number
                time.sleep(0.05)  # give the viewers a turn between batches, as a person would
        except BaseException as error:
            errors.append(error)
        finally:
            stop.set()

    def viewer(slot: int) -> None:
        try:
            while not stop.is_set():
                rows = store.series("gdp_growth", ["TST"])
                notes = set(rows["note"])
                if len(rows) not in (0, FIGURES) or len(notes) > 1:
                    torn.append(f"{len(rows)} figures from {sorted(notes)}")
                if slot % 2:
                    overview = store.overview()
                    assert len(overview) == indicator_count
                reads[slot] += 1
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=editor)] + [
        threading.Thread(target=viewer, args=(slot,)) for slot in range(READERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"

    assert not errors, errors[:3]
    assert not torn, torn[:3]
    assert written[0] == BATCHES
    assert all(count > 0 for count in reads), reads
    # the last batch is whole and current; every earlier one is in the history
    final = store.series("gdp_growth", ["TST"])
    assert set(final["note"]) == {f"batch {written[0]}"} and len(final) == FIGURES
    assert store.query_value("SELECT count(*) FROM observation WHERE entity = 'TST'") == FIGURES * written[0]
    store.close()
    print(f"{written[0]} batches written while {READERS} readers made {sum(reads)} reads; none torn")
