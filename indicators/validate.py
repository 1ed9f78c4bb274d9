"""The rules of ``models.py`` applied column-wise to a whole frame of observations.

Bulk files are validated here, never with a Python loop per row: each rule runs once per *distinct* value
(periods, entities, qualifiers and units repeat a lot) or as a vectorised comparison (ranges). Every problem
is reported, with the row it came from, the column, the value and the reason; nothing stops at the first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.models import (
    INDICATOR_ID_PATTERN,
    LARGEST_VALUE,
    SOURCE_ID_PATTERN,
    Indicator,
    check_entity,
    check_period,
    check_qualifier,
)
from indicators.periods import parse_period
from indicators.units import UNITS, UnitError, parse_unit

PROBLEM_COLUMNS = ["row", "column", "value", "reason"]


@dataclass
class Validated:
    """Rows that passed, normalised, and every problem found (one row per problem)."""

    rows: pd.DataFrame
    problems: pd.DataFrame

    @property
    def ok(self) -> bool:
        return self.problems.empty


def _numbers(values: pd.Series) -> pd.Series:
    return values.map("{:g}".format).astype("string")


def _distinct(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes and distinct values of a text column (blank for missing): rules then run once per distinct value
    and their results are spread back with one ``take``."""
    codes, uniques = pd.factorize(column.astype("string").fillna(""), sort=False)
    return codes, pd.Index(uniques)


def _spread(codes: np.ndarray, per_distinct: list, index: pd.Index, dtype: str | None = None) -> pd.Series:
    if dtype == "string":  # build the few distinct strings once, then one vectorised take
        return pd.Series(pd.array(per_distinct, dtype="string").take(codes), index=index)
    if dtype in ("bool", "float64"):
        return pd.Series(np.asarray(per_distinct, dtype=dtype)[codes], index=index)
    if all(value is pd.NA for value in per_distinct):  # the usual case for error columns: nothing wrong
        return pd.Series(pd.NA, index=index, dtype=object)
    values = np.empty(len(per_distinct), dtype=object)
    values[:] = per_distinct
    return pd.Series(values[codes] if len(codes) else values[:0], index=index, dtype=dtype)


def _map_distinct(column: pd.Series, rule) -> tuple[pd.Series, pd.Series]:
    """Apply a per-value rule to each distinct value; return (normalised values, error message or NA)."""
    codes, uniques = _distinct(column)
    normalised: list[object] = []
    errors: list[object] = []
    for value in uniques:
        try:
            normalised.append(rule(value))
            errors.append(pd.NA)
        except ValueError as error:
            normalised.append(pd.NA)
            errors.append(str(error))
    return _spread(codes, normalised, column.index, "string"), _spread(codes, errors, column.index)


def _per_indicator(
    codes: np.ndarray, uniques: pd.Index, mapping: dict, index: pd.Index, dtype=None, missing=pd.NA
) -> pd.Series:
    """``mapping[value]`` for every row (``missing`` for unknown values), computed once per distinct value."""
    return _spread(codes, [mapping.get(value, missing) for value in uniques], index, dtype)


def _problems(frame_rows: pd.Series, mask: pd.Series, column: str, values: pd.Series, reasons) -> pd.DataFrame:
    if not mask.any():
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    reason_values = reasons[mask] if isinstance(reasons, pd.Series) else reasons
    return pd.DataFrame(
        {
            "row": frame_rows[mask].to_numpy(),
            "column": column,
            "value": values[mask].astype("string").fillna("").to_numpy(),
            "reason": np.asarray(reason_values, dtype=object) if not isinstance(reasons, str) else reasons,
        }
    )


def validate_observations(
    frame: pd.DataFrame, indicators: dict[str, Indicator], sources: set[str] | None = None
) -> Validated:
    """Validate a frame in our CSV shape (indicator, entity, period, value, unit, qualifier, source, quote,
    note, plus a ``row`` column with the file's line number for messages).

    Entity may be blank (the indicator's default entity is used); value is converted to base units when a
    scaled unit is given ("USD millions"); the unit must fit the indicator. Returns normalised rows ready for
    the store (columns: row, indicator_id, entity, period, period_start, value, qualifier, source_id, quote,
    note) and the problems. With ``sources`` (the ids that exist, or will in the same transaction), a source
    id outside it is a problem too.
    """
    frame = frame.copy()
    if "row" not in frame:
        frame["row"] = np.arange(2, len(frame) + 2)
    for column in ("entity", "unit", "qualifier", "source", "quote", "note"):
        if column not in frame:
            frame[column] = pd.NA
    rows = frame["row"]
    found: list[pd.DataFrame] = []

    # indicator: known id
    indicator_text = frame["indicator"].astype("string").str.strip()
    indicator_codes, indicator_ids = _distinct(indicator_text)
    well_formed = _per_indicator(
        indicator_codes,
        indicator_ids,
        {v: bool(INDICATOR_ID_PATTERN.fullmatch(v)) for v in indicator_ids},
        frame.index,
        "bool",
    )
    known = _per_indicator(
        indicator_codes, indicator_ids, {v: v in indicators for v in indicator_ids}, frame.index, "bool"
    )
    found.append(
        _problems(
            rows, ~well_formed, "indicator", indicator_text, "not an indicator id (lower-case letters, digits, _)"
        )
    )
    found.append(
        _problems(
            rows,
            well_formed & ~known,
            "indicator",
            indicator_text,
            "unknown indicator: create it first (Upload page or Enter page)",
        )
    )

    # entity: blank means the indicator's usual entity
    defaults = _per_indicator(
        indicator_codes,
        indicator_ids,
        {key: ind.default_entity for key, ind in indicators.items()},
        frame.index,
        "string",
    )
    entity_text = frame["entity"].astype("string").str.strip()
    entity_text = entity_text.mask(entity_text.fillna("") == "", defaults)
    entity, entity_error = _map_distinct(entity_text, check_entity)
    found.append(_problems(rows, entity_error.notna() & known, "entity", entity_text, entity_error))

    # period
    period_text = frame["period"].astype("string").str.strip()
    period, period_error = _map_distinct(period_text, check_period)
    found.append(_problems(rows, period_error.notna(), "period", period_text, period_error))

    # qualifier
    qualifier, qualifier_error = _map_distinct(frame["qualifier"], check_qualifier)
    qualifier = qualifier.where(frame["qualifier"].notna(), "exactly")
    qualifier_error = qualifier_error.where(frame["qualifier"].notna(), pd.NA)
    found.append(_problems(rows, qualifier_error.notna(), "qualifier", frame["qualifier"], qualifier_error))

    # value: a finite number, not absurdly large
    raw_value = frame["value"]
    value = pd.to_numeric(raw_value, errors="coerce").astype("float64")
    not_number = value.isna() | ~np.isfinite(value.fillna(0.0))
    # a number too large for a double reads as infinity: say so, rather than "not a number"
    spelled_infinity = raw_value.astype("string").str.strip().str.lower().str.lstrip("+-").str.startswith("inf")
    overflow = not_number & np.isinf(value.fillna(0.0)) & ~spelled_infinity.fillna(False)
    empty = raw_value.astype("string").str.strip().fillna("") == ""
    found.append(_problems(rows, not_number & ~overflow & ~empty, "value", raw_value, "not a number"))
    found.append(_problems(rows, not_number & empty, "value", raw_value, "no value: the cell is empty"))
    found.append(_problems(rows, overflow, "value", raw_value, "too large for a double (overflows to infinity)"))

    # unit: must name the indicator's unit, possibly scaled; converts the value to base units
    unit_text = frame["unit"].astype("string").str.strip().fillna("")
    expected_unit = _per_indicator(
        indicator_codes, indicator_ids, {key: ind.unit for key, ind in indicators.items()}, frame.index, "string"
    )
    unit_codes, unit_texts = _distinct(unit_text)
    parsed: list[tuple[object, float, object]] = []
    for text in unit_texts:
        try:
            unit_id, factor = parse_unit(text) if text else (pd.NA, 1.0)
            parsed.append((unit_id, factor, pd.NA))
        except UnitError as error:
            parsed.append((pd.NA, 1.0, str(error)))
    given_unit = _spread(unit_codes, [p[0] for p in parsed], frame.index, "string")
    multiplier = pd.Series(np.array([p[1] for p in parsed], dtype="float64")[unit_codes], index=frame.index)
    unit_errors = _spread(unit_codes, [p[2] for p in parsed], frame.index)
    mismatch = (given_unit.notna() & known & (expected_unit != given_unit)).fillna(False).astype(bool)
    if mismatch.any():
        unit_errors = unit_errors.mask(
            mismatch,
            "the indicator is measured in " + expected_unit.astype(str) + ", not " + given_unit.astype(str),
        )
    found.append(_problems(rows, unit_errors.notna(), "unit", unit_text, unit_errors))
    value = value * multiplier

    too_large = ~not_number & (value.abs() > LARGEST_VALUE)
    found.append(
        _problems(rows, too_large, "value", raw_value, f"too large for a statistic (more than {LARGEST_VALUE:g})")
    )

    # valid range of the indicator, and of its unit (no negative head counts)
    minimum = _per_indicator(
        indicator_codes,
        indicator_ids,
        {
            key: max(b for b in (ind.min_value, UNITS[ind.unit].minimum) if b is not None)
            if any(b is not None for b in (ind.min_value, UNITS[ind.unit].minimum))
            else np.nan
            for key, ind in indicators.items()
        },
        frame.index,
        "float64",
        missing=np.nan,
    )
    maximum = _per_indicator(
        indicator_codes,
        indicator_ids,
        {key: ind.max_value if ind.max_value is not None else np.nan for key, ind in indicators.items()},
        frame.index,
        "float64",
        missing=np.nan,
    )
    below = ~not_number & minimum.notna() & (value < minimum)
    above = ~not_number & maximum.notna() & (value > maximum)
    found.append(
        _problems(rows, below, "value", raw_value, "below the smallest valid value " + _numbers(minimum[below]))
    )
    found.append(
        _problems(rows, above, "value", raw_value, "above the largest valid value " + _numbers(maximum[above]))
    )

    # source: an id; blank sources are filled by the caller before validation
    source_text = frame["source"].astype("string").str.strip()
    source_codes, source_ids = _distinct(source_text)
    bad_source = ~_per_indicator(
        source_codes, source_ids, {v: bool(SOURCE_ID_PATTERN.fullmatch(v)) for v in source_ids}, frame.index, "bool"
    )
    found.append(
        _problems(rows, bad_source, "source", source_text, "not a source id (lower-case letters, digits, _ . -)")
    )
    if sources is not None:
        unknown_source = ~bad_source & ~source_text.isin(list(sources))
        found.append(_problems(rows, unknown_source, "source", source_text, "unknown source id: add the source first"))

    normalised = pd.DataFrame(
        {
            "row": rows,
            "indicator_id": indicator_text,
            "entity": entity,
            "period": period,
            "value": value,
            "qualifier": qualifier,
            "source_id": source_text,
            "quote": frame["quote"].astype("string").str.strip().replace("", pd.NA),
            "note": frame["note"].astype("string").str.strip().replace("", pd.NA),
        }
    )
    problems = pd.concat(
        [p for p in found if not p.empty] or [pd.DataFrame(columns=PROBLEM_COLUMNS)], ignore_index=True
    )

    # the same key twice in one file with different values is ambiguous: which one is true?
    key = ["indicator_id", "entity", "period", "source_id"]
    clean = normalised[~normalised["row"].isin(problems["row"])]
    duplicated = clean[clean.duplicated(key, keep=False)]
    if not duplicated.empty:
        # one figure only when all it says agrees: value, qualifier, quote and note
        said = duplicated[["value", "qualifier", "quote", "note"]].astype("string").fillna("\x00")
        said[key] = duplicated[key]
        conflicting = (said.groupby(key, dropna=False).transform("nunique") > 1).any(axis=1)
        clashes = duplicated[conflicting]
        if not clashes.empty:
            first_row = clashes.groupby(key, dropna=False)["row"].transform("min")
            problems = pd.concat(
                [
                    problems,
                    pd.DataFrame(
                        {
                            "row": clashes["row"].to_numpy(),
                            "column": "value",
                            "value": _numbers(clashes["value"]).to_numpy(),
                            "reason": "the same indicator, entity, period and source appear again with another "
                            "value, qualifier, quote or note (first on line " + first_row.astype(str).to_numpy() + ")",
                        }
                    ),
                ],
                ignore_index=True,
            )
        # identical repeats are harmless: keep one
        normalised = normalised.drop(clean[clean.duplicated(key, keep="first")].index)

    problems = problems.sort_values(["row", "column"], kind="stable").reset_index(drop=True)
    good = normalised[~normalised["row"].isin(problems["row"])].copy()
    period_codes, periods = _distinct(good["period"])
    good["period_start"] = pd.to_datetime(
        _spread(period_codes, [parse_period(text).start for text in periods], good.index)
    )
    return Validated(rows=good.reset_index(drop=True), problems=problems)
