"""Stores and files of realistic shape for the benchmarks, generated with DuckDB SQL (fast).

Shape (``full``): 266 entities (the World Bank's country and aggregate codes, ``countries.csv``) x 600
indicators x 64 years (1960-2023) = 10.2 million observations, plus the bundled seed. Periods are strings
(``1960``); values are deterministic pseudo-random numbers in the indicator's unit. ``small`` keeps the same
shape with fewer entities and indicators, for checking the scripts.

Files written beside the store: an import file in our CSV format (half of it corrects existing figures,
half adds new years) and a World Bank wide file (``Country Name, Country Code, Indicator Name, Indicator
Code, 1960 ... 2023``, with the four preamble lines of a WDI download).

SQL here is benchmark scaffolding: the product's own SQL stays in ``indicators/store``.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from pathlib import Path

from indicators.bootstrap import prepare
from indicators.store import Store
from indicators.store.schema import NEXT_OBSERVATION_ID

HERE = Path(__file__).resolve().parent
COUNTRIES = HERE / "countries.csv"  # from a WDI download (codes and names of a WDI download, World Bank, CC BY 4.0)
EXTRA_CODES = [("TWN", "Taiwan, China"), ("GIB", "Gibraltar")]  # WDI lists 264; 266 with these two
FIRST_YEAR, LAST_YEAR = 1960, 2023
UNITS = ("percent", "USD", "persons", "index", "ratio")
CATEGORIES = ("economy", "security", "people", "politics")
SOURCE_ID = "wdi_bench"


@dataclass(frozen=True)
class Scale:
    name: str
    entities: int
    indicators: int
    import_rows: int  # benchmark (a)
    wide_cells: int  # benchmark (b)
    memory_rows: int  # benchmark (e)

    @property
    def observations(self) -> int:
        return self.entities * self.indicators * (LAST_YEAR - FIRST_YEAR + 1)


SCALES = {
    "small": Scale("small", entities=50, indicators=60, import_rows=50_000, wide_cells=50_000, memory_rows=200_000),
    "full": Scale(
        "full", entities=266, indicators=600, import_rows=1_000_000, wide_cells=1_000_000, memory_rows=10_000_000
    ),
}


def quiet_connect(path: str | Path = ":memory:", **options):
    """A bare DuckDB connection that does not draw progress bars over the benchmark's output."""
    import duckdb

    con = duckdb.connect(str(path), **options)
    con.execute("SET enable_progress_bar = false")
    return con


def country_codes() -> list[tuple[str, str]]:
    with COUNTRIES.open(encoding="utf-8") as handle:
        rows = [(row["code"], row["name"]) for row in csv.DictReader(handle)]
    known = {code for code, _ in rows}
    return rows + [(code, name) for code, name in EXTRA_CODES if code not in known]


def _setup_tables(con, scale: Scale) -> None:
    """Temporary tables ``ent`` (n, code, name) and ``ind`` (n, id, code, name, unit, category)."""
    codes = country_codes()[: scale.entities]
    con.execute("CREATE OR REPLACE TEMP TABLE ent (n INTEGER, code VARCHAR, name VARCHAR)")
    con.executemany("INSERT INTO ent VALUES (?, ?, ?)", [(n, c, name) for n, (c, name) in enumerate(codes)])
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE ind AS
        SELECT n::INTEGER AS n,
               'wb_' || lpad(n::VARCHAR, 4, '0') AS id,
               'BX.' || ['GDP', 'POP', 'MIL', 'TRD', 'EDU', 'HLT'][n % 6 + 1] || '.' || lpad(n::VARCHAR, 4, '0')
                   AS code,
               ['GDP', 'Population', 'Military expenditure', 'Trade', 'School enrolment', 'Health spending'][n % 6 + 1]
                   || ', series ' || n::VARCHAR AS name,
               list_extract(?::VARCHAR[], n % 5 + 1) AS unit,
               list_extract(?::VARCHAR[], n % 4 + 1) AS category
        FROM range(?) t(n)
        """,
        [list(UNITS), list(CATEGORIES), scale.indicators],
    )


_VALUE_SQL = "(hash(i.n, e.n, y.y, {salt}) % 1000000)::DOUBLE / 100.0"


def generate_store(path: Path, scale: Scale) -> Path:
    """A store file with ``scale.observations`` figures in one batch, migrated and seeded."""
    path = Path(path)
    for stale in (path, Path(f"{path}.wal")):
        stale.unlink(missing_ok=True)
    store = Store(path, idle_release=0)
    store.migrate()
    with store.transaction() as con:
        con.execute("SET enable_progress_bar = false")
        _setup_tables(con, scale)
        con.execute(
            "INSERT INTO source (id, title, publisher, year, kind, licence, note) VALUES "
            "(?, 'World Development Indicators (generated for benchmarks)', 'World Bank', 2024, 'official', "
            "'CC BY 4.0', 'synthetic values, realistic shape')",
            [SOURCE_ID],
        )
        con.execute("INSERT INTO entity SELECT code, name, NULL FROM ent ON CONFLICT DO NOTHING")
        con.execute(
            """
            INSERT INTO indicator (id, name, unit, category, description, min_value, decimals, default_entity,
                                   release_cycle_months)
            SELECT id, name, unit, category, 'Generated benchmark series ' || code,
                   CASE WHEN unit = 'persons' THEN 0 END, 1, 'SRB', 12
            FROM ind
            """
        )
        batch_id = store._new_batch(con, "upload", "bench", "generated store", detail={"rows": scale.observations})
        con.execute(
            f"""
            INSERT INTO observation (id, indicator_id, entity, period, period_start, value, qualifier, source_id,
                                     batch_id, recorded_at, recorded_by)
            SELECT {NEXT_OBSERVATION_ID}, i.id, e.code, y.y::VARCHAR, make_date(y.y::INTEGER, 1, 1),
                   {_VALUE_SQL.format(salt=0)}, 'exactly', ?, ?, now()::TIMESTAMP, 'bench'
            FROM ind i CROSS JOIN ent e CROSS JOIN range({FIRST_YEAR}, {LAST_YEAR + 1}) y(y)
            ORDER BY i.n, e.n, y.y
            """,
            [SOURCE_ID, batch_id],
        )
        con.execute("UPDATE batch SET added = ? WHERE id = ?", [scale.observations, batch_id])
    prepare(store)
    # the rows above went in behind the product's back (bare SQL): bring the Overview's summary up to date, as
    # the first look at the Overview after an import does (store/summary.py)
    store.refresh_overview_summary()
    with store.cursor() as con:
        con.execute("CHECKPOINT")
    store.close()
    return path


def write_import_csv(path: Path, scale: Scale, rows: int | None = None) -> Path:
    """``rows`` lines in our CSV format against the generated store: years up to 2023 correct existing
    figures (every other one changed), later years are new figures."""
    rows = rows or scale.import_rows
    con = quiet_connect()
    _setup_tables(con, scale)
    years = 40
    per_indicator = scale.entities * years
    indicators_needed = -(-rows // per_indicator)
    if indicators_needed > scale.indicators:  # more rows than fit: more years per indicator
        years = -(-rows // (scale.entities * scale.indicators))
    first = LAST_YEAR - years // 2 + 1
    con.execute(
        f"""
        COPY (
            SELECT i.id AS indicator, e.code AS entity,
                   y.y::VARCHAR AS period,
                   CASE WHEN y.y <= {LAST_YEAR} AND y.y % 2 = 0 THEN {_VALUE_SQL.format(salt=0)}
                        ELSE {_VALUE_SQL.format(salt=1)} END AS value,
                   i.unit, 'exactly' AS qualifier, '{SOURCE_ID}' AS source, '' AS quote, '' AS note
            FROM ind i CROSS JOIN ent e CROSS JOIN range({first}, {first + years}) y(y)
            ORDER BY i.n, e.n, y.y
            LIMIT {rows}
        ) TO '{path}' (HEADER, DELIMITER ',')
        """
    )
    con.close()
    return path


def write_world_bank_csv(path: Path, scale: Scale, cells: int | None = None) -> Path:
    """A WDI-style wide file with about ``cells`` year cells (rows of 64 years)."""
    cells = cells or scale.wide_cells
    con = quiet_connect()
    _setup_tables(con, scale)
    n_rows = -(-cells // (LAST_YEAR - FIRST_YEAR + 1))
    year_columns = ", ".join(
        f"CASE WHEN (hash(i.n, e.n, {y}) % 10) = 0 THEN '' ELSE "
        f'({_VALUE_SQL.replace("y.y", str(y)).format(salt=2)})::VARCHAR END AS "{y}"'
        for y in range(FIRST_YEAR, LAST_YEAR + 1)
    )
    body = Path(f"{path}.body")
    con.execute(
        f"""
        COPY (
            SELECT e.name AS "Country Name", e.code AS "Country Code", i.name AS "Indicator Name",
                   i.code AS "Indicator Code", {year_columns}
            FROM ind i CROSS JOIN ent e ORDER BY i.n, e.n LIMIT {n_rows}
        ) TO '{body}' (HEADER, DELIMITER ',', FORCE_QUOTE *)
        """
    )
    con.close()
    with open(path, "wb") as out:
        out.write(b'\xef\xbb\xbf"Data Source","World Development Indicators",\n\n')
        out.write(b'"Last Updated Date","2024-12-16",\n\n')
        with open(body, "rb") as handle:
            shutil.copyfileobj(handle, out)
    body.unlink()
    return path


def main() -> None:  # python -m bench.generate DIR [small|full]
    import sys
    import time

    target = Path(sys.argv[1])
    scale = SCALES[sys.argv[2] if len(sys.argv) > 2 else "small"]
    target.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    generate_store(target / "store.duckdb", scale)
    write_import_csv(target / "import.csv", scale)
    write_world_bank_csv(target / "wdi.csv", scale)
    print(f"{scale.name}: {scale.observations:,} observations in {time.perf_counter() - started:.1f} s -> {target}")


if __name__ == "__main__":
    main()
