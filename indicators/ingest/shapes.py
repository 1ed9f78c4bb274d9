"""The two shapes a file becomes: ours (one row per figure, our CSV columns) or a *foreign long* table that
still needs mapping (which indicator, which entities, which years, which source).

A foreign long table has the columns ``row`` (file line), ``entity_code`` (as the file writes it), ``entity_label``,
``entity`` (ISO3 or NA), ``period``, ``value`` (float, or the raw text where it is not a number so validation
names it), ``note`` and ``series`` (what the figure measures, as the file names it: an indicator code, a
dimension combination).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from indicators.ingest.countries import to_iso3
from indicators.ingest.dialect import Dialect, to_number

LONG_COLUMNS = ["row", "entity_code", "entity_label", "entity", "period", "value", "note", "series"]
MISSING_MARKERS = ("", "..", "...", ":", "xxx", "-", "–", "n/a", "N/A", "NaN (missing)")


@dataclass
class Foreign:
    """A foreign file read into the long shape, with what the file says about itself."""

    frame: pd.DataFrame
    source_text: str | None = None
    source_kind: str = "official"
    indicator_hint: str | None = None
    value_columns: list[str] = field(default_factory=list)  # OWID / generic tables: which column holds values
    default_scale: float = 1.0
    default_pair_with: str | None = None


class ArrowForeign(Foreign):
    """A foreign file read by Arrow (``indicators.ingest.widecsv``), in two tables: ``cells`` (one row per
    figure: ``line``, the index into ``lines``; ``row``, the file line; ``period``; ``value``, the text it is
    staged as; ``number``, the float, null where the cell is not a number; ``note``) and ``lines`` (one row
    per line of the file: ``entity_code``, ``entity_label``, ``entity``, ``series``). ``long`` joins them into
    the long shape and ``frame`` makes that a frame, each only when asked for: the mapping stages the cells
    straight from the two tables."""

    def __init__(self, cells: pa.Table, lines: pa.Table, **kwargs) -> None:
        self.cells, self.lines = cells, lines
        self._frame: pd.DataFrame | None = None
        super().__init__(frame=None, **kwargs)  # type: ignore[arg-type]

    @property
    def long(self) -> pa.Table:
        line = self.cells.column("line")
        columns = {name: pc.take(self.lines.column(name), line) for name in self.lines.column_names}
        columns.update({name: self.cells.column(name) for name in self.cells.column_names if name != "line"})
        return pa.table({name: columns[name] for name in [*LONG_COLUMNS, "number"]})

    def figures_per_line(self) -> np.ndarray:
        return np.bincount(self.cells.column("line").to_numpy(), minlength=self.lines.num_rows)

    @property  # type: ignore[override]
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            self._frame = long_to_frame(self.long)
        return self._frame

    @frame.setter
    def frame(self, value: pd.DataFrame | None) -> None:
        self._frame = value


def long_to_frame(long: pa.Table) -> pd.DataFrame:
    """An Arrow long table as the frame ``long_frame`` makes: ``value`` the float where there is a number,
    else the text."""
    text = {pa.string(): pd.StringDtype()}.get
    number = long.column("number").to_numpy()
    value = long.column("value").to_numpy(zero_copy_only=False)
    values = np.where(np.isnan(number), value, number.astype(object))
    frame = pd.DataFrame(
        {name: long.column(name).to_pandas(types_mapper=text) for name in LONG_COLUMNS if name != "value"}
    )
    frame.insert(LONG_COLUMNS.index("value"), "value", values)
    frame["row"] = frame["row"].astype("int64")
    return frame.loc[:, LONG_COLUMNS]


def numbers_or_text(raw: pd.Series, dialect: Dialect, *, percent_sign: bool = True) -> tuple[pd.Series, pd.Series]:
    """(values, missing): floats where the cell is a number, the raw text where it is not (so validation can
    name it), and a mask of cells that are simply missing ('..', ':', 'xxx', blank)."""
    text = raw.astype("string").fillna("").str.strip()
    missing = text.isin(MISSING_MARKERS)
    cleaned = text.str.rstrip("%").str.strip() if percent_sign else text
    numbers = to_number(cleaned, dialect)
    values = pd.Series(np.where(numbers.notna(), numbers.astype(object), text.astype(object)), index=raw.index)
    return values, missing


def long_frame(
    rows: pd.Series,
    entity_code: pd.Series,
    entity_label: pd.Series,
    period: pd.Series,
    values: pd.Series,
    note: pd.Series | str | None = None,
    series: pd.Series | str | None = None,
) -> pd.DataFrame:
    code = entity_code.astype("string").str.strip()
    label = entity_label.astype("string").str.strip()
    iso = to_iso3(code)
    iso = iso.fillna(to_iso3(label))

    def column(values: pd.Series | str | None) -> pd.Series:
        # text columns keep their Arrow-backed arrays (no round trip through Python objects)
        if isinstance(values, pd.Series):
            return values.reset_index(drop=True)
        return pd.Series(values, index=range(len(rows)), dtype="string")

    frame = pd.DataFrame(
        {
            "row": rows.to_numpy(),
            "entity_code": column(code),
            "entity_label": column(label),
            "entity": column(iso),
            "period": column(period.astype("string").str.strip()),
            "value": values.to_numpy(),
            "note": column(note),
            "series": column(series),
        }
    )
    frame["note"] = frame["note"].astype("string")
    frame["series"] = frame["series"].astype("string")
    return frame


def melt_years(table: pd.DataFrame, id_columns: list[str], year_columns: list[str]) -> pd.DataFrame:
    """Years as columns -> one row per (row, year); the year header becomes ``period``."""
    melted = table.melt(id_vars=["row", *id_columns], value_vars=year_columns, var_name="period", value_name="raw")
    return melted.sort_values(["row", "period"], kind="stable").reset_index(drop=True)
