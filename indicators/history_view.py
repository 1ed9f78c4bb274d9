"""The change log as people read it: on the History page and as CSV from `indicators history`."""

from __future__ import annotations

import pandas as pd

from indicators.csvformat import csv_text, neutralise_formulas
from indicators.models import Indicator
from indicators.units import format_value

HISTORY_CSV_COLUMNS = (
    "batch_id",
    "changed_at",
    "who",
    "kind",
    "action",
    "indicator",
    "entity",
    "period",
    "source",
    "old_value",
    "new_value",
    "old_qualifier",
    "new_qualifier",
    "reason",
    "undoes",
)


def history_csv(log: pd.DataFrame) -> bytes:
    """The change log (``Store.change_log``) as CSV: one row per figure per batch, with the batch id."""
    frame = log.rename(columns={"indicator_id": "indicator", "source_id": "source"}).copy()
    frame["changed_at"] = pd.to_datetime(frame["changed_at"]).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    frame["undoes"] = frame["undoes"].astype("Int64")
    frame = frame.reindex(columns=list(HISTORY_CSV_COLUMNS))
    return csv_text(neutralise_formulas(frame), float_format="%.15g").encode("utf-8")


EVENT_HISTORY_CSV_COLUMNS = (
    "batch_id",
    "changed_at",
    "who",
    "kind",
    "action",
    "event",
    "old_date",
    "new_date",
    "old_title",
    "new_title",
    "reason",
    "undoes",
)


def event_history_csv(log: pd.DataFrame) -> bytes:
    """The events' change log (``Store.event_changes``) as CSV: one row per event per batch, with the batch id."""
    frame = log.rename(columns={"event_id": "event"}).copy()
    frame["changed_at"] = pd.to_datetime(frame["changed_at"]).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    frame["undoes"] = frame["undoes"].astype("Int64")
    frame = frame.reindex(columns=list(EVENT_HISTORY_CSV_COLUMNS))
    return csv_text(neutralise_formulas(frame)).encode("utf-8")


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _old_to_new(old: object, new: object) -> str:
    old, new = _text(old), _text(new)
    return new if not old or old == new else old if not new else f"{old} → {new}"


def event_history_table(log: pd.DataFrame) -> pd.DataFrame:
    """What the History page shows of the events' changes: when, who, action, event, date, title, why, batch."""
    columns = ["when (UTC)", "who", "action", "event", "date", "title", "why", "batch", "kind"]
    rows = [
        {
            "when (UTC)": pd.Timestamp(row.changed_at).strftime("%Y-%m-%d %H:%M"),
            "who": row.who,
            "action": row.action,
            "event": row.event_id,
            "date": _old_to_new(row.old_date, row.new_date),
            "title": _old_to_new(row.old_title, row.new_title),
            "why": _text(row.reason),
            "batch": int(row.batch_id),
            "kind": row.kind + (f" of batch {int(row.undoes)}" if pd.notna(row.undoes) else ""),
        }
        for row in log.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=columns)


def _shown(value: object, qualifier: object, indicator: Indicator | None) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if indicator is None:
        return f"{value:g}"
    return format_value(
        float(value), indicator.unit, qualifier if isinstance(qualifier, str) else None, indicator.decimals
    )


def history_table(log: pd.DataFrame, indicators: dict[str, Indicator]) -> pd.DataFrame:
    """What the History page shows: when, who, what, old → new, why, and the batch."""
    rows = []
    for row in log.itertuples(index=False):
        indicator = indicators.get(row.indicator_id) if isinstance(row.indicator_id, str) else None
        if row.action in ("indicator", "source"):
            what = f"{row.action} {row.indicator_id if row.action == 'indicator' else row.source_id}"
        else:
            name = indicator.name if indicator else row.indicator_id
            what = f"{name} · {row.entity} · {row.period} · {row.source_id}"
        rows.append(
            {
                "when (UTC)": pd.Timestamp(row.changed_at).strftime("%Y-%m-%d %H:%M"),
                "who": row.who,
                "action": row.action,
                "what": what,
                "old": _shown(row.old_value, row.old_qualifier, indicator),
                "new": _shown(row.new_value, row.new_qualifier, indicator),
                "why": row.reason,
                "batch": int(row.batch_id),
                "kind": row.kind + (f" of batch {int(row.undoes)}" if pd.notna(row.undoes) else ""),
            }
        )
    columns = ["when (UTC)", "who", "action", "what", "old", "new", "why", "batch", "kind"]
    return pd.DataFrame(rows, columns=columns)


def batch_sizes(batches: pd.DataFrame) -> dict[int, int]:
    """batch id -> how many figures the whole batch added, changed and removed (``Store.batches``)."""
    totals = batches[["added", "changed", "removed"]].astype("Float64").fillna(0).sum(axis=1)
    return {int(batch): int(total) for batch, total in zip(batches["batch_id"], totals, strict=True)}


def hidden_changes(log: pd.DataFrame, batch_id: int, sizes: dict[int, int] | None = None) -> int:
    """How many of a batch's changes the filters leave out of ``log`` (an undo of the batch undoes them too)."""
    shown = int((log["batch_id"] == batch_id).sum())
    return max((sizes or {}).get(int(batch_id), 0) - shown, 0)


def both_logs(log: pd.DataFrame, event_log: pd.DataFrame) -> pd.DataFrame:
    """The figures' and the events' change logs as one, for the batch picker: batch, kind, who, when, why."""
    columns = ["batch_id", "kind", "who", "changed_at", "reason"]
    frames = [frame[columns] for frame in (log, event_log) if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    both = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return both.sort_values(["batch_id"], ascending=False, kind="stable")


def batch_choices(log: pd.DataFrame, sizes: dict[int, int] | None = None) -> dict[int, str]:
    """The batches in a change log, newest first, labelled for a picker: "Batch 12 · edit by ana · 2025-...".
    With ``sizes`` (``batch_sizes``), a batch the filters show only in part says so: "40 change(s), 3 shown"."""
    choices: dict[int, str] = {}
    for batch_id, rows in log.groupby("batch_id", sort=False):
        first = rows.iloc[0]
        when = pd.Timestamp(first["changed_at"]).strftime("%Y-%m-%d %H:%M")
        reason = first["reason"] if isinstance(first["reason"], str) else ""
        hidden = max((sizes or {}).get(int(batch_id), 0) - len(rows), 0)  # hidden_changes, from the group at hand
        count = f"{len(rows) + hidden} change(s)" + (f", {len(rows)} shown" if hidden else "")
        choices[int(batch_id)] = f"Batch {batch_id} · {first['kind']} by {first['who']} · {when} · {count}"
        if reason:
            choices[int(batch_id)] += f" · {reason[:60]}"
    return dict(sorted(choices.items(), reverse=True))


def batch_figures(log: pd.DataFrame, batch_id: int) -> dict[str, tuple[str, str, str, str]]:
    """The figures one batch changed, labelled: "gdp_growth SRB 2024 (pupin_2024)" -> key."""
    rows = log[(log["batch_id"] == batch_id) & log["entity"].notna()]
    keys = rows[["indicator_id", "entity", "period", "source_id"]].drop_duplicates().itertuples(index=False)
    return {f"{k[0]} {k[1]} {k[2]} ({k[3]})": tuple(k) for k in keys}
