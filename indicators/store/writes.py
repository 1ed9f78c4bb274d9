"""Writes. Every write is one transaction and one batch in the change log; observations are versioned.

``write_observations`` is the single path for seed data, uploads, edits and restores: it classifies incoming
rows against the current versions in SQL (new, changed, unchanged), supersedes the changed ones and inserts
the new versions, all set-based, so a million-row import is a handful of statements.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd

from indicators.models import Indicator, Source
from indicators.store.base import utc_now
from indicators.store.schema import next_observation_ids_by_rowid
from indicators.store.staging import CLASH_SQL, StagedRows

KEY = ("indicator_id", "entity", "period", "source_id")
_KEY_JOIN = " AND ".join(f"c.{column} = i.{column}" for column in KEY)
# The same figure when equal to the 15 significant digits our files carry: a value stored with float noise
# (millions converted to dollars: 268744915.0000001) is unchanged by its own export read back (268744915).
SAME_VALUE_SQL = "abs(c.value - i.value) <= 1e-14 * greatest(abs(c.value), abs(i.value))"
INCOMING_COLUMNS = (
    "indicator_id",
    "entity",
    "period",
    "period_start",
    "value",
    "qualifier",
    "source_id",
    "quote",
    "note",
)


class _Rehearsed(Exception):
    """Raised inside a rehearsed write's transaction so that it rolls back; carries what it wrote."""

    def __init__(self, result: WriteResult) -> None:
        super().__init__("rehearsal: rolled back")
        self.result = result


@dataclass
class WriteResult:
    batch_id: int | None
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0  # seed rows a user has since edited or deleted: the user's version wins

    @property
    def written(self) -> int:
        return self.added + self.changed


def _incoming_frame(rows: pd.DataFrame) -> pd.DataFrame:
    frame = rows.loc[:, list(INCOMING_COLUMNS)].copy()
    frame["period_start"] = pd.to_datetime(frame["period_start"])  # DuckDB casts to DATE on insert
    frame["value"] = frame["value"].astype("float64")
    for column in ("indicator_id", "entity", "period", "qualifier", "source_id", "quote", "note"):
        frame[column] = frame[column].astype("string")
    return frame


class WritesMixin:
    # --- catalog ---------------------------------------------------------------------------------

    def upsert_entities(self, entities: pd.DataFrame) -> None:
        with self.transaction() as con:
            con.register("incoming_entities", entities.loc[:, ["code", "name", "aliases"]])
            con.execute(
                """
                INSERT INTO entity SELECT code, name, nullif(aliases, '') FROM incoming_entities
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, aliases = excluded.aliases
                """
            )
            con.unregister("incoming_entities")

    @staticmethod
    def _upsert_model(con, table: str, model: Source | Indicator) -> None:
        """Insert or update one catalog row. The table name comes from the fixed allow-list below and the
        column names from the pydantic model's own fields; every value is a parameter."""
        assert table in {"source", "indicator"}
        values = model.model_dump()
        columns = list(values)
        con.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) "
            "ON CONFLICT (id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id"),
            list(values.values()),
        )

    def _upsert_source(self, con, source: Source) -> None:
        self._upsert_model(con, "source", source)

    def _upsert_indicator(self, con, indicator: Indicator) -> None:
        self._upsert_model(con, "indicator", indicator)

    def upsert_catalog(self, sources: Iterable[Source], indicators: Iterable[Indicator]) -> None:
        """Seed metadata: insert or refresh sources and indicators (no batch: metadata from data/)."""
        with self.transaction() as con:
            for source in sources:
                self._upsert_source(con, source)
            for indicator in indicators:
                self._upsert_indicator(con, indicator)

    def save_source(self, source: Source, *, who: str, reason: str) -> int:
        """Add or update one source on a user's behalf; recorded as a batch in the change log."""
        with self.transaction() as con:
            batch_id = self._new_batch(con, "source", who, reason, detail={"source": source.model_dump()})
            self._upsert_source(con, source)
        return batch_id

    def save_indicator(self, indicator: Indicator, *, who: str, reason: str) -> int:
        """Add or update one indicator on a user's behalf; recorded as a batch in the change log."""
        with self.transaction() as con:
            before = con.execute("SELECT * FROM indicator WHERE id = ?", [indicator.id]).df()
            detail = {
                "indicator": indicator.model_dump(),
                "before": None if before.empty else json.loads(before.to_json(orient="records"))[0],
            }
            batch_id = self._new_batch(con, "indicator", who, reason, detail=detail)
            self._upsert_indicator(con, indicator)
        return batch_id

    # --- batches ---------------------------------------------------------------------------------

    def _new_batch(
        self,
        con,
        kind: str,
        who: str,
        reason: str | None,
        *,
        detail: dict | None = None,
        undoes: int | None = None,
        at=None,
    ) -> int:
        batch_id = con.execute("SELECT nextval('batch_id')").fetchone()[0]
        con.execute(
            "INSERT INTO batch (id, kind, who, created_at, reason, undoes, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [batch_id, kind, who, at or utc_now(), reason, undoes, json.dumps(detail, default=str) if detail else None],
        )
        return batch_id

    # --- observations ------------------------------------------------------------------------------

    def _classify(self, con, seed: bool, source: str = "incoming", params: list | None = None) -> None:
        """Classify the rows of temp table ``incoming`` (or of ``source``, a query of this module's own, with
        its ``params``) against the current versions into ``classified``."""
        con.execute(f"CREATE OR REPLACE TEMP TABLE classified AS {self._classify_sql(seed, source)}", params or [])

    @staticmethod
    def _classify_sql(seed: bool, source: str) -> str:
        """The query behind ``_classify``: each row of ``source`` with its current version and status."""
        if seed:
            # Seed data never overrides a person: a key that anyone has ever touched outside a seed batch
            # keeps its current state (including a deletion); seed-only keys follow seed-data updates.
            status = f"""
                CASE WHEN NOT EXISTS (SELECT 1 FROM observation h WHERE h.indicator_id = i.indicator_id
                                      AND h.entity = i.entity AND h.period = i.period AND h.source_id = i.source_id)
                          THEN 'new'
                     WHEN EXISTS (SELECT 1 FROM observation h JOIN batch hb ON hb.id = h.batch_id
                                  WHERE h.indicator_id = i.indicator_id AND h.entity = i.entity
                                    AND h.period = i.period AND h.source_id = i.source_id AND hb.kind <> 'seed')
                          OR c.id IS NULL THEN 'skipped'
                     WHEN {SAME_VALUE_SQL} AND c.qualifier = i.qualifier
                          AND c.quote IS NOT DISTINCT FROM i.quote AND c.note IS NOT DISTINCT FROM i.note
                          THEN 'unchanged'
                     ELSE 'changed' END
            """
        else:
            status = f"""
                CASE WHEN c.id IS NULL THEN 'new'
                     WHEN {SAME_VALUE_SQL} AND c.qualifier = i.qualifier
                          AND c.quote IS NOT DISTINCT FROM i.quote AND c.note IS NOT DISTINCT FROM i.note
                          THEN 'unchanged'
                     ELSE 'changed' END
            """
        return f"""
            SELECT i.*, c.id AS current_id, c.value AS current_value, c.qualifier AS current_qualifier,
                   {status} AS status
            FROM {source} i
            LEFT JOIN current_observation c ON {_KEY_JOIN}
            """

    def _load_incoming(self, con, rows: pd.DataFrame | Iterable[pd.DataFrame | StagedRows] | StagedRows) -> None:
        """Stage validated rows (a frame, chunks of frames, or a staged file) in temp table ``incoming``, one
        row per key. A key given twice with different values is refused (which one is true?); identical
        repeats count once.
        """
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE incoming (indicator_id VARCHAR, entity VARCHAR, period VARCHAR,
                period_start DATE, value DOUBLE, qualifier VARCHAR, source_id VARCHAR, quote VARCHAR, note VARCHAR)
            """
        )
        if isinstance(rows, StagedRows):
            self._insert_staged(con, rows)  # its valid rows, repeats already resolved
            return
        chunks = [rows] if isinstance(rows, pd.DataFrame) else rows
        for chunk in chunks:
            if isinstance(chunk, StagedRows):  # a big file's chunk, checked and staged inside DuckDB
                self._insert_staged(con, chunk)
                continue
            if chunk.empty:
                continue
            con.register("incoming_df", _incoming_frame(chunk))
            con.execute("INSERT INTO incoming SELECT * FROM incoming_df")
            con.unregister("incoming_df")
        # min <> max rather than count(DISTINCT value): the same answer for numbers, without a set per key
        repeated = con.execute(
            f"""
            SELECT {", ".join(KEY)}, {CLASH_SQL} AS clash
            FROM incoming GROUP BY ALL HAVING count(*) > 1 ORDER BY clash DESC LIMIT 1
            """
        ).fetchone()
        if repeated is None:
            return
        if repeated[-1]:
            raise ValueError(
                "the same indicator, entity, period and source appear more than once with different values "
                "(value, qualifier, quote or note): " + ", ".join(str(part) for part in repeated[:-1])
            )
        con.execute(f"CREATE OR REPLACE TEMP TABLE incoming AS SELECT DISTINCT ON ({', '.join(KEY)}) * FROM incoming")

    def _stage_and_classify(self, con, rows, *, seed: bool) -> None:
        """Temp tables ``incoming`` and ``classified``. A staged file is classified straight from its text
        (``incoming`` stays empty): its million rows are not copied into a temp table first."""
        if isinstance(rows, StagedRows) and not seed:
            self._load_incoming(con, [])
            source = self._checked_rows(con, rows)
            self._classify(con, seed=False, source=f"({source})", params=[rows.default_source])
            self._forget_checked_rows(con)
            return
        self._load_incoming(con, rows)
        self._classify(con, seed=seed)

    def preview_observations(self, rows: pd.DataFrame | StagedRows) -> pd.DataFrame:
        """What writing these validated rows would do, without writing: one row per incoming figure with
        its status (new, changed, unchanged) and the current value it would replace."""
        with self.cursor() as con:
            self._stage_and_classify(con, rows, seed=False)
            # what a changed figure changes: its value, qualifier, quote or note (a file without a quote or
            # note column blanks them: "quote removed")
            result = con.execute(
                f"""
                SELECT i.indicator_id, i.entity, i.period, i.value, i.qualifier, i.source_id, i.status,
                       i.current_value, i.current_qualifier,
                       CASE WHEN i.status = 'changed' THEN concat_ws(', ',
                           CASE WHEN NOT ({SAME_VALUE_SQL}) THEN 'value' END,
                           CASE WHEN c.qualifier <> i.qualifier THEN 'qualifier' END,
                           CASE WHEN c.quote IS DISTINCT FROM i.quote
                                THEN CASE WHEN i.quote IS NULL THEN 'quote removed' ELSE 'quote' END END,
                           CASE WHEN c.note IS DISTINCT FROM i.note
                                THEN CASE WHEN i.note IS NULL THEN 'note removed' ELSE 'note' END END) END AS changes
                FROM classified i LEFT JOIN observation c ON c.id = i.current_id
                ORDER BY i.indicator_id, i.entity, i.source_id, i.period_start
                """
            ).df()
            con.execute("DROP TABLE classified; DROP TABLE incoming")
        return result

    def write_observations(
        self,
        rows: pd.DataFrame | Iterable[pd.DataFrame | StagedRows] | StagedRows,
        *,
        kind: str,
        who: str,
        reason: str | None,
        detail: dict | None = None,
        seed: bool = False,
        sources: Iterable[Source] = (),
        progress: Callable[[float, str], None] | None = None,
        rehearse: bool = False,
    ) -> WriteResult:
        """Write validated rows (see ``indicators.validate``) as one batch: new figures are added, changed
        ones get a new version, unchanged ones are left alone. All of it or none of it. ``sources`` (a
        free-text source an upload names) are created in the same transaction.

        ``rows`` is one frame, or an iterable of frames (chunks of a big file, validated one by one): chunks
        are staged in DuckDB as they come, so a file never has to be held whole in Python memory. An
        exception raised by the iterable rolls everything back. ``progress(share, what)`` hears of each step
        (a progress bar for a long write). ``rehearse``: do all of it, then roll back and return what it would
        have written (a dry run of a file too big to preview: the counts come from the real write)."""
        step = progress or (lambda share, what: None)
        try:
            with self.transaction() as con:
                for source in sources:
                    self._upsert_source(con, source)
                result = self._write_rows(
                    con, rows, kind=kind, who=who, reason=reason, detail=detail, seed=seed, progress=progress
                )
                if rehearse:
                    raise _Rehearsed(result)  # rolls the transaction back
                step(0.95, "committing")
        except _Rehearsed as rehearsal:
            rehearsal.result.batch_id = None
            return rehearsal.result
        step(1.0, "written")
        return result

    def _write_rows(
        self,
        con,
        rows: pd.DataFrame | Iterable[pd.DataFrame],
        *,
        kind: str,
        who: str,
        reason: str | None,
        detail: dict | None = None,
        seed: bool = False,
        batch_id: int | None = None,
        now=None,
        progress: Callable[[float, str], None] | None = None,
    ) -> WriteResult:
        """The body of ``write_observations`` inside a caller's transaction (a restore writes observations,
        metadata and removals in one transaction). With ``batch_id`` the rows join that batch."""
        now = now or utc_now()
        if not isinstance(rows, pd.DataFrame | StagedRows) and not seed:
            return self._write_chunks(
                con, rows, kind=kind, who=who, reason=reason, detail=detail, batch_id=batch_id, now=now
            )
        step = progress or (lambda share, what: None)
        step(0.0, "staging the figures")
        step(0.1, "comparing with the store")
        if isinstance(rows, StagedRows) and not seed and self._all_new(con, rows):
            return self._write_all_new(con, rows, kind=kind, who=who, reason=reason, detail=detail,
                                       batch_id=batch_id, now=now, step=step)  # fmt: skip
        self._stage_and_classify(con, rows, seed=seed)
        counts = dict(con.execute("SELECT status, count(*) FROM classified GROUP BY status").fetchall())
        result = WriteResult(
            batch_id=None,
            added=counts.get("new", 0),
            changed=counts.get("changed", 0),
            unchanged=counts.get("unchanged", 0),
            skipped=counts.get("skipped", 0),
        )
        if result.written:
            step(0.5, f"writing {result.written:,} figures")
            if batch_id is None:
                batch_id = self._new_batch(con, kind, who, reason, detail=detail, at=now)
            con.execute(
                """
                UPDATE observation SET superseded_at = ?, superseded_batch = ?
                WHERE id IN (SELECT current_id FROM classified WHERE status = 'changed')
                """,
                [now, batch_id],
            )
            con.execute(
                f"""
                INSERT INTO observation (id, indicator_id, entity, period, period_start, value, qualifier,
                    source_id, quote, note, batch_id, recorded_at, recorded_by)
                SELECT {next_observation_ids_by_rowid("classified")}, indicator_id, entity, period, period_start, value,
                       qualifier, source_id, quote, note, ?, ?, ?
                FROM classified WHERE status IN ('new', 'changed')
                """,
                [batch_id, now, who],
            )
            con.execute(
                "UPDATE batch SET added = ?, changed = ? WHERE id = ?",
                [result.added, result.changed, batch_id],
            )
            result.batch_id = batch_id
        con.execute("DROP TABLE classified; DROP TABLE incoming")
        return result

    def _write_all_new(self, con, rows: StagedRows, *, kind, who, reason, detail, batch_id, now, step) -> WriteResult:
        """``_write_rows`` for a staged file whose valid rows are all new (``_all_new``): no classification."""
        if rows.problem_rows is None:
            self._check(con, rows)
        if not rows.valid:
            return WriteResult(batch_id=None)
        step(0.5, f"writing {rows.valid:,} figures")
        if batch_id is None:
            batch_id = self._new_batch(con, kind, who, reason, detail=detail, at=now)
        added = self._insert_all_new(con, rows, batch_id=batch_id, now=now, who=who)
        con.execute("UPDATE batch SET added = ?, changed = ? WHERE id = ?", [added, 0, batch_id])
        return WriteResult(batch_id=batch_id, added=added)

    @contextmanager
    def memory_limit(self, megabytes: int | None):
        """Cap DuckDB's memory while a big job runs (it spills to a temp file beside the store instead),
        then restore the default. ``None`` leaves the limit alone."""
        if not megabytes:
            yield
            return
        with self.cursor() as con:
            con.execute(f"SET memory_limit = '{int(megabytes)}MB'")  # an int: nothing else reaches the SQL
        try:
            yield
        finally:
            with self.cursor() as con:
                con.execute("RESET memory_limit")

    # --- seed bookkeeping --------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        return self.query_value("SELECT value FROM meta WHERE key = ?", [key])

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as con:
            con.execute(
                "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]
            )
