"""A file in our own CSV format, read by Arrow's CSV reader (multi-threaded, no Python per cell).

Only when the result is certain to equal what ``dialect.read_table`` + ``formats.native_frame`` would give:
one line per record (so the file line of each row is simply counted), a header without blank or repeated
names, the same number of fields on every line. Anything else returns None and the general reader takes
the file, with its messages for whatever is wrong.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pa_csv

from indicators.ingest.dialect import Dialect, _records, to_number
from indicators.ingest.formats import REQUIRED, detect_format
from indicators.models import OBSERVATION_CSV_COLUMNS

MIN_ROWS = 5_000  # below this the general reader is quick enough, and a small file takes its exact path


def read_native(
    text: str, dialect: Dialect, fmt: str, utf8: bytes | None = None
) -> tuple[pa.Table, list[str], pd.Series] | None:
    """(row + our columns as text, stripped, blanks null; the file's header; a sample of raw values) or None.
    ``utf8``: the file's bytes when they are exactly ``text`` in UTF-8 (no copy of the file to encode it)."""
    newlines = text.count("\n")
    if newlines < MIN_ROWS:
        return None
    records = _records(text[:65536], dialect.delimiter, limit=dialect.header_row + 1)
    if len(records) <= dialect.header_row:
        return None
    header = [cell.strip() for cell in records[dialect.header_row]]
    lower = [name.lower() for name in header]
    if any(not name for name in header) or len(set(lower)) != len(lower):
        return None
    if fmt == "auto" and detect_format(header) != "native":
        return None
    if not set(REQUIRED) <= set(lower):
        return None
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(text.encode("utf-8") if utf8 is None else utf8),
            read_options=pa_csv.ReadOptions(skip_rows=dialect.header_row, block_size=16 << 20),
            parse_options=pa_csv.ParseOptions(delimiter=dialect.delimiter, newlines_in_values=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in table_names(text, dialect)}, strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, UnicodeError):
        return None
    lines = newlines + (0 if text.endswith("\n") else 1)
    if table.num_rows == 0 or dialect.header_row + 1 + table.num_rows != lines:
        return None  # blank lines or line breaks inside quoted fields: the general reader counts them
    raw = staged_text(table, dialect.header_row + 2)
    by_name = {name.lower(): table.column(index) for index, name in enumerate(table.column_names)}
    sample = by_name["value"].slice(0, 5000).to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
    return raw, header, sample


def staged_text(table: pa.Table, first_row: int) -> pa.Table:
    """A table of text as read (our columns, any case, any order, others ignored) as staged text: ``row`` (the
    file line, counted from ``first_row``) and our columns stripped, blank cells null; records that are only
    delimiters dropped (as ``dialect.read_table`` drops them)."""
    lines = np.arange(first_row, first_row + table.num_rows, dtype=np.int64)  # not range(): 0.1 s per million
    columns: dict[str, pa.Array] = {"row": pa.array(lines)}
    # Arrow's kernels release the GIL: the columns are trimmed side by side
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        trimmed = list(pool.map(_trimmed, (table.column(name) for name in table.column_names)))
    filled = None
    for name, (cells, present) in zip(table.column_names, trimmed, strict=True):
        filled = present if filled is None else pc.or_(filled, present)
        if name.strip().lower() in OBSERVATION_CSV_COLUMNS:
            columns[name.strip().lower()] = cells
    for name in OBSERVATION_CSV_COLUMNS:
        if name not in columns:
            columns[name] = pa.nulls(table.num_rows, pa.string())
    raw = pa.table({name: columns[name] for name in ("row", *OBSERVATION_CSV_COLUMNS)})
    if filled is not None and not pc.all(filled).as_py():
        raw = raw.filter(filled)
    return raw


def _trimmed(column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """A column stripped, blank cells null; and where it has a cell that is not blank."""
    stripped = pc.utf8_trim_whitespace(column)
    blank = pc.equal(stripped, "")
    return pc.if_else(blank, pa.scalar(None, pa.string()), stripped), pc.invert(blank)


def table_names(text: str, dialect: Dialect) -> list[str]:
    records = _records(text[:65536], dialect.delimiter, limit=dialect.header_row + 1)
    return list(records[dialect.header_row])


def with_percent(raw: pa.Table) -> pa.Table:
    """Values Excel saved with a percent sign ("2.50%") as percentages, unit percent (as native_frame does)."""
    value, unit = raw.column("value"), raw.column("unit")
    percent = pc.and_(pc.fill_null(pc.ends_with(value, "%"), False), pc.is_null(unit))
    if not pc.any(percent).as_py():
        return raw
    stripped = pc.utf8_trim_whitespace(pc.utf8_rtrim(value, characters="%"))
    raw = raw.set_column(raw.column_names.index("value"), "value", pc.if_else(percent, stripped, value))
    return raw.set_column(raw.column_names.index("unit"), "unit", pc.if_else(percent, "percent", unit))


def with_numbers(raw: pa.Table, dialect: Dialect) -> pa.Table:
    """Values written with a decimal comma or thousands separators, as plain numbers (as native_frame does)."""
    if dialect.decimal == "." and not dialect.thousands:
        return raw
    value = raw.column("value").to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
    numbers = to_number(value, dialect)
    value = value.mask(numbers.notna(), numbers.map("{:.17g}".format, na_action="ignore"))
    index = raw.column_names.index("value")
    return raw.set_column(index, "value", pa.array(value, type=pa.string(), from_pandas=True))
