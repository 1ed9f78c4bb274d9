"""Writing a huge file's chunks part by part, inside one transaction, so that nothing ever holds the whole
file: see ``_write_chunks``.

What a part needs lives in Python (Arrow tables freed when the part is written), never in the transaction:
DuckDB 2.0 keeps whatever a transaction creates and drops until it ends (a rollback could still need it),
temp tables and ``register``-ed Arrow tables alike. So each chunk is checked on a cursor of its own, outside
the write transaction, and the write transaction reads the part's tables as Python variables (DuckDB's
replacement scans), never registered. Before that, a 10 M-row import held every chunk's text and every
part's temp tables until commit (a 5.98 GB peak)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from indicators.store.schema import next_observation_ids
from indicators.store.staging import CLASH_SQL, StagedRows
from indicators.store.writes import INCOMING_COLUMNS, KEY, WriteResult, _incoming_frame

# A chunked write classifies and writes this many staged rows at a time. Each part's Arrow tables and its join
# against the store come and go; half a million rows keeps a 10 M-row import's peak near 1.70 GB (a million:
# 1.81-1.89 GB, once 2.15 GB; a quarter million: 1.61-1.68 GB but 8% slower), at the same speed.
FLUSH_ROWS = 500_000

# the valid rows of one chunk in the types of ``observation`` (a staged chunk's query, or a registered frame)
_TYPED = """
SELECT indicator_id::VARCHAR AS indicator_id, entity::VARCHAR AS entity, period::VARCHAR AS period,
       period_start::DATE AS period_start, value::DOUBLE AS value, qualifier::VARCHAR AS qualifier,
       source_id::VARCHAR AS source_id, quote::VARCHAR AS quote, note::VARCHAR AS note
FROM ({rows})
"""


class ChunkedWritesMixin:
    def _part_rows(self, con, chunk: pd.DataFrame | StagedRows) -> pa.Table | None:
        """One chunk's valid rows, one per key, as an Arrow table (checking a staged chunk first). The check
        reads nothing from the store: it runs on a cursor of its own, outside the caller's transaction, so
        what it registers and creates is freed at once rather than at commit."""
        if not isinstance(chunk, StagedRows) and chunk.empty:
            return None
        with self.cursor() as side:
            if isinstance(chunk, StagedRows):
                rows = self._checked_rows(side, chunk)
                table = side.sql(_TYPED.format(rows=rows), params=[chunk.default_source]).to_arrow_table()
                self._forget_checked_rows(side)
                return table
            side.register("chunk_frame", _incoming_frame(chunk))
            table = side.sql(_TYPED.format(rows="SELECT * FROM chunk_frame")).to_arrow_table()
            side.unregister("chunk_frame")
            return table

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
        written. A key that an earlier part brought again with another value is refused (which one is
        true?); the same value is a harmless repeat, counted once."""
        result = WriteResult(batch_id=None)
        own_batch = batch_id is None
        pending = iter(chunks)
        exhausted = False
        # the current versions earlier parts found unchanged: a later part repeating one is a repeat
        unchanged: list[pa.Array] = []
        while not exhausted:
            tables: list[pa.Table] = []
            staged = 0
            for chunk in pending:
                table = self._part_rows(con, chunk)
                if table is not None and table.num_rows:
                    tables.append(table)
                staged += len(chunk)
                if staged >= FLUSH_ROWS:
                    break
            else:
                exhausted = True
            if not tables:
                continue
            if batch_id is None:
                batch_id = self._new_batch(con, kind, who, reason, detail=detail, at=now)
            self._write_part(con, pa.concat_tables(tables), unchanged, result, batch_id, now, who)
            del tables
        if batch_id is None:
            return result
        if result.written:
            con.execute(
                "UPDATE batch SET added = ?, changed = ? WHERE id = ?", [result.added, result.changed, batch_id]
            )
            result.batch_id = batch_id
        elif own_batch:
            con.execute("DELETE FROM batch WHERE id = ?", [batch_id])  # nothing new: no empty batch in the log
        return result

    def _write_part(
        self, con, part: pa.Table, unchanged: list[pa.Array], result: WriteResult, batch_id: int, now, who: str
    ) -> None:
        """Classify and write one part. ``part_rows``, ``part_seen`` and ``part_classified`` are local Arrow
        tables the SQL reads by name (replacement scans): registered, they would live until commit."""
        keys = ", ".join(KEY)
        part_rows = part
        # a key twice among the part's chunks? Hashes first (one number per row, checked in pandas' hash table:
        # a fraction of a GROUP BY on four strings); the keys themselves only when two hashes are equal
        hashes = con.sql(f"SELECT hash({keys}) AS h FROM part_rows").fetchnumpy()["h"]
        repeated = None
        if pd.Series(hashes).duplicated().any():
            # min <> max rather than count(DISTINCT value): the same answer for numbers, without a set per key
            repeated = con.execute(
                f"""
                SELECT {keys}, {CLASH_SQL} AS clash
                FROM part_rows GROUP BY ALL HAVING count(*) > 1 ORDER BY clash DESC LIMIT 1
                """
            ).fetchone()
        if repeated is not None:
            if repeated[-1]:
                raise ValueError(
                    "the same indicator, entity, period and source appear more than once with different values "
                    "(value, qualifier, quote or note): " + ", ".join(str(value) for value in repeated[:-1])
                )
            part_rows = con.sql(f"SELECT DISTINCT ON ({keys}) * FROM part_rows").to_arrow_table()
        part_seen = pa.table({"id": pa.chunked_array(unchanged, type=pa.int64())})  # read by the SQL below
        # a key this batch has already written, or an earlier part found unchanged, is a repeat: counted
        # once, and refused when it says something else (value, qualifier, quote or note: status 'changed')
        part_classified = con.sql(
            f"""
            SELECT k.*, coalesce(k.current_id IN (SELECT id FROM observation WHERE batch_id = ?)
                                 OR k.current_id IN (SELECT id FROM part_seen), false) AS repeat
            FROM ({self._classify_sql(False, "part_rows")}) k
            """,
            params=[batch_id],
        ).to_arrow_table()
        del part, part_rows, part_seen
        clash = con.execute(
            f"SELECT {keys} FROM part_classified WHERE repeat AND status = 'changed' LIMIT 1"
        ).fetchall()
        if clash:
            raise ValueError(
                "the same indicator, entity, period and source appear more than once with different values "
                "(value, qualifier, quote or note): " + ", ".join(str(value) for value in clash[0])
            )
        counts = dict(
            con.execute("SELECT status, count(*) FROM part_classified WHERE NOT repeat GROUP BY status").fetchall()
        )
        result.added += counts.get("new", 0)
        result.changed += counts.get("changed", 0)
        result.unchanged += counts.get("unchanged", 0)
        con.execute(
            """
            UPDATE observation SET superseded_at = ?, superseded_batch = ?
            WHERE id IN (SELECT current_id FROM part_classified WHERE status = 'changed' AND NOT repeat)
            """,
            [now, batch_id],
        )
        columns = ", ".join(INCOMING_COLUMNS)
        # each row's place in the part numbers its new version (a window's row_number() costs as much as the insert)
        numbered = part_classified.append_column("place", pa.array(np.arange(part_classified.num_rows)))
        con.execute(
            f"""
            INSERT INTO observation (id, {columns}, batch_id, recorded_at, recorded_by)
            SELECT {next_observation_ids("place")}, {columns}, ?, ?, ?
            FROM numbered WHERE status IN ('new', 'changed') AND NOT repeat
            """,
            [batch_id, now, who],
        )
        del numbered
        kept = pc.and_(pc.equal(part_classified["status"], "unchanged"), pc.invert(part_classified["repeat"]))
        unchanged.extend(part_classified["current_id"].filter(kept).chunks)
