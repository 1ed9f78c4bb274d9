"""Our own CSV format, written one way everywhere (`show`, page downloads, snapshots).

Columns, in order: indicator, entity, period, value, unit, qualifier, source, quote, note. Values are base
units written with up to 15 significant digits (400000000, 3.8), periods exactly as stored (2019, 2019-Q3).
Text cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) are prefixed with an apostrophe;
numbers stay numbers. Line breaks in text are written as \n (quoted), never as a bare CR.
"""

from __future__ import annotations

import pandas as pd

from indicators.models import OBSERVATION_CSV_COLUMNS

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells starting like a formula get a leading apostrophe; numeric columns are left alone."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_datetime64_any_dtype(frame[column]):
            continue
        text = frame[column].astype("string")
        if text.str.contains("\r", regex=False).any():
            # A bare carriage return is not quoted by the CSV writer (our line end is \n), yet spreadsheets
            # start a new row at it, and a cell starting there ("\r=1+1") would run as a formula.
            text = text.str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False)
            frame[column] = text
        risky = text.str.startswith(FORMULA_PREFIXES).fillna(False)
        if risky.any():
            frame[column] = text.mask(risky, "'" + text)
    return frame


def observations_csv(frame: pd.DataFrame) -> bytes:
    """Observations in our CSV format, UTF-8, ready to save or to import again."""
    ordered = frame.reindex(columns=list(OBSERVATION_CSV_COLUMNS))
    return neutralise_formulas(ordered).to_csv(index=False, float_format="%.15g", lineterminator="\n").encode("utf-8")
