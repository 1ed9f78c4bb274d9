"""Which kind of file this is, and how each kind becomes our shape or the foreign long shape.

Formats: ``native`` (our CSV columns), ``wdi`` (World Bank `API_*.csv`), ``databank`` (World Bank DataBank
export), ``owid`` (Our World in Data), ``sdmx`` (SDMX-CSV 1.0 and 2.0), ``eurostat`` (Eurostat TSV),
``wide`` (a sheet with years as columns, like SIPRI's), ``census`` (US Census goods trade by country) and
``table`` (any long table: choose the entity, period and value columns). ``xlsx`` is a container: the
chosen sheet is detected as one of the others.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

from indicators.ingest.dialect import Dialect, to_number
from indicators.ingest.errors import UploadError
from indicators.ingest.sdmx import eurostat_to_long, is_eurostat, is_sdmx, sdmx_to_long
from indicators.ingest.shapes import Foreign, long_frame, melt_years, numbers_or_text
from indicators.models import OBSERVATION_CSV_COLUMNS

FORMATS = ("native", "wdi", "databank", "owid", "sdmx", "eurostat", "wide", "census", "table")
CLI_FORMATS = ("auto", "native", "wdi", "databank", "owid", "sdmx", "eurostat", "xlsx")
REQUIRED = ("indicator", "period", "value")
_WDI_COLUMNS = ("Country Name", "Country Code", "Indicator Name", "Indicator Code")
_YEAR = re.compile(r"^\s*(\d{4})(?:\s*\[YR\d{4}\])?\s*$")


def _lower(columns) -> list[str]:
    return [str(c).strip().lower() for c in columns]


def year_columns(columns) -> list[str]:
    return [c for c in columns if _YEAR.match(str(c))]


def _columns(table: pd.DataFrame, needed: tuple[str, ...], what: str) -> dict[str, str]:
    """The file's own name of each needed column (any case), or a refusal naming what is missing (a format
    chosen under Detected settings, or with --format, for a file of another shape)."""
    columns = {str(c).strip().lower(): c for c in table.columns if c != "row"}
    missing = [name for name in needed if name.lower() not in columns]
    if missing:
        header = ", ".join(str(c) for c in table.columns if c != "row")
        raise UploadError(
            f"This is not {what}: it has no column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(its header: {header[:300]}). Choose another format, or auto."
        )
    return {name.lower(): columns[name.lower()] for name in needed}


def detect_format(columns: list[str], filename: str = "") -> str:
    lower = _lower(columns)
    if is_eurostat(columns):
        return "eurostat"
    if is_sdmx(columns):
        return "sdmx"
    if lower[:4] == ["country name", "country code", "indicator name", "indicator code"]:
        return "wdi"
    if {"series code", "country code"} <= set(lower) and any("[yr" in c for c in lower):
        return "databank"
    if lower[:3] == ["entity", "code", "year"]:
        return "owid"
    if {"ctyname", "iyr", "eyr"} <= set(lower):
        return "census"
    if set(REQUIRED) <= set(lower) or set(lower) & {"indicator", "unit", "qualifier", "quote"}:
        return "native"
    if len(year_columns(columns)) >= 2:
        return "wide"
    return "table"


# --- ours ------------------------------------------------------------------------------------------


def native_frame(table: pd.DataFrame, dialect: Dialect) -> pd.DataFrame:
    columns = {str(c).strip().lower(): c for c in table.columns if c != "row"}
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise UploadError(
            f"Missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. Our format has the "
            f"columns {', '.join(OBSERVATION_CSV_COLUMNS)}; only indicator, period and value are required."
        )
    frame = pd.DataFrame({"row": table["row"]})
    for column in OBSERVATION_CSV_COLUMNS:
        if column in columns:
            text = table[columns[column]].astype("string").str.strip()
            frame[column] = text.mask(text == "", pd.NA)
        else:
            frame[column] = pd.Series(pd.NA, index=table.index, dtype="string")
    # Excel saves a cell formatted as a percentage as "2.50%": the percentage, our unit (unless a unit is given)
    percent = frame["value"].str.endswith("%").fillna(False) & frame["unit"].isna()
    if percent.any():
        frame.loc[percent, "value"] = frame.loc[percent, "value"].str.rstrip("%").str.strip()
        frame.loc[percent, "unit"] = "percent"
    if dialect.decimal != "." or dialect.thousands:
        numbers = to_number(frame["value"], dialect)
        frame["value"] = frame["value"].mask(numbers.notna(), numbers.map("{:.17g}".format, na_action="ignore"))
    return frame


# --- World Bank ------------------------------------------------------------------------------------


def _preamble(text: str, dialect: Dialect) -> dict[str, str]:
    found = {}
    reader = csv.reader(io.StringIO(text), delimiter=dialect.delimiter)
    for index, record in enumerate(reader):
        if index >= dialect.header_row:
            break
        if len(record) >= 2 and record[0].strip():
            found[record[0].strip().lower()] = record[1].strip()
    return found


def wdi_to_long(table: pd.DataFrame, text: str, dialect: Dialect) -> Foreign:
    years = year_columns(table.columns)
    found = _columns(table, _WDI_COLUMNS, "a World Bank WDI download")
    country, code, indicator, indicator_code = (found[c.lower()] for c in _WDI_COLUMNS)
    melted = melt_years(table, [country, code, indicator, indicator_code], years)
    values, missing = numbers_or_text(melted["raw"], dialect)
    melted, values = melted[~missing], values[~missing]
    preamble = _preamble(text, dialect)
    updated = preamble.get("last updated date")
    source = "World Bank WDI" + (f", last updated {updated}" if updated else "")
    frame = long_frame(
        melted["row"],
        melted[code],
        melted[country],
        melted["period"],
        values,
        series=melted[indicator_code] + " " + melted[indicator],
    )
    hint = table[indicator].iloc[0] if len(table) else None
    return Foreign(frame=frame, source_text=source, indicator_hint=hint)


def databank_to_long(table: pd.DataFrame, text: str, dialect: Dialect) -> Foreign:
    _columns(table, ("Country Code", "Series Code"), "a World Bank DataBank export")
    columns = {c.strip().lower(): c for c in table.columns}
    code, name = columns["country code"], columns.get("country name", columns["country code"])
    series_code, series_name = columns["series code"], columns.get("series name", columns["series code"])
    data = table[table[code].str.strip() != ""]  # footer lines: "Data from database: ...", "Last Updated: ..."
    footer = table[table[code].str.strip() == ""]
    updated = None
    for cell in footer.iloc[:, 1] if len(footer.columns) > 1 else []:
        match = re.match(r"\s*Last Updated:\s*(.+)", str(cell))
        if match:
            updated = match.group(1).strip()
    years = [c for c in table.columns if "[yr" in c.lower()]
    melted = melt_years(data, [code, name, series_code, series_name], years)
    melted["period"] = melted["period"].str.extract(_YEAR.pattern, expand=False)
    values, missing = numbers_or_text(melted["raw"], dialect)
    melted, values = melted[~missing], values[~missing]
    frame = long_frame(
        melted["row"],
        melted[code],
        melted[name],
        melted["period"],
        values,
        series=melted[series_code] + " " + melted[series_name],
    )
    source = "World Bank DataBank" + (f", last updated {updated}" if updated else "")
    return Foreign(frame=frame, source_text=source, indicator_hint=data[series_name].iloc[0] if len(data) else None)


# --- Our World in Data -----------------------------------------------------------------------------


def owid_to_long(table: pd.DataFrame, dialect: Dialect, value_column: str | None = None) -> Foreign:
    entity, code, year = list(table.columns[1:4])
    candidates = []
    for column in table.columns[4:]:
        numbers = to_number(table[column].head(200), dialect)
        if numbers.notna().any():
            candidates.append(column)
    if not candidates:
        raise UploadError("This Our World in Data file has no column of numbers after Entity, Code, Year.")
    chosen = value_column or candidates[0]
    if chosen not in candidates:
        raise UploadError(f"'{chosen}' is not a value column of this file: choose one of {', '.join(candidates)}.")
    values, missing = numbers_or_text(table[chosen], dialect)
    data, values = table[~missing], values[~missing]
    frame = long_frame(data["row"], data[code], data[entity], data[year], values, series=chosen)
    return Foreign(
        frame=frame, source_text=f"Our World in Data: {chosen}", indicator_hint=chosen, value_columns=candidates
    )


# --- wide sheets (SIPRI) and any long table ------------------------------------------------------------


def _name_column(table: pd.DataFrame, years: list[str]) -> str:
    others = [c for c in table.columns if c not in years and c != "row"]
    for preferred in ("Country", "country", "Country Name", "Entity", "Name", "geo"):
        if preferred in others:
            return preferred
    if not others:
        raise UploadError("This sheet has years as columns but no column naming the countries.")
    return others[-1]


def wide_to_long(table: pd.DataFrame, dialect: Dialect, filename: str = "") -> Foreign:
    years = year_columns(table.columns)
    name = _name_column(table, years)
    melted = melt_years(table, [name], years)
    values, missing = numbers_or_text(melted["raw"], dialect)
    melted, values = melted[~missing], values[~missing]
    frame = long_frame(melted["row"], melted[name], melted[name], melted["period"].str.strip(), values, series=None)
    source = "SIPRI Military Expenditure Database" if "sipri" in filename.lower() else (filename or None)
    return Foreign(frame=frame, source_text=source)


def census_to_long(table: pd.DataFrame, dialect: Dialect, value_columns: list[str] | None = None) -> Foreign:
    _columns(table, ("CTYNAME",) if value_columns else ("CTYNAME", "IYR", "EYR"), "a US Census goods-trade sheet")
    columns = {c.strip().lower(): c for c in table.columns}
    if "idec" in columns and "edec" in columns:
        # the running year holds only the months published so far (2023: January): not a full year
        december = to_number(table[columns["idec"]], dialect).fillna(0) + to_number(
            table[columns["edec"]], dialect
        ).fillna(0)
        table = table[december != 0]
    chosen = value_columns or [columns["iyr"], columns["eyr"]]
    foreign = table_to_long(table, dialect, columns["ctyname"], columns.get("year", table.columns[1]), chosen)
    foreign.source_text = "US Census Bureau, U.S. trade in goods by country"
    foreign.default_scale = 1e6  # the workbook is in millions of US dollars
    foreign.default_pair_with = "USA"
    foreign.value_columns = [c for c in table.columns if c != "row"]
    return foreign


def table_to_long(
    table: pd.DataFrame, dialect: Dialect, entity_column: str, period_column: str, value_columns: list[str]
) -> Foreign:
    """Any long table: one entity column, one period column, one or more value columns (summed: exports +
    imports make trade)."""
    for column in (entity_column, period_column, *value_columns):
        if column not in table.columns:
            raise UploadError(f"There is no column '{column}' in this file.")
    total = None
    raw = None
    for column in value_columns:
        values, missing = numbers_or_text(table[column], dialect)
        numeric = pd.to_numeric(values.where(~missing), errors="coerce")
        total = numeric if total is None else total + numeric
        raw = values.where(pd.to_numeric(values, errors="coerce").isna() & ~missing, raw)
    assert total is not None
    values = pd.Series(total.astype(object), index=table.index)
    if raw is not None:
        values = values.where(raw.isna(), raw)
    keep = values.notna()
    data = table[keep]
    period = data[period_column].astype("string").str.replace(r"\.0$", "", regex=True)
    frame = long_frame(
        data["row"], data[entity_column], data[entity_column], period, values[keep], series=" + ".join(value_columns)
    )
    return Foreign(frame=frame, source_text=None, source_kind="user", value_columns=list(value_columns))


def to_long(fmt: str, table: pd.DataFrame, text: str, dialect: Dialect, filename: str, options) -> Foreign:
    if fmt == "wdi":
        return wdi_to_long(table, text, dialect)
    if fmt == "databank":
        return databank_to_long(table, text, dialect)
    if fmt == "owid":
        return owid_to_long(table, dialect, options.value_column)
    if fmt == "sdmx":
        return sdmx_to_long(table, dialect)
    if fmt == "eurostat":
        return eurostat_to_long(table, dialect)
    if fmt == "wide":
        return wide_to_long(table, dialect, filename)
    if fmt == "census":
        return census_to_long(table, dialect, options.value_columns)
    if fmt == "table":
        columns = [c for c in table.columns if c != "row"]
        entity = options.entity_column or columns[0]
        period = options.period_column or (columns[1] if len(columns) > 1 else columns[0])
        values = options.value_columns or columns[2:3]
        if not values:
            raise UploadError("Choose the columns that hold the entity, the period and the values.")
        return table_to_long(table, dialect, entity, period, values)
    raise UploadError(f"Unknown format '{fmt}': use one of {', '.join(FORMATS)}.")
