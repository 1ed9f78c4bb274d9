"""Correctness at scale (not speed: speed is measured by `python -m bench`).

An analyst imports a World Bank download for every country on top of the papers' figures: the Overview's
latest values must follow the same rule as with a few dozen figures, and a write must never be hidden by a
cached read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.bootstrap import prepare
from indicators.models import Indicator, Source
from indicators.store import Store
from indicators.validate import validate_observations

ENTITIES = [f"{a}{b}{c}" for a in "ABCDEFGHIJ" for b in "KLMNO" for c in "XYZW"]  # 200 three-letter codes
OFFICIAL = Source(id="wdi_test", title="World Development Indicators (generated)", kind="official", year=2024)
OTHER = Source(id="imf_test", title="World Economic Outlook (generated)", kind="official", year=2024)


def _generated_indicators() -> list[Indicator]:
    # every other indicator's usual entity is SRB, which has no figures: the latest then comes from any entity
    return [
        Indicator(
            id=f"gen_{n:02d}",
            name=f"Generated series {n:02d}",
            unit="percent",
            category=("economy", "security", "people", "politics")[n % 4],
            default_entity=ENTITIES[n] if n % 2 else "SRB",
        )
        for n in range(20)
    ]


def _figures(indicators: list[str], years: range, seed: int, source: str) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    grid = pd.MultiIndex.from_product([indicators, ENTITIES, [str(y) for y in years]]).to_frame(index=False)
    grid.columns = ["indicator", "entity", "period"]
    grid["value"] = rng.integers(0, 10_000, len(grid)) / 100
    grid["unit"] = "percent"
    grid["source"] = source
    return grid


def _write(store: Store, frame: pd.DataFrame, reason: str) -> None:
    validated = validate_observations(frame, store.indicator_map())
    assert validated.ok, validated.problems.head()
    store.write_observations(validated.rows, kind="upload", who="analyst", reason=reason)


def _expected_overview(store: Store) -> pd.DataFrame:
    """The Overview's rule, written plainly in pandas over every current figure."""
    figures = store.query_df(
        "SELECT id, indicator_id, entity, period, period_start, value, qualifier, source_id, quote, recorded_at "
        "FROM current_observation"
    )
    defaults = {i.id: i.default_entity for i in store.indicators()}
    kinds = dict(store.query_rows("SELECT id, kind FROM source"))
    figures["is_default"] = figures["entity"] == figures["indicator_id"].map(defaults)
    figures["is_claim"] = figures["quote"].notna() & figures["source_id"].map(kinds).isin(["paper", "cited"])
    ordered = figures.sort_values(
        ["indicator_id", "is_default", "period_start", "is_claim", "recorded_at", "id"],
        ascending=[True, False, False, True, False, False],
    )
    latest = ordered.groupby("indicator_id").head(1).set_index("indicator_id")
    counts = figures.groupby("indicator_id").agg(
        observations=("id", "size"), entity_count=("entity", "nunique"), source_count=("source_id", "nunique")
    )
    return latest.join(counts)


def test_overview_latest_values_match_a_plain_pandas_computation_with_200k_figures():
    store = prepare(Store())
    store.upsert_catalog([OFFICIAL, OTHER], _generated_indicators())
    generated = [f"gen_{n:02d}" for n in range(20)]
    # 20 indicators x 200 entities x 50 years = 200,000, then 9,600 from a second source, then corrections
    _write(store, _figures(generated, range(1970, 2020), seed=1, source="wdi_test"), "first download")
    _write(store, _figures(generated[:4], range(2008, 2020), seed=2, source="imf_test"), "second source")
    newer = _figures(generated, range(2019, 2021), seed=3, source="wdi_test")  # corrects 2019, adds 2020
    _write(store, newer, "revision")
    # an official figure for the same period as a paper's claim: the official statistic is the latest
    _write(
        store,
        pd.DataFrame(
            {"indicator": ["gdp_growth"], "entity": ["SRB"], "period": ["2024"], "value": ["3.9"], "source": "wdi_test"}
        ),
        "official GDP growth",
    )
    assert store.counts()["observations"] > 200_000

    overview = store.overview().set_index("indicator_id")
    expected = _expected_overview(store)

    assert set(overview.index) == {i.id for i in store.indicators()}
    with_figures = overview[overview["observations"] > 0]
    assert set(with_figures.index) == set(expected.index)
    for column in ("entity", "period", "value", "qualifier", "source_id", "observations", "entity_count"):
        got = with_figures[column].tolist()
        want = expected.loc[with_figures.index, column].tolist()
        assert got == want, column
    assert with_figures["latest_is_claim"].tolist() == expected.loc[with_figures.index, "is_claim"].tolist()
    assert (with_figures["source_count"] == expected.loc[with_figures.index, "source_count"]).all()
    assert overview.loc["gdp_growth", "value"] == 3.9 and not overview.loc["gdp_growth", "latest_is_claim"]
    assert overview.loc["gdp_growth", "claim_value"] == 3.8  # the paper's figure still shown beside it


def test_a_write_is_never_hidden_by_a_cached_read(app, store_path):
    at = app().run()
    assert not at.exception
    assert "### 3\\.8 % ★" in [m.value for m in at.markdown]  # the paper's GDP growth for 2024

    writer = Store(store_path, idle_release=0)
    token = writer.version_token()
    _write(
        writer,
        pd.DataFrame({"indicator": ["gdp_growth"], "entity": ["SRB"], "period": ["2025"], "value": ["4.6"]}).assign(
            source="pupin_2024"
        ),
        "newer figure",
    )
    assert writer.version_token() != token
    writer.close()

    at.run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert "### 4\\.6 %" in texts
    assert "### 3\\.8 % ★" not in texts
