"""Text -> a table of strings: delimiter, header row, decimal mark and thousands separator, each detected
and each overridable. Quoted fields may hold line breaks; CRLF and LF both work. Every row keeps the line
number it starts on in the file, so messages can point at it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from indicators.ingest.errors import UploadError

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SAMPLE_LINES = 60


@dataclass(frozen=True)
class Dialect:
    delimiter: str = ","
    decimal: str = "."
    thousands: str = ""  # "", ".", ",", " "
    header_row: int = 0  # 0-based index of the header among the file's records

    def describe(self) -> str:
        thousands = {"": "none", " ": "space"}.get(self.thousands, self.thousands)
        return (
            f"delimiter {DELIMITERS.get(self.delimiter, self.delimiter)}, decimal mark '{self.decimal}', "
            f"thousands separator {thousands}, header on record {self.header_row + 1}"
        )


def _records(text: str, delimiter: str, limit: int = _SAMPLE_LINES) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    out = []
    try:
        for record in reader:
            out.append(record)
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


def _field_count(record: list[str]) -> int:
    while record and not record[-1].strip():
        record = record[:-1]
    return len(record)


def sniff_delimiter(text: str) -> str:
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        counts = [_field_count(r) for r in _records(text, delimiter) if any(f.strip() for f in r)]
        if not counts:
            continue
        values, frequency = np.unique(counts, return_counts=True)
        mode = int(values[np.argmax(frequency)])
        if mode < 2:
            continue
        # share of lines with the usual width (preamble lines excepted), then the widest
        score = (round(frequency.max() / len(counts), 1), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def sniff_header_row(records: list[list[str]]) -> int:
    """The first record about as wide as the table's usual width (preamble lines are narrower). The usual
    width, not the widest: one row with a stray delimiter must not move the header onto itself."""
    widths = [_field_count(r) for r in records]
    filled = [w for w in widths if w]
    if not filled:
        return 0
    # how many records are about as wide as each width (a table's lines differ by their trailing blanks)
    values = np.unique(filled)
    support = np.array([sum(0.8 * w <= v <= w / 0.8 for v in filled) for w in values])
    tied = values[support == support.max()]
    # a tie (a tiny file): the narrower, so that one row with a stray delimiter cannot become the header;
    # but never a width of two or fewer when a wider one ties, since those are preamble pairs ("Data Source",
    # "World Development Indicators") above a one-country download's header and its single line
    wider = tied[tied > 2]
    usual = int(wider.min() if len(wider) else tied.min())
    for index, width in enumerate(widths):
        if width >= max(2, 0.8 * usual):
            return index
    return 0


_POINT_DECIMAL = r"^[-+]?(\d+\.(\d{1,2}|\d{4,})|\d{4,}\.\d+|\d{1,3}(,\d{3})+\.\d+|\.\d+)$"
_COMMA_DECIMAL = r"^[-+]?(\d+,(\d{1,2}|\d{4,})|\d{4,},\d+|\d{1,3}([. ]\d{3})+,\d+|,\d+)$"
_COMMA_THOUSANDS = r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$"
_DOT_THOUSANDS = r"^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$"
_NO_BREAK_SPACES = "[\u00a0\u202f]"  # how Excel and LibreOffice group thousands in many locales (1 234 567,5)
_SPACE_THOUSANDS = r"^[-+]?\d{1,3}( \d{3})+([.,]\d+)?$"


def sniff_numbers(cells: pd.Series, delimiter: str) -> tuple[str, str]:
    """Decimal mark and thousands separator from the cells that look like numbers. Unambiguous cells decide
    (3.51, 1234,5, 1.234.567,8); when only ambiguous ones exist (1.234), a semicolon file is read the
    Serbian/German way and any other the English way."""
    text = cells.astype("string").str.replace(_NO_BREAK_SPACES, " ", regex=True).str.strip().str.rstrip("%").dropna()
    text = text[text.str.contains(r"\d", regex=True)].head(5000)
    if text.empty:
        return ".", ""
    point = int(text.str.match(_POINT_DECIMAL).sum())
    comma = int(text.str.match(_COMMA_DECIMAL).sum())
    spaced = bool(text.str.match(_SPACE_THOUSANDS).any())
    dotted = bool(text.str.match(_DOT_THOUSANDS).any())
    commas = bool(text.str.match(_COMMA_THOUSANDS).any())
    if comma > point or (comma == point == 0 and delimiter == ";" and (dotted or commas)):
        return ",", "." if dotted else (" " if spaced else "")
    return ".", "," if commas else (" " if spaced else "")


def to_number(cells: pd.Series, dialect: Dialect) -> pd.Series:
    """Cells as float64 (NaN where not a number), read with the file's decimal mark and thousands separator.
    Vectorised: string operations over the whole column, then one conversion."""
    text = cells.astype("string").str.strip()
    text = text.str.replace(_NO_BREAK_SPACES, " ", regex=True).str.replace("\u2212", "-", regex=False)
    if dialect.thousands:
        text = text.str.replace(dialect.thousands, "", regex=False)
    if dialect.decimal != ".":
        text = text.str.replace(dialect.decimal, ".", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def number_readings(cell: str) -> list[float]:
    """The numbers one cell can be, read as an upload reads a file's values (``sniff_numbers``, then
    ``to_number``) in a comma-separated and in a semicolon-separated file: the two differ only where the cell
    alone does not say which mark is the decimal one. ``1,7`` -> [1.7]; ``1.234,5`` -> [1234.5]; ``1,700`` ->
    [1700.0, 1.7] (ambiguous); ``abc`` -> []. For a number typed alone (a form), where no other cell decides."""
    text = pd.Series([str(cell).strip()], dtype="string")
    found: list[float] = []
    for delimiter in (",", ";"):
        decimal, thousands = sniff_numbers(text, delimiter)
        number = float(to_number(text, Dialect(delimiter=delimiter, decimal=decimal, thousands=thousands)).iloc[0])
        if not np.isnan(number) and number not in found:
            found.append(number)
    return found


def sniff(text: str) -> Dialect:
    head = text[:65536]  # enough for the preamble and the first lines; never the whole file
    delimiter = sniff_delimiter(head)
    header_row = sniff_header_row(_records(head, delimiter))
    return Dialect(delimiter=delimiter, header_row=header_row)


def read_table(text: str, dialect: Dialect) -> pd.DataFrame:
    """The records after the header as strings (blank cells ""), plus ``row``: the file line each starts on.
    Entirely blank records are dropped; header names are stripped (duplicates get a suffix)."""
    header_line = _line_of_record(text, dialect)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=dialect.delimiter,
            dtype="string[pyarrow]",
            keep_default_na=False,
            na_filter=False,
            skiprows=dialect.header_row,
            skip_blank_lines=False,
            engine="c",
            quotechar='"',
            on_bad_lines="error",
        )
    except pd.errors.EmptyDataError:
        raise UploadError("The file has no header row.") from None
    except (pd.errors.ParserError, ValueError) as error:
        where = _bad_record(text, dialect) or str(error)
        raise UploadError(f"The file cannot be read as a table with {dialect.describe()}: {where}") from None
    if not isinstance(frame.index, pd.RangeIndex):  # a first row wider than the header: pandas made it an index
        where = _bad_record(text, dialect) or "the first row has more fields than the header"
        raise UploadError(f"The file cannot be read as a table with {dialect.describe()}: {where}")
    frame.columns = [str(c).strip() for c in frame.columns]
    # a trailing delimiter on every line makes an empty, unnamed last column (World Bank downloads)
    unnamed = [c for c in frame.columns if c.startswith("Unnamed: ") and not frame[c].astype(str).str.strip().any()]
    frame = frame.drop(columns=unnamed)
    # line numbers: the header's line, plus one per record, plus line breaks inside earlier quoted fields
    breaks = np.zeros(len(frame), dtype=np.int64)
    total_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if len(frame) and total_lines != header_line + len(frame):
        for column in frame.columns:
            breaks += frame[column].str.count("\n").to_numpy(dtype=np.int64)
    header_breaks = sum(str(c).count("\n") for c in frame.columns)
    starts = header_line + header_breaks + 1 + np.arange(len(frame)) + np.concatenate([[0], np.cumsum(breaks)[:-1]])
    frame.insert(0, "row", starts)
    if len(frame) and len(frame.columns) > 1:  # (a file of control characters can give rows but no column)
        # blank records (a blank line, or only delimiters): check the whole record only where the first cell is blank
        first = frame.columns[1]
        candidates = frame[frame[first].fillna("").str.strip() == ""]
        if len(candidates):
            cells = candidates.drop(columns="row").fillna("")
            blank = (cells.apply(lambda c: c.str.strip()) == "").all(axis=1)
            frame = frame.drop(index=blank[blank].index)
    return frame.reset_index(drop=True)


def _bad_record(text: str, dialect: Dialect) -> str | None:
    """Where a table the parser refused breaks, in the file's own lines: the first record with more fields than
    the header, or the record in which a double quote opens and never closes. None: neither was found. (Only
    when a file is refused: one pass of the csv module.)"""
    reader = csv.reader(io.StringIO(text), delimiter=dialect.delimiter)
    header_width = header_line = None
    start = last_start = 1
    name = DELIMITERS.get(dialect.delimiter, repr(dialect.delimiter))
    try:
        for index, record in enumerate(reader):
            if index == dialect.header_row:
                header_width, header_line = len(record), start
            elif header_width is not None and len(record) > header_width:
                return (
                    f"line {start} has {len(record)} fields where the header (line {header_line}) has "
                    f"{header_width}. A value that holds a {name} must be in double quotes; or choose another "
                    "delimiter."
                )
            last_start, start = start, reader.line_num + 1
    except csv.Error:  # (a lone carriage return the csv module will not read): the parser's own words then
        return None
    rest = text.split("\n", last_start - 1)[-1]  # the last record, to the end of the file
    if rest.count('"') % 2:
        return f"line {last_start}: a double quote opens a value that is never closed."
    return None


def _line_of_record(text: str, dialect: Dialect) -> int:
    """1-based line on which record ``header_row`` starts (records may span lines)."""
    if dialect.header_row == 0:
        return 1
    reader = csv.reader(io.StringIO(text), delimiter=dialect.delimiter)
    line = 1
    for index, _ in enumerate(reader):
        if index == dialect.header_row - 1:
            return reader.line_num + 1
    return line


def with_overrides(dialect: Dialect, **overrides) -> Dialect:
    changes = {key: value for key, value in overrides.items() if value is not None}
    return replace(dialect, **changes)
