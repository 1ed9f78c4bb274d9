"""The downloadable template: our CSV format with one example row per indicator (its latest figure)."""

from __future__ import annotations

import pandas as pd

from indicators.csvformat import observations_csv
from indicators.store import Store


def template_frame(store: Store) -> pd.DataFrame:
    overview = store.overview()
    has_value = overview["value"].notna()
    fallback = overview["indicator_id"].map({i.id: i.min_value or 0.0 for i in store.indicators()})
    return pd.DataFrame(
        {
            "indicator": overview["indicator_id"],
            "entity": overview["entity"].where(has_value, overview["default_entity"]),
            "period": overview["period"].where(has_value, "2024"),
            "value": overview["value"].where(has_value, fallback),
            "unit": overview["unit"],
            "qualifier": overview["qualifier"].where(has_value, "exactly"),
            "source": overview["source_id"].where(has_value, ""),
            "quote": "",
            "note": "example row: replace with your figure",
        }
    )


def template_csv(store: Store) -> bytes:
    return observations_csv(template_frame(store))
