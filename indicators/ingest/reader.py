"""``read_upload(bytes, filename, options) -> Parsed``: decode, find the dialect, detect the format and read
the file into our shape or the foreign long shape. Every detected setting can be overridden in ``Options``.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from indicators.config import settings
from indicators.ingest.arrowcsv import read_native, with_numbers, with_percent
from indicators.ingest.decode import decode
from indicators.ingest.dialect import Dialect, read_table, sniff, sniff_numbers, with_overrides
from indicators.ingest.errors import UploadError
from indicators.ingest.formats import FORMATS, detect_format, native_frame, to_long
from indicators.ingest.limits import check_columns, check_lines, check_workbook, upload_limits
from indicators.ingest.shapes import ArrowForeign, Foreign
from indicators.ingest.widecsv import WideFile, read_wide, wide_long
from indicators.ingest.xlsx import is_xlsx, read_sheet, workbook_sheets

MB = 1024 * 1024


@dataclass
class Options:
    """What the user chose; None means "detect it"."""

    format: str | None = None  # one of FORMATS, or "xlsx"/"auto" (= detect)
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    header_row: int | None = None  # 0-based record index
    sheet: str | None = None
    value_column: str | None = None  # OWID: which column holds the values
    value_columns: list[str] | None = None  # Census / generic tables: columns summed into the value
    entity_column: str | None = None
    period_column: str | None = None
    max_mb: float | None = None  # limits; None: the settings (INDICATORS_MAX_UPLOAD_MB, _ROWS, _COLUMNS)
    max_rows: int | None = None
    max_columns: int | None = None


@dataclass
class Parsed:
    filename: str
    format: str
    encoding: str
    dialect: Dialect
    frame: pd.DataFrame | None  # native: our CSV columns + row; foreign: the long shape (see shapes.py)
    columns: list[str]  # the file's own header
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    foreign: Foreign | None = None
    raw: pa.Table | None = None  # a big native file read by Arrow: row + our columns as text, blanks null

    @property
    def table(self) -> pd.DataFrame:
        if self.frame is None and self.foreign is not None:
            return self.foreign.frame
        if self.frame is None:
            assert self.raw is not None
            self.frame = self.raw.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
        return self.frame

    @property
    def rows(self) -> int:
        if isinstance(self.foreign, ArrowForeign):
            return self.foreign.cells.num_rows
        return self.raw.num_rows if self.frame is None and self.raw is not None else len(self.table)

    @property
    def is_native(self) -> bool:
        return self.foreign is None

    @property
    def source_text(self) -> str | None:
        return self.foreign.source_text if self.foreign else None

    def describe(self) -> str:
        where = f"sheet '{self.sheet}', " if self.sheet else f"encoding {self.encoding}, "
        return f"format {self.format}, {where}{self.dialect.describe()}"

    def entity_choices(self) -> pd.DataFrame:
        """What the file holds, by entity: code (ISO3 or blank when unknown), the file's label, row count."""
        if self.foreign is None:
            return pd.DataFrame(columns=["entity", "label", "figures"])
        if isinstance(self.foreign, ArrowForeign):  # counted per line of the file, not per figure
            lines = self.foreign.lines.select(["entity", "entity_label"])
            frame = lines.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
            frame["figures"] = self.foreign.figures_per_line()
            return (
                frame[frame["figures"] > 0]
                .groupby(["entity", "entity_label"], dropna=False)["figures"]
                .sum()
                .reset_index(name="figures")
                .rename(columns={"entity_label": "label"})
                .sort_values(["label"])
                .reset_index(drop=True)
            )
        frame = self.foreign.frame
        return (
            frame.groupby(["entity", "entity_label"], dropna=False)
            .size()
            .reset_index(name="figures")
            .rename(columns={"entity_label": "label"})
            .sort_values(["label"])
            .reset_index(drop=True)
        )

    def series_choices(self) -> list[str]:
        if self.foreign is None:
            return []
        if isinstance(self.foreign, ArrowForeign):
            lines = self.foreign.lines.column("series").filter(pa.array(self.foreign.figures_per_line() > 0))
            return pc.unique(lines).drop_null().to_pylist()
        return [s for s in pd.unique(self.foreign.frame["series"].dropna())]


def check_size(size: int, max_mb: float | None = None) -> None:
    limit = settings().max_upload_mb if max_mb is None else max_mb
    if size > limit * MB:
        # the size as the Upload page's file chooser shows it beside this message (megabytes of 1,000,000
        # bytes: 3,373,944 bytes is "3.4MB" there); the limit counts MB of 1,048,576, so the size shown is over it
        raise UploadError(
            f"The file is {size / 1e6:.1f} MB, over the {limit:g} MB limit (INDICATORS_MAX_UPLOAD_MB). Split it, "
            "or raise the limit."
        )


def read_upload(data: bytes, filename: str = "", options: Options | None = None) -> Parsed:
    """Read a file's bytes into rows we understand; raise UploadError when it cannot be read at all."""
    options = options or Options()
    check_size(len(data), options.max_mb)
    limits = upload_limits(options.max_mb, options.max_rows, options.max_columns)
    fmt = (options.format or "auto").lower()
    if fmt not in (*FORMATS, "auto", "xlsx"):
        raise UploadError(f"Unknown format '{fmt}': use auto, xlsx or one of {', '.join(FORMATS)}.")
    if fmt == "xlsx" or is_xlsx(data, filename):
        # a workbook: the chosen sheet is then read as any format (detected, or the one asked for)
        check_workbook(data, limits)
        sheets = workbook_sheets(data)
        try:
            table, sheets, sheet, header = read_sheet(data, options.sheet, options.header_row, limits)
            text, encoding, dialect = "", "xlsx", Dialect(header_row=header)
            return _read_table(table, text, encoding, dialect, "auto" if fmt == "xlsx" else fmt, options, filename,
                               sheet, sheets)  # fmt: skip
        except UploadError as error:
            chosen = options.sheet or sheets[0]
            others = [name for name in sheets if name != chosen]
            if not others or chosen not in sheets:
                raise
            raise UploadError(
                f"{error} (sheet '{chosen}'; the workbook's other sheets: {', '.join(others)}. Choose the sheet "
                "that holds the figures: Sheet on the page, --sheet on the command line.)"
            ) from None
    else:
        if options.sheet:
            raise UploadError(f"--sheet {options.sheet}: only an .xlsx workbook has sheets; this file is text.")
        sheets, sheet = [], None
        check_lines(data, limits)
        decoded = decode(data, options.encoding)
        text, encoding = decoded.text, decoded.encoding
        dialect = with_overrides(sniff(text), delimiter=options.delimiter, header_row=options.header_row)
        check_columns(text, dialect.delimiter, dialect.header_row, limits)
        # UTF-8 without a BOM decodes to the very same bytes: Arrow reads those instead of an encoded copy
        utf8 = data if encoding == "utf-8" and not data.startswith(codecs.BOM_UTF8) else None
        fast = read_native(text, dialect, fmt, utf8) if fmt in ("auto", "native") else None
        if fast is not None:  # a big file in our format: Arrow reads it, DuckDB checks it (indicators.staged)
            raw, columns, sample = fast
            decimal, thousands = sniff_numbers(sample, dialect.delimiter)
            dialect = with_overrides(
                dialect,
                decimal=options.decimal if options.decimal is not None else decimal,
                thousands=options.thousands if options.thousands is not None else thousands,
            )
            raw = with_numbers(with_percent(raw), dialect)
            return Parsed(filename, "native", encoding, dialect, None, columns, raw=raw)
        wide = read_wide(text, dialect, fmt)
        if wide is not None:  # a big World Bank file: Arrow reads it, DuckDB unpivots the years
            arrow = _wide_upload(fmt, wide, text, dialect, options, filename, encoding)
            if arrow is not None:
                return arrow
        table = read_table(text, dialect)
    return _read_table(table, text, encoding, dialect, fmt, options, filename, sheet, sheets)


def sheet_names(data: bytes) -> list[str]:
    """The sheets of a workbook (checked against the limits first), so a page can offer them before reading
    one; [] when the bytes are not a workbook (read_upload then says why)."""
    if not is_xlsx(data):
        return []
    try:
        check_workbook(data, upload_limits())
        return workbook_sheets(data)
    except UploadError:
        return []


def _read_table(
    table: pd.DataFrame,
    text: str,
    encoding: str,
    dialect: Dialect,
    fmt: str,
    options: Options,
    filename: str,
    sheet: str | None,
    sheets: list[str],
) -> Parsed:
    """A table of strings (from a CSV or a sheet) -> Parsed: the format detected, the numbers sniffed."""
    columns = [c for c in table.columns if c != "row"]
    if not columns:
        raise UploadError("The file has no header row.")
    if table.empty:
        raise UploadError("The file has a header but no rows of figures.")
    if fmt == "auto":
        fmt = detect_format(columns, filename)
    decimal, thousands = sniff_numbers(_numeric_sample(table, fmt), dialect.delimiter)
    dialect = with_overrides(
        dialect,
        decimal=options.decimal if options.decimal is not None else decimal,
        thousands=options.thousands if options.thousands is not None else thousands,
    )
    if fmt == "native":
        return Parsed(filename, fmt, encoding, dialect, native_frame(table, dialect), columns, sheet, sheets)
    foreign = to_long(fmt, table, text, dialect, filename, options)
    return Parsed(filename, fmt, encoding, dialect, foreign.frame, columns, sheet, sheets, foreign)


def _wide_upload(
    fmt: str, wide: WideFile, text: str, dialect: Dialect, options: Options, filename: str, encoding: str
) -> Parsed | None:
    fmt = fmt if fmt in ("wdi", "databank") else detect_format(wide.header, filename)
    decimal, thousands = sniff_numbers(wide.sample(), dialect.delimiter)
    dialect = with_overrides(
        dialect,
        decimal=options.decimal if options.decimal is not None else decimal,
        thousands=options.thousands if options.thousands is not None else thousands,
    )
    foreign = wide_long(fmt, wide, text, dialect)
    if foreign is None:
        return None
    return Parsed(filename, fmt, encoding, dialect, None, list(wide.header), foreign=foreign)


def _numeric_sample(table: pd.DataFrame, fmt: str) -> pd.Series:
    lower = {str(c).lower(): c for c in table.columns}
    if fmt == "native" and "value" in lower:
        return table[lower["value"]].head(5000)
    sample = table.drop(columns="row").head(500)
    return pd.Series(sample.to_numpy().ravel()).astype("string")
