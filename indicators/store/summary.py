"""The Overview's summary: a small derived copy of what the Overview reads, kept per store version.

Reading the latest figure of every indicator out of ten million takes seconds; reading it out of one row per
indicator takes milliseconds. Derived tables (created by the ``0003_overview_summary`` migration) hold that:

- ``overview_group``: per indicator, entity, source and whether the figure carries a quote, the number of
  current figures, the newest period and recording time, and the figure that is newest there (by period,
  then recording time, then id), with its values. Splitting on the quote keeps the claim rule exact: a figure
  is a claim when it has a quote and its source is a paper's.
- ``overview_indicator``: one row per indicator, ranked from the groups by the Overview's rule (counts, the
  latest figure, the papers' latest claim); source titles are joined when read.
- ``overview_spark``: the last ``SPARK_POINTS`` figures of each indicator's sparkline (its default entity,
  from the source with most figures there); ``overview_spark_state`` records which default entity each
  indicator's line was drawn for, so a changed default entity redraws it.
- ``overview_summary_state``: the newest change (batch id) the summary includes, and a fingerprint of what
  else decides the ranking (indicators' default entities, sources' kinds), which change without new figures.

The summary is a cache keyed on the latest change id: every write makes a batch and stamps each figure
version it adds or supersedes with that batch (``batch_id``, ``superseded_batch``), so the figures touched
since the summary was made are found from the observation table itself, however they were written. The
Overview's reads bring it up to date first (only the touched groups are recomputed: about 0.2 s after one
edit in a store of 10 M figures, 3 s for a rebuild) and fall back to reading the observation table when it
cannot be updated (a read-only store, a busy or full disk): the Overview is never stale, only slower. Write
paths need not know about it, and an import does not pay for it.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from indicators.store.connection import StoreError
from indicators.store.reads import (
    IS_CLAIM_SQL,
    LATEST_GROUP_SQL,
    OVERVIEW_SELECT,
    SAME_FREQUENCY_SQL,
    SPARK_POINTS,
    attributed_title_sql,
    ranking_ctes,
)

# the aggregate behind a group row, over current figures (``o``); {where} narrows it to some groups
_GROUP_SELECT = """
    SELECT o.indicator_id, o.entity, o.source_id, (o.quote IS NOT NULL) AS has_quote,
           count(*) AS n, max(o.recorded_at) AS last_recorded, max(o.period_start) AS last_start,
           max_by(struct_pack(id := o.id, period := o.period, value := o.value, qualifier := o.qualifier,
                              recorded_at := o.recorded_at, quote := o.quote),
                  (o.period_start, o.recorded_at, o.id)) AS latest
    FROM observation o
    WHERE o.superseded_at IS NULL {where}
    GROUP BY ALL
"""

_INSERT_GROUPS = """
    INSERT INTO overview_group
    SELECT indicator_id, entity, source_id, has_quote, n, last_recorded, last_start, latest.id, latest.period,
           latest.value, latest.qualifier, latest.recorded_at, latest.quote
    FROM ({select})
"""


def create_summary_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The migration: the tables, filled from the figures already in the store."""
    con.execute(
        """
        CREATE TABLE overview_group (
            indicator_id VARCHAR NOT NULL,
            entity VARCHAR NOT NULL,
            source_id VARCHAR NOT NULL,
            has_quote BOOLEAN NOT NULL,
            n BIGINT NOT NULL,              -- current figures in the group
            last_recorded TIMESTAMP NOT NULL,
            last_start DATE NOT NULL,       -- the newest period's start
            latest_id BIGINT NOT NULL,      -- the newest figure: by period start, recording time, id
            latest_period VARCHAR NOT NULL,
            latest_value DOUBLE NOT NULL,
            latest_qualifier VARCHAR NOT NULL,
            latest_recorded TIMESTAMP NOT NULL,
            latest_quote VARCHAR
        );
        CREATE TABLE overview_spark (
            indicator_id VARCHAR NOT NULL,
            entity VARCHAR NOT NULL,
            source_id VARCHAR NOT NULL,
            period VARCHAR NOT NULL,
            period_start DATE NOT NULL,
            value DOUBLE NOT NULL
        );
        CREATE TABLE overview_spark_state (indicator_id VARCHAR NOT NULL, entity VARCHAR NOT NULL);
        CREATE TABLE overview_indicator (
            indicator_id VARCHAR NOT NULL,
            observations BIGINT, entity_count BIGINT, source_count BIGINT, last_recorded TIMESTAMP,
            entity VARCHAR, period VARCHAR, period_start DATE, value DOUBLE, qualifier VARCHAR,
            source_id VARCHAR, is_claim BOOLEAN,
            claim_period VARCHAR, claim_value DOUBLE, claim_qualifier VARCHAR, claim_entity VARCHAR,
            claim_quote VARCHAR, claim_source_id VARCHAR
        );
        CREATE TABLE overview_summary_state (through_batch BIGINT NOT NULL, catalog UBIGINT NOT NULL);
        """
    )
    rebuild_summary(con)


def _latest_batch(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(max(id), 0) FROM batch").fetchone()[0]


def rebuild_summary(con: duckdb.DuckDBPyConnection) -> None:
    """Everything from scratch (a new or migrated store, or a change touching most of it)."""
    con.execute("DELETE FROM overview_group")
    con.execute(_INSERT_GROUPS.format(select=_GROUP_SELECT.format(where="")))
    con.execute("DELETE FROM overview_spark")
    con.execute("DELETE FROM overview_spark_state")
    _redraw_sparks(con, "SELECT id FROM indicator")
    _rank_indicators(con)
    con.execute("DELETE FROM overview_summary_state")
    con.execute(f"INSERT INTO overview_summary_state SELECT ?, ({CATALOG_SQL})", [_latest_batch(con)])


def _redraw_sparks(con: duckdb.DuckDBPyConnection, indicators_sql: str) -> None:
    """Redraw the sparklines of the indicators ``indicators_sql`` selects (their old points are gone)."""
    con.execute(
        f"""
        INSERT INTO overview_spark_state
        SELECT id, default_entity FROM indicator WHERE id IN ({indicators_sql})
        """
    )
    con.execute(
        f"""
        INSERT INTO overview_spark
        WITH pick AS (
            -- the source with most figures for the default entity (then the newest, then by id)
            SELECT g.indicator_id, g.entity, g.source_id FROM overview_group g
            JOIN indicator i ON i.id = g.indicator_id AND g.entity = i.default_entity
            WHERE g.indicator_id IN ({indicators_sql})
            GROUP BY g.indicator_id, g.entity, g.source_id
            QUALIFY row_number() OVER (PARTITION BY g.indicator_id
                ORDER BY sum(g.n) DESC, max(g.last_start) DESC, g.source_id) = 1
        ),
        points AS (
            SELECT o.id, o.indicator_id, o.entity, o.source_id, o.period, o.period_start, o.value
            FROM observation o
            JOIN pick p ON p.indicator_id = o.indicator_id AND p.entity = o.entity AND p.source_id = o.source_id
            WHERE o.superseded_at IS NULL
              AND o.indicator_id IN (SELECT indicator_id FROM pick) AND o.entity IN (SELECT entity FROM pick)
        )
        SELECT indicator_id, entity, source_id, period, period_start, value
        FROM ({SAME_FREQUENCY_SQL.format(points="points")})
        QUALIFY row_number() OVER (PARTITION BY indicator_id ORDER BY period_start DESC, id DESC) <= ?
        """,
        [SPARK_POINTS],
    )


def _stale_sparks_sql() -> str:
    """Indicators whose sparkline was drawn for another default entity, or never drawn."""
    return """
        SELECT i.id FROM indicator i LEFT JOIN overview_spark_state s ON s.indicator_id = i.id
        WHERE s.entity IS DISTINCT FROM i.default_entity
    """


# the indicator's fingerprint for the summary: default entities and source kinds decide what is latest and
# what is a claim, and change without a new figure
CATALOG_SQL = """
    SELECT hash(coalesce((SELECT string_agg(id || chr(31) || default_entity, chr(30) ORDER BY id) FROM indicator), '')
                || chr(29) || coalesce((SELECT string_agg(id || chr(31) || kind, chr(30) ORDER BY id) FROM source), ''))
"""


def _rank_indicators(con: duckdb.DuckDBPyConnection) -> None:
    """One row per indicator from the groups: counts, its latest figure and the papers' latest claim (the
    Overview's rule; ``overview_from_figures`` in reads.py applies it to the figures themselves)."""
    con.execute("DELETE FROM overview_indicator")
    con.execute(
        f"""
        INSERT INTO overview_indicator
        WITH {ranking_ctes("overview_group", ", g.latest_quote AS quote")},
        latest AS (
            SELECT o.indicator_id, o.entity, o.latest_period AS period, o.last_start AS period_start,
                   o.latest_value AS value, o.latest_qualifier AS qualifier, o.source_id,
                   {IS_CLAIM_SQL} AS is_claim
            FROM ranked o LEFT JOIN source s ON s.id = o.source_id
            WHERE {LATEST_GROUP_SQL}
            QUALIFY row_number() OVER (PARTITION BY o.indicator_id
                ORDER BY is_claim ASC, o.latest_recorded DESC, o.latest_id DESC) = 1
        ),
        claim AS (
            SELECT o.indicator_id, o.latest_period AS period, o.latest_value AS value,
                   o.latest_qualifier AS qualifier, o.entity, o.quote, o.source_id
            FROM ranked o JOIN source s ON s.id = o.source_id
            WHERE {IS_CLAIM_SQL}
            QUALIFY row_number() OVER (PARTITION BY o.indicator_id
                ORDER BY o.is_default_entity DESC, o.last_start DESC, o.latest_recorded DESC, o.latest_id DESC) = 1
        )
        SELECT i.id, c.observations, c.entity_count, c.source_count, c.last_recorded,
               l.entity, l.period, l.period_start, l.value, l.qualifier, l.source_id, l.is_claim,
               cl.period, cl.value, cl.qualifier, cl.entity, cl.quote, cl.source_id
        FROM indicator i
        LEFT JOIN latest l ON l.indicator_id = i.id
        LEFT JOIN claim cl ON cl.indicator_id = i.id
        LEFT JOIN counts c ON c.indicator_id = i.id
        """
    )


def update_summary(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the summary up to date inside the caller's transaction: recompute the groups holding a figure
    added or superseded since the summary's batch, and redraw the sparklines they (or a changed default
    entity) affect."""
    state = con.execute("SELECT max(through_batch) FROM overview_summary_state").fetchone()[0]
    latest = _latest_batch(con)
    if state is None or (state == 0 and latest > 0):
        rebuild_summary(con)
        return
    if latest != state:
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE overview_touched AS
            SELECT DISTINCT indicator_id, entity, source_id FROM observation
            WHERE batch_id > ? OR superseded_batch > ?
            """,
            [state, state],
        )
        con.execute(
            """
            DELETE FROM overview_group g USING overview_touched t
            WHERE g.indicator_id = t.indicator_id AND g.entity = t.entity AND g.source_id = t.source_id
            """
        )
        where = """AND o.indicator_id IN (SELECT indicator_id FROM overview_touched)
                   AND (o.indicator_id, o.entity, o.source_id) IN
                       (SELECT (indicator_id, entity, source_id) FROM overview_touched)"""
        con.execute(_INSERT_GROUPS.format(select=_GROUP_SELECT.format(where=where)))
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE overview_redraw AS
            SELECT DISTINCT t.indicator_id AS id FROM overview_touched t
            JOIN indicator i ON i.id = t.indicator_id AND i.default_entity = t.entity
            """
        )
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE overview_redraw (id VARCHAR)")
    con.execute(f"INSERT INTO overview_redraw {_stale_sparks_sql()}")
    con.execute("DELETE FROM overview_spark WHERE indicator_id IN (SELECT id FROM overview_redraw)")
    con.execute("DELETE FROM overview_spark WHERE indicator_id NOT IN (SELECT id FROM indicator)")
    con.execute("DELETE FROM overview_spark_state WHERE indicator_id IN (SELECT id FROM overview_redraw)")
    con.execute("DELETE FROM overview_spark_state WHERE indicator_id NOT IN (SELECT id FROM indicator)")
    _redraw_sparks(con, "SELECT DISTINCT id FROM overview_redraw")
    _rank_indicators(con)
    con.execute(f"UPDATE overview_summary_state SET through_batch = ?, catalog = ({CATALOG_SQL})", [latest])
    con.execute("DROP TABLE IF EXISTS overview_touched")
    con.execute("DROP TABLE overview_redraw")


class SummaryMixin:
    def _summary_is_current(self) -> bool:
        row = self.query_rows(
            f"""
            SELECT s.through_batch = (SELECT coalesce(max(id), 0) FROM batch) AND s.catalog = ({CATALOG_SQL})
            FROM overview_summary_state s
            """
        )
        return bool(row and row[0][0])

    def refresh_overview_summary(self) -> bool:
        """Bring the Overview's summary up to the store's latest change; True when it is current (it may
        not be: a read-only store, or one that cannot be written just now; then the Overview reads the
        figures themselves). Does not count as a change of the store's data."""
        token = self.version_token()  # taken first: a write after it changes the token, so is never missed
        if getattr(self, "_summary_current_at", None) == token:
            return True  # checked since the store last changed (the Overview reads twice per render)
        try:
            if self._summary_is_current():
                self._summary_current_at = token
                return True
        except duckdb.CatalogException:
            return False  # a store not yet migrated
        if self.read_only:
            return False
        try:
            with self._write_lock, self.cursor() as cursor, self._atomic(cursor):
                update_summary(cursor)
        except (duckdb.Error, StoreError, OSError):
            return False
        return True

    # --- the Overview's reads from the summary --------------------------------------------------------

    def _overview_from_summary(self) -> pd.DataFrame:
        """``overview()`` from the summary: the same rule and columns as reading the figures themselves."""
        return self.query_df(
            f"""
            WITH latest AS (
                SELECT v.indicator_id, v.entity, v.period, v.period_start, v.value, v.qualifier, v.source_id,
                       {attributed_title_sql("v.is_claim")} AS source_title, v.is_claim
                FROM overview_indicator v LEFT JOIN source s ON s.id = v.source_id
                LEFT JOIN source p ON p.id = s.cited_in
                WHERE v.entity IS NOT NULL
            ),
            claim AS (
                SELECT v.indicator_id, v.claim_period AS period, v.claim_value AS value,
                       v.claim_qualifier AS qualifier, v.claim_entity AS entity, v.claim_quote AS quote,
                       v.claim_source_id AS source_id, {attributed_title_sql("TRUE")} AS source_title
                FROM overview_indicator v JOIN source s ON s.id = v.claim_source_id
                LEFT JOIN source p ON p.id = s.cited_in
            ),
            counts AS (
                SELECT indicator_id, observations, entity_count, source_count, last_recorded
                FROM overview_indicator WHERE observations IS NOT NULL
            )
            {OVERVIEW_SELECT}
            """
        )

    def _sparklines_from_summary(self, points: int, indicator_ids: Sequence[str] | None = None) -> pd.DataFrame:
        only = "" if indicator_ids is None else "WHERE list_contains(?::VARCHAR[], s.indicator_id)"
        return self.query_df(
            f"""
            SELECT s.indicator_id, s.period, s.period_start, s.value
            FROM overview_spark s JOIN indicator i ON i.id = s.indicator_id AND i.default_entity = s.entity
            {only}
            QUALIFY row_number() OVER (PARTITION BY s.indicator_id ORDER BY s.period_start DESC) <= ?
            ORDER BY s.indicator_id, s.period_start
            """,
            ([] if indicator_ids is None else [list(indicator_ids)]) + [points],
        )
