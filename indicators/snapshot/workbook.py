"""snapshot.xlsx: a "README" sheet first, then one sheet per table, holding what the CSV files hold.

Text is neutralised exactly as in the CSV files (a leading apostrophe before =, +, -, @, tab, CR), so a cell
never runs as a formula; numbers stay numbers. A large store's workbook leaves out the observation and change
sheets (over ``WORKBOOK_ROW_LIMIT`` rows) and says so on the README sheet: the CSV and Parquet files are
complete. A "summary" sheet (one row per indicator) is always there.
"""

from __future__ import annotations

import io
import math

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from indicators.csvformat import as_written, neutralise_formulas

WORKBOOK_ROW_LIMIT = 10_000  # openpyxl writes a few thousand rows a second: a workbook stays a few seconds


def _cell(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, float):
        return as_written(float(value))  # as the snapshot's CSV writes it, without float noise
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return value.item()
    return value


def _sheet(book: Workbook, title: str, frame: pd.DataFrame) -> None:
    sheet = book.create_sheet(title)
    bold = Font(bold=True)
    header = []
    for column in frame.columns:
        cell = WriteOnlyCell(sheet, value=str(column))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    # After neutralising, no text starts with "=", so openpyxl stores every text as text, never a formula.
    safe = neutralise_formulas(frame)
    for row in safe.itertuples(index=False, name=None):
        sheet.append([_cell(value) for value in row])


def build_workbook(sheets: dict[str, pd.DataFrame], omitted: dict[str, int], readme_lines: list[str]) -> bytes:
    """The workbook: a README sheet, then ``sheets`` in order. ``omitted`` names tables left out (too many
    rows) with their row counts; the README sheet says so."""
    book = Workbook(write_only=True)
    readme = book.create_sheet("README")
    lines = list(readme_lines)
    for name, rows in omitted.items():
        lines.append(
            f"The {name} sheet is left out: {rows:,} rows is more than this workbook holds "
            f"({WORKBOOK_ROW_LIMIT:,}); {name}.csv in the same zip is complete."
        )
    for line in lines:
        readme.append([WriteOnlyCell(readme, value=neutralise_formulas(pd.DataFrame({"x": [line]}))["x"].iloc[0])])
    for name, frame in sheets.items():
        _sheet(book, name, frame)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
