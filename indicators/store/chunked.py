"""Writing a huge file's chunks part by part, inside one transaction, so that DuckDB never holds the whole
file in temp tables (10 M rows in a 1 GB memory cap). See ``_write_chunks``."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from indicators.store.staging import StagedRows
from indicators.store.writes import KEY, WriteResult

FLUSH_ROWS = 1_000_000  # a chunked write classifies and writes this many staged rows at a time


class ChunkedWritesMixin:
    def _write_chunks(
        self,
        con,
        chunks: Iterable[pd.DataFrame | StagedRows],
        *,
        kind: str,
        who: str,
        reason: str | None,
        detail: dict | None,
        batch_id: int | None,
        now,
    ) -> WriteResult:
        """A big file's chunks, written as they come, about ``FLUSH_ROWS`` at a time, all in the caller's one
        transaction: each part is classified against the store (which by then holds the earlier parts) and
        written, so DuckDB never holds the whole file in temp tables. A key that an earlier part of this batch
        wrote again with another value is refused (which one is true?); the same value is a harmless repeat."""
        result = WriteResult(batch_id=None)
        pending = iter(chunks)
        exhausted = False
        # the figures earlier parts found unchanged: a later part repeating one is neither counted again nor
        # (with another value) a change
        con.execute("CREATE OR REPLACE TEMP TABLE chunked_unchanged (current_id BIGINT)")
        while not exhausted:
            staged = 0

            def part():
                nonlocal staged, exhausted
                for chunk in pending:
                    yield chunk
                    staged += len(chunk)
                    if staged >= FLUSH_ROWS:
                        return
                exhausted = True

            self._load_incoming(con, part())
            if batch_id is None:
                batch_id = self._new_batch(con, kind, who, reason, detail=detail, at=now)
            self._classify(con, seed=False)
            # a key an earlier part brought with another value: one this batch wrote, or one found unchanged
            clash = con.execute(
                f"""
                SELECT {", ".join("c." + column for column in KEY)} FROM classified c
                JOIN observation o ON o.id = c.current_id
                WHERE c.status = 'changed' AND (
                    (o.batch_id = ? AND o.value <> c.value)
                    OR c.current_id IN (SELECT current_id FROM chunked_unchanged))
                LIMIT 1
                """,
                [batch_id],
            ).fetchall()
            if clash:
                raise ValueError(
                    "the same indicator, entity, period and source appear more than once with different values: "
                    + ", ".join(str(part) for part in clash[0])
                )
            # a key this batch has already written (an earlier part) is a repeat, neither changed nor unchanged
            # a key this batch has already written or found unchanged (an earlier part) is a repeat, neither
            # changed nor unchanged again
            con.execute(
                """
                UPDATE classified SET status = 'repeat'
                WHERE current_id IN (SELECT id FROM observation WHERE batch_id = ?)
                   OR current_id IN (SELECT current_id FROM chunked_unchanged)
                """,
                [batch_id],
            )
            con.execute("INSERT INTO chunked_unchanged SELECT current_id FROM classified WHERE status = 'unchanged'")
            counts = dict(con.execute("SELECT status, count(*) FROM classified GROUP BY status").fetchall())
            result.added += counts.get("new", 0)
            result.changed += counts.get("changed", 0)
            result.unchanged += counts.get("unchanged", 0)
            con.execute(
                """
                UPDATE observation SET superseded_at = ?, superseded_batch = ?
                WHERE id IN (SELECT current_id FROM classified WHERE status = 'changed')
                """,
                [now, batch_id],
            )
            con.execute(
                """
                INSERT INTO observation (indicator_id, entity, period, period_start, value, qualifier,
                    source_id, quote, note, batch_id, recorded_at, recorded_by)
                SELECT indicator_id, entity, period, period_start, value, qualifier, source_id, quote, note,
                       ?, ?, ?
                FROM classified WHERE status IN ('new', 'changed')
                """,
                [batch_id, now, who],
            )
            con.execute("DROP TABLE classified; DROP TABLE incoming")
        con.execute("DROP TABLE chunked_unchanged")
        if result.written:
            con.execute(
                "UPDATE batch SET added = ?, changed = ? WHERE id = ?", [result.added, result.changed, batch_id]
            )
            result.batch_id = batch_id
        else:
            con.execute("DELETE FROM batch WHERE id = ?", [batch_id])  # nothing new: no empty batch in the log
        return result
