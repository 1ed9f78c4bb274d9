"""The downloadable template: our CSV format with one example row per indicator (its latest figure)."""

from __future__ import annotations

import pandas as pd

from indicators.csvformat import observations_csv
from indicators.store import Store
from indicators.units import format_value


def template_frame(store: Store) -> pd.DataFrame:
    """One row per indicator with the value left blank: the latest figure is shown in the note as the example.
    (With the latest figure's own value, a template uploaded as it came, or with rows added below, replaced
    each latest figure's quote and note with the example's, and stored made-up zeros where none existed.)"""
    overview = store.overview()
    has_value = overview["value"].notna()
    shown = [
        f"example: {value:.15g} ({format_value(value, unit, qualifier, int(decimals))}, the latest we hold); "
        "write your figure in value, in base units"
        if pd.notna(value)
        else "write your figure in value, in base units (USD, not USD millions; percent as 0-100)"
        for value, unit, qualifier, decimals in zip(
            overview["value"], overview["unit"], overview["qualifier"], overview["decimals"], strict=True
        )
    ]
    return pd.DataFrame(
        {
            "indicator": overview["indicator_id"],
            "entity": overview["entity"].where(has_value, overview["default_entity"]),
            "period": overview["period"].where(has_value, "2024"),
            "value": float("nan"),
            "unit": overview["unit"],
            "qualifier": overview["qualifier"].where(has_value, "exactly"),
            "source": overview["source_id"].where(has_value, ""),
            "quote": "",
            "note": shown,
        }
    )


def template_csv(store: Store) -> bytes:
    return observations_csv(template_frame(store))
