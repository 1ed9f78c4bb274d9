"""Years as columns -> one row per (line, year), inside DuckDB (a private in-memory connection: the file is
reshaped before any store is involved, while it is being read).

    unpivot_years(cells, periods, missing) -> (line, period, cell)

``cells`` holds a ``line`` column (0, 1, 2 ...) and one text column per year, already stripped, in the order
the rows should come out within a line; ``periods`` the period each of those columns stands for. Cells that
are one of the ``missing`` markers ('', '..', ':' ...) are left out.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa


def unpivot_years(cells: pa.Table, periods: list[str], missing: list[str]) -> pa.Table:
    years = [name for name in cells.column_names if name != "line"]
    if len(years) != len(periods):
        raise ValueError("one period per year column")
    renamed = cells.select(["line", *years]).rename_columns(["line", *(str(i) for i in range(len(years)))])
    con = duckdb.connect(":memory:")
    try:
        con.register("wide_cells", renamed)
        return con.sql(
            """
            SELECT line, list_extract(?::VARCHAR[], year::INTEGER + 1) AS period, cell
            FROM (UNPIVOT wide_cells ON COLUMNS(* EXCLUDE (line)) INTO NAME year VALUE cell)
            WHERE NOT list_contains(?::VARCHAR[], cell)
            ORDER BY line, year::INTEGER
            """,
            params=[periods, missing],
        ).to_arrow_table()
    finally:
        con.close()
