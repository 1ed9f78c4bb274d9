"""From what a file holds to rows in our CSV columns: for a foreign file, which indicator it feeds, which
entities and years to keep, which series, the scale, and the source to record."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from indicators.ingest.errors import UploadError
from indicators.ingest.reader import Parsed
from indicators.ingest.shapes import ArrowForeign
from indicators.models import OBSERVATION_CSV_COLUMNS


@dataclass
class Mapping:
    indicator: str | None = None
    entities: list[str] | None = None  # ISO3 codes (or pairs) to keep; None: every entity we could map
    years: tuple[int, int] | None = None
    source_text: str | None = None  # None: what the file says about itself
    series: str | None = None  # which series, when the file holds several
    scale: float | None = None  # None: the file's own (Census: millions)
    pair_with: str | None = None  # a partner code that turns SRB into SRB-USA (None: the format's default)
    # several series in one batch: each series (as series_choices() names it, or its code, the first word)
    # -> the indicator it feeds. Series not named are left out. Overrides ``indicator`` and ``series``.
    series_indicators: dict[str, str] | None = None


def split_codes(values: list[str] | None) -> list[str] | None:
    """`--entity SRB --entity USA,HRV` -> [SRB, USA, HRV] (upper-case)."""
    if not values:
        return None
    codes = [part.strip().upper() for value in values for part in re.split(r"[,\s]+", value) if part.strip()]
    return codes or None


def source_text(parsed: Parsed, mapping: Mapping) -> str | None:
    return mapping.source_text or parsed.source_text


def to_rows(parsed: Parsed, mapping: Mapping) -> pd.DataFrame:
    """Our CSV columns plus ``row`` (the file's line). Foreign files are filtered and mapped here."""
    if parsed.is_native:
        frame = parsed.table.copy()
        if mapping.entities:
            entity = frame["entity"].astype("string").str.strip().str.upper()
            frame = frame[entity.isin(mapping.entities) | entity.isna()]
        if mapping.years:
            year = pd.to_numeric(frame["period"].astype("string").str[:4], errors="coerce")
            frame = frame[year.between(*mapping.years) | year.isna()]
        return frame.reset_index(drop=True)
    assert parsed.foreign is not None
    frame = parsed.foreign.frame
    indicator: str | pd.Series | None = mapping.indicator
    if mapping.series_indicators:
        frame, indicator = _by_series(frame, mapping.series_indicators)
    elif not mapping.indicator:
        raise UploadError("Choose the indicator this file feeds (--indicator ID).")
    series = [] if mapping.series_indicators else parsed.series_choices()
    if _chosen_series(series, mapping):
        frame = frame[frame["series"] == mapping.series]
    keep = frame["entity"].notna()
    frame = frame[keep]
    if isinstance(indicator, pd.Series):
        indicator = indicator[keep]
    pair = mapping.pair_with if mapping.pair_with is not None else parsed.foreign.default_pair_with
    entity = frame["entity"] + ("-" + pair if pair else "")
    if mapping.entities:
        keep = frame["entity"].isin(mapping.entities) | entity.isin(mapping.entities)
        frame, entity = frame[keep], entity[keep]
        indicator = indicator[keep] if isinstance(indicator, pd.Series) else indicator
    if mapping.years:
        year = pd.to_numeric(frame["period"].str[:4], errors="coerce")
        keep = year.between(*mapping.years)
        frame, entity = frame[keep], entity[keep]
        indicator = indicator[keep] if isinstance(indicator, pd.Series) else indicator
    scale = mapping.scale if mapping.scale is not None else parsed.foreign.default_scale
    values = frame["value"]
    if scale != 1:
        numeric = pd.to_numeric(values, errors="coerce")
        values = values.where(numeric.isna(), (numeric * scale).astype(object))
    out = pd.DataFrame(
        {
            "row": frame["row"].to_numpy(),
            "indicator": indicator.reset_index(drop=True) if isinstance(indicator, pd.Series) else indicator,
            "entity": entity.reset_index(drop=True),
            "period": frame["period"].reset_index(drop=True),
            "value": values.to_numpy(),
            "unit": pd.NA,
            "qualifier": pd.NA,
            "source": pd.NA,
            "quote": pd.NA,
            "note": frame["note"].reset_index(drop=True),
        }
    )
    return out.loc[:, ["row", *OBSERVATION_CSV_COLUMNS]].reset_index(drop=True)


def _by_series(frame: pd.DataFrame, chosen: dict[str, str]) -> tuple[pd.DataFrame, pd.Series]:
    """The rows of the chosen series, and the indicator each feeds (a series is named in full or by its code)."""
    series = frame["series"].astype("string").fillna("")
    names = pd.Series(pd.unique(series))
    target = {name: chosen.get(name, chosen.get(name.split(" ", 1)[0])) for name in names}
    unknown = [name for name in chosen if name not in target and name not in {n.split(" ", 1)[0] for n in names}]
    if unknown:
        raise UploadError(f"There is no series '{unknown[0]}' in this file.")
    indicator = series.map(target)
    keep = indicator.notna()
    return frame[keep], indicator[keep].astype("string")


def to_raw(parsed: Parsed, mapping: Mapping) -> pa.Table | None:
    """For a file read by Arrow (``ArrowForeign``): what ``staged.raw_table(to_rows(parsed, mapping))`` gives,
    built from the Arrow table without a frame (same filters, same errors, same texts). None otherwise."""
    foreign = parsed.foreign
    if not isinstance(foreign, ArrowForeign):
        return None
    # what holds per line of the file (entity, series -> indicator) is decided per line, then spread to its cells
    lines, cells = foreign.lines, foreign.cells
    keep = pc.is_valid(lines.column("entity"))
    if mapping.series_indicators:
        series = pc.fill_null(lines.column("series"), "")
        names = pc.unique(series.filter(pa.array(foreign.figures_per_line() > 0)))
        chosen = mapping.series_indicators
        listed = names.to_pylist()
        codes = {name.split(" ", 1)[0] for name in listed}
        unknown = [name for name in chosen if name not in listed and name not in codes]
        if unknown:
            raise UploadError(f"There is no series '{unknown[0]}' in this file.")
        targets = pa.array([chosen.get(name, chosen.get(name.split(" ", 1)[0])) for name in listed], pa.string())
        where = pc.index_in(series, value_set=names)
        keep = pc.and_(keep, pc.is_valid(pc.take(targets, where)))  # series not named are left out
        indicator = pc.take(_stripped(targets), where)
    elif not mapping.indicator:
        raise UploadError("Choose the indicator this file feeds (--indicator ID).")
    else:
        series_names = parsed.series_choices()
        if _chosen_series(series_names, mapping):
            keep = pc.and_(keep, pc.fill_null(pc.equal(lines.column("series"), mapping.series), False))
        indicator = pa.repeat(_stripped(pa.array([mapping.indicator], pa.string()))[0], lines.num_rows)
    pair = mapping.pair_with if mapping.pair_with is not None else foreign.default_pair_with
    entity = lines.column("entity")  # ISO3 codes: no blanks to strip
    mapped_entity = entity
    if pair:
        suffix = pc.utf8_rtrim_whitespace(pa.array(["-" + pair], pa.string()))[0]
        mapped_entity = pc.binary_join_element_wise(entity, suffix, "")
    if mapping.entities:
        chosen_entities = pa.array(list(mapping.entities), pa.string())
        wanted = pc.or_(pc.is_in(entity, value_set=chosen_entities), pc.is_in(mapped_entity, value_set=chosen_entities))
        keep = pc.and_(keep, wanted)
    keep_cell = pc.take(keep, cells.column("line"))
    if mapping.years:
        periods = pc.unique(cells.column("period"))
        year = pd.to_numeric(
            periods.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get).str[:4], errors="coerce"
        )
        in_years = periods.filter(pa.array(year.between(*mapping.years).to_numpy(dtype=bool)))
        keep_cell = pc.and_(keep_cell, pc.is_in(cells.column("period"), value_set=in_years))
    long = cells.filter(keep_cell)
    line = long.column("line")
    scale = mapping.scale if mapping.scale is not None else foreign.default_scale
    value = long.column("value")  # already as raw_table writes it (numbers in Arrow's text, others stripped)
    if scale != 1:
        number = long.column("number")
        scaled = pc.cast(pc.multiply(number, pa.scalar(float(scale))), pa.string())
        value = pc.if_else(pc.is_valid(number), scaled, value)
    nothing = pa.nulls(long.num_rows, pa.string())
    columns = {
        "row": long.column("row"),
        "indicator": pc.take(indicator, line),
        "entity": pc.take(mapped_entity, line),
        "period": long.column("period"),  # years, stripped
        "value": value,
        "unit": nothing,
        "qualifier": nothing,
        "source": nothing,
        "quote": nothing,
        "note": long.column("note"),
    }
    return pa.table(columns)


def _stripped(array: pa.Array) -> pa.Array:
    """Stripped text, blank as null (as ``staged.raw_table`` writes a cell)."""
    stripped = pc.utf8_trim_whitespace(array)
    return pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.string()), stripped)


def distinct_texts(raw: pa.Table) -> dict[str, list[str]]:
    """The distinct texts of the columns the staged check judges, blank as '' (``Store.staged_summary``, by
    Arrow: a staged World Bank file holds a handful of indicators and a few hundred entities and years)."""
    columns = ("indicator", "entity", "period", "qualifier", "unit", "source")
    return {name: pc.unique(pc.fill_null(raw.column(name), "")).to_pylist() for name in columns}


def series_named(series: list[str], asked: str | None) -> str | None:
    """The series a user named as they can type it (``import --series``): its full name as the file's series
    are listed, or its code (the name's first word, NY.GDP.MKTP.KD.ZG), in any case. None when the file
    holds at most one series and none was asked for. Refuses, listing the series, when the file holds several
    and none was named, or when the name matches none."""
    listed = _listed_series(series)
    if asked is None or not asked.strip():
        if len(series) > 1:
            raise UploadError(f"The file holds {len(series)} series; choose one with --series: {listed}")
        return None
    wanted = asked.strip().casefold()
    found = [name for name in series if name.casefold() == wanted] or [
        name for name in series if name.split(" ", 1)[0].casefold() == wanted
    ]
    if len(found) != 1:
        which = "no series" if not found else f"{len(found)} series"
        raise UploadError(f"There is {which} '{asked}' in this file; it holds: {listed or 'no series'}")
    return found[0]


def _listed_series(series: list[str]) -> str:
    """A file's series for a message: the first 20, then '...'."""
    return "; ".join(series[:20]) + (" ..." if len(series) > 20 else "")


def _chosen_series(series: list[str], mapping: Mapping) -> bool:
    """True when the file holds several series and the mapping names one of them (keep only its rows);
    refuses when it names none or one the file does not hold. False for a file of one series."""
    if len(series) <= 1:
        return False
    if mapping.series is None:
        raise UploadError(f"The file holds {len(series)} series; choose one: {_listed_series(series)}")
    if mapping.series not in series:
        raise UploadError(f"There is no series '{mapping.series}' in this file.")
    return True
