"""A staged file whose figures are all new to the store: inserted straight from its text.

When the store holds no current figure of any of the file's indicators under any of its sources, every
valid row is new, so classifying a million rows against the store (a join and a temp table as wide as the
file) decides nothing: the rows go into ``observation`` in one statement, numbered by their file line.
"""

from __future__ import annotations

import pyarrow.compute as pc

from indicators.store.schema import next_observation_ids
from indicators.store.staging import StagedRows

# each row's file line is distinct and increasing (checked): it numbers the new versions, as a temp table's
# row ids do for the classified write
_INSERT_ALL = """
INSERT INTO observation (id, indicator_id, entity, period, period_start, value, qualifier, source_id, quote, note,
    batch_id, recorded_at, recorded_by)
SELECT {ids}, indicator_id, entity, period, period_start, value, qualifier, source_id, quote, note, ?, ?, ?
FROM ({rows})
"""


class FreshWritesMixin:
    def _all_new(self, con, staged: StagedRows) -> bool:
        """Whether every valid row of ``staged`` is certainly new: no current figure has one of its
        indicators and one of its sources, and its rows' file lines are distinct (they number the ids)."""
        row = staged.raw.column("row")
        if staged.raw.num_rows == 0 or row.null_count:
            return False
        if staged.raw.num_rows > 1 and not pc.all(pc.greater(row[1:], row[:-1])).as_py():
            return False  # a wide file: a line's cells share its number
        indicators = staged.lookups["indicator"]
        ids = indicators.loc[indicators["known"], "text"].dropna().tolist()
        sources = staged.lookups["source"]["text"].dropna().tolist()
        if not ids:
            return False
        found = con.execute(
            """
            SELECT count(*) FROM (SELECT 1 FROM current_observation
            WHERE indicator_id IN (SELECT unnest(?::VARCHAR[])) AND source_id IN (SELECT unnest(?::VARCHAR[]))
            LIMIT 1)
            """,
            [ids, sources],
        ).fetchone()[0]
        return found == 0

    def _insert_all_new(self, con, staged: StagedRows, *, batch_id: int, now, who: str) -> int:
        """Insert the valid rows of a checked ``staged`` (see ``_all_new``) as new figures of ``batch_id``."""
        rows = self._checked_rows(con, staged)
        ids = next_observation_ids('"row" - (SELECT min("row") FROM staged_raw)')
        inserted = con.execute(_INSERT_ALL.format(ids=ids, rows=rows), [batch_id, now, who, staged.default_source])
        count = inserted.fetchone()[0]
        self._forget_checked_rows(con)
        return count
