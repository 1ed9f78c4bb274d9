"""SDMX-CSV (1.0: DATAFLOW; 2.0: STRUCTURE, STRUCTURE_ID, optional label columns) and Eurostat's TSV.

REF_AREA (or ``geo``) is the entity; a COUNTERPART_AREA (or ``partner``) makes a pair (SRB + USA is SRB-USA);
TIME_PERIOD stays as written; UNIT_MULT scales the value (6 means millions); OBS_STATUS / OBS_FLAG are kept in
the note. The other dimensions (unit, na_item, ...) name the *series*, so a file holding several can be split.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from indicators.ingest.dialect import Dialect
from indicators.ingest.errors import UploadError
from indicators.ingest.shapes import Foreign, long_frame, melt_years, numbers_or_text

_CODE_NAME = re.compile(r"^(?:[a-z][a-z0-9_]*|[A-Z][A-Z0-9_]*)$")
_AREA = ("ref_area", "geo", "reporting_country", "country")
_COUNTERPART = ("counterpart_area", "partner", "counterpart")
_NOT_DIMENSIONS = {
    "structure", "structure_id", "structure_name", "action", "dataflow", "time_period", "obs_value",
    "obs_status", "obs_flag", "conf_status", "unit_mult", "decimals", "comment_obs", "obs_conf",
    "freq",
}  # fmt: skip
_AGENCIES = {"ESTAT": "Eurostat", "OECD": "OECD", "IMF": "IMF", "ECB": "ECB", "WB": "World Bank"}


def is_sdmx(columns) -> bool:
    lower = {str(c).strip().lower() for c in columns}
    return {"time_period", "obs_value"} <= lower


def is_eurostat(columns) -> bool:
    return bool(columns) and "\\" in str(columns[1] if columns[0] == "row" else columns[0])


def _find(columns: dict[str, str], names) -> str | None:
    for name in names:
        if name in columns:
            return columns[name]
    return None


def sdmx_to_long(table: pd.DataFrame, dialect: Dialect) -> Foreign:
    headers = [c for c in table.columns if c != "row"]
    codes = {c.lower(): c for c in headers if _CODE_NAME.match(c)}
    area = _find(codes, _AREA)
    if area is None:
        raise UploadError("This SDMX-CSV file has no REF_AREA (or geo) column: which country is each row?")
    counterpart = _find(codes, _COUNTERPART)
    label_of = {}
    for position, column in enumerate(headers[:-1]):
        following = headers[position + 1]
        if column in codes.values() and not _CODE_NAME.match(following):
            label_of[column] = following
    values, missing = numbers_or_text(table[codes["obs_value"]], dialect, percent_sign=False)
    multiplier = codes.get("unit_mult")
    if multiplier:
        power = pd.to_numeric(table[multiplier], errors="coerce").fillna(0).to_numpy()
        numeric = pd.to_numeric(values, errors="coerce")
        scaled = numeric * np.power(10.0, power)
        values = values.where(numeric.isna(), scaled.astype(object))
    notes = pd.Series(pd.NA, index=table.index, dtype="string")
    for flag in ("obs_status", "obs_flag"):
        if flag in codes:
            text = table[codes[flag]].astype("string").str.strip()
            stamped = (codes[flag] + " " + text).mask(text == "", pd.NA)
            notes = notes.fillna(stamped)
    dimensions = [codes[c] for c in codes if c not in _NOT_DIMENSIONS and codes[c] not in (area, counterpart)]
    series = pd.Series("", index=table.index, dtype="string")
    for dimension in dimensions:
        series = series + np.where(series == "", "", ", ") + dimension + "=" + table[dimension].astype("string")
    entity_code = table[area].astype("string").str.strip()
    label = table[label_of[area]] if area in label_of else entity_code
    frame = long_frame(table["row"], entity_code, label, table[codes["time_period"]], values, notes, series)
    if counterpart is not None:
        partner = long_frame(
            table["row"],
            table[counterpart],
            table[label_of.get(counterpart, counterpart)],
            table[codes["time_period"]],
            values,
        )
        frame["entity"] = frame["entity"] + "-" + partner["entity"]
        frame["entity_code"] = frame["entity_code"] + "-" + partner["entity_code"]
        frame["entity_label"] = frame["entity_label"] + " – " + partner["entity_label"]
    frame = frame[~missing.to_numpy()].reset_index(drop=True)
    structure = codes.get("structure_id") or codes.get("dataflow")
    flow = str(table[structure].iloc[0]) if structure and len(table) else ""
    agency = _AGENCIES.get(flow.split(":")[0].split(",")[0].strip(), "SDMX")
    name = codes.get("structure_name")
    title = str(table[name].iloc[0]) if name and len(table) else ""
    source = " ".join(part for part in (agency, flow, title and f"({title})") if part)
    return Foreign(frame=frame, source_text=source, indicator_hint=title or None)


def eurostat_to_long(table: pd.DataFrame, dialect: Dialect) -> Foreign:
    first = next(c for c in table.columns if c != "row")
    names, _, _ = first.partition("\\")
    dimensions = [d.strip() for d in names.split(",")]
    if "geo" not in dimensions:
        raise UploadError(f"This Eurostat file's first column ({first}) has no geo dimension.")
    packed = table[first].str.split(",", expand=True)
    if packed.shape[1] != len(dimensions):
        raise UploadError(f"The first column should pack {len(dimensions)} codes ({names}) in every row.")
    packed.columns = dimensions
    years = [c for c in table.columns if c not in ("row", first)]
    wide = pd.concat([table[["row"]], packed, table[years]], axis=1)
    melted = melt_years(wide, dimensions, years)
    cell = melted["raw"].astype("string").str.strip()
    parts = cell.str.extract(r"^(?P<number>[^\s]*)\s*(?P<flag>[a-z]*)$")
    number = parts["number"].fillna(cell)
    values, missing = numbers_or_text(number, dialect, percent_sign=False)
    flag = parts["flag"].fillna("")
    note = ("OBS_FLAG " + flag).mask(flag == "", pd.NA)
    series = pd.Series("", index=melted.index, dtype="string")
    for dimension in dimensions:
        if dimension in ("geo", "freq"):
            continue
        series = series + np.where(series == "", "", ", ") + dimension + "=" + melted[dimension].astype("string")
    frame = long_frame(melted["row"], melted["geo"], melted["geo"], melted["period"], values, note, series)
    frame = frame[~missing.to_numpy()].reset_index(drop=True)
    return Foreign(frame=frame, source_text="Eurostat")
