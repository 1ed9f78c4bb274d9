"""Reads. Each page's numbers come from one aggregate query; nothing pulls a whole table into pandas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from indicators.models import Indicator

# A figure is one of the papers' claims when it carries a quote and its source is a paper or a source a
# paper cites. Used by every query that marks claims, so the rule lives here once.
IS_CLAIM_SQL = "(o.quote IS NOT NULL AND s.kind IN ('paper', 'cited'))"


def attributed_title_sql(is_claim: str = IS_CLAIM_SQL, fallback: str = "s.title") -> str:
    """A figure's source as people should cite it. A paper's sentence that cites another source is the
    paper's: "<paper>, citing <source>", never the cited source alone (whose page may say something else).
    Needs ``source s`` (the figure's source) and ``LEFT JOIN source p ON p.id = s.cited_in`` (its paper)."""
    return (
        f"CASE WHEN {is_claim} AND s.kind = 'cited' AND p.title IS NOT NULL "
        f"THEN p.title || ', citing ' || s.title ELSE {fallback} END"
    )


# the group that holds an indicator's latest figure: the newest period of its default entity, or of any entity
# when the default entity has none (columns of ``ranking_ctes``' ranked rows)
LATEST_GROUP_SQL = (
    "CASE WHEN default_start IS NOT NULL THEN is_default_entity AND last_start = default_start "
    "ELSE last_start = any_start END"
)


def ranking_ctes(groups: str, extra_columns: str = "") -> str:
    """The Overview's rule over figures grouped per (indicator, entity, source) in ``groups`` (a CTE or
    table name of ours, never user text): ``ranked`` marks each group's place against its indicator's default
    entity, ``counts`` totals each indicator. Shared by the summary (store/summary.py) and the reads that
    go to the figures themselves, so the two cannot drift apart."""
    return f"""
        ranked AS (
            SELECT g.*{extra_columns}, (g.entity = i.default_entity) AS is_default_entity,
                   max(g.last_start) FILTER (WHERE g.entity = i.default_entity) OVER (PARTITION BY g.indicator_id)
                       AS default_start,
                   max(g.last_start) OVER (PARTITION BY g.indicator_id) AS any_start
            FROM {groups} g JOIN indicator i ON i.id = g.indicator_id
        ),
        counts AS (
            SELECT indicator_id, sum(n)::BIGINT AS observations, count(DISTINCT entity) AS entity_count,
                   count(DISTINCT source_id) AS source_count, max(last_recorded) AS last_recorded
            FROM {groups} GROUP BY indicator_id
        )"""


SPARK_POINTS = 40  # an Overview sparkline's length (the summary keeps this many points per indicator)

# A sparkline's points: those of its newest figure's frequency (a source's quarters after its years would
# draw a quarter's total as if it were a year's). The frequency is the period with its digits taken out:
# "" for 2019, "-Q" for 2019-Q3, "-" for 2019-07, "--" for 2019-07-15.
SAME_FREQUENCY_SQL = """
    SELECT * FROM {points}
    QUALIFY regexp_replace(period, '[0-9]', '', 'g') = first_value(regexp_replace(period, '[0-9]', '', 'g'))
        OVER (PARTITION BY indicator_id ORDER BY period_start DESC, id DESC)
"""

# The Overview's last step, shared by its two ways of finding the figures (CTEs ``latest``, ``claim``, ``counts``).
OVERVIEW_SELECT = """
    SELECT i.id AS indicator_id, i.name, i.unit, i.category, i.decimals, i.default_entity,
           i.benchmark_value, i.benchmark_label, i.release_cycle_months,
           coalesce(c.observations, 0) AS observations, c.entity_count, c.source_count, c.last_recorded,
           l.entity, l.period, l.period_start, l.value, l.qualifier, l.source_id, l.source_title,
           l.is_claim AS latest_is_claim,
           cl.period AS claim_period, cl.value AS claim_value, cl.qualifier AS claim_qualifier,
           cl.entity AS claim_entity, cl.quote AS claim_quote, cl.source_id AS claim_source_id,
           cl.source_title AS claim_source_title
    FROM indicator i
    LEFT JOIN latest l ON l.indicator_id = i.id
    LEFT JOIN claim cl ON cl.indicator_id = i.id
    LEFT JOIN counts c ON c.indicator_id = i.id
    ORDER BY CASE i.category WHEN 'economy' THEN 0 WHEN 'security' THEN 1 WHEN 'people' THEN 2 ELSE 3 END,
             i.name
"""

_INDICATOR_COLUMNS = (
    "id, name, unit, category, description, min_value, max_value, decimals, default_entity, "
    "benchmark_value, benchmark_label, release_cycle_months"
)


def _none_if_nan(record: dict) -> dict:
    return {key: (None if isinstance(value, float) and value != value else value) for key, value in record.items()}


class ReadsMixin:
    # --- catalog -------------------------------------------------------------------------------

    def indicators(self) -> list[Indicator]:
        rows = self.query_df(f"SELECT {_INDICATOR_COLUMNS} FROM indicator ORDER BY category, name")
        return [Indicator.model_validate(_none_if_nan(record)) for record in rows.to_dict("records")]

    def indicator_map(self) -> dict[str, Indicator]:
        return {indicator.id: indicator for indicator in self.indicators()}

    def indicator(self, indicator_id: str) -> Indicator | None:
        rows = self.query_df(f"SELECT {_INDICATOR_COLUMNS} FROM indicator WHERE id = ?", [indicator_id])
        if rows.empty:
            return None
        return Indicator.model_validate(_none_if_nan(rows.to_dict("records")[0]))

    def sources(self) -> pd.DataFrame:
        return self.query_df(
            """
            SELECT s.*, coalesce(f.figures, 0) AS figures
            FROM source s
            LEFT JOIN (SELECT source_id, count(*) AS figures FROM current_observation GROUP BY source_id) f
              ON f.source_id = s.id
            ORDER BY CASE s.kind WHEN 'paper' THEN 0 WHEN 'cited' THEN 1 WHEN 'official' THEN 2 ELSE 3 END,
                     s.year DESC NULLS LAST, s.title
            """
        )

    def source_ids(self) -> set[str]:
        return {row[0] for row in self.query_rows("SELECT id FROM source")}

    def entities(self) -> pd.DataFrame:
        return self.query_df("SELECT code, name, aliases FROM entity ORDER BY name")

    def entity_names(self) -> dict[str, str]:
        return dict(self.query_rows("SELECT code, name FROM entity"))

    def counts(self) -> dict[str, int]:
        row = self.query_rows(
            """
            SELECT (SELECT count(*) FROM indicator), (SELECT count(*) FROM source),
                   (SELECT count(*) FROM current_observation), (SELECT count(*) FROM batch)
            """
        )[0]
        return dict(zip(("indicators", "sources", "observations", "batches"), row, strict=True))

    # --- the Overview ----------------------------------------------------------------------------

    def overview(self) -> pd.DataFrame:
        """One row per indicator: its latest figure (default entity first, newest period, official
        statistics before a paper's claim of the same period) and the papers' latest claim beside it.

        Read from the Overview's summary (store/summary.py), brought up to date first; from the figures
        themselves when the summary cannot be (a read-only store whose summary is behind)."""
        if self.refresh_overview_summary():
            return self._overview_from_summary()
        return self._overview_from_figures()

    def _overview_from_figures(self) -> pd.DataFrame:
        """``overview()`` read from the figures: one aggregate pass per (indicator, entity, source) finds
        where each latest figure can be, then only those few rows are read and ranked."""
        return self.query_df(
            f"""
            WITH groups AS (
                -- one pass over the figures: per indicator, entity and source
                SELECT o.indicator_id, o.entity, o.source_id, count(*) AS n, max(o.recorded_at) AS last_recorded,
                       max(o.period_start) AS last_start
                FROM current_observation o
                GROUP BY ALL
            ),
            {ranking_ctes("groups")},
            candidate_group AS (
                -- where the latest figure can be: the newest period of the default entity (or of any entity if none)
                SELECT indicator_id, entity, source_id, last_start FROM ranked
                WHERE {LATEST_GROUP_SQL}
            ),
            latest AS (
                SELECT o.*, {IS_CLAIM_SQL} AS is_claim, {attributed_title_sql()} AS source_title
                FROM current_observation o
                JOIN candidate_group g ON g.indicator_id = o.indicator_id AND g.entity = o.entity
                 AND g.source_id = o.source_id AND g.last_start = o.period_start
                LEFT JOIN source s ON s.id = o.source_id
                LEFT JOIN source p ON p.id = s.cited_in
                -- a cheap filter that drops most rows before the join
                WHERE o.period_start IN (SELECT DISTINCT last_start FROM candidate_group)
                QUALIFY row_number() OVER (PARTITION BY o.indicator_id
                    ORDER BY is_claim ASC, o.recorded_at DESC, o.id DESC) = 1
            ),
            claim AS (
                SELECT o.*, {attributed_title_sql()} AS source_title
                FROM current_observation o
                JOIN indicator i ON i.id = o.indicator_id
                JOIN source s ON s.id = o.source_id
                LEFT JOIN source p ON p.id = s.cited_in
                WHERE {IS_CLAIM_SQL}
                QUALIFY row_number() OVER (PARTITION BY o.indicator_id
                    ORDER BY (o.entity = i.default_entity) DESC, o.period_start DESC, o.recorded_at DESC, o.id DESC) = 1
            )
            {OVERVIEW_SELECT}
            """
        )

    def sparklines(self, points: int = SPARK_POINTS, indicator_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """For each indicator (or those named), the last ``points`` values of its default entity from one
        source: the source with the most figures (a sparkline never mixes two sources' values in one line)."""
        if points <= SPARK_POINTS and self.refresh_overview_summary():
            return self._sparklines_from_summary(points, indicator_ids)
        return self._sparklines_from_figures(points, indicator_ids)

    def _sparklines_from_figures(
        self, points: int = SPARK_POINTS, indicator_ids: Sequence[str] | None = None
    ) -> pd.DataFrame:
        only = "" if indicator_ids is None else "AND list_contains(?::VARCHAR[], o.indicator_id)"
        return self.query_df(
            f"""
            WITH cur AS (
                SELECT o.id, o.indicator_id, o.source_id, o.period, o.period_start, o.value
                FROM current_observation o
                JOIN indicator i ON i.id = o.indicator_id AND o.entity = i.default_entity
                -- a cheap filter that drops other entities' figures before the join
                WHERE o.entity IN (SELECT DISTINCT default_entity FROM indicator) {only}
            ),
            pick AS (
                SELECT indicator_id, source_id FROM cur
                GROUP BY indicator_id, source_id
                QUALIFY row_number() OVER (PARTITION BY indicator_id
                    ORDER BY count(*) DESC, max(period_start) DESC, source_id) = 1
            )
            , points AS (SELECT c.* FROM cur c JOIN pick p USING (indicator_id, source_id))
            SELECT indicator_id, period, period_start, value
            FROM ({SAME_FREQUENCY_SQL.format(points="points")})
            QUALIFY row_number() OVER (PARTITION BY indicator_id ORDER BY period_start DESC, id DESC) <= ?
            ORDER BY indicator_id, period_start
            """,
            ([] if indicator_ids is None else [list(indicator_ids)]) + [points],
        )

    # --- one indicator ---------------------------------------------------------------------------

    def indicator_entities(self, indicator_id: str) -> pd.DataFrame:
        return self.query_df(
            """
            SELECT o.entity, coalesce(e.name, o.entity) AS name, count(*) AS observations
            FROM current_observation o LEFT JOIN entity e ON e.code = o.entity
            WHERE o.indicator_id = ?
            GROUP BY ALL ORDER BY observations DESC, o.entity
            """,
            [indicator_id],
        )

    def series(
        self,
        indicator_id: str,
        entities: Sequence[str] | None = None,
        as_of: dt.datetime | None = None,
    ) -> pd.DataFrame:
        """The observations of one indicator (optionally some entities only), as recorded now or, with
        ``as_of``, as the store held them at that moment. Sorted for charting: entity, source, period."""
        version_filter = "o.superseded_at IS NULL"
        params: list = [indicator_id]
        if as_of is not None:
            version_filter = "o.recorded_at <= ? AND (o.superseded_at IS NULL OR o.superseded_at > ?)"
            params += [as_of, as_of]
        entity_filter = ""
        if entities:
            # an IN list of parameters (not list_contains) so DuckDB pushes the filter into the scan
            entity_filter = f"AND o.entity IN ({', '.join('?' for _ in entities)})"
            params += list(entities)
        return self.query_df(
            f"""
            SELECT o.id, o.indicator_id, o.entity, coalesce(e.name, o.entity) AS entity_name,
                   o.period, o.period_start, o.value, o.qualifier, o.source_id,
                   {attributed_title_sql(fallback="coalesce(s.title, o.source_id)")} AS source_title,
                   s.kind AS source_kind, s.cited_in,
                   o.quote, o.note, o.recorded_at, o.recorded_by, o.batch_id, {IS_CLAIM_SQL} AS is_claim
            FROM observation o
            LEFT JOIN source s ON s.id = o.source_id
            LEFT JOIN source p ON p.id = s.cited_in
            LEFT JOIN entity e ON e.code = o.entity
            WHERE o.indicator_id = ? AND {version_filter} {entity_filter}
            ORDER BY o.entity, o.source_id, o.period_start
            """,
            params,
        )

    # --- the papers ------------------------------------------------------------------------------

    def claims(self) -> pd.DataFrame:
        """Every figure the papers state, with its sentence, the paper and the source it cites."""
        return self.query_df(
            f"""
            SELECT coalesce(s.cited_in, s.id) AS paper_id, o.indicator_id, i.name AS indicator_name, i.unit,
                   i.decimals, o.entity, o.period, o.value, o.qualifier, o.source_id, s.title AS source_title,
                   s.kind AS source_kind, o.quote, o.note, {attributed_title_sql()} AS attributed_title
            FROM current_observation o
            JOIN source s ON s.id = o.source_id
            LEFT JOIN source p ON p.id = s.cited_in
            JOIN indicator i ON i.id = o.indicator_id
            WHERE {IS_CLAIM_SQL}
            ORDER BY paper_id, i.category, i.name
            """
        )

    # --- our CSV format ----------------------------------------------------------------------------

    def observations_table(
        self, indicator_ids: Sequence[str] | None = None, entities: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Current observations in our CSV columns (indicator, entity, period, value, unit, qualifier, source,
        quote, note), optionally filtered."""
        filters, params = [], []
        if indicator_ids:
            filters.append("list_contains(?::VARCHAR[], o.indicator_id)")
            params.append(list(indicator_ids))
        if entities:
            filters.append("list_contains(?::VARCHAR[], o.entity)")
            params.append(list(entities))
        where = ("WHERE " + " AND ".join(filters)) if filters else ""
        return self.query_df(
            f"""
            SELECT o.indicator_id AS indicator, o.entity, o.period, o.value, i.unit, o.qualifier,
                   o.source_id AS source, o.quote, o.note
            FROM current_observation o JOIN indicator i ON i.id = o.indicator_id
            {where}
            ORDER BY o.indicator_id, o.entity, o.source_id, o.period_start, o.period
            """,
            params,
        )
