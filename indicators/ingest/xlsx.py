"""Excel workbooks (.xlsx) via openpyxl: list the sheets, read one as a table of strings with line numbers."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd

from indicators.ingest.dialect import sniff_header_row
from indicators.ingest.errors import UploadError
from indicators.ingest.limits import UploadLimits, check_row


def is_xlsx(data: bytes, filename: str = "") -> bool:
    return data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm"))


def _cell(value, number_format: str | None = None) -> str:
    if value is None:
        return ""
    if number_format and "%" in number_format and isinstance(value, int | float) and not isinstance(value, bool):
        # a cell formatted as a percentage holds 0.021 and shows 2.1 %: the percentage is what the analyst sees
        # (and our unit, 0-100)
        return f"{value * 100:.15g}"
    if isinstance(value, dt.date):
        return _date(value, number_format or "")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _date(value: dt.date, number_format: str) -> str:
    """A date cell as the period it shows: 'Jul 2020' (mmm yyyy) is the month 2020-07, 'yyyy' the year, a
    format with a day the day; a time of day only when there is one."""
    shown = number_format.lower().split(";")[0]
    if isinstance(value, dt.datetime) and value.time() != dt.time(0):
        return value.isoformat(sep=" ")
    if "y" in shown and "d" not in shown and "m" not in shown:
        return f"{value.year:04d}"
    if "y" in shown and "d" not in shown:
        return f"{value.year:04d}-{value.month:02d}"
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _open(data: bytes):
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UploadError(f"This is not a readable .xlsx workbook ({error}).") from None


def _rows(worksheet, limits: UploadLimits | None):
    """The sheet's rows as lists of strings, streamed; refused at the first row past a limit."""
    declared_rows, declared_columns = worksheet.max_row or 0, worksheet.max_column or 0
    if limits is not None and (declared_rows > limits.max_rows or declared_columns > limits.max_columns):
        # the declared size is over a limit, or wrong: count the real rows and cells instead, and do not let
        # openpyxl pad every row to a declared width
        worksheet.reset_dimensions()
    for number, row in enumerate(worksheet.iter_rows(), start=1):
        if limits is not None:
            check_row(number, len(row), limits)
        yield [_cell(cell.value, getattr(cell, "number_format", None)) for cell in row]


def workbook_sheets(data: bytes) -> list[str]:
    """The workbook's sheet names, in order (reads the workbook's directory, not its cells)."""
    book = _open(data)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def read_sheet(
    data: bytes, sheet: str | None = None, header_row: int | None = None, limits: UploadLimits | None = None
) -> tuple[pd.DataFrame, list[str], str, int]:
    """(table, sheet names, chosen sheet, header row). Rows are numbered as Excel numbers them."""
    book = _open(data)
    try:
        names = list(book.sheetnames)
        chosen = sheet or names[0]
        if chosen not in names:
            raise UploadError(f"There is no sheet '{chosen}' in this workbook: it has {', '.join(names)}.")
        records = list(_rows(book[chosen], limits))
    finally:
        book.close()
    if not records:
        raise UploadError(f"The sheet '{chosen}' is empty.")
    header = sniff_header_row(records[:60]) if header_row is None else header_row
    columns = [c.strip() for c in records[header]]
    width = len(columns)
    body = [r + [""] * (width - len(r)) if len(r) < width else r[:width] for r in records[header + 1 :]]
    keep = [i for i, c in enumerate(columns) if c or any(r[i].strip() for r in body)]
    columns = [columns[i] or f"column {i + 1}" for i in keep]
    table = pd.DataFrame([[r[i] for i in keep] for r in body], columns=columns, dtype="string")
    table.insert(0, "row", range(header + 2, header + 2 + len(body)))
    if len(table):
        blank = (table.drop(columns="row").apply(lambda c: c.str.strip()) == "").all(axis=1)
        table = table[~blank].reset_index(drop=True)
    return table, names, chosen, header
