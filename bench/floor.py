"""The floor of an import: bare DuckDB SQL doing the writes the product must do, and nothing else.

The baseline of (a) and (b) only copies the file into a new table. An import into the store must also find
each figure's current version among the store's millions (new, changed or unchanged), supersede the changed
ones and insert the new versions, in one transaction. This module does exactly that in a handful of bare
statements, with no checks, no messages, no dialect detection and no change-log bookkeeping, so the report
can say how far the product is from the least an import into this schema can cost, beside the ratio to the
copy the issue asks for.
"""

from __future__ import annotations

from pathlib import Path

from bench.generate import quiet_connect

_READ_OURS = """
CREATE TEMP TABLE incoming AS
SELECT indicator AS indicator_id, entity, period::VARCHAR AS period, TRY_CAST(value AS DOUBLE) AS value,
       coalesce(qualifier, 'exactly') AS qualifier, source AS source_id, quote, note
FROM read_csv(?, all_varchar=true)
"""

_READ_WORLD_BANK = """
CREATE TEMP TABLE incoming AS
SELECT 'wb_' || split_part("Indicator Code", '.', -1) AS indicator_id, "Country Code" AS entity, period,
       TRY_CAST(value AS DOUBLE) AS value, 'exactly' AS qualifier, 'floor' AS source_id,
       NULL::VARCHAR AS quote, NULL::VARCHAR AS note
FROM (UNPIVOT (SELECT * FROM read_csv(?, skip=4, header=true, all_varchar=true))
      ON COLUMNS('^[0-9]{4}$') INTO NAME period VALUE value)
WHERE value IS NOT NULL
"""

_CLASSIFY = """
CREATE TEMP TABLE classified AS
SELECT i.*, c.id AS current_id,
       CASE WHEN c.id IS NULL THEN 'new'
            WHEN c.value = i.value AND c.qualifier = i.qualifier AND c.quote IS NOT DISTINCT FROM i.quote
                 AND c.note IS NOT DISTINCT FROM i.note THEN 'unchanged'
            ELSE 'changed' END AS status
FROM incoming i
LEFT JOIN current_observation c ON c.indicator_id = i.indicator_id AND c.entity = i.entity
     AND c.period = i.period AND c.source_id = i.source_id
"""

_SUPERSEDE = """
UPDATE observation SET superseded_at = now()::TIMESTAMP, superseded_batch = 0
WHERE id IN (SELECT current_id FROM classified WHERE status = 'changed')
"""

_INSERT = """
INSERT INTO observation (id, indicator_id, entity, period, period_start, value, qualifier, source_id, quote, note,
                         batch_id, recorded_at, recorded_by)
SELECT (SELECT max(id) FROM observation) + 1 + rowid - (SELECT min(rowid) FROM classified), indicator_id, entity,
       period,
       make_date(TRY_CAST(left(period, 4) AS INTEGER), 1, 1), value, qualifier, source_id, quote, note, 0,
       now()::TIMESTAMP, 'floor'
FROM classified WHERE status IN ('new', 'changed')
"""


def floor_import(store: Path, csv_path: Path, *, world_bank: bool = False) -> None:
    """Read, classify against the current figures, supersede, insert, commit, close: the writes alone."""
    con = quiet_connect(store)
    con.execute("BEGIN TRANSACTION")
    con.execute(_READ_WORLD_BANK if world_bank else _READ_OURS, [str(csv_path)])
    for statement in (_CLASSIFY, _SUPERSEDE, _INSERT):
        con.execute(statement)
    con.execute("COMMIT")
    con.close()
