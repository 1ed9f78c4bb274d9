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


# --- the Overview's summary (store/summary.py) follows every kind of write ---------------------------------


def _assert_overview_is_current(store: Store) -> None:
    """The Overview as read from its summary equals the Overview read from the figures, and the pandas rule."""
    from_summary = store.overview()
    assert store.refresh_overview_summary()  # it was read from the summary, not from the figures
    pd.testing.assert_frame_equal(from_summary, store._overview_from_figures())
    expected = _expected_overview(store)
    got = from_summary.set_index("indicator_id")
    got = got[got["observations"] > 0]
    assert set(got.index) == set(expected.index)
    for column in ("entity", "period", "value", "source_id", "observations", "source_count"):
        assert got[column].tolist() == expected.loc[got.index, column].tolist(), column
    ordered = ["indicator_id", "period_start", "period", "value"]
    lines = store.sparklines().sort_values(ordered, ignore_index=True)
    assert lines.equals(store._sparklines_from_figures().sort_values(ordered, ignore_index=True))


def test_the_overview_summary_follows_writes_edits_deletions_undo_restore_and_imports(tmp_path):
    from indicators.bulkload import import_csv
    from indicators.ingest import Options, commit_upload, plan_upload, read_upload
    from indicators.models import Observation
    from indicators.snapshot import apply_restore, build_snapshot, plan_restore, read_archive

    store = prepare(Store())
    store.upsert_catalog([OFFICIAL, OTHER], _generated_indicators()[:6])
    generated = [f"gen_{n:02d}" for n in range(6)]
    _write(store, _figures(generated, range(2000, 2010), seed=4, source="wdi_test"), "download")
    _assert_overview_is_current(store)
    snapshot = build_snapshot(store).data

    # an analyst corrects the newest figure of an indicator whose usual entity has figures, then deletes it
    newest = store.overview().set_index("indicator_id").loc["gen_01"]
    figure = Observation(
        indicator_id="gen_01", entity=newest["entity"], period="2009", value=12.5, source_id="wdi_test"
    )
    store.save_observation(figure, who="analyst", reason="typo")
    _assert_overview_is_current(store)
    assert store.overview().set_index("indicator_id").loc["gen_01", "value"] == 12.5
    deletion = store.delete_observation("gen_01", newest["entity"], "2009", "wdi_test", who="analyst", reason="wrong")
    _assert_overview_is_current(store)
    assert store.overview().set_index("indicator_id").loc["gen_01", "period"] == "2008"

    # undoing the deletion brings the corrected figure back
    store.undo_batch(deletion.batch_id, who="analyst", reason="it was right")
    _assert_overview_is_current(store)
    assert store.overview().set_index("indicator_id").loc["gen_01", "value"] == 12.5

    # a newer year through both import paths: the Upload page's pipeline and the bulk CSV loader
    newer = _figures(generated[:3], range(2010, 2012), seed=5, source="imf_test")
    parsed = read_upload(newer.to_csv(index=False).encode(), "newer.csv", Options())
    commit_upload(store, plan_upload(store, parsed), who="analyst", reason="newer years")
    _assert_overview_is_current(store)
    bulk = tmp_path / "bulk.csv"
    _figures(generated[3:], range(2010, 2013), seed=6, source="wdi_test").to_csv(bulk, index=False)
    import_csv(store, bulk, who="analyst", reason="bulk")
    _assert_overview_is_current(store)
    assert store.overview().set_index("indicator_id").loc["gen_05", "period"] == "2012"

    # the indicator's usual entity and a source's kind change without any new figure
    changed = _generated_indicators()[0].model_copy(update={"default_entity": ENTITIES[7]})
    store.upsert_catalog([OTHER.model_copy(update={"kind": "paper"})], [changed])
    _assert_overview_is_current(store)
    assert store.overview().set_index("indicator_id").loc["gen_00", "entity"] == ENTITIES[7]

    # restoring the first snapshot (replace) takes the store back to it
    apply_restore(store, plan_restore(store, read_archive(snapshot, name="s.zip"), "replace"), who="analyst")
    _assert_overview_is_current(store)
    assert store.overview().set_index("indicator_id").loc["gen_05", "period"] == "2009"


def test_a_read_only_dashboard_reads_the_figures_when_the_summary_is_behind(tmp_path):
    path = tmp_path / "store.duckdb"
    writer = prepare(Store(path, idle_release=0))
    writer.refresh_overview_summary()
    _write(
        writer,
        pd.DataFrame({"indicator": ["gdp_growth"], "entity": ["SRB"], "period": ["2026"], "value": ["5.1"]}).assign(
            source="pupin_2024"
        ),
        "newer figure",
    )
    writer.close()  # nobody has looked at the Overview since the write: its summary is one change behind

    reader = Store(path, read_only=True)
    assert not reader.refresh_overview_summary()
    overview = reader.overview().set_index("indicator_id")
    assert overview.loc["gdp_growth", "value"] == 5.1 and overview.loc["gdp_growth", "period"] == "2026"
    assert not reader.sparklines().empty
    reader.close()


def test_a_store_from_before_the_summary_gets_it_built_from_its_figures(tmp_path):
    path = tmp_path / "old.duckdb"
    store = prepare(Store(path, idle_release=0))
    before = store.overview()
    with store.transaction() as con:  # as an older release left it: no summary tables, schema 2
        for table in ("overview_group", "overview_spark", "overview_spark_state", "overview_indicator"):
            con.execute(f"DROP TABLE {table}")
        con.execute("DROP TABLE overview_summary_state")
        con.execute("DELETE FROM schema_migration WHERE name = '0003_overview_summary'")
    store.close()

    upgraded = Store(path, idle_release=0)
    assert "0003_overview_summary" in upgraded.migrate()
    assert upgraded._summary_is_current()
    pd.testing.assert_frame_equal(upgraded.overview(), before)
    upgraded.close()


def test_a_store_from_before_one_frequency_sparklines_redraws_them_when_it_is_opened(tmp_path):
    """A store whose Overview summary was drawn by an earlier release still held a sparkline running a year's
    total into a quarter's; opening it with this release redraws every line once, without waiting for a write."""
    path = tmp_path / "old.duckdb"
    store = prepare(Store(path, idle_release=0))
    fresh = store.sparklines().sort_values(["indicator_id", "period_start"], ignore_index=True)
    with store.transaction() as con:  # as the earlier release left it: a stray point, schema 4
        con.execute(
            "INSERT INTO overview_spark SELECT indicator_id, entity, source_id, '1900', DATE '1900-01-01', 1.0 "
            "FROM overview_spark LIMIT 1"
        )
        con.execute("DELETE FROM schema_migration WHERE name = '0005_sparkline_frequency'")
    assert len(store.sparklines()) == len(fresh) + 1
    store.close()

    upgraded = Store(path, idle_release=0)
    assert upgraded.migrate() == ["0005_sparkline_frequency"]
    redrawn = upgraded.sparklines().sort_values(["indicator_id", "period_start"], ignore_index=True)
    upgraded.close()
    pd.testing.assert_frame_equal(redrawn, fresh)
