"""Reference series: official statistics bundled under `data/reference/` (Serbia, the US and the neighbours),
loaded at first start through the same importer as uploads, so the papers' claims can be checked against them.

Each file is read by ``indicators.ingest`` exactly as an upload would be, mapped to its indicator, and written
as seed data (idempotent; a person's edit wins). Each series names its source with the vintage of the download.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from indicators.config import DATA_DIR, DEFAULT_MAX_UPLOAD_COLUMNS, DEFAULT_MAX_UPLOAD_ROWS
from indicators.ingest import Mapping, Options, read_upload, source_for_text
from indicators.ingest.mapping import to_rows
from indicators.models import Indicator, Source
from indicators.store import Store
from indicators.validate import validate_observations

REFERENCE_DIR = DATA_DIR / "reference"
# bundled files: the upload limits set by the operator do not apply, but sane bounds do
REFERENCE_LIMITS = {"max_mb": 50, "max_rows": DEFAULT_MAX_UPLOAD_ROWS, "max_columns": DEFAULT_MAX_UPLOAD_COLUMNS}


@dataclass(frozen=True)
class ReferenceSeries:
    file: str
    indicator: str
    source_text: str
    # what a reader needs to cite the series (the Sources page shows them): the publisher, the publisher's
    # page for the series, and the terms it is published under (data/reference/SOURCES.md has the detail)
    publisher: str
    url: str
    licence: str

    def source(self) -> Source:
        return source_for_text(self.source_text, "official").model_copy(
            update={
                "publisher": self.publisher,
                "url": self.url,
                "licence": self.licence,
                "note": f"Bundled official statistics (data/reference/{self.file}); where the copy comes from is "
                "recorded in data/reference/SOURCES.md.",
            }
        )


REFERENCE_SERIES = (
    ReferenceSeries(
        "sipri_military_share_gdp_owid.csv",
        "defense_share_gdp",
        "SIPRI Military Expenditure Database via Our World in Data, 2025 release",
        "Stockholm International Peace Research Institute (SIPRI), via Our World in Data",
        "https://ourworldindata.org/grapher/military-spending-as-a-share-of-gdp-sipri",
        "CC BY 4.0 (Our World in Data; data from SIPRI)",
    ),
    ReferenceSeries(
        "wdi_gdp_growth_2017-03-23.csv",
        "gdp_growth",
        "World Bank WDI, last updated 2017-03-23",
        "World Bank",
        "https://data.worldbank.org/indicator/NY.GDP.MKTP.KD.ZG",
        "CC BY 4.0",
    ),
    ReferenceSeries(
        "census_goods_trade_serbia.csv",
        "trade_volume",
        "US Census Bureau, U.S. trade in goods with Serbia (exports + imports), 2024 download",
        "US Census Bureau",
        "https://www.census.gov/foreign-trade/balance/c4801.html",
        "Public domain (a work of the US government)",
    ),
)


def reference_files(reference_dir: Path = REFERENCE_DIR) -> list[Path]:
    return [reference_dir / series.file for series in REFERENCE_SERIES]


def reference_rows(store: Store, reference_dir: Path = REFERENCE_DIR) -> tuple[pd.DataFrame, list[Source], list[str]]:
    """(validated rows, their sources, problems) for every reference file, read through the importer.
    The result depends only on the files and the indicators' rules, so it is computed once per process."""
    key = tuple((path.name, path.stat().st_mtime_ns, path.stat().st_size) for path in reference_files(reference_dir))
    indicators = tuple(sorted((i.id, i.model_dump_json()) for i in store.indicators()))
    rows, sources, problems = _reference_rows(str(reference_dir), key, indicators)
    return rows.copy(), list(sources), list(problems)


@lru_cache(maxsize=4)
def _reference_rows(reference_dir: str, files: tuple, indicators: tuple) -> tuple[pd.DataFrame, tuple, tuple]:
    indicator_map = {id_: Indicator.model_validate_json(text) for id_, text in indicators}
    frames, sources, problems = [], [], []
    for series in REFERENCE_SERIES:
        path = Path(reference_dir) / series.file
        parsed = read_upload(path.read_bytes(), path.name, Options(**REFERENCE_LIMITS))
        source = series.source()
        rows = to_rows(parsed, Mapping(indicator=series.indicator))
        rows["source"] = source.id
        validated = validate_observations(rows, indicator_map, {source.id})
        problems += [f"{series.file} line {p.row}, {p.column}: {p.reason}" for p in validated.problems.itertuples()]
        frames.append(validated.rows)
        sources.append(source)
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return rows, tuple(sources), tuple(problems)
