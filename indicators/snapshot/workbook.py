"""snapshot.xlsx: a "README" sheet first, then one sheet per table, holding what the CSV files hold.

Text is neutralised exactly as in the CSV files (a leading apostrophe before =, +, -, @, tab, CR), so a cell
never runs as a formula; numbers stay numbers. Control characters no cell may hold show as their symbols
(␋) and a text over Excel's 32,767 characters is cut, saying so (the CSV files hold both exactly). A large
store's workbook leaves out the observation and change sheets (over ``WORKBOOK_ROW_LIMIT`` rows) and says so
on the README sheet: the CSV and Parquet files are complete. A "summary" sheet (one row per indicator) is
always there.
"""

from __future__ import annotations

import io
import math

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from indicators.csvformat import as_written, neutralise_formulas

WORKBOOK_ROW_LIMIT = 10_000  # openpyxl writes a few thousand rows a second: a workbook stays a few seconds
CELL_LIMIT = 32_767  # the most characters an Excel cell holds


def _cell_text(text: str, sheet: str) -> str:
    """Text an XLSX cell may hold: control characters no cell may hold (Word's line break \x0b, a bell) are
    shown as their symbols (␋, ␇), and text over Excel's limit is cut, saying so. The CSV keeps both exactly."""
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub(lambda match: chr(0x2400 + ord(match.group())), text)
    if len(text) > CELL_LIMIT:
        cut = f"… (cut at {CELL_LIMIT:,} of {len(text):,} characters; {sheet}.csv holds it whole)"
        text = text[: CELL_LIMIT - len(cut)] + cut
    return text


def _cell(value: object, sheet: str) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return _cell_text(value, sheet)
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
        sheet.append([_cell(value, title) for value in row])


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
