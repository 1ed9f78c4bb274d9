"""Numbers an analyst asks of a series: how it moved around an event, how two countries' reports of the
same flow differ, and whether the latest figure is overdue. Pure functions on frames; no store, no Streamlit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from indicators.periods import parse_period

MONTHS_IN = {"A": 12, "S": 6, "Q": 3, "M": 1, "D": 0}

MIRROR_EXPLANATION = (
    "Mirror statistics rarely agree: importers usually value goods CIF (with cost, insurance and freight) and "
    "exporters FOB (free on board); goods in transit are counted in different months or years; re-exports "
    "through third countries are attributed to different partners; and each side may revise later."
)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return dt.date(year, month, min(day.day, last[month - 1]))


def period_end(period: str) -> dt.date:
    """The first day after a period: 2019 -> 2020-01-01, 2019-Q3 -> 2019-10-01, 2019-07-15 -> 2019-07-16."""
    parsed = parse_period(period)
    if parsed.frequency == "D":
        return parsed.start + dt.timedelta(days=1)
    return add_months(parsed.start, MONTHS_IN[parsed.frequency])


def within_periods(series: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """The figures of a range of periods: from the first day of ``start`` to the last day of ``end``, so a
    range that ends on 2023 holds 2023's quarters and months too (as a link's ``to=2023`` does)."""
    starts = series["period"].map(lambda text: parse_period(text).start)
    return series[(starts >= parse_period(start).start) & (starts < period_end(end))]


# --- events ----------------------------------------------------------------------------------------

EVENT_WINDOW_COLUMNS = [
    "entity",
    "entity_name",
    "source_id",
    "source_title",
    "before_period",
    "before_value",
    "after_period",
    "after_value",
    "change",
    "change_percent",
]


def event_window(series: pd.DataFrame, event_date: str, years_before: int = 3, years_after: int = 3) -> pd.DataFrame:
    """For each line of a chart (entity and source), the indicator just before an event and at the end of a
    window after it, and the change between the two.

    A figure is *before* the event when its whole period ends on or before the event's first day, and *after*
    when its period starts on or after the event's first day; a period that contains the event (the year 1999
    for an event of March 1999) is neither. "Before" is the latest figure within ``years_before`` years of the
    event; "after" the latest within ``years_after`` years. Lines without both are left out.
    """
    event = parse_period(event_date)
    window_start = add_months(event.start, -12 * years_before)
    window_end = add_months(event.start, 12 * years_after)
    rows = []
    if series.empty:
        return pd.DataFrame(columns=EVENT_WINDOW_COLUMNS)
    frame = series.assign(
        _start=[parse_period(p).start for p in series["period"]],
        _end=[period_end(p) for p in series["period"]],
    )
    for (entity, source_id), group in frame.groupby(["entity", "source_id"], sort=True):
        before = group[(group["_end"] <= event.start) & (group["_end"] > window_start)]
        after = group[(group["_start"] >= event.start) & (group["_start"] < window_end)]
        if before.empty or after.empty:
            continue
        first = before.sort_values("_start").iloc[-1]
        last = after.sort_values("_start").iloc[-1]
        change = float(last["value"]) - float(first["value"])
        rows.append(
            {
                "entity": entity,
                "entity_name": first.get("entity_name", entity),
                "source_id": source_id,
                "source_title": first.get("source_title", source_id),
                "before_period": first["period"],
                "before_value": float(first["value"]),
                "after_period": last["period"],
                "after_value": float(last["value"]),
                "change": change,
                "change_percent": (change / abs(float(first["value"])) * 100) if float(first["value"]) else None,
            }
        )
    return pd.DataFrame(rows, columns=EVENT_WINDOW_COLUMNS)


def events_in_range(events: pd.DataFrame, start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
    """Events whose first day falls within [start, end) (either bound may be None)."""
    if events.empty:
        return events
    days = pd.to_datetime(events["date_start"]).dt.date
    keep = pd.Series(True, index=events.index)
    if start is not None:
        keep &= days >= start
    if end is not None:
        keep &= days < end
    return events[keep]


# --- mirror statistics -------------------------------------------------------------------------------

MIRROR_COLUMNS = ["period", "period_start", "value_a", "source_a", "value_b", "source_b", "gap", "gap_percent"]


def _one_per_period(side: pd.DataFrame) -> pd.DataFrame:
    """One figure per period: official statistics before papers, then the most recently recorded."""
    if side.empty:
        return side
    rank = side.get("source_kind", pd.Series("", index=side.index)).map({"official": 0, "user": 1}).fillna(2)
    recorded = side["recorded_at"] if "recorded_at" in side else pd.Series(0, index=side.index)
    ordered = side.assign(_rank=rank, _recorded=recorded).sort_values(
        ["period", "_rank", "_recorded"], ascending=[True, True, False]
    )
    return ordered.drop_duplicates("period")


def mirror_gap(side_a: pd.DataFrame, side_b: pd.DataFrame) -> pd.DataFrame:
    """The same flow as two reporters give it, period by period where both report: each side's value and
    source, the gap (a - b) and the gap as a percentage of side b. Periods are matched exactly as written."""
    a, b = _one_per_period(side_a), _one_per_period(side_b)
    if a.empty or b.empty:
        return pd.DataFrame(columns=MIRROR_COLUMNS)
    merged = a[["period", "value", "source_id"]].merge(
        b[["period", "value", "source_id"]], on="period", suffixes=("_a", "_b")
    )
    if merged.empty:
        return pd.DataFrame(columns=MIRROR_COLUMNS)
    merged["period_start"] = [parse_period(p).start for p in merged["period"]]
    merged["gap"] = merged["value_a"] - merged["value_b"]
    merged["gap_percent"] = (merged["gap"] / merged["value_b"].abs() * 100).where(merged["value_b"] != 0)
    merged = merged.rename(columns={"source_id_a": "source_a", "source_id_b": "source_b"})
    return merged.sort_values("period_start").reset_index(drop=True)[MIRROR_COLUMNS]


# --- freshness ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Freshness:
    latest_period: str | None
    expected_by: dt.date | None  # when a newer figure was due
    overdue: bool

    def message(self) -> str | None:
        if not self.overdue or self.latest_period is None or self.expected_by is None:
            return None
        return (
            f"The latest figure is for {self.latest_period}; with this indicator's release cycle a newer one "
            f"was expected by {self.expected_by:%B %Y}. Check the source for a newer release."
        )


def freshness(periods: pd.Series, release_cycle_months: int | None, today: dt.date) -> Freshness:
    """Is the newest period overdue? A newer figure is due ``release_cycle_months`` after the newest period
    ends; with no cycle set, nothing is ever overdue."""
    if periods.empty:
        return Freshness(None, None, False)
    latest = max(periods, key=lambda text: parse_period(text).start)
    if not release_cycle_months:
        return Freshness(latest, None, False)
    due = add_months(period_end(latest), release_cycle_months)
    return Freshness(latest, due, today > due)
