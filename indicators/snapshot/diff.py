"""Compare two snapshots, or a snapshot with the live store: per figure, added, changed (old -> new), removed.

A figure is identified by indicator, entity, period and source (as in the store); it has changed when its
value, qualifier, quote or note differ. Comparing with the live store reads the store within the snapshot's
own filters, so a snapshot of one indicator is compared with that indicator only.
"""

from __future__ import annotations

import pandas as pd

from indicators.csvformat import csv_text, neutralise_formulas
from indicators.snapshot.archive import Archive
from indicators.snapshot.restore import snapshot_tables
from indicators.store import Store

KEY = ["indicator", "entity", "period", "source"]
COMPARED = ["value", "qualifier", "quote", "note"]
DIFF_COLUMNS = [*KEY, "status", "old_value", "new_value", "old_qualifier", "new_qualifier"]


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reindex(columns=[*KEY, *COMPARED]).copy()
    for column in [*KEY, "qualifier", "quote", "note"]:
        frame[column] = frame[column].astype("string")
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    return frame.drop_duplicates(KEY, keep="last")


def compare(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Rows of our CSV shape in, one row per difference out (``DIFF_COLUMNS``), sorted by figure."""
    merged = _normalised(old).merge(_normalised(new), on=KEY, how="outer", suffixes=("_old", "_new"), indicator="side")
    differs = pd.Series(False, index=merged.index)
    for column in COMPARED:
        a, b = merged[f"{column}_old"], merged[f"{column}_new"]
        differs |= ~((a == b).fillna(False).astype(bool) | (a.isna() & b.isna()))
    status = pd.Series(pd.NA, index=merged.index, dtype="string")
    status[merged["side"] == "right_only"] = "added"
    status[merged["side"] == "left_only"] = "removed"
    status[(merged["side"] == "both") & differs] = "changed"
    merged["status"] = status
    result = merged[merged["status"].notna()].rename(
        columns={
            "value_old": "old_value",
            "value_new": "new_value",
            "qualifier_old": "old_qualifier",
            "qualifier_new": "new_qualifier",
        }
    )
    return result.loc[:, DIFF_COLUMNS].sort_values(KEY, kind="stable").reset_index(drop=True)


def compare_archives(old: Archive, new: Archive | Store) -> pd.DataFrame:
    """A snapshot against another snapshot, or against the live store (within the snapshot's filters)."""
    before = snapshot_tables(old)
    if isinstance(new, Store):
        after = new.snapshot_observations(before.filters.scope())
    else:
        after = snapshot_tables(new).observations
    return compare(before.observations, after)


def diff_summary(differences: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: how many figures were added, changed and removed."""
    columns = ["added", "changed", "removed"]
    if differences.empty:
        return pd.DataFrame(columns=["indicator", *columns])
    table = pd.crosstab(differences["indicator"], differences["status"]).reindex(columns=columns, fill_value=0)
    return table.reset_index().rename_axis(None, axis=1)


def diff_csv(differences: pd.DataFrame) -> bytes:
    return csv_text(neutralise_formulas(differences), float_format="%.15g").encode("utf-8")
