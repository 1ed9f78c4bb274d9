"""Snapshots: what an export reads, the Parquet copy, and a restore's single transaction.

A *scope* narrows what is read or replaced: indicator ids, entity codes, and a range of period starts
(dates, inclusive). ``None`` or empty means "all". The same scope selects what an export writes and, in
replace mode, which current figures a restore may remove, so restoring a filtered snapshot never touches
figures outside its filters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from indicators.models import Indicator, Source
from indicators.store.writes import KEY, WriteResult, _incoming_frame


@dataclass(frozen=True)
class Scope:
    indicators: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    start_min: dt.date | None = None
    start_max: dt.date | None = None

    @property
    def is_all(self) -> bool:
        return not (self.indicators or self.entities or self.start_min or self.start_max)

    def where(self, alias: str = "o") -> tuple[str, list]:
        """A WHERE fragment (always starting with TRUE) and its parameters."""
        parts, params = ["TRUE"], []
        if self.indicators:
            parts.append(f"list_contains(?::VARCHAR[], {alias}.indicator_id)")
            params.append(list(self.indicators))
        if self.entities:
            parts.append(f"list_contains(?::VARCHAR[], {alias}.entity)")
            params.append(list(self.entities))
        if self.start_min is not None:
            parts.append(f"{alias}.period_start >= ?")
            params.append(self.start_min)
        if self.start_max is not None:
            parts.append(f"{alias}.period_start <= ?")
            params.append(self.start_max)
        return " AND ".join(parts), params


ALL = Scope()

_OBSERVATION_SELECT = """
    SELECT o.indicator_id AS indicator, o.entity, o.period, o.value, i.unit, o.qualifier,
           o.source_id AS source, o.quote, o.note
    FROM current_observation o LEFT JOIN indicator i ON i.id = o.indicator_id
    WHERE {where}
    ORDER BY o.indicator_id, o.entity, o.source_id, o.period_start, o.period
"""


@dataclass
class RestoreResult:
    batch_id: int | None
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0


class SnapshotsMixin:
    # --- what an export reads ----------------------------------------------------------------------

    def snapshot_observations(self, scope: Scope = ALL) -> pd.DataFrame:
        """Current observations in our CSV columns, within the scope."""
        where, params = scope.where()
        return self.query_df(_OBSERVATION_SELECT.format(where=where), params)

    def snapshot_parquet(self, path: Path, scope: Scope = ALL) -> int:
        """Write the scope's current observations (our CSV columns) to a Parquet file; returns rows."""
        where, params = scope.where()
        target = str(path).replace("'", "''")  # a path we chose (a temporary folder), never user text
        with self.cursor() as con:
            con.execute(
                f"COPY ({_OBSERVATION_SELECT.format(where=where)}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)",
                params,
            )
        return int(self.query_value(f"SELECT count(*) FROM current_observation o WHERE {where}", params))

    def snapshot_indicators(self, scope: Scope = ALL) -> pd.DataFrame:
        """The indicators a snapshot describes: all, or the chosen ones."""
        if scope.indicators:
            return self.query_df(
                "SELECT * FROM indicator WHERE list_contains(?::VARCHAR[], id) ORDER BY id", [list(scope.indicators)]
            )
        return self.query_df("SELECT * FROM indicator ORDER BY id")

    def snapshot_sources(self, scope: Scope = ALL) -> pd.DataFrame:
        """All sources, or for a filtered snapshot the sources its figures cite (and the papers citing them)."""
        if scope.is_all:
            return self.query_df("SELECT * FROM source ORDER BY id")
        where, params = scope.where()
        return self.query_df(
            f"""
            WITH used AS (SELECT DISTINCT o.source_id AS id FROM current_observation o WHERE {where})
            SELECT * FROM source s
            WHERE s.id IN (SELECT id FROM used)
               OR s.id IN (SELECT cited_in FROM source WHERE id IN (SELECT id FROM used))
            ORDER BY s.id
            """,
            params,
        )

    def snapshot_changes(self, scope: Scope = ALL) -> pd.DataFrame:
        """The change log (one row per figure per batch) within the scope, oldest first."""
        where, params = scope.where("c")
        if scope.start_min is not None or scope.start_max is not None:
            # change_log has no period_start: join it from the observation version it names
            return self.query_df(
                f"""
                SELECT c.batch_id, c.kind, c.who, c.changed_at, c.reason, c.indicator_id, c.entity, c.period,
                       c.source_id, c.action, c.old_value, c.new_value, c.old_qualifier, c.new_qualifier
                FROM (SELECT l.*, o.period_start FROM change_log l
                      JOIN observation o ON o.id = coalesce(l.new_observation_id, l.old_observation_id)) c
                WHERE {where}
                ORDER BY c.batch_id, c.indicator_id, c.entity, c.period
                """,
                params,
            )
        return self.query_df(
            f"""
            SELECT c.batch_id, c.kind, c.who, c.changed_at, c.reason, c.indicator_id, c.entity, c.period,
                   c.source_id, c.action, c.old_value, c.new_value, c.old_qualifier, c.new_qualifier
            FROM change_log c WHERE {where}
            ORDER BY c.batch_id, c.indicator_id, c.entity, c.period
            """,
            params,
        )

    # --- restore -------------------------------------------------------------------------------------

    def _removed_by_restore(self, con, scope: Scope) -> None:
        """Temp table ``to_remove``: current figures in the scope that the incoming rows do not have."""
        where, params = scope.where()
        join = " AND ".join(f"i.{column} = o.{column}" for column in KEY)
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE to_remove AS
            SELECT o.id, o.indicator_id, o.entity, o.period, o.value, o.qualifier, o.source_id, o.period_start
            FROM current_observation o
            WHERE {where} AND NOT EXISTS (SELECT 1 FROM incoming i WHERE {join})
            """,
            params,
        )

    def preview_restore(self, rows: pd.DataFrame, *, mode: str, scope: Scope = ALL) -> pd.DataFrame:
        """What a restore would do, without writing: one row per figure with status new, changed, unchanged
        or (replace mode) removed, and the current value it replaces."""
        preview = self.preview_observations(rows)
        if mode != "replace":
            return preview
        with self.cursor() as con:
            con.register("incoming_df", _incoming_frame(rows))
            con.execute("CREATE OR REPLACE TEMP TABLE incoming AS SELECT * FROM incoming_df")
            con.unregister("incoming_df")
            self._removed_by_restore(con, scope)
            removed = con.execute(
                """
                SELECT indicator_id, entity, period, CAST(NULL AS DOUBLE) AS value, CAST(NULL AS VARCHAR) AS qualifier,
                       source_id, 'removed' AS status, value AS current_value, qualifier AS current_qualifier
                FROM to_remove ORDER BY indicator_id, entity, source_id, period_start
                """
            ).df()
            con.execute("DROP TABLE to_remove; DROP TABLE incoming")
        if removed.empty:
            return preview
        return pd.concat([preview, removed], ignore_index=True)

    def restore_snapshot(
        self,
        rows: pd.DataFrame,
        *,
        indicators: Sequence[Indicator],
        sources: Sequence[Source],
        mode: str,
        scope: Scope = ALL,
        who: str,
        reason: str | None,
        detail: dict | None = None,
    ) -> RestoreResult:
        """Restore in ONE transaction and one batch (kind ``restore``): upsert the snapshot's sources and
        indicators, write its observations (new and changed ones), and in replace mode supersede the current
        figures within the snapshot's scope that it does not hold. All of it or none of it."""
        if mode not in ("replace", "merge"):
            raise ValueError(f"unknown restore mode {mode!r}: use replace or merge")
        from indicators.store.base import utc_now

        now = utc_now()
        with self.transaction() as con:
            for source in sources:
                self._upsert_source(con, source)
            for indicator in indicators:
                self._upsert_indicator(con, indicator)
            batch_id = self._new_batch(con, "restore", who, reason, detail=detail, at=now)
            written: WriteResult = self._write_rows(
                con, rows, kind="restore", who=who, reason=reason, seed=False, batch_id=batch_id, now=now
            )
            removed = 0
            if mode == "replace":
                con.register("incoming_df", _incoming_frame(rows))
                con.execute("CREATE OR REPLACE TEMP TABLE incoming AS SELECT * FROM incoming_df")
                con.unregister("incoming_df")
                self._removed_by_restore(con, scope)
                removed = con.execute("SELECT count(*) FROM to_remove").fetchone()[0]
                con.execute(
                    "UPDATE observation SET superseded_at = ?, superseded_batch = ? "
                    "WHERE id IN (SELECT id FROM to_remove)",
                    [now, batch_id],
                )
                con.execute("DROP TABLE to_remove; DROP TABLE incoming")
            con.execute(
                "UPDATE batch SET added = ?, changed = ?, removed = ? WHERE id = ?",
                [written.added, written.changed, removed, batch_id],
            )
            if not (written.written or removed):
                # nothing to record: the metadata upserts stay, the empty batch does not
                con.execute("DELETE FROM batch WHERE id = ?", [batch_id])
                batch_id = None
        return RestoreResult(
            batch_id=batch_id,
            added=written.added,
            changed=written.changed,
            removed=removed,
            unchanged=written.unchanged,
        )
