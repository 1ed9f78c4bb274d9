"""Tables of the analysis layer for people: the numbers of ``indicators.analysis`` formatted in the
indicator's unit. No Streamlit here."""

from __future__ import annotations

import pandas as pd

from indicators.models import Indicator
from indicators.units import format_change, format_value


def _value(value: float, indicator: Indicator) -> str:
    return format_value(value, indicator.unit, "exactly", indicator.decimals)


def _signed(value: float, indicator: Indicator) -> str:
    return format_change(value, indicator.unit, indicator.decimals)


def _with_period(values: pd.Series, periods: pd.Series, indicator: Indicator) -> list[str]:
    return [f"{_value(v, indicator)} ({p})" for v, p in zip(values, periods, strict=True)]


def _percent(value: object) -> str:
    """A relative change, signed with the same minus sign as the Change column beside it ('−72.0 %')."""
    if value is None or value != value:
        return "–"
    return f"{value:+.1f} %".replace("-", "−")


def event_window_table(window: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Entity": window["entity_name"],
            "Source": window["source_title"],
            "Before": _with_period(window["before_value"], window["before_period"], indicator),
            "After": _with_period(window["after_value"], window["after_period"], indicator),
            "Change": [_signed(c, indicator) for c in window["change"]],
            "Change %": [_percent(value) for value in window["change_percent"]],
        }
    )


def mirror_table(gap: pd.DataFrame, indicator: Indicator, label_a: str, label_b: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Period": gap["period"],
            label_a: [_value(v, indicator) for v in gap["value_a"]],
            label_b: [_value(v, indicator) for v in gap["value_b"]],
            "Gap (a − b)": [_signed(g, indicator) for g in gap["gap"]],
            "Gap % of b": [_percent(value) for value in gap["gap_percent"]],
        }
    )


def with_versions(table: pd.DataFrame, series: pd.DataFrame, revised: pd.DataFrame) -> pd.DataFrame:
    """The figures table with a "Revised" column: how many versions a corrected figure has had."""
    if series.empty:
        return table.assign(Revised=pd.Series(dtype="string"))
    keys = series[["entity", "period", "source_id"]].reset_index(drop=True)
    versions = keys.merge(revised, on=["entity", "period", "source_id"], how="left")["versions"]
    marks = ["✎ " + str(int(v)) + " versions" if v == v and v is not None else "" for v in versions]
    return table.reset_index(drop=True).assign(Revised=marks)
