"""A big World Bank file (a WDI download, a DataBank export) takes the fast road: Arrow reads it, DuckDB
unpivots the years, country codes and odd cells are judged once per distinct value. That road gives exactly
what the careful one (pandas read, melt, numbers, ISO3) gives: the same long table, the same staged text,
the same stored figures, and a bad cell still named by its line, column (its year) and value."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from indicators.bootstrap import prepare
from indicators.ingest import Mapping, commit_upload, plan_upload, read_upload, reader, widecsv
from indicators.ingest.mapping import to_raw, to_rows
from indicators.ingest.shapes import ArrowForeign
from indicators.staged import raw_table
from indicators.store import Store

CORPUS = Path(__file__).resolve().parent / "data" / "ingest"
WORLD_BANK = ["wdi_gdp_growth_2017.csv", "wdi_military_2018.csv", "wdi_rehosted_gdp_growth.csv", "databank_export.csv"]
SERIES = {"NY.GDP.MKTP.KD.ZG": "GDP growth (annual %)", "MS.MIL.XPND.GD.ZS": "Military expenditure (% of GDP)"}
COUNTRIES = [("Serbia", "SRB"), ("United States", "USA"), ("Croatia", "HRV"), ("Bosnia and Herzegovina", "BIH"),
             ("Kosovo", "XKX"), ("World", "WLD"), ("European Union", "EUU"), ("Narnia", "")]  # fmt: skip
YEARS = list(range(2000, 2012))


def _cell(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.1:
        return rng.choice(["", "..", " "])
    if pick < 0.15:
        return rng.choice(["3.51%", " 2.5 ", "1e1", "+4", "007.10", "-0.0"])  # not plain: judged one by one
    return f"{rng.uniform(0, 12):.{rng.randint(0, 6)}f}"


def _wdi_text(seed: int = 1, bad: dict[tuple[int, int], str] | None = None) -> str:
    """A WDI download with two series; ``bad`` puts a cell at (record index, year index)."""
    rng = random.Random(seed)
    lines = ['"Data Source","World Development Indicators",', "", '"Last Updated Date","2024-12-16",', ""]
    lines.append(
        '"Country Name","Country Code","Indicator Name","Indicator Code",' + ",".join(f'"{y}"' for y in YEARS) + ","
    )
    index = 0
    for code, name in SERIES.items():
        for country, iso in COUNTRIES:
            cells = [_cell(rng) for _ in YEARS]
            for (record, year), text in (bad or {}).items():
                if record == index:
                    cells[year] = text
            lines.append(f'"{country}","{iso}","{name}","{code}",' + ",".join(f'"{c}"' for c in cells) + ",")
            index += 1
    return "\n".join(lines) + "\n"


def _databank_text(seed: int = 2) -> str:
    rng = random.Random(seed)
    header = ['"Country Name","Country Code","Series Name","Series Code",' + ",".join(f'"{y} [YR{y}]"' for y in YEARS)]
    rows = [
        f'"{country}","{iso}","{name}","{code}",' + ",".join(f'"{_cell(rng) or ".."}"' for _ in YEARS)
        for code, name in SERIES.items()
        for country, iso in COUNTRIES
    ]
    footer = ["", "", '"Data from database: World Development Indicators",' + "," * (len(YEARS) + 2),
              '"Last Updated: 12/16/2024",' + "," * (len(YEARS) + 2)]  # fmt: skip
    return "\n".join(header + rows + footer) + "\n"


def _both(data: bytes, name: str, monkeypatch):
    """(the fast road's reading, the careful road's) of the same bytes."""
    monkeypatch.setattr(widecsv, "MIN_ROWS", 0)  # every file is "big" now
    fast = read_upload(data, name)
    with monkeypatch.context() as patched:
        patched.setattr(reader, "read_wide", lambda *args: None)
        careful = read_upload(data, name)
    return fast, careful


MAPPINGS = [
    lambda series: Mapping(series_indicators={s: f"x_{i}" for i, s in enumerate(series)}),
    lambda series: Mapping(indicator="gdp_growth", series=series[0] if len(series) > 1 else None),
    lambda series: Mapping(
        indicator="gdp_growth",
        series=series[-1] if len(series) > 1 else None,
        entities=["SRB", "USA"],
        years=(2001, 2009),
        scale=1e3,
        pair_with="USA",
    ),
]


def _files() -> list[tuple[str, bytes]]:
    files = [(name, (CORPUS / name).read_bytes()) for name in WORLD_BANK]
    return [*files, ("API_generated.csv", _wdi_text().encode()), ("databank_generated.csv", _databank_text().encode())]


@pytest.mark.parametrize("name,data", _files(), ids=[name for name, _ in _files()])
def test_the_fast_road_reads_a_world_bank_file_exactly_as_the_careful_one(name, data, monkeypatch):
    fast, careful = _both(data, name, monkeypatch)
    assert isinstance(fast.foreign, ArrowForeign)
    assert (fast.format, fast.dialect, fast.columns, fast.source_text, fast.foreign.indicator_hint) == (
        careful.format, careful.dialect, careful.columns, careful.source_text, careful.foreign.indicator_hint,
    )  # fmt: skip
    pd.testing.assert_frame_equal(fast.foreign.frame, careful.foreign.frame, check_dtype=False)
    assert fast.series_choices() == careful.series_choices()
    pd.testing.assert_frame_equal(fast.entity_choices(), careful.entity_choices(), check_dtype=False)
    assert fast.rows == careful.rows
    for mapping in MAPPINGS:
        chosen = mapping(careful.series_choices())
        assert to_raw(fast, chosen).equals(raw_table(to_rows(careful, chosen)))


def _stored(store: Store) -> pd.DataFrame:
    return store.query_df(
        "SELECT indicator_id, entity, period, value, source_id FROM current_observation ORDER BY ALL"
    ).reset_index(drop=True)


@pytest.mark.parametrize("make,name", [(_wdi_text, "API_two_series.csv"), (_databank_text, "databank.csv")])
def test_a_multi_series_file_stores_the_same_figures_either_way(make, name, monkeypatch):
    fast, careful = _both(make().encode(), name, monkeypatch)
    chosen = {"NY.GDP.MKTP.KD.ZG": "gdp_growth", "MS.MIL.XPND.GD.ZS": "defense_share_gdp"}
    stores = []
    for parsed in (fast, careful):
        store = prepare(Store())
        plan = plan_upload(store, parsed, Mapping(series_indicators=chosen))
        assert plan.validated.ok, plan.problems
        result = commit_upload(store, plan, who="analyst")
        assert store.query_value("SELECT count(*) FROM batch WHERE id = ?", [result.batch_id]) == 1
        stores.append(store)
    assert result.written > 100
    pd.testing.assert_frame_equal(_stored(stores[0]), _stored(stores[1]))


def test_a_bad_cell_in_a_big_world_bank_file_is_named_by_line_column_and_value(monkeypatch):
    # record 0 is on line 6 (four preamble lines and the header); 2003 is the fourth year
    text = _wdi_text(bad={(0, 3): "12abc", (9, 0): "250"})
    fast, careful = _both(text.encode(), "API_bad.csv", monkeypatch)
    chosen = {"NY.GDP.MKTP.KD.ZG": "gdp_growth", "MS.MIL.XPND.GD.ZS": "defense_share_gdp"}
    store = prepare(Store())
    fast_plan = plan_upload(store, fast, Mapping(series_indicators=chosen))
    careful_plan = plan_upload(store, careful, Mapping(series_indicators=chosen))
    pd.testing.assert_frame_equal(fast_plan.problems, careful_plan.problems, check_dtype=False)
    problems = fast_plan.problems.set_index("line")
    assert problems.loc[6, "value"] == "12abc" and problems.loc[6, "reason"] == "not a number"
    assert problems.loc[6, "column"] == "2003", "the file's own column: the year, not our 'value'"
    assert problems.loc[15, "value"] == "250" and "largest valid value" in problems.loc[15, "reason"]
    assert problems.loc[15, "column"] == "2000"
    with pytest.raises(Exception, match="invalid; nothing was written"):
        commit_upload(store, fast_plan, who="analyst")


def test_a_world_bank_download_of_serbia_alone_finds_its_header_below_the_preamble(store):
    """An analyst downloads GDP growth for Serbia only: two preamble pairs, the header, one country's line.
    As many preamble lines as table lines must not make the preamble pair the table's header."""
    lines = (CORPUS / "wdi_gdp_growth_2017.csv").read_text(encoding="utf-8-sig").splitlines()
    serbia = [line for line in lines if line.startswith('"Serbia"')]
    data = ("\n".join(lines[:5] + serbia) + "\n").encode()
    parsed = read_upload(data, "API_NY.GDP.MKTP.KD.ZG_SRB.csv")
    assert parsed.format == "wdi" and parsed.dialect.header_row == 4  # records, the blank lines counted
    plan = plan_upload(store, parsed, Mapping(indicator="gdp_growth", source_text="World Bank WDI, 2017-03-23"))
    assert plan.validated.ok and set(plan.validated.rows["entity"]) == {"SRB"}
    assert {"1996", "2015"} <= set(plan.validated.rows["period"])  # the years Serbia has figures for
