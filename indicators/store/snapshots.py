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

from indicators.csvformat import FORMULA_PATTERN, FORMULA_PREFIXES
from indicators.models import Indicator, Source
from indicators.store.reads import IS_CLAIM_SQL, attributed_title_sql
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


# the code points a risky cell can start with: a formula character, or apostrophes before one
_FIRST_CODES = [ord(character) for character in (*FORMULA_PREFIXES, "'")]


def _text(expression: str, name: str) -> tuple[str, list]:
    """A text column made safe for a spreadsheet, as ``csvformat.neutralise_formulas`` does it."""
    # The first character is checked first (cheap), the pattern only for the rare text that starts like one.
    # The check is written as ORs, not ``ascii(x) IN (...)``: DuckDB turns a list of constants into a hash
    # join, and that join does not keep the rows in order, which observations.csv, read back from the sorted
    # Parquet file, relies on (tests/test_snapshot_changes.py reads a Parquet file of many row groups).
    first = " OR ".join(f"ascii({expression}) = {code}" for code in _FIRST_CODES)
    risky = f"({first}) AND regexp_matches({expression}, ?)"
    return f"CASE WHEN {risky} THEN ? || {expression} ELSE {expression} END AS {name}", [FORMULA_PATTERN, "'"]


def _number(expression: str, name: str) -> str:
    return f"printf('%.15g', {expression}) AS {name}"  # as pandas' float_format="%.15g" writes it


def _csv_columns(columns: list[tuple[str, str, str]]) -> tuple[str, list]:
    parts, params = [], []
    for kind, expression, name in columns:
        if kind == "text":
            sql, extra = _text(expression, name)
            parts.append(sql)
            params += extra
        elif kind == "number":
            parts.append(_number(expression, name))
        else:
            parts.append(f"{expression} AS {name}")
    return ", ".join(parts), params


_OBSERVATION_CSV = [
    ("text", "o.indicator_id", "indicator"),
    ("text", "o.entity", "entity"),
    ("text", "o.period", "period"),
    ("number", "o.value", "value"),
    ("text", "i.unit", "unit"),
    ("text", "o.qualifier", "qualifier"),
    ("text", "o.source_id", "source"),
    ("text", "o.quote", "quote"),
    ("text", "o.note", "note"),
]
# the same columns read back from observations.parquet (our CSV column names); a single Parquet file is read
# in its order (DuckDB preserves insertion order), which is the export's sort order
_PARQUET_CSV = [
    ("text" if name != "value" else "number", f"p.{name}", name)
    for name in ("indicator", "entity", "period", "value", "unit", "qualifier", "source", "quote", "note")
]
_CHANGES_CSV = [
    ("plain", "c.batch_id", "batch_id"),
    ("text", "c.kind", "kind"),
    ("text", "c.who", "who"),
    ("plain", "c.changed_at", "changed_at"),
    ("text", "c.reason", "reason"),
    ("text", "c.indicator_id", "indicator_id"),
    ("text", "c.entity", "entity"),
    ("text", "c.period", "period"),
    ("text", "c.source_id", "source_id"),
    ("text", "c.action", "action"),
    ("number", "c.old_value", "old_value"),
    ("number", "c.new_value", "new_value"),
    ("text", "c.old_qualifier", "old_qualifier"),
    ("text", "c.new_qualifier", "new_qualifier"),
]


def _quoted_path(path: Path) -> str:
    return str(path).replace("'", "''")  # a path we chose (a temporary folder), never user text


@dataclass
class RestoreResult:
    batch_id: int | None
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    catalog: int = 0  # indicators and sources added or overwritten


class SnapshotsMixin:
    # --- what an export reads ----------------------------------------------------------------------

    def snapshot_observations(self, scope: Scope = ALL) -> pd.DataFrame:
        """Current observations in our CSV columns, within the scope."""
        where, params = scope.where()
        return self.query_df(_OBSERVATION_SELECT.format(where=where), params)

    def snapshot_counts(self, scope: Scope = ALL) -> dict[str, int]:
        where, params = scope.where()
        observations = self.query_value(f"SELECT count(*) FROM current_observation o WHERE {where}", params)
        source, change_where, change_params = self._changes_sql(scope)
        changes = self.query_value(f"SELECT count(*) FROM {source} WHERE {change_where}", change_params)
        return {"observations": int(observations), "changes": int(changes)}

    def _copy(self, select: str, path: Path, options: str, params: list) -> int:
        """COPY a query to a file; returns the rows written (DuckDB reports them, no second count)."""
        with self.cursor() as con:
            return int(con.execute(f"COPY ({select}) TO '{_quoted_path(path)}' ({options})", params).fetchone()[0])

    def snapshot_summary(self, scope: Scope = ALL) -> pd.DataFrame:
        """One row per indicator in the scope: figures, entities, sources, first and last period, and the
        latest figure: as the Overview picks it, the newest of the indicator's usual entity when the scope
        has one (Serbia's defense spending, not Albania's of the same year), else the newest of any; ties by
        entity and source)."""
        where, params = scope.where()
        return self.query_df(
            f"""
            WITH cur AS NOT MATERIALIZED (SELECT o.* FROM current_observation o WHERE {where}),
            agg AS (
                SELECT c.indicator_id, count(*) AS figures, count(DISTINCT c.entity) AS entities,
                       count(DISTINCT c.source_id) AS sources, arg_min(c.period, c.period_start) AS first_period,
                       arg_max(c.period, c.period_start) AS last_period, max(c.period_start) AS newest,
                       max(c.period_start) FILTER (WHERE c.entity = i.default_entity) AS usual_newest,
                       any_value(i.default_entity) AS usual_entity
                FROM cur c JOIN indicator i ON i.id = c.indicator_id GROUP BY c.indicator_id
            ),
            latest AS (  -- only the figures of each indicator's newest period are ranked, not all of them
                SELECT c.* FROM cur c JOIN agg a ON a.indicator_id = c.indicator_id
                    AND c.period_start = coalesce(a.usual_newest, a.newest)
                    AND (a.usual_newest IS NULL OR c.entity = a.usual_entity)
                QUALIFY row_number() OVER (PARTITION BY c.indicator_id ORDER BY c.entity, c.source_id) = 1
            )
            SELECT a.indicator_id AS indicator, a.figures, a.entities, a.sources, a.first_period, a.last_period,
                   l.entity AS latest_entity, l.period AS latest_period, l.value AS latest_value,
                   l.qualifier AS latest_qualifier, l.source_id AS latest_source
            FROM agg a JOIN latest l USING (indicator_id)
            ORDER BY indicator
            """,
            params,
        )

    def snapshot_csv(self, path: Path, scope: Scope = ALL, *, parquet: Path | None = None) -> int:
        """observations.csv written by DuckDB, byte for byte what ``csvformat.observations_csv`` writes for
        ``snapshot_observations`` (tested), at DuckDB's speed for large stores. With ``parquet`` (the file
        ``snapshot_parquet`` just wrote for the same scope) the rows are read from it, already joined and
        sorted, instead of querying the store a second time."""
        if parquet is not None:
            columns, column_params = _csv_columns(_PARQUET_CSV)
            select = f"SELECT {columns} FROM read_parquet('{_quoted_path(parquet)}') p"
            return self._copy(select, path, "FORMAT csv, HEADER", column_params)
        where, params = scope.where()
        columns, column_params = _csv_columns(_OBSERVATION_CSV)
        select = (
            f"SELECT {columns} FROM current_observation o LEFT JOIN indicator i ON i.id = o.indicator_id "
            f"WHERE {where} ORDER BY o.indicator_id, o.entity, o.source_id, o.period_start, o.period"
        )
        return self._copy(select, path, "FORMAT csv, HEADER", column_params + params)

    def snapshot_changes_csv_from_view(self, path: Path, scope: Scope = ALL) -> int:
        """changes.csv written straight from the ``change_log`` view: the reference that the export's cheaper
        derivation (``snapshot_changes_csv``, store/snapshot_changes.py) is tested against, byte for byte."""
        source, where, params = self._changes_sql(scope)
        columns, column_params = _csv_columns(_CHANGES_CSV)
        order = "c.batch_id, c.indicator_id, c.entity, c.period, c.source_id"
        select = f"SELECT {columns} FROM {source} WHERE {where} ORDER BY {order}"
        return self._copy(select, path, "FORMAT csv, HEADER", column_params + params)

    def _changes_sql(self, scope: Scope) -> tuple[str, str, list]:
        where, params = scope.where("c")
        if scope.start_min is not None or scope.start_max is not None:
            # change_log has no period_start: join it from the observation version it names
            source = (
                "(SELECT l.*, o.period_start FROM change_log l "
                "JOIN observation o ON o.id = coalesce(l.new_observation_id, l.old_observation_id)) c"
            )
        else:
            source = "change_log c"
        return source, where, params

    def snapshot_parquet(self, path: Path, scope: Scope = ALL) -> int:
        """Write the scope's current observations (our CSV columns) to a Parquet file; returns rows."""
        where, params = scope.where()
        return self._copy(_OBSERVATION_SELECT.format(where=where), path, "FORMAT parquet, COMPRESSION zstd", params)

    def snapshot_chart_series(self, scope: Scope = ALL) -> pd.DataFrame:
        """For a large snapshot's report, in one query: the figures of one entity per indicator within the
        scope (the indicator's usual entity, else the one with the most figures), with the columns of
        ``Store.series``, sorted by indicator, entity, source and period."""
        where, params = scope.where()
        return self.query_df(
            f"""
            WITH cur AS NOT MATERIALIZED (SELECT o.* FROM current_observation o WHERE {where}),
            chosen AS (
                SELECT c.indicator_id, c.entity
                FROM (SELECT indicator_id, entity, count(*) AS figures FROM cur GROUP BY ALL) c
                JOIN indicator i ON i.id = c.indicator_id
                QUALIFY row_number() OVER (PARTITION BY c.indicator_id
                    ORDER BY (c.entity = i.default_entity) DESC, c.figures DESC, c.entity) = 1
            )
            SELECT o.id, o.indicator_id, o.entity, coalesce(e.name, o.entity) AS entity_name,
                   o.period, o.period_start, o.value, o.qualifier, o.source_id,
                   {attributed_title_sql(fallback="coalesce(s.title, o.source_id)")} AS source_title,
                   s.kind AS source_kind, s.cited_in,
                   o.quote, o.note, o.recorded_at, o.recorded_by, o.batch_id, {IS_CLAIM_SQL} AS is_claim
            FROM cur o
            JOIN chosen USING (indicator_id, entity)
            LEFT JOIN source s ON s.id = o.source_id
            LEFT JOIN source p ON p.id = s.cited_in
            LEFT JOIN entity e ON e.code = o.entity
            ORDER BY o.indicator_id, o.entity, o.source_id, o.period_start
            """,
            params,
        )

    def known_entities(self) -> set[str]:
        """Entity codes the store knows: its entity list, and every entity with a figure (pairs like SRB-USA)."""
        rows = self.query_rows("SELECT code FROM entity UNION SELECT DISTINCT entity FROM current_observation")
        return {row[0] for row in rows}

    def snapshot_entities(self, scope: Scope = ALL) -> pd.DataFrame:
        """Per indicator, the entities with figures within the scope and how many: most figures first."""
        where, params = scope.where()
        return self.query_df(
            f"""
            SELECT o.indicator_id, o.entity, count(*) AS figures FROM current_observation o WHERE {where}
            GROUP BY ALL ORDER BY o.indicator_id, figures DESC, o.entity
            """,
            params,
        )

    def snapshot_indicators(self, scope: Scope = ALL) -> pd.DataFrame:
        """The indicators a snapshot describes: all, the chosen ones, or (filtered by entity or period only)
        those its figures measure, as its sources are those its figures cite."""
        if scope.indicators:
            return self.query_df(
                "SELECT * FROM indicator WHERE list_contains(?::VARCHAR[], id) ORDER BY id", [list(scope.indicators)]
            )
        if scope.is_all:
            return self.query_df("SELECT * FROM indicator ORDER BY id")
        where, params = scope.where()
        return self.query_df(
            f"""
            SELECT * FROM indicator
            WHERE id IN (SELECT DISTINCT o.indicator_id FROM current_observation o WHERE {where})
            ORDER BY id
            """,
            params,
        )

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
        source, where, params = self._changes_sql(scope)
        return self.query_df(
            f"""
            SELECT c.batch_id, c.kind, c.who, c.changed_at, c.reason, c.indicator_id, c.entity, c.period,
                   c.source_id, c.action, c.old_value, c.new_value, c.old_qualifier, c.new_qualifier
            FROM {source} WHERE {where}
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
        """Restore in ONE transaction and one batch (kind ``restore``): upsert the given sources and indicators
        (the snapshot's that differ from the store's), write its observations (new and changed ones), and in
        replace mode supersede the current figures within the snapshot's scope that it does not hold. All of it
        or none of it; no batch when nothing was written."""
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
            if not (written.written or removed or sources or indicators):
                # nothing to record (the caller passes only the indicators and sources that differ)
                con.execute("DELETE FROM batch WHERE id = ?", [batch_id])
                batch_id = None
        return RestoreResult(
            batch_id=batch_id,
            added=written.added,
            changed=written.changed,
            removed=removed,
            unchanged=written.unchanged,
            catalog=len(sources) + len(indicators),
        )
