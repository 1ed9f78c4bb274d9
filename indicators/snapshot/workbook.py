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

from indicators.csvformat import neutralise_formulas

WORKBOOK_ROW_LIMIT = 10_000  # openpyxl writes a few thousand rows a second: a workbook stays a few seconds


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
    # After neutralising, no text starts with "=", so openpyxl stores every text as text, never a formula.
    safe = neutralise_formulas(frame)
    for row in safe.itertuples(index=False, name=None):
        sheet.append([_cell(value) for value in row])


def summary_table(observations: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator: figures, entities, sources, first and last period."""
    if observations.empty:
        return pd.DataFrame(columns=["indicator", "figures", "entities", "sources", "first_period", "last_period"])
    return (
        observations.groupby("indicator")
        .agg(
            figures=("value", "size"),
            entities=("entity", "nunique"),
            sources=("source", "nunique"),
            first_period=("period", "min"),
            last_period=("period", "max"),
        )
        .reset_index()
    )


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
    if "observations" in tables:
        _sheet(book, "summary", summary_table(tables["observations"]))
    for name, frame in tables.items():
        if name not in omitted:
            _sheet(book, name, frame)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), omitted
