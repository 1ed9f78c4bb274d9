"""Validate and write a big file inside DuckDB: the file's text columns (an Arrow table) are joined with
small lookup tables that hold the models' verdict on each *distinct* value (computed in Python by
``indicators.staged`` with the same rule functions the forms use), and every check is a column expression.
Nothing the size of the file passes through pandas.

``StagedRows`` is what ``write_observations`` and ``preview_observations`` also accept in place of a frame:
the valid rows are then inserted set-based straight from the staged text.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from indicators.models import LARGEST_VALUE

RAW_COLUMNS = ("row", "indicator", "entity", "period", "value", "unit", "qualifier", "source", "quote", "note")
LOOKUPS = ("indicator", "entity", "period", "qualifier", "unit", "source")
KEY = ("indicator_id", "entity", "period", "source_id")

REASON_NOT_ID = "not an indicator id (lower-case letters, digits, _)"
REASON_UNKNOWN = "unknown indicator: create it first (Upload page or Enter page)"
REASON_NOT_NUMBER = "not a number"
REASON_OVERFLOW = "too large for a double (overflows to infinity)"
REASON_TOO_LARGE = f"too large for a statistic (more than {LARGEST_VALUE:g})"
REASON_BAD_SOURCE = "not a source id (lower-case letters, digits, _ . -)"
REASON_UNKNOWN_SOURCE = "unknown source id: add the source first"
REASON_CLASH = (
    "the same indicator, entity, period and source appear again with another value, qualifier, quote or note "
    "(first on line "
)
# a repeated key is one figure only when all it says agrees: value, qualifier, quote and note
CLASH_SQL = (
    "(min(value) <> max(value) OR count(DISTINCT qualifier) > 1 "
    "OR count(DISTINCT coalesce(quote, chr(0))) > 1 OR count(DISTINCT coalesce(note, chr(0))) > 1)"
)


@dataclass
class StagedRows:
    """A file's rows as text (``raw``: the columns of RAW_COLUMNS, blank cells null) and the lookups that
    judge each distinct value (frames named after LOOKUPS, each keyed by ``text``)."""

    raw: pa.Table
    lookups: dict[str, pd.DataFrame] = field(default_factory=dict)
    default_source: str | None = None  # for rows whose source cell is blank
    check_sources: bool = False  # the lookup "source" says which ids are known
    # no key repeats in the file's text, and the lookups normalise no two texts to one value: then no key
    # repeats among the valid rows either, and the check skips looking for repeats (see ``staged_summary``)
    keys_unique: bool = False
    # lookups (indicator, unit, qualifier) that hold one text which every row has: joined without a hash
    # probe per row (see ``_join``)
    shared: frozenset[str] = frozenset()
    # set by check_staged: the rows with problems, how many keys repeat among the others and how many valid
    # figures there are; a write after a check then inserts the others in one statement, without checking
    problem_rows: pa.Table | None = None
    repeats: int | None = None
    valid: int | None = None
    problems: pd.DataFrame | None = None

    def __len__(self) -> int:
        return self.raw.num_rows


# Every staged row with its text and the verdicts (never materialised: only the flagged rows are kept). The
# lookups are joined on the text (blank cells count as ''); a blank entity takes the indicator's usual entity.
# Of the entity, period, qualifier and source lookups only the texts with a problem are joined (a row whose
# text is not among them has none there): a join with a handful of rows, or none, costs next to nothing,
# where the whole period lookup (25,000 days) cost a hash probe per row.
_CHECKED = """
WITH r AS (
    SELECT "row", coalesce(indicator, '') AS indicator_text, entity, coalesce(period, '') AS period_text,
           value AS value_text, coalesce(unit, '') AS unit_text, qualifier AS qualifier_text,
           coalesce(source, ?, '') AS source_text, quote, note
    FROM staged_raw
), c AS (
    SELECT r.*, li.well_formed, coalesce(li.known, false) AS known, li.unit AS expected_unit,
           li.minimum, li.maximum, li.below_reason, li.above_reason,
           coalesce(r.entity, li.default_entity, '') AS entity_text,
           CASE WHEN contains(r.value_text, '_') THEN NULL ELSE TRY_CAST(r.value_text AS DOUBLE) END AS number
    FROM r {indicator_join}
)
SELECT c."row", c.indicator_text, c.known, c.well_formed, c.entity_text, le.error AS entity_error,
       c.period_text, lp.error AS period_error, c.qualifier_text, lq.error AS qualifier_error,
       c.value_text, c.number * coalesce(lu.factor, 1.0) AS value,
       (c.number IS NULL OR isnan(c.number) OR isinf(c.number)) AS not_number,
       coalesce(isinf(c.number) AND NOT lower(ltrim(c.value_text, '+-')) LIKE 'inf%', false) AS overflow,
       c.unit_text, lu.unit_id, lu.error AS unit_error, c.expected_unit, c.minimum, c.maximum,
       c.below_reason, c.above_reason, c.source_text, coalesce(ls.well_formed, true) AS source_ok,
       coalesce(ls.known, true) AS source_known, c.quote, c.note
FROM c
LEFT JOIN (SELECT text, error FROM lk_entity WHERE error IS NOT NULL) le ON le.text = c.entity_text
LEFT JOIN (SELECT text, error FROM lk_period WHERE error IS NOT NULL) lp ON lp.text = c.period_text
LEFT JOIN (SELECT text, error FROM lk_qualifier WHERE error IS NOT NULL) lq ON lq.text = c.qualifier_text
{unit_join}
LEFT JOIN (SELECT * FROM lk_source WHERE NOT well_formed OR NOT known) ls ON ls.text = c.source_text
"""

# The rows that may have a problem (usually none): the checks below then run on these only.
_FLAGGED = """
CREATE OR REPLACE TEMP TABLE staged_flagged AS
SELECT * FROM ({checked})
WHERE NOT well_formed OR NOT known OR entity_error IS NOT NULL OR period_error IS NOT NULL
   OR qualifier_error IS NOT NULL OR not_number OR unit_error IS NOT NULL OR expected_unit <> unit_id
   OR abs(value) > ? OR value < minimum OR value > maximum OR NOT source_ok OR NOT source_known
"""

# Every problem: (row, column, value, reason), plus the order the pandas validator reports them in, and the
# row's period (a wide file's rejected value is then named by its year column).
_PROBLEMS = """
CREATE OR REPLACE TEMP TABLE staged_problems AS
SELECT "row", 'indicator' AS "column", indicator_text AS value, ? AS reason, 1 AS seq, period_text AS period
FROM staged_flagged WHERE NOT well_formed
UNION ALL SELECT "row", 'indicator', indicator_text, ?, 2, period_text FROM staged_flagged
    WHERE well_formed AND NOT known
UNION ALL SELECT "row", 'entity', entity_text, entity_error, 3, period_text FROM staged_flagged
    WHERE entity_error IS NOT NULL AND known
UNION ALL SELECT "row", 'period', period_text, period_error, 4, period_text FROM staged_flagged
    WHERE period_error IS NOT NULL
UNION ALL SELECT "row", 'qualifier', qualifier_text, qualifier_error, 5, period_text FROM staged_flagged
    WHERE qualifier_error IS NOT NULL
UNION ALL SELECT "row", 'value', coalesce(value_text, ''),
    CASE WHEN coalesce(value_text, '') = '' THEN 'no value: the cell is empty' ELSE ? END, 6, period_text
    FROM staged_flagged WHERE not_number AND NOT overflow
UNION ALL SELECT "row", 'value', coalesce(value_text, ''), ?, 7, period_text FROM staged_flagged WHERE overflow
UNION ALL SELECT "row", 'unit', unit_text,
        CASE WHEN unit_error IS NOT NULL THEN unit_error
             ELSE 'the indicator is measured in ' || expected_unit || ', not ' || unit_id END, 8, period_text
    FROM staged_flagged
    WHERE unit_error IS NOT NULL OR (unit_id IS NOT NULL AND known AND expected_unit <> unit_id)
UNION ALL SELECT "row", 'value', coalesce(value_text, ''), ?, 9, period_text FROM staged_flagged
    WHERE NOT not_number AND abs(value) > ?
UNION ALL SELECT "row", 'value', coalesce(value_text, ''), below_reason, 10, period_text FROM staged_flagged
    WHERE NOT not_number AND value < minimum
UNION ALL SELECT "row", 'value', coalesce(value_text, ''), above_reason, 11, period_text FROM staged_flagged
    WHERE NOT not_number AND value > maximum
UNION ALL SELECT "row", 'source', source_text, ?, 12, period_text FROM staged_flagged WHERE NOT source_ok
UNION ALL SELECT "row", 'source', source_text, ?, 13, period_text FROM staged_flagged
    WHERE source_ok AND NOT source_known
"""

_KEY_HASH = "hash(indicator_id, entity, period, source_id)"
DENSE_KEYS = 8  # keys numbered below 8 per row are counted in an array of that size; sparser ones hashed

# The valid rows straight from the text, once a check has named the rows with problems.
_CHECKED_ROWS = """
SELECT r."row", coalesce(r.indicator, '') AS indicator_id, le.entity, lp.period, lp.period_start::DATE AS period_start,
       TRY_CAST(r.value AS DOUBLE) * coalesce(lu.factor, 1.0) AS value, coalesce(lq.qualifier, 'exactly') AS qualifier,
       coalesce(r.source, ?, '') AS source_id, r.quote, r.note
FROM staged_raw r
{indicator_join}
LEFT JOIN lk_entity le ON le.text = coalesce(r.entity, li.default_entity, '')
LEFT JOIN lk_period lp ON lp.text = coalesce(r.period, '')
{qualifier_join}
{unit_join}
ANTI JOIN staged_problem_rows p ON p."row" = r."row"
"""
_KEYS = ", ".join(KEY)
_ALIASES = {"indicator": "li", "unit": "lu", "qualifier": "lq"}


def _join(staged: StagedRows, name: str, key: str) -> str:
    """The join of lookup ``name`` on ``key`` (an expression of this module's): on its text, or a CROSS JOIN
    with its one row when every row has that one text (``StagedRows.shared``), the same rows without a hash
    probe per row (about 0.1 s of CPU per million rows for the indicator, unit and qualifier of a file that
    holds one of each)."""
    alias = _ALIASES[name]
    if name in staged.shared:
        return f"CROSS JOIN lk_{name} {alias}"
    return f"LEFT JOIN lk_{name} {alias} ON {alias}.text = {key}"


def _flagged_sql(staged: StagedRows) -> str:
    checked = _CHECKED.format(
        indicator_join=_join(staged, "indicator", "r.indicator_text"), unit_join=_join(staged, "unit", "c.unit_text")
    )
    return _FLAGGED.format(checked=checked)


def _clean_sql(staged: StagedRows) -> str:
    """The rows without a problem, keyed as the store keys them (one parameter: the default source)."""
    return _CHECKED_ROWS.format(
        indicator_join=_join(staged, "indicator", "coalesce(r.indicator, '')"),
        qualifier_join=_join(staged, "qualifier", "r.qualifier"),
        unit_join=_join(staged, "unit", "coalesce(r.unit, '')"),
    )


class StagingMixin:
    @contextmanager
    def holding(self) -> Iterator[None]:
        """Keep the store's file open for a run of steps (a plan, then its commit): a command line store
        otherwise closes and reopens its file around each query."""
        with self.cursor():
            yield

    def _stage(self, con, staged: StagedRows) -> int:
        """Create ``staged_flagged`` and ``staged_problems`` (clashes included) on this cursor; returns how many
        keys repeat among the valid rows (identical repeats: keep the first)."""
        con.register("staged_raw", staged.raw)
        for name in LOOKUPS:
            con.register(f"lk_{name}", staged.lookups[name])
        con.execute(_flagged_sql(staged), [staged.default_source, LARGEST_VALUE])
        con.execute(
            _PROBLEMS,
            [
                REASON_NOT_ID,
                REASON_UNKNOWN,
                REASON_NOT_NUMBER,
                REASON_OVERFLOW,
                REASON_TOO_LARGE,
                LARGEST_VALUE,
                REASON_BAD_SOURCE,
                REASON_UNKNOWN_SOURCE,
            ],
        )
        con.execute('CREATE OR REPLACE TEMP TABLE staged_problem_rows AS SELECT DISTINCT "row" FROM staged_problems')
        if staged.keys_unique:
            return 0
        clean = _clean_sql(staged)
        # the same key twice with different values is ambiguous (which one is true?): every such row is a
        # problem. Keys are first compared by hash (one number per row); only candidates are compared in full.
        candidates = con.execute(
            f"SELECT count(*) FROM (SELECT {_KEY_HASH} AS h FROM ({clean}) GROUP BY h HAVING count(*) > 1)",
            [staged.default_source],
        ).fetchall()[0][0]
        if not candidates:
            return 0
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE staged_repeats AS
            SELECT {_KEYS}, min("row") AS first_row, count(*) AS n, {CLASH_SQL} AS clash
            FROM ({clean}) GROUP BY ALL HAVING count(*) > 1
            """,
            [staged.default_source],
        )
        con.execute(
            f"""
            INSERT INTO staged_problems
            SELECT k."row", 'value', printf('%g', k.value), ? || r.first_row || ')', 14, k.period
            FROM ({clean}) k JOIN staged_repeats r USING ({_KEYS})
            WHERE r.clash
            """,
            [REASON_CLASH, staged.default_source],
        )
        return con.execute("SELECT count(*) FROM staged_repeats WHERE NOT clash").fetchall()[0][0]

    def _unstage(self, con) -> None:
        for table in ("staged_flagged", "staged_problems", "staged_problem_rows", "staged_repeats"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        for name in ("staged_raw", *(f"lk_{name}" for name in LOOKUPS)):
            con.unregister(name)

    def _checked_rows(self, con, staged: StagedRows) -> str:
        """Register what ``_CHECKED_ROWS`` reads (checking first if no check has run); returns the query for
        the valid rows, one per key (one parameter: the default source)."""
        if staged.problem_rows is None:
            self._check(con, staged)
        assert staged.problem_rows is not None
        con.register("staged_raw", staged.raw)
        con.register("staged_problem_rows", staged.problem_rows)
        for name in LOOKUPS:
            con.register(f"lk_{name}", staged.lookups[name])
        if staged.repeats:  # identical repeats: keep the first
            return f'SELECT DISTINCT ON ({_KEYS}) * FROM ({_clean_sql(staged)}) ORDER BY "row"'
        return _clean_sql(staged)

    def _forget_checked_rows(self, con) -> None:
        for name in ("staged_raw", "staged_problem_rows", *(f"lk_{name}" for name in LOOKUPS)):
            con.unregister(name)

    def _insert_staged(self, con, staged: StagedRows) -> None:
        """Fill temp table ``incoming`` with the staged file's valid rows, one per key."""
        if staged.problem_rows is None:
            self._check(con, staged)
        rows = self._checked_rows(con, staged)
        con.execute(
            "INSERT INTO incoming SELECT indicator_id, entity, period, period_start, value, qualifier, source_id, "
            f"quote, note FROM ({rows})",
            [staged.default_source],
        )
        self._forget_checked_rows(con)

    def staged_summary(self, raw: pa.Table, default_source: str | None = None) -> tuple[dict[str, list[str]], bool]:
        """The distinct texts of each column the lookups judge (blank as ''), and whether every row names its
        entity and no (indicator, entity, period, source) repeats as written. Arrow's dictionary encoding
        gives each column's texts and a number per row; a key is then one exact integer per row (the four
        numbers combined), checked for repeats by counting (or by pandas' hash table when the numbers are
        sparse): about 0.07 s less per million rows than DuckDB's hash of the four texts, which is kept for
        keys too many to number in 63 bits."""
        columns = ("indicator", "entity", "period", "qualifier", "unit", "source")
        encoded = {column: pc.dictionary_encode(raw.column(column)).combine_chunks() for column in columns}
        distinct = {}
        for column, array in encoded.items():
            texts = array.dictionary.to_pylist()
            distinct[column] = [*texts, ""] if array.null_count and "" not in texts else texts
        if raw.column("entity").null_count:
            return distinct, False
        blank = {"indicator": "", "entity": "", "period": "", "source": default_source or ""}  # as the key reads
        sizes = [len(encoded[column].dictionary) + 1 for column in blank]
        if math.prod(sizes) >= 2**62:
            return distinct, self._keys_unique_by_hash(raw, default_source)
        key = np.zeros(raw.num_rows, dtype=np.int64)
        for (column, text), size in zip(blank.items(), sizes, strict=True):
            array = encoded[column]
            texts = array.dictionary.to_pylist()
            numbers = pc.fill_null(array.indices, texts.index(text) if text in texts else size - 1)
            key = key * size + numbers.to_numpy(zero_copy_only=False).astype(np.int64)
        if raw.num_rows and int(key.max()) < DENSE_KEYS * raw.num_rows + 1024:
            return distinct, bool(np.bincount(key).max() <= 1)
        return distinct, not pd.Series(key).duplicated().any()

    def _keys_unique_by_hash(self, raw: pa.Table, default_source: str | None) -> bool:
        """No (indicator, entity, period, source) repeats, compared by DuckDB's hash of the four (equal keys
        have equal hashes, so no repeated hash means no repeated key)."""
        with self.cursor() as con:
            con.register("staged_raw", raw)
            hashes = con.execute(
                "SELECT hash(coalesce(indicator, ''), entity, coalesce(period, ''), coalesce(source, ?, '')) AS h "
                "FROM staged_raw",
                [default_source],
            ).fetchnumpy()["h"]
            con.unregister("staged_raw")
        return not pd.Series(hashes).duplicated().any()

    def _check(self, con, staged: StagedRows) -> pd.DataFrame:
        staged.repeats = self._stage(con, staged)
        problems = con.execute(
            'SELECT "row", "column", value, reason, period FROM staged_problems ORDER BY "row", "column", period, seq'
        ).df()
        staged.valid = con.execute(
            """
            SELECT (SELECT count(*) FROM staged_raw) - (SELECT count(DISTINCT "row") FROM staged_problems)
            """
        ).fetchall()[0][0]
        if staged.repeats:
            staged.valid -= con.execute(
                "SELECT coalesce(sum(n - 1), 0) FROM staged_repeats WHERE NOT clash"
            ).fetchall()[0][0]
        self._unstage(con)
        problems["row"] = problems["row"].astype("int64")
        staged.problem_rows = pa.table({"row": pa.array(pd.unique(problems["row"]), type=pa.int64())})
        staged.problems = problems
        return problems

    def check_staged(self, staged: StagedRows) -> pd.DataFrame:
        """Every problem (row, column, value, reason; sorted by row and column). Notes in ``staged`` which rows
        are valid and how many figures they make, for the write."""
        with self.cursor() as con:
            return self._check(con, staged)

    def staged_rows(self, staged: StagedRows) -> pd.DataFrame:
        """The valid rows as the pandas validator returns them (row, indicator_id, entity, period, value,
        qualifier, source_id, quote, note, period_start)."""
        with self.cursor() as con:
            if staged.problem_rows is None:
                self._check(con, staged)
            rows = self._checked_rows(con, staged)
            frame = con.execute(
                f"""
                SELECT "row", indicator_id, entity, period, value, qualifier, source_id, quote, note,
                       period_start::TIMESTAMP AS period_start
                FROM ({rows}) ORDER BY "row"
                """,
                [staged.default_source],
            ).df()
            self._forget_checked_rows(con)
        return frame
