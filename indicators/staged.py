"""The rules of ``models.py`` for a big file, applied inside DuckDB.

A million-row file has a few hundred distinct indicators, entities, periods, units and sources. Each
*distinct* value is judged here once, in Python, by the very rule functions the forms and the pandas
validator use (``check_entity``, ``check_period``, ``parse_unit`` ...; the thousands of days of a daily
series in arrays, with ``parse_period``'s exact verdicts: ``indicators/period_table.py``); the verdicts
become small lookup tables, and the store joins them with the file's text and checks numbers and ranges as
column expressions (``indicators/store/staging.py``). The messages are the pandas validator's, word for word.

    staged = stage(store, raw, store.indicator_map(), sources=store.source_ids())
    validated = staged_validation(store, staged)   # .problems now, .rows only when asked for
    store.write_observations(staged, ...)           # set-based, straight from the staged text
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from indicators.csvformat import GUARD_PATTERN, GUARD_REPLACEMENT
from indicators.models import (
    INDICATOR_ID_PATTERN,
    OBSERVATION_CSV_COLUMNS,
    SOURCE_ID_PATTERN,
    Indicator,
    check_entity,
    check_qualifier,
)
from indicators.period_table import period_verdicts
from indicators.store import Store
from indicators.store.staging import StagedRows
from indicators.units import UNITS, UnitError, parse_unit
from indicators.validate import PROBLEM_COLUMNS, Validated


def _verdicts(texts: list[str], rule) -> pd.DataFrame:
    normalised, errors = [], []
    for text in texts:
        try:
            normalised.append(rule(text))
            errors.append(None)
        except ValueError as error:
            normalised.append(None)
            errors.append(str(error))
    return pd.DataFrame(
        {
            "text": pd.array(texts, dtype="string"),
            "value": pd.array(normalised, dtype="string"),
            "error": pd.array(errors, dtype="string"),
        }
    )


def _minimum(indicator: Indicator) -> float | None:
    bounds = [b for b in (indicator.min_value, UNITS[indicator.unit].minimum) if b is not None]
    return max(bounds) if bounds else None


def lookups(
    distinct: dict[str, list[str]], indicators: dict[str, Indicator], sources: set[str] | None
) -> dict[str, pd.DataFrame]:
    """One small frame per checked column: each distinct text and the models' verdict on it."""
    ids = distinct["indicator"]
    known = [indicators.get(text) for text in ids]
    minimum = [_minimum(i) if i else None for i in known]
    maximum = [i.max_value if i else None for i in known]
    indicator = pd.DataFrame(
        {
            "text": pd.array(ids, dtype="string"),
            "well_formed": np.array([bool(INDICATOR_ID_PATTERN.fullmatch(text)) for text in ids], dtype=bool),
            "known": np.array([i is not None for i in known], dtype=bool),
            "default_entity": pd.array([i.default_entity if i else None for i in known], dtype="string"),
            "unit": pd.array([i.unit if i else None for i in known], dtype="string"),
            "minimum": np.array([np.nan if m is None else m for m in minimum], dtype="float64"),
            "maximum": np.array([np.nan if m is None else m for m in maximum], dtype="float64"),
            "below_reason": pd.array(
                [None if m is None else f"below the smallest valid value {m:g}" for m in minimum], dtype="string"
            ),
            "above_reason": pd.array(
                [None if m is None else f"above the largest valid value {m:g}" for m in maximum], dtype="string"
            ),
        }
    )
    # a blank entity takes the indicator's usual entity: judge those too
    defaults = {i.default_entity for i in known if i is not None}
    entity = _verdicts(sorted(set(distinct["entity"]) | defaults | {""}), check_entity).rename(
        columns={"value": "entity"}
    )
    periods = period_verdicts(distinct["period"])  # check_period's verdicts, the common shapes in arrays
    qualifier = _verdicts([t for t in distinct["qualifier"] if t != ""], check_qualifier).rename(
        columns={"value": "qualifier"}
    )
    units = []
    for text in distinct["unit"]:
        try:
            unit_id, factor = parse_unit(text) if text else (None, 1.0)
            units.append((text, unit_id, factor, None))
        except UnitError as error:
            units.append((text, None, 1.0, str(error)))
    unit = pd.DataFrame(
        {
            "text": pd.array([u[0] for u in units], dtype="string"),
            "unit_id": pd.array([u[1] for u in units], dtype="string"),
            "factor": np.array([u[2] for u in units], dtype="float64"),
            "error": pd.array([u[3] for u in units], dtype="string"),
        }
    )
    source_texts = distinct["source"]
    source = pd.DataFrame(
        {
            "text": pd.array(source_texts, dtype="string"),
            "well_formed": np.array([bool(SOURCE_ID_PATTERN.fullmatch(text)) for text in source_texts], dtype=bool),
            "known": np.array([sources is None or text in sources for text in source_texts], dtype=bool),
        }
    )
    return {"indicator": indicator, "entity": entity, "period": periods, "qualifier": qualifier, "unit": unit,
            "source": source}  # fmt: skip


def raw_table(frame: pd.DataFrame) -> pa.Table:
    """A frame in our CSV columns (+ row) as the staged text: strings, stripped, blank cells null. Values
    that are already numbers (a foreign file's, after mapping) become their shortest exact text (str of a
    float round-trips)."""
    columns = {"row": pa.array(frame["row"].to_numpy(dtype="int64"))}
    for name in OBSERVATION_CSV_COLUMNS:
        if name not in frame:
            columns[name] = pa.nulls(len(frame), pa.string())
            continue
        columns[name] = _text(frame[name])
    return pa.table(columns)


def _text(series: pd.Series) -> pa.Array:
    """A column as stripped text, blank cells null. Numbers (a mapped file's values) are written by Arrow
    (shortest text that reads back as the same double) rather than one Python ``str`` per cell."""
    if series.dtype == object and series.isna().all():  # a column the mapping leaves blank
        return pa.nulls(len(series), pa.string())
    if series.dtype == object or series.dtype.kind in "fi":
        numbers = pd.to_numeric(series, errors="coerce") if series.dtype == object else series.astype("float64")
        is_number = numbers.notna().to_numpy()
        if is_number.any():
            written = pa.array(numbers.to_numpy(dtype="float64"), type=pa.float64()).cast(pa.string())
            others = _text(series.where(~is_number, None).astype("string")) if not is_number.all() else written
            return pc.if_else(pa.array(is_number), written, others)
    text = series.astype("string").str.strip()
    return pa.array(text.mask(text == "", pd.NA), type=pa.string(), from_pandas=True)


def unguarded(raw: pa.Table) -> pa.Table:
    """The quote and note columns without the guard our own CSV files put before a text that starts like a
    formula ('-1+2 ... -> -1+2 ...), so a file from `show` or a snapshot imports back as it was written
    (``csvformat.restore_formulas`` for Arrow text). Skipped for a column with no text at all."""
    for name in ("quote", "note"):
        column = raw.column(name)
        if column.null_count == len(column):
            continue
        restored = pc.replace_substring_regex(column, pattern=GUARD_PATTERN, replacement=GUARD_REPLACEMENT)
        raw = raw.set_column(raw.column_names.index(name), name, restored)
    return raw


def stage(
    store: Store,
    raw: pa.Table,
    indicators: dict[str, Indicator],
    *,
    sources: set[str] | None = None,
    default_source: str | None = None,
    distinct: dict[str, list[str]] | None = None,
) -> StagedRows:
    """Judge every distinct value of ``raw`` (see ``raw_table``) and return what the store needs to check and
    write the file set-based. ``distinct``: the texts of each judged column, blank as '' (as
    ``Store.staged_summary`` finds them), when the caller already knows them; the search for repeated keys
    then always runs (whether the keys repeat as written is only counted by ``staged_summary``)."""
    raw = unguarded(raw)
    if distinct is not None:
        distinct, texts_unique = dict(distinct), False
    else:
        distinct, texts_unique = store.staged_summary(raw, default_source)
    if default_source is not None:
        distinct["source"] = sorted(set(distinct["source"]) | {default_source})
    judged = lookups(distinct, indicators, sources)
    unique = texts_unique and _one_to_one(judged["entity"], "entity") and _one_to_one(judged["period"], "period")
    # a lookup whose one text every row has (a blank qualifier matches no text of its lookup)
    shared = {name for name in ("indicator", "unit") if len(distinct[name]) == 1}
    if len(distinct["qualifier"]) == 1 and distinct["qualifier"][0] != "":
        shared.add("qualifier")
    return StagedRows(
        raw=raw,
        lookups=judged,
        shared=frozenset(shared),
        default_source=default_source,
        check_sources=sources is not None,
        keys_unique=unique,
    )


def _one_to_one(lookup: pd.DataFrame, column: str) -> bool:
    """No two texts normalised to the same value (``srb`` and ``SRB``): keys unique as written stay unique."""
    values = lookup[column].dropna()
    return not values.duplicated().any()


class StagedValidated(Validated):
    """``Validated`` for a staged file: the problems are found at once; the valid rows stay in the store's
    staging until someone asks for them as a frame (a preview of a million rows never needs them)."""

    def __init__(self, store: Store, staged: StagedRows) -> None:
        self.store = store
        self.staged = staged
        problems = store.check_staged(staged)
        assert staged.valid is not None
        self.count = staged.valid
        self._rows: pd.DataFrame | None = None
        self.periods = problems["period"].reset_index(drop=True)  # each problem's period, as written
        super().__init__(rows=None, problems=problems.loc[:, PROBLEM_COLUMNS])  # type: ignore[arg-type]

    @property
    def rows(self) -> pd.DataFrame:  # type: ignore[override]
        if self._rows is None:
            self._rows = self.store.staged_rows(self.staged)
        return self._rows

    @rows.setter
    def rows(self, value) -> None:
        if value is not None:
            self._rows = value


def staged_validation(store: Store, staged: StagedRows) -> StagedValidated:
    return StagedValidated(store, staged)
