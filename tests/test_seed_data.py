"""The papers' figures under data/: complete, in base units, and quoted word for word."""

import re

import pandas as pd
import pytest

from indicators.config import DATA_DIR
from indicators.seed import load_seed
from tests.conftest import SEEDS

REQUIRED_IDS = {
    "trade_volume",
    "us_investment_stock",
    "gdp_growth",
    "defense_share_gdp",
    "us_tourist_arrivals",
    "approval_us_president",
}


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_figure_validates_and_the_required_indicators_are_there():
    seed = load_seed()
    assert len(seed.figures) >= 18
    assert set(seed.figures["indicator_id"]) >= REQUIRED_IDS
    assert all(seed.figures["quote"].notna())


def test_values_are_in_base_units():
    figures = pd.read_csv(DATA_DIR / "figures.csv", dtype=str, keep_default_na=False)
    values = {row.indicator: float(row.value) for row in figures.itertuples()}
    assert values["trade_volume"] == 400_000_000  # "just over $ 400 million"
    assert values["us_investment_stock"] == 1_700_000_000  # "about US $ 1.7 billion"
    assert values["us_tourist_arrivals"] == 39_000  # "39.000" with a European thousands separator
    assert values["gdp_growth"] == 3.8  # percent as 0-100
    qualifiers = {row.indicator: row.qualifier for row in figures.itertuples()}
    assert qualifiers["trade_volume"] == "more than"
    assert qualifiers["us_investment_stock"] == "about"
    assert qualifiers["defense_share_gdp"] == "more than"


def test_every_figure_names_a_known_source_and_every_cited_source_its_paper():
    seed = load_seed()
    source_ids = {source.id for source in seed.sources}
    assert set(seed.figures["source_id"]) <= source_ids
    papers = {source.id for source in seed.sources if source.kind == "paper"}
    assert {"pupin_2024", "five_areas_2019"} == papers
    assert all(source.cited_in in papers for source in seed.sources if source.kind == "cited")


@pytest.mark.skipif(not SEEDS.exists(), reason="the papers are not in this clone (../shared/seeds is absent)")
def test_every_quote_is_found_word_for_word_in_a_paper():
    papers = [_normalise(path.read_text(encoding="utf-8")) for path in sorted(SEEDS.glob("*.txt"))]
    assert len(papers) == 2
    figures = pd.read_csv(DATA_DIR / "figures.csv", dtype=str, keep_default_na=False)
    missing = [row.indicator for row in figures.itertuples() if not any(_normalise(row.quote) in p for p in papers)]
    assert missing == []
