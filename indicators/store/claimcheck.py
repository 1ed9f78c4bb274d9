"""Reads that set the papers' claims beside the official statistics."""

from __future__ import annotations

import pandas as pd

from indicators.store.reads import IS_CLAIM_SQL


class ClaimCheckMixin:
    def claim_checks(self) -> pd.DataFrame:
        """One row per claim (a paper's figure with its sentence): the official figure for the same indicator
        and entity, preferring the same period, else the latest one (with its source and period)."""
        return self.query_df(
            f"""
            WITH claims AS (
                SELECT o.id AS claim_id, o.indicator_id, o.entity, o.period, o.period_start, o.value, o.qualifier
                FROM current_observation o JOIN source s ON s.id = o.source_id
                WHERE {IS_CLAIM_SQL}
            ),
            official AS (
                SELECT o.indicator_id, o.entity, o.period, o.period_start, o.value, o.source_id,
                       s.title AS source_title
                FROM current_observation o JOIN source s ON s.id = o.source_id
                WHERE s.kind = 'official'
            )
            SELECT c.claim_id, c.indicator_id, c.entity, c.period AS claim_period, c.value AS claim_value,
                   c.qualifier AS claim_qualifier, f.period AS official_period, f.value AS official_value,
                   f.source_id AS official_source_id, f.source_title AS official_source_title,
                   (f.period = c.period) AS same_period
            FROM claims c
            JOIN official f ON f.indicator_id = c.indicator_id AND f.entity = c.entity
            QUALIFY row_number() OVER (PARTITION BY c.claim_id
                ORDER BY (f.period = c.period) DESC, f.period_start DESC, f.source_id) = 1
            ORDER BY c.indicator_id, c.entity, c.period
            """
        )
