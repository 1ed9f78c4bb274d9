"""A big file in our CSV format is streamed in chunks, yet lands as one batch, all of it or none of it."""

from __future__ import annotations

import pytest

from indicators.bulkload import ImportRefused, import_csv

HEADER = "indicator,entity,period,value,unit,qualifier,source,quote,note\n"


def _file(tmp_path, lines: list[str]):
    path = tmp_path / "figures.csv"
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _years(first: int, last: int, value: float = 3.0) -> list[str]:
    return [f"gdp_growth,SRB,{year},{value + year % 7},percent,,five_areas_2019,," for year in range(first, last)]


def test_a_file_read_in_small_chunks_is_written_as_one_batch(store, tmp_path):
    path = _file(tmp_path, _years(1990, 2020))
    seen: list[int] = []
    result = import_csv(store, path, who="analyst", reason="download", chunk_rows=7, progress=seen.append)
    assert result.rows == 30 and result.write.added == 30
    assert seen == [7, 14, 21, 28, 30]  # progress after every chunk
    assert store.query_value("SELECT count(*) FROM batch WHERE id = ?", [result.write.batch_id]) == 1
    again = import_csv(store, path, who="analyst", reason="same file again", chunk_rows=7)
    assert again.write.unchanged == 30 and again.write.batch_id is None


def test_a_bad_row_in_a_later_chunk_writes_nothing_and_names_the_row(store, tmp_path):
    lines = _years(1990, 2010)
    lines[15] = "gdp_growth,SRB,2005,lots,percent,,five_areas_2019,,"
    before = store.counts()
    with pytest.raises(ImportRefused) as refused:
        import_csv(store, _file(tmp_path, lines), who="analyst", reason="download", chunk_rows=4)
    problems = refused.value.problems
    assert problems[["row", "column", "value"]].values.tolist() == [[17, "value", "lots"]]
    assert store.counts() == before


def test_the_same_figure_twice_with_different_values_in_different_chunks_is_refused(store, tmp_path):
    lines = [*_years(1990, 1995), "gdp_growth,SRB,1991,9.9,percent,,five_areas_2019,,"]
    before = store.counts()
    with pytest.raises(ValueError, match="more than once with different values"):
        import_csv(store, _file(tmp_path, lines), who="analyst", reason="download", chunk_rows=3)
    assert store.counts() == before
