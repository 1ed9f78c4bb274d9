"""changes.csv for a snapshot: the change log (one row per figure per batch) written by DuckDB's ``COPY``.

The ``change_log`` view (schema.py) pairs every version with the one it replaced by joining ``observation``
to itself on the batch and the figure, and finds deletions with a second scan (``NOT EXISTS``) of the whole
table. An export of a large store reads every row of it, so this module derives the same rows more cheaply:

- only versions that were superseded (``superseded_batch IS NOT NULL``, usually few) can be an old value, so
  the self-join's other side, and the deletions, are read from those alone;
- the batch's columns (kind, who, time, reason) are made CSV-ready once per batch, not once per figure: a
  timestamp written by the CSV writer a million times cost more than the rest of the row.

The rows, their order and every byte of the file are those of the view written directly (the test in
tests/test_snapshot_changes.py compares the two on a store with uploads, corrections, deletions and undos).
The order is by batch, indicator, entity, period and then source (the view's order left figures that differ
only by source in no fixed order; with the source the file is the same on every run).
"""

from __future__ import annotations

from pathlib import Path

from indicators.store.snapshots import ALL, Scope, _csv_columns

_SAME_FIGURE = " AND ".join(f"o.{column} = n.{column}" for column in ("indicator_id", "entity", "period", "source_id"))

# the columns of a changes.csv row built from a pair (new version ``r``, batch ``b``), in the file's order
_ROW_CSV = [
    ("text", "r.indicator_id", "indicator_id"),
    ("text", "r.entity", "entity"),
    ("text", "r.period", "period"),
    ("text", "r.source_id", "source_id"),
    ("plain", "r.action", "action"),  # one of three words written below, never a formula
    ("number", "r.old_value", "old_value"),
    ("number", "r.new_value", "new_value"),
    ("text", "r.old_qualifier", "old_qualifier"),
    ("text", "r.new_qualifier", "new_qualifier"),
]
_BATCH_CSV = [
    ("plain", "b.id", "id"),
    ("text", "b.kind", "kind"),
    ("text", "b.who", "who"),
    ("plain", "CAST(b.created_at AS VARCHAR)", "changed_at"),  # as the CSV writer writes a TIMESTAMP
    ("text", "b.reason", "reason"),
]

# {new} / {old}: WHERE fragments (the scope) on the new version ``n`` and on the superseded version ``o``
_CHANGES_SELECT = """
    WITH b AS (SELECT {batch_columns} FROM batch b),
    old AS (
        SELECT id, indicator_id, entity, period, source_id, value, qualifier, superseded_batch, period_start
        FROM observation WHERE superseded_batch IS NOT NULL
    ),
    r AS (
        SELECT n.batch_id, n.indicator_id, n.entity, n.period, n.source_id,
               CASE WHEN o.id IS NULL THEN 'add' ELSE 'change' END AS action,
               o.value AS old_value, n.value AS new_value, o.qualifier AS old_qualifier, n.qualifier AS new_qualifier
        FROM observation n LEFT JOIN old o ON o.superseded_batch = n.batch_id AND {same}
        WHERE {new}
        UNION ALL
        SELECT o.superseded_batch, o.indicator_id, o.entity, o.period, o.source_id,
               'delete', o.value, NULL, o.qualifier, NULL
        FROM old o
        WHERE {old} AND NOT EXISTS (SELECT 1 FROM observation n WHERE n.batch_id = o.superseded_batch AND {same})
    )
    SELECT b.id AS batch_id, b.kind, b.who, b.changed_at, b.reason, {row_columns}
    FROM r JOIN b ON b.id = r.batch_id
    ORDER BY r.batch_id, r.indicator_id, r.entity, r.period, r.source_id
"""


def changes_csv_select(scope: Scope = ALL) -> tuple[str, list]:
    """The SELECT that changes.csv is written from, and its parameters."""
    batch_columns, batch_params = _csv_columns(_BATCH_CSV)
    row_columns, row_params = _csv_columns(_ROW_CSV)
    new, new_params = scope.where("n")
    old, old_params = scope.where("o")
    select = _CHANGES_SELECT.format(
        batch_columns=batch_columns, row_columns=row_columns, same=_SAME_FIGURE, new=new, old=old
    )
    # parameters in the order their ? appear: the batch columns, the two WHEREs, then the rows' columns
    return select, batch_params + new_params + old_params + row_params


class SnapshotChangesMixin:
    def snapshot_changes_csv(self, path: Path, scope: Scope = ALL) -> int:
        """changes.csv (the change log within the scope), formulas neutralised; returns its rows."""
        select, params = changes_csv_select(scope)
        return self._copy(select, path, "FORMAT csv, HEADER", params)
