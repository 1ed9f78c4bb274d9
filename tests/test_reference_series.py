"""The bundled official series, loaded through the importer, set beside the papers' claims."""

from __future__ import annotations

import pytest

from indicators import views
from indicators.seed import apply_seed, seed_checksum
from indicators.store import Store


def test_reference_series_are_loaded_with_official_sources_and_their_vintage(store: Store):
    sources = store.sources().set_index("id")
    official = sources[sources["kind"] == "official"]
    assert {"World Bank WDI, last updated 2017-03-23"} <= set(official["title"])
    table = store.observations_table(["trade_volume"])
    census = table[table["source"].isin(official.index) & (table["period"] == "2017")]
    assert census["value"].iloc[0] == pytest.approx(417.9e6, rel=1e-3)  # exports 125.5 + imports 292.5
    sipri = store.observations_table(["defense_share_gdp"], ["SRB"])
    assert sipri[sipri["period"] == "2024"]["value"].max() == pytest.approx(2.595, rel=1e-3)


def test_seeding_again_adds_nothing_and_keeps_a_persons_edit(store: Store):
    batches = store.query_value("SELECT count(*) FROM batch")
    assert apply_seed(store) is None  # same checksum: nothing to do
    result = apply_seed(store, force=True)
    assert result.written == 0
    assert store.query_value("SELECT count(*) FROM batch") == batches


def test_the_reference_files_are_part_of_the_seed_checksum(tmp_path):
    import shutil

    from indicators.config import DATA_DIR

    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy, ignore=shutil.ignore_patterns("*.duckdb*", "snapshots"))
    before = seed_checksum(copy)
    census = copy / "reference" / "census_goods_trade_serbia.csv"
    census.write_text(census.read_text().replace("61.95859999999999", "62.0"))
    assert seed_checksum(copy) != before


@pytest.mark.parametrize(
    ("claim", "qualifier", "official", "verdict"),
    [
        (2.0, "more than", 2.6, "confirms"),
        (2.0, "more than", 1.8, "falls short of"),
        (400e6, "more than", 417.9e6, "confirms"),
        (400e6, "about", 417.9e6, "confirms"),
        (400e6, "exactly", 417.9e6, "exceeds"),
        (3.8, "exactly", 2.5, "falls short of"),
        (10, "less than", 12, "exceeds"),
        # a bound is strict: "more than 60 countries" is not confirmed by 60, "less than 1 million" not by it
        (60, "more than", 60, "does not confirm"),
        (60, "at least", 60, "confirms"),
        (1e6, "less than", 1e6, "does not confirm"),
        # a figure stated to one decimal is confirmed by anything that rounds to it: the paper's "0.2 %" of US
        # tourists to Europe by 39,000 / 17.7 million = 0.22 %
        (0.2, "exactly", 0.22, "confirms"),
        (0.2, "exactly", 0.26, "exceeds"),
        (2.5, "exactly", 2.7, "exceeds"),
    ],
)
def test_claim_verdicts_read_the_qualifier(claim, qualifier, official, verdict):
    assert views.claim_verdict(claim, qualifier, official) == verdict


def test_overview_says_what_the_statistics_say_about_each_claim(store: Store):
    captions = views.claim_check_captions(store.claim_checks(), store.overview())
    assert captions["defense_share_gdp"].endswith("2024: 2.6 %, which confirms the paper's figure")
    assert "2017: USD 417.9 m, which confirms the paper's figure" in captions["trade_volume"]
    assert "none yet for 2024 to compare" in captions["gdp_growth"]


def test_overview_tiles_show_the_check(app):
    at = app(timeout=60).run()
    assert not at.exception
    captions = " ".join(caption.value for caption in at.caption).replace("\\", "")
    assert "Official statistics: SIPRI Military Expenditure Database" in captions
    assert "which confirms the paper's figure" in captions
