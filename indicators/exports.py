"""A chart's data as files people keep: CSV and XLSX with a metadata header (what, in which unit, from which
sources, with which filters, exported when). The rows are our CSV columns, so the data part can be loaded
again after removing the header.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd

from indicators.csvformat import as_written, csv_text, neutralise_formulas
from indicators.models import OBSERVATION_CSV_COLUMNS, Indicator
from indicators.units import UNITS
from indicators.views import series_as_csv_frame


def metadata(
    indicator: Indicator, series: pd.DataFrame, filters: dict[str, str], exported_at: dt.datetime
) -> list[tuple[str, str]]:
    """The header lines, as (name, value) pairs."""
    unit = UNITS[indicator.unit].label if indicator.unit in UNITS else indicator.unit
    sources = "; ".join(dict.fromkeys(series["source_title"].dropna().astype(str))) if not series.empty else ""
    lines = [
        ("indicator", f"{indicator.name} ({indicator.id})"),
        ("unit", f"{unit}; values in base units ({indicator.unit})"),
        ("sources", sources or "none"),
    ]
    lines += [(f"filter {name}", value) for name, value in filters.items()]
    lines.append(("exported at", exported_at.strftime("%Y-%m-%dT%H:%M:%SZ")))
    return lines


def _rows(series: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    frame = series_as_csv_frame(series, indicator)
    frame["value"] = frame["value"].astype("float64").map(as_written, na_action="ignore")
    return neutralise_formulas(frame.reindex(columns=list(OBSERVATION_CSV_COLUMNS)))


# In a header line, a separator a spreadsheet splits on (comma, or semicolon in Serbian and German Excel),
# then a cell starting like a formula: "# sources: Stats office,=HYPERLINK(...)" would run it
_FORMULA_AFTER_SEPARATOR = re.compile(r"""([,;|]\s*"?\s*)(?=[=+\-@])""")


def _header_line(name: str, value: object) -> str:
    """``# name: value`` on one line, with no cell a spreadsheet could take for a formula."""
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", " ".join(str(value).split()))
    return f"# {name}: {text}\n"


def chart_csv(series: pd.DataFrame, indicator: Indicator, filters: dict[str, str], exported_at: dt.datetime) -> bytes:
    """``# name: value`` header lines, then our CSV columns."""
    lines = metadata(indicator, series, filters, exported_at)
    header = "".join(_header_line(name, value) for name, value in lines)
    body = csv_text(_rows(series, indicator), float_format="%.15g")
    return (header + body).encode("utf-8")


def _xlsx_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Control characters (NUL, backspace ...) are not allowed in XLSX cells and would make openpyxl fail
    the whole download: they are dropped from text cells."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_datetime64_any_dtype(frame[column]):
            continue
        frame[column] = frame[column].astype("string").str.replace(ILLEGAL_CHARACTERS_RE, "", regex=True)
    return frame


def chart_xlsx(series: pd.DataFrame, indicator: Indicator, filters: dict[str, str], exported_at: dt.datetime) -> bytes:
    """One sheet: the metadata as name/value rows at the top, a blank row, then the data in our columns."""
    lines = metadata(indicator, series, filters, exported_at)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        # the header carries user text too (indicator name, source titles, filters): a name starting with
        # "=" must not become a formula
        about = neutralise_formulas(_xlsx_text(pd.DataFrame(lines, columns=["about", "value"])))
        about.to_excel(writer, sheet_name="data", index=False, header=False)
        rows = neutralise_formulas(_xlsx_text(_rows(series, indicator)))
        rows.to_excel(writer, sheet_name="data", index=False, startrow=len(lines) + 1)
    return buffer.getvalue()
