"""Our own CSV format, written one way everywhere (`show`, page downloads, snapshots).

Columns, in order: indicator, entity, period, value, unit, qualifier, source, quote, note. Values are base
units written with up to 15 significant digits (400000000, 3.8), periods exactly as stored (2019, 2019-Q3).
Text cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) are prefixed with an apostrophe;
numbers stay numbers.
"""

from __future__ import annotations

import pandas as pd

from indicators.models import OBSERVATION_CSV_COLUMNS

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Apostrophes followed by a formula character are prefixed too, so that removing one apostrophe
# (``restore_formulas``) always gives back exactly the original text.
_RISKY = r"^'*[=+\-@\t\r]"
FORMULA_PATTERN = _RISKY  # the same rule for DuckDB's regexp_matches (store/snapshots.py writes big CSVs)
_ESCAPED = r"^'+[=+\-@\t\r]"
# the same guard for Arrow's replace_substring_regex (staged.unguarded): the rest after the added apostrophe
GUARD_PATTERN, GUARD_REPLACEMENT = r"^'('*[=+\-@\t\r])", r"\1"


def _text_columns(frame: pd.DataFrame):
    """(name, values as strings) for every column that is not numbers or dates: numbers stay numbers."""
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_datetime64_any_dtype(frame[column]):
            continue
        yield column, frame[column].astype("string")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells starting like a formula get a leading apostrophe; numeric columns are left alone."""
    frame = frame.copy()
    for column, text in _text_columns(frame):
        risky = text.str.contains(_RISKY, regex=True).fillna(False).astype(bool)
        if risky.any():
            frame[column] = text.mask(risky, "'" + text)
    return frame


def restore_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """The inverse of ``neutralise_formulas`` for text read back from our own CSV files."""
    frame = frame.copy()
    for column, text in _text_columns(frame):
        escaped = text.str.contains(_ESCAPED, regex=True).fillna(False).astype(bool)
        if escaped.any():
            frame[column] = text.mask(escaped, text.str.slice(1))
    return frame


def as_written(value: float) -> float:
    """A float as our CSV writes it (15 significant digits): a sum of millions converted to dollars is stored
    as 268744915.0000001, which a spreadsheet cell would show as such; written, it is 268744915."""
    return float(f"{value:.15g}")


def csv_text(frame: pd.DataFrame, **options) -> str:
    """``frame.to_csv`` with \n line ends, where a cell holding a bare carriage return is quoted too.

    Python's CSV writer quotes only the characters of its own line end, so with \n a cell like
    ``"note\r=1+1"`` would go out unquoted, and a spreadsheet would start a new row, and run a formula, at the
    \r. In that (rare) case we write with \r\n, which quotes every cell holding \r or \n, and turn the row
    ends back into \n: outside quotes, every other piece between double quotes.
    """
    text = frame.to_csv(index=False, lineterminator="\n", **options)
    if "\r" not in text:
        return text
    pieces = frame.to_csv(index=False, lineterminator="\r\n", **options).split('"')
    return '"'.join(piece.replace("\r\n", "\n") if i % 2 == 0 else piece for i, piece in enumerate(pieces))


def observations_csv(frame: pd.DataFrame) -> bytes:
    """Observations in our CSV format, UTF-8, ready to save or to import again."""
    ordered = frame.reindex(columns=list(OBSERVATION_CSV_COLUMNS))
    return csv_text(neutralise_formulas(ordered), float_format="%.15g").encode("utf-8")
