"""snapshot.xlsx: a "README" sheet first, then one sheet per table, holding what the CSV files hold.

Text is neutralised exactly as in the CSV files (a leading apostrophe before =, +, -, @, tab, CR), so a cell
never runs as a formula; numbers stay numbers. A large store's workbook leaves out the observation and change
sheets (over ``WORKBOOK_ROW_LIMIT`` rows) and says so on the README sheet: the CSV and Parquet files are
complete.
"""

from __future__ import annotations

import io
import math

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from indicators.csvformat import neutralise_formulas

WORKBOOK_ROW_LIMIT = 50_000


def _cell(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
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
    safe = neutralise_formulas(frame)
    for row in safe.itertuples(index=False, name=None):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=_cell(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # belt and braces: never a formula, whatever the text
            cells.append(cell)
        sheet.append(cells)


def build_workbook(tables: dict[str, pd.DataFrame], readme_lines: list[str]) -> tuple[bytes, list[str]]:
    """The workbook's bytes and the names of tables left out because they are too large."""
    book = Workbook(write_only=True)
    omitted = [name for name, frame in tables.items() if len(frame) > WORKBOOK_ROW_LIMIT]
    readme = book.create_sheet("README")
    lines = list(readme_lines)
    for name in omitted:
        lines.append(
            f"The {name} sheet is left out: {len(tables[name]):,} rows is more than this workbook holds "
            f"({WORKBOOK_ROW_LIMIT:,}); {name}.csv and observations.parquet in the same zip are complete."
        )
    for line in lines:
        readme.append([WriteOnlyCell(readme, value=neutralise_formulas(pd.DataFrame({"x": [line]}))["x"].iloc[0])])
    for name, frame in tables.items():
        if name not in omitted:
            _sheet(book, name, frame)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), omitted
