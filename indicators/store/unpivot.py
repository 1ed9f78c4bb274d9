"""Years as columns -> one row per (line, year), inside DuckDB (a private in-memory connection: the file is
reshaped before any store is involved, while it is being read).

    unpivot_years(cells, periods, missing) -> (line, period, cell)

``cells`` holds a ``line`` column (0, 1, 2 ...) and one text column per year, already stripped, in the order
the rows should come out within a line; ``periods`` the period each of those columns stands for. Cells that
are one of the ``missing`` markers ('', '..', ':' ...) are left out. The rows come out by line, then in the
order of the year columns.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def unpivot_years(cells: pa.Table, periods: list[str], missing: list[str]) -> pa.Table:
    years = [name for name in cells.column_names if name != "line"]
    if len(years) != len(periods):
        raise ValueError("one period per year column")
    renamed = cells.select(["line", *years]).rename_columns(["line", *(str(i) for i in range(len(years)))])
    con = duckdb.connect(":memory:")
    try:
        # insertion order is kept (scan, UNPIVOT, filter: no ORDER BY to pay for); checked below all the same
        con.execute("SET preserve_insertion_order = true")
        con.register("wide_cells", renamed)
        found = con.sql(
            """
            SELECT line, year::INTEGER AS year, cell
            FROM (UNPIVOT wide_cells ON COLUMNS(* EXCLUDE (line)) INTO NAME year VALUE cell)
            WHERE NOT list_contains($missing::VARCHAR[], cell)
            """,
            params={"missing": missing},
        ).to_arrow_table()
    finally:
        con.close()
    line = found.column("line").to_numpy()
    year = found.column("year").to_numpy()
    key = line * len(years) + year
    if len(key) > 1 and not bool(np.all(key[1:] > key[:-1])):
        found = found.take(pa.array(np.argsort(key, kind="stable")))
    return pa.table(
        {
            "line": found.column("line"),
            "period": pc.take(pa.array(periods, pa.string()), found.column("year")),
            "cell": found.column("cell"),
        }
    )
