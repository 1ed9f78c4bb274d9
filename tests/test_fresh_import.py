"""A file of figures the store has never held (a new source, a new series) is written straight from its
text, without comparing each row with the store: the store must end up exactly as the comparing write
leaves it, and the comparing write must still run whenever the store holds a figure the file may touch."""

from __future__ import annotations

import pandas as pd
import pytest

from indicators.bootstrap import prepare
from indicators.ingest import Mapping, Options, arrowcsv, commit_upload, plan_upload, read_upload
from indicators.models import Source
from indicators.store import Store

HEADER = "indicator,entity,period,value,unit,qualifier,source,quote,note"
LINES = [
    "gdp_growth,SRB,2019,4.3,percent,,analyst_2024,,",
    'gdp_growth,srb,2020,-0.9,,about,analyst_2024,"a quote, with a comma",',
    "gdp_growth,USA,2019-Q3,2.5,,,analyst_2024,,a note",
    "gdp_growth,USA,2019-13,1.0,,,analyst_2024,,",  # invalid: skipped with skip_invalid
    "gdp_growth,SRB,2019,4.3,percent,,analyst_2024,,",  # the same figure again, same value: counted once
    "gdp_growth,SRB,2021-02-28,7.7,,,analyst_2024,,",
]
STORED = ["indicator_id", "entity", "period", "period_start", "value", "qualifier", "source_id", "quote", "note",
          "recorded_by", "superseded_at"]  # fmt: skip


def _store() -> Store:
    store = prepare(Store())
    store.save_source(Source(id="analyst_2024", title="An analyst's sheet", kind="user"), who="t", reason="t")
    return store


def _import(store: Store, lines: list[str], **options) -> object:
    data = ("\n".join([HEADER, *lines]) + "\n").encode()
    plan = plan_upload(store, read_upload(data, "figures.csv", Options()), Mapping(**options))
    return commit_upload(store, plan, who="analyst", skip_invalid=True)


def _batch(store: Store, batch_id: int) -> pd.DataFrame:
    return store.query_df(
        f"SELECT {', '.join(STORED)} FROM observation WHERE batch_id = ? ORDER BY indicator_id, entity, period",
        [batch_id],
    )


@pytest.fixture
def spied(monkeypatch):
    """Counts the writes that skipped the comparison."""
    calls = []
    original = Store._insert_all_new

    def spy(self, con, staged, **kwargs):
        calls.append(staged)
        return original(self, con, staged, **kwargs)

    monkeypatch.setattr(Store, "_insert_all_new", spy)
    return calls


@pytest.mark.parametrize("big", [False, True], ids=["small file", "read by arrow"])
def test_new_figures_written_straight_in_are_stored_as_the_comparing_write_stores_them(big, spied, monkeypatch):
    if big:
        monkeypatch.setattr(arrowcsv, "MIN_ROWS", 2)
    straight, compared = _store(), _store()
    before = straight.query_value("SELECT max(id) FROM observation")
    fresh = _import(straight, LINES)
    assert len(spied) == 1
    monkeypatch.setattr(Store, "_all_new", lambda self, con, staged: False)
    careful = _import(compared, LINES)
    assert len(spied) == 1  # the comparing write this time
    assert (fresh.added, fresh.changed, fresh.unchanged) == (careful.added, careful.changed, careful.unchanged) == (
        4, 0, 0)  # fmt: skip
    pd.testing.assert_frame_equal(_batch(straight, fresh.batch_id), _batch(compared, careful.batch_id))
    ids = straight.query_df("SELECT id FROM observation WHERE batch_id = ?", [fresh.batch_id])["id"]
    assert ids.is_unique and ids.min() > before
    assert straight.query_value("SELECT count(*) FROM observation") == straight.query_value(
        "SELECT count(DISTINCT id) FROM observation"
    )
    batch = straight.query_df("SELECT added, changed, kind FROM batch WHERE id = ?", [fresh.batch_id])
    assert batch.values.tolist() == [[4, 0, "upload"]]
    log = straight.query_df("SELECT action, count(*) AS n FROM change_log WHERE batch_id = ? GROUP BY ALL",
                            [fresh.batch_id])  # fmt: skip
    assert log.values.tolist() == [["add", 4]]


def test_a_second_import_of_the_same_figures_is_compared_with_the_store(spied):
    store = _store()
    _import(store, LINES)
    changed = [line.replace("4.3", "4.4") for line in LINES]
    again = _import(store, changed)
    assert len(spied) == 1  # only the first import skipped the comparison
    assert (again.added, again.changed, again.unchanged) == (0, 1, 3)


def test_a_source_s_figures_of_another_indicator_do_not_make_a_file_new(spied):
    """Figures of the file's indicators under another source, or of its source under another indicator,
    leave every row new; the store's own gdp_growth figures (seed sources) do not count."""
    store = _store()
    other = [line.replace("gdp_growth", "eu_share_exports", 1) for line in LINES[:1]]
    _import(store, other)
    result = _import(store, LINES)
    assert len(spied) == 2 and result.added == 4


def test_a_wide_file_whose_cells_share_a_line_is_compared(store, spied):
    lines = [
        '"Data Source","World Development Indicators",',
        "",
        '"Last Updated Date","2024-12-16",',
        "",
        '"Country Name","Country Code","Indicator Name","Indicator Code","2019","2020","2021",',
        '"Serbia","SRB","GDP growth (annual %)","NY.GDP.MKTP.KD.ZG","4.3","-0.9","7.7",',
    ]
    data = ("\n".join(lines) + "\n").encode()
    parsed = read_upload(data, "API_gdp.csv")
    plan = plan_upload(store, parsed, Mapping(indicator="gdp_growth", source_text="World Bank WDI, a new vintage"))
    result = commit_upload(store, plan, who="analyst")
    assert not spied  # one line's three cells share its number: the ids come from the comparing write
    assert result.added == 3
