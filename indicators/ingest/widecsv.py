"""A big World Bank wide file (a WDI ``API_*.csv`` download or a DataBank export) read by Arrow and reshaped
without pandas: the years are unpivoted inside DuckDB (``indicators/store/unpivot.py``), each *distinct* country
code and name is mapped to ISO3 once, and each *distinct* cell that is not a plain number is judged once by
the same functions the general reader uses (``shapes.numbers_or_text``). The result equals what
``dialect.read_table`` + ``formats.wdi_to_long`` / ``databank_to_long`` give, cell for cell (same line
numbers, same periods, same value texts); only the shape differs (an Arrow table, see ``ArrowForeign``).

Only when that equality is certain: one line per record (the file line of each row is counted), no blank
lines among the records, a header without blank (except a trailing, empty column) or repeated names, the
same number of fields on every line. Anything else returns None and the general reader takes the file.
"""

from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pa_csv

from indicators.ingest.arrowcsv import MIN_ROWS
from indicators.ingest.countries import to_iso3
from indicators.ingest.dialect import Dialect, _line_of_record, _records
from indicators.ingest.formats import _YEAR, _preamble, detect_format, year_columns
from indicators.ingest.shapes import MISSING_MARKERS, ArrowForeign, numbers_or_text
from indicators.store.unpivot import unpivot_years

# a number both pandas (the general reader) and Arrow read to the same double: digits, one point, a sign
_PLAIN = r"^-?[0-9]{1,17}(\.[0-9]{1,17})?$"
_MAX_FOOTER = 20


class WideFile:
    """The file's records as text: ``cells`` (column c0, c1 ... in the file's order, trailing empty column
    dropped), ``rows`` (the file line of each), ``header`` (the names, stripped) and the footer records."""

    def __init__(self, cells: pa.Table, rows: np.ndarray, header: list[str], footer: list[list[str]]) -> None:
        self.cells, self.rows, self.header, self.footer = cells, rows, header, footer

    def column(self, name: str) -> pa.ChunkedArray:
        return self.cells.column(self.header.index(name))

    def sample(self) -> pd.Series:
        """The cells of the first 500 records, row by row (what ``reader._numeric_sample`` looks at)."""
        head = self.cells.slice(0, 500).to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
        return pd.Series(head.to_numpy().ravel()).astype("string")


def _lines(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") or not text else 1)


def _split_footer(text: str, delimiter: str, width: int, databank: bool) -> tuple[str, list[list[str]]]:
    """The text without its trailing blank lines (and, for DataBank, the short footer records)."""
    footer: list[list[str]] = []
    body = text
    while len(footer) < _MAX_FOOTER:
        trimmed = body[:-1] if body.endswith("\n") else body
        start = trimmed.rfind("\n") + 1
        last = trimmed[start:].rstrip("\r")
        fields = next(csv.reader([last], delimiter=delimiter), [])
        blank = not any(field.strip() for field in fields)
        # DataBank's footer: "Data from database: ...", "Last Updated: ..." (only the first cell filled)
        if blank or (databank and (len(fields) < width or not any(field.strip() for field in fields[1:]))):
            footer.append(fields)
            body = trimmed[:start]
            continue
        break
    return body, footer[::-1]


def read_wide(text: str, dialect: Dialect, fmt: str) -> WideFile | None:
    """The records of a big WDI / DataBank file, or None (see the module's docstring)."""
    if fmt not in ("auto", "wdi", "databank") or _lines(text) < MIN_ROWS:
        return None
    records = _records(text[:65536], dialect.delimiter, limit=dialect.header_row + 1)
    if len(records) <= dialect.header_row:
        return None
    names = [cell.strip() for cell in records[dialect.header_row]]
    if fmt == "auto":
        fmt = detect_format([n for n in names if n])
    if fmt not in ("wdi", "databank"):
        return None
    head = text[:65536]  # the preamble and the header (checked below): never a pass over the whole text
    header_line = _line_of_record(head, dialect)
    start = 0
    for _ in range(header_line - 1):
        start = text.index("\n", start) + 1
    if text.find("\n", start) < 0 or text.find("\n", start) >= len(head):
        return None  # a header longer than the head: the general reader takes it
    body, footer = _split_footer(text[start:], dialect.delimiter, len(names), fmt == "databank")
    blank_names = [index for index, name in enumerate(names) if not name]
    if blank_names not in ([], [len(names) - 1]) or len(set(names)) != len(names):
        return None
    if "\n" in records[dialect.header_row][-1] or any("\n" in name for name in names):
        return None
    generated = [f"c{index}" for index in range(len(names))]
    try:
        cells = pa_csv.read_csv(
            pa.BufferReader(body.encode("utf-8")),
            read_options=pa_csv.ReadOptions(column_names=generated, skip_rows=1, block_size=16 << 20),
            parse_options=pa_csv.ParseOptions(delimiter=dialect.delimiter, newlines_in_values=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in generated},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeError):
        return None
    if cells.num_rows == 0 or 1 + cells.num_rows != _lines(body):
        return None  # blank lines or line breaks inside quoted fields: the general reader counts them
    rows = header_line + 1 + np.arange(cells.num_rows, dtype=np.int64)
    if blank_names:  # the trailing delimiter of every World Bank line: an empty, unnamed column
        last = cells.column(len(names) - 1)
        if pc.any(pc.not_equal(pc.utf8_trim_whitespace(last), "")).as_py():
            return None
        cells, names = cells.remove_column(len(names) - 1), names[:-1]
    # records that are only delimiters are dropped (as read_table drops them): look only where the first is blank
    first_blank = pc.equal(pc.utf8_trim_whitespace(cells.column(0)), "").combine_chunks()
    if pc.any(first_blank).as_py():
        blank = first_blank
        for column in cells.columns[1:]:
            blank = pc.and_(blank, pc.equal(pc.utf8_trim_whitespace(column), "").combine_chunks())
        if pc.any(blank).as_py():
            keep = pc.invert(blank)
            cells, rows = cells.filter(keep), rows[keep.to_numpy(zero_copy_only=False)]
    if cells.num_rows == 0:
        return None
    return WideFile(cells, rows, names, footer)


def _strip(array: pa.ChunkedArray | pa.Array) -> pd.Series:
    return pd.Series(pc.utf8_trim_whitespace(array).to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get))


def _values(text: pa.Array, dialect: Dialect) -> tuple[pa.Array, pa.Array]:
    """(value text as the general reader stages it, the number the mapping scales: null where none) for cells
    already stripped and not missing. Plain numbers are read by Arrow; every other distinct text is judged
    once by ``numbers_or_text`` and written as ``staged.raw_table`` writes it."""
    from indicators.staged import _text  # (imports the store: not at module load)

    plain = pc.match_substring_regex(text, _PLAIN) if dialect.decimal == "." and not dialect.thousands else None
    if plain is not None and pc.all(plain).as_py():
        number = pc.cast(text, pa.float64())
        return pc.cast(number, pa.string()), number
    odd_cells = text if plain is None else pc.filter(text, pc.invert(plain))
    distinct = pc.unique(odd_cells)
    values, _ = numbers_or_text(pd.Series(distinct.to_pylist(), dtype="string"), dialect)
    odd_text = _text(values)
    odd_number = pa.array(pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64"), from_pandas=True)
    where = pc.index_in(text, value_set=distinct)
    text_out, number_out = pc.take(odd_text, where), pc.take(odd_number, where)
    if plain is None:
        return text_out, number_out
    plain_number = pc.if_else(plain, text, pa.scalar("0")).cast(pa.float64())
    plain_number = pc.if_else(plain, plain_number, pa.scalar(None, pa.float64()))
    return (
        pc.if_else(plain, pc.cast(plain_number, pa.string()), text_out),
        pc.if_else(plain, plain_number, number_out),
    )


def _long(
    wide: WideFile,
    dialect: Dialect,
    ids: tuple[str, str, str, str],
    years: list[str],
    keep: pa.Array | None = None,
    periods: list[str] | None = None,
) -> tuple[pa.Table, pa.Table]:
    """The long shape (see ``shapes.py``) in two Arrow tables (see ``ArrowForeign``): the cells, and per line
    of the file what it says about the entity and the series."""
    code, name, series_code, series_name = ids
    cells, rows = wide.cells, wide.rows
    if keep is not None:
        cells, rows = cells.filter(keep), rows[keep.to_numpy(zero_copy_only=False)]
    # per line (a few thousand): ISO3 codes and the series' name, with the general reader's functions
    codes, labels = _strip(cells.column(wide.header.index(code))), _strip(cells.column(wide.header.index(name)))
    iso = to_iso3(codes).fillna(to_iso3(labels))
    series = pc.binary_join_element_wise(
        cells.column(wide.header.index(series_code)), cells.column(wide.header.index(series_name)), " "
    )
    lines = pa.table(
        {
            "row": pa.array(rows, type=pa.int64()),
            "entity_code": pa.array(codes, type=pa.string(), from_pandas=True),
            "entity_label": pa.array(labels, type=pa.string(), from_pandas=True),
            "entity": pa.array(iso, type=pa.string(), from_pandas=True),
            "series": series,
        }
    )
    period_of = periods or [year.strip() for year in years]
    # the cells, one per (line, year), in line order then year order (as the general reader sorts them)
    order = sorted(range(len(years)), key=lambda index: years[index])
    year_cells = {"line": pa.array(np.arange(lines.num_rows), type=pa.int64())}
    for index in order:
        year_cells[f"y{index}"] = pc.utf8_trim_whitespace(cells.column(wide.header.index(years[index])))
    melted = unpivot_years(pa.table(year_cells), [period_of[index] for index in order], list(MISSING_MARKERS))
    value, number = _values(melted.column("cell").combine_chunks(), dialect)
    line = melted.column("line").combine_chunks()
    cells_long = pa.table(
        {
            "line": line,
            "row": pc.take(lines.column("row"), line),
            "period": melted.column("period"),
            "value": value,
            "number": number,
            "note": pa.nulls(melted.num_rows, pa.string()),
        }
    )
    return cells_long, lines.drop_columns(["row"])


def wdi_long(wide: WideFile, text: str, dialect: Dialect) -> ArrowForeign:
    years = year_columns(wide.header)
    ids = ("Country Code", "Country Name", "Indicator Code", "Indicator Name")
    preamble = _preamble(text[:65536], dialect)  # the lines before the header (read_wide checked they fit)
    updated = preamble.get("last updated date")
    source = "World Bank WDI" + (f", last updated {updated}" if updated else "")
    hint = wide.column("Indicator Name")[0].as_py() if wide.cells.num_rows else None
    cells, lines = _long(wide, dialect, ids, years)
    return ArrowForeign(cells, lines, source_text=source, indicator_hint=hint)


def databank_long(wide: WideFile, dialect: Dialect) -> ArrowForeign:
    columns = {c.lower(): c for c in wide.header}
    code, name = columns["country code"], columns.get("country name", columns["country code"])
    series_code, series_name = columns["series code"], columns.get("series name", columns["series code"])
    has_code = pc.not_equal(pc.utf8_trim_whitespace(wide.column(code)), "").combine_chunks()
    # footer records ("Data from database: ...", "Last Updated: ..."): at the end, or lines without a code
    firsts = [record[0] if record else "" for record in wide.footer]
    if not pc.all(has_code).as_py():
        firsts = pc.filter(wide.cells.column(0), pc.invert(has_code)).to_pylist() + firsts
    updated = None
    for cell in firsts:
        match = re.match(r"\s*Last Updated:\s*(.+)", str(cell))
        if match:
            updated = match.group(1).strip()
    years = [c for c in wide.header if "[yr" in c.lower()]
    periods = [_YEAR.match(year).group(1) for year in years]  # type: ignore[union-attr]  (wide_long checked)
    cells, lines = _long(wide, dialect, (code, name, series_code, series_name), years, keep=has_code, periods=periods)
    data_names = pc.filter(wide.column(series_name), has_code)
    source = "World Bank DataBank" + (f", last updated {updated}" if updated else "")
    hint = data_names[0].as_py() if len(data_names) else None
    return ArrowForeign(cells, lines, source_text=source, indicator_hint=hint)


def wide_long(fmt: str, wide: WideFile, text: str, dialect: Dialect) -> ArrowForeign | None:
    if fmt == "wdi":
        if wide.header[:4] != ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]:
            return None  # the general reader names the columns as written (case and all)
        return wdi_long(wide, text, dialect)
    if not {"country code", "series code"} <= {c.lower() for c in wide.header}:
        return None  # not a DataBank export (a format chosen by hand): the general reader says what is missing
    years = [c for c in wide.header if "[yr" in c.lower()]
    if not all(_YEAR.match(year) for year in years):
        return None
    return databank_long(wide, dialect)
