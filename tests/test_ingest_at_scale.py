"""Big files take the fast roads (Arrow reads our format, DuckDB checks and writes), and those roads give
exactly what the careful ones give: the same rows, the same problems with the same words, one batch."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from indicators.bulkload import import_csv
from indicators.cli import main
from indicators.cli.progress import BIG_FILE_BYTES, Progress
from indicators.ingest import Mapping, Options, arrowcsv, commit_upload, plan_upload, read_upload
from indicators.staged import StagedValidated, raw_table, stage
from indicators.validate import validate_observations

CORPUS = Path(__file__).resolve().parent / "data" / "ingest"
NATIVE = [
    *sorted(p.name for p in CORPUS.glob("native_*")),
    "bad_qualifier.csv",
    "impossible_period.csv",
    "nan_and_infinity.csv",
    "negative_count.csv",
    "non_numeric_value.csv",
    "number_too_large.csv",
    "one_bad_among_1000.csv",
    "same_key_twice.csv",
    "share_over_100.csv",
    "unit_mismatch.csv",
    "unknown_indicator.csv",
    "unknown_source.csv",
]


@pytest.mark.parametrize("name", NATIVE)
def test_arrow_reads_our_format_exactly_as_the_general_reader_does(name, monkeypatch):
    data = (CORPUS / name).read_bytes()
    careful = read_upload(data, name)
    monkeypatch.setattr(arrowcsv, "MIN_ROWS", 0)  # every file is "big" now
    fast = read_upload(data, name)
    assert (fast.format, fast.dialect, fast.columns) == (careful.format, careful.dialect, careful.columns)
    if fast.raw is None:  # blank lines or line breaks in quoted fields: the general reader's job
        return
    pd.testing.assert_frame_equal(fast.table, careful.table, check_dtype=False)


BAD_ROWS = pd.DataFrame(
    {
        "row": range(2, 16),
        "indicator": ["gdp_growth", "GDP", "no_such_thing", "gdp_growth", "gdp_growth", "gdp_growth", "gdp_growth",
                      "gdp_growth", "gdp_growth", "us_tourist_arrivals", "gdp_growth", "gdp_growth", "gdp_growth",
                      "gdp_growth"],
        "entity": ["SRB", "SRB", "SRB", "Serbia", None, "SRB", "SRB", "SRB", "SRB", "SRB-USA", "SRB", "SRB", "USA",
                   "USA"],
        "period": ["2019", "2019", "2019", "2019", "2019-13", "2020", "2021", "2022", "2023", "2019", "2024", "2024",
                   "2019-Q3", "2019-Q3"],
        "value": ["1.5", "2", "3", "4", "5", "lots", "1e400", "inf", "12", "-5", "7", "8", "1_000", "2.5"],
        "unit": [None, None, None, None, None, None, None, None, "USD", None, "percent", None, None, "percent"],
        "qualifier": [None, None, None, None, "maybe", None, None, None, None, None, None, None, None, "about"],
        "source": ["five_areas_2019", "five_areas_2019", "five_areas_2019", "five_areas_2019", "five_areas_2019",
                   "five_areas_2019", "five_areas_2019", "five_areas_2019", "Bad Source", "five_areas_2019",
                   "five_areas_2019", "five_areas_2019", "nobody_knows", "five_areas_2019"],
        "quote": None,
        "note": None,
    }
)  # fmt: skip


def test_the_bulk_checker_reports_every_problem_in_the_words_of_the_row_rules(store):
    indicators, sources = store.indicator_map(), store.source_ids()
    careful = validate_observations(BAD_ROWS, indicators, sources)
    staged = StagedValidated(store, stage(store, raw_table(BAD_ROWS), indicators, sources=sources))
    assert len(careful.problems) > 10  # the file above is full of mistakes
    pd.testing.assert_frame_equal(staged.problems, careful.problems, check_dtype=False)
    good = ["row", "indicator_id", "entity", "period", "value", "qualifier", "source_id"]
    pd.testing.assert_frame_equal(staged.rows[good], careful.rows[good], check_dtype=False)
    assert staged.count == len(careful.rows)


def _wdi(tmp_path: Path) -> Path:
    lines = [
        '"Data Source","World Development Indicators",',
        "",
        '"Last Updated Date","2024-12-16",',
        "",
        '"Country Name","Country Code","Indicator Name","Indicator Code","2019","2020","2021",',
        '"Serbia","SRB","GDP growth (annual %)","NY.GDP.MKTP.KD.ZG","4.3","-0.9","7.7",',
        '"United States","USA","GDP growth (annual %)","NY.GDP.MKTP.KD.ZG","2.3","-2.8","5.9",',
        '"Serbia","SRB","Military expenditure (% of GDP)","MS.MIL.XPND.GD.ZS","2.1","2.3","",',
    ]
    path = tmp_path / "API_two_series.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_world_bank_file_with_two_series_lands_in_one_batch(store, tmp_path):
    path = _wdi(tmp_path)
    parsed = read_upload(path.read_bytes(), path.name)
    chosen = {"NY.GDP.MKTP.KD.ZG": "gdp_growth", "MS.MIL.XPND.GD.ZS": "defense_share_gdp"}
    plan = plan_upload(store, parsed, Mapping(series_indicators=chosen, years=(2019, 2021)))
    assert plan.validated.ok, plan.problems
    result = commit_upload(store, plan, who="analyst")
    assert result.added + result.changed + result.unchanged == 8
    batch = store.query_df("SELECT indicator_id, count(*) AS n FROM observation WHERE batch_id = ? GROUP BY ALL",
                           [result.batch_id])  # fmt: skip
    assert set(batch["indicator_id"]) <= {"gdp_growth", "defense_share_gdp"}
    assert store.query_value("SELECT count(*) FROM batch WHERE id = ?", [result.batch_id]) == 1


def test_naming_a_series_the_file_does_not_hold_is_refused(store, tmp_path):
    path = _wdi(tmp_path)
    parsed = read_upload(path.read_bytes(), path.name)
    with pytest.raises(Exception, match=r"no series 'XX\.NOPE'"):
        plan_upload(store, parsed, Mapping(series_indicators={"XX.NOPE": "gdp_growth"}))


def test_a_big_import_from_the_command_line_says_where_it_is(store_path, tmp_path, capsys, monkeypatch):
    rows = ["indicator,entity,period,value,unit,qualifier,source,quote,note"]
    rows += [
        f"gdp_growth,SRB,{1900 + n // 12}-{n % 12 + 1:02d},{n % 9}.5,percent,,five_areas_2019,," for n in range(2400)
    ]
    path = tmp_path / "monthly.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setattr("indicators.cli.progress.BIG_FILE_BYTES", 1)  # "big" for this test
    monkeypatch.setattr(arrowcsv, "MIN_ROWS", 100)
    assert main(["import", str(path)]) == 0
    out = capsys.readouterr()
    assert "2400 new" in out.out
    steps = [line.split("] ", 1)[1] for line in out.err.splitlines() if line.startswith("[")]
    assert steps[0].startswith("reading monthly.csv")
    assert "checked: 2,400 valid figures, 0 rejected lines" in steps
    assert steps[-1] == "writing 100%: written"


def test_a_small_import_into_a_pipe_prints_no_progress(store_path, capsys):
    assert main(["import", str(CORPUS / "native_minimal.csv"), "--source", "Notes"]) == 0
    assert capsys.readouterr().err == ""
    piped = io.StringIO()  # not a terminal
    assert not Progress.for_file(10, stream=piped).enabled
    assert Progress.for_file(BIG_FILE_BYTES, stream=piped).enabled


def test_a_big_native_file_is_read_by_arrow_and_checked_in_the_store(store, tmp_path, monkeypatch):
    monkeypatch.setattr(arrowcsv, "MIN_ROWS", 10)
    rows = ["indicator;entity;period;value;unit;qualifier;source;quote;note"]
    rows += [f"gdp_growth;SRB;{1800 + n};{n % 9},25;;;five_areas_2019;;" for n in range(40)]
    rows += ["gdp_growth;SRB;2019-13;1,5;;;five_areas_2019;;"]
    parsed = read_upload(("\n".join(rows) + "\n").encode(), "semicolons.csv", Options())
    assert parsed.raw is not None and parsed.dialect.decimal == ","
    plan = plan_upload(store, parsed)
    assert plan.staged and plan.valid_rows == 40
    assert plan.problems[["line", "column", "value"]].values.tolist() == [[42, "period", "2019-13"]]
    assert plan.validated.rows["value"].head(3).tolist() == [0.25, 1.25, 2.25]


def _bulk_file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "bulk.csv"
    header = "indicator,entity,period,value,unit,qualifier,source,quote,note\n"
    path.write_text(header + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_a_huge_file_is_written_part_by_part_yet_as_one_batch(store, tmp_path, monkeypatch):
    monkeypatch.setattr("indicators.store.chunked.FLUSH_ROWS", 5)  # parts of 5 rows, as parts of half a million
    lines = [f"gdp_growth,SRB,{year},{year % 7}.5,percent,,five_areas_2019,," for year in range(1950, 1970)]
    lines.append("gdp_growth,SRB,1951,5.5,percent,,five_areas_2019,,")  # the same figure again, same value
    result = import_csv(store, _bulk_file(tmp_path, lines), who="analyst", reason="download", chunk_rows=3)
    assert (result.write.added, result.write.changed, result.write.unchanged) == (20, 0, 0)
    assert store.query_value("SELECT count(*) FROM observation WHERE batch_id = ?", [result.write.batch_id]) == 20
    again = import_csv(store, _bulk_file(tmp_path, lines), who="analyst", reason="again", chunk_rows=3)
    assert again.write.batch_id is None and again.write.written == 0
    assert store.query_value("SELECT count(*) FROM batch WHERE reason = 'again'") == 0  # no empty batch


def test_a_figure_repeated_with_another_value_in_a_later_part_is_refused(store, tmp_path, monkeypatch):
    monkeypatch.setattr("indicators.store.chunked.FLUSH_ROWS", 5)
    lines = [f"gdp_growth,SRB,{year},{year % 7}.5,percent,,five_areas_2019,," for year in range(1950, 1970)]
    lines.append("gdp_growth,SRB,1951,9.9,percent,,five_areas_2019,,")
    before = store.counts()
    with pytest.raises(ValueError, match="more than once with different values"):
        import_csv(store, _bulk_file(tmp_path, lines), who="analyst", reason="download", chunk_rows=3)
    assert store.counts() == before


def test_an_unchanged_figure_repeated_in_a_later_part_counts_once(store, tmp_path, monkeypatch):
    monkeypatch.setattr("indicators.store.chunked.FLUSH_ROWS", 5)
    lines = [f"gdp_growth,SRB,{year},{year % 7}.5,percent,,five_areas_2019,," for year in range(1950, 1970)]
    lines.append("gdp_growth,SRB,1951,5.5,percent,,five_areas_2019,,")  # 1951 again, same value, a later part
    import_csv(store, _bulk_file(tmp_path, lines), who="analyst", reason="download", chunk_rows=3)
    again = import_csv(store, _bulk_file(tmp_path, lines), who="analyst", reason="again", chunk_rows=3)
    assert (again.write.added, again.write.changed, again.write.unchanged) == (0, 0, 20)


def test_an_unchanged_figure_repeated_with_another_value_in_a_later_part_is_refused(store, tmp_path, monkeypatch):
    monkeypatch.setattr("indicators.store.chunked.FLUSH_ROWS", 5)
    lines = [f"gdp_growth,SRB,{year},{year % 7}.5,percent,,five_areas_2019,," for year in range(1950, 1970)]
    import_csv(store, _bulk_file(tmp_path, lines), who="analyst", reason="download", chunk_rows=3)
    before = store.counts()
    lines.append("gdp_growth,SRB,1951,9.9,percent,,five_areas_2019,,")  # unchanged in part 1, "changed" in part 5
    with pytest.raises(ValueError, match="more than once with different values"):
        import_csv(store, _bulk_file(tmp_path, lines), who="analyst", reason="again", chunk_rows=3)
    assert store.counts() == before


def test_a_key_written_two_ways_is_still_found_repeated(store):
    """The check skips its search for repeated keys only when the keys as written are unique and no two
    spellings mean the same thing: 'srb' and 'SRB' are the same entity."""
    indicators, sources = store.indicator_map(), store.source_ids()
    frame = pd.DataFrame(
        {
            "row": [2, 3, 4, 5],
            "indicator": ["gdp_growth"] * 4,
            "entity": ["SRB", "srb", "usa", "USA"],
            "period": ["2019", "2019", "2019-Q3", "2019-Q3"],
            "value": ["1.5", "2.5", "3.5", "3.5"],
            "unit": ["percent"] * 4,
            "source": ["five_areas_2019"] * 4,
        }
    )
    staged = stage(store, raw_table(frame), indicators, sources=sources)
    assert not staged.keys_unique
    validated = StagedValidated(store, staged)
    assert validated.problems[["row", "column"]].values.tolist() == [[2, "value"], [3, "value"]]
    assert validated.count == 1  # the USA figure, given twice alike, once
    unique = stage(store, raw_table(frame.iloc[[0, 2]]), indicators, sources=sources)
    assert unique.keys_unique and StagedValidated(store, unique).count == 2


@pytest.mark.parametrize(
    ("unit", "qualifier"), [("percent", "about"), ("USD", "exactly"), (None, None)], ids=["percent", "bad", "blank"]
)
def test_a_file_of_one_indicator_unit_and_qualifier_is_checked_as_the_row_rules_check_it(store, unit, qualifier):
    """One text in a column (the usual big file): its lookup is joined to every row without a lookup per row;
    the problems and the rows must still be the row rules' own."""
    frame = BAD_ROWS.assign(indicator="gdp_growth", unit=unit, qualifier=qualifier, source="five_areas_2019")
    indicators, sources = store.indicator_map(), store.source_ids()
    careful = validate_observations(frame, indicators, sources)
    staged = stage(store, raw_table(frame), indicators, sources=sources)
    assert staged.shared == ({"indicator", "unit", "qualifier"} if unit else {"indicator", "unit"})
    checked = StagedValidated(store, staged)
    pd.testing.assert_frame_equal(checked.problems, careful.problems, check_dtype=False)
    good = ["row", "indicator_id", "entity", "period", "value", "qualifier", "source_id"]
    pd.testing.assert_frame_equal(checked.rows[good], careful.rows[good], check_dtype=False)
    assert checked.count == len(careful.rows) and (unit != "USD" or checked.count == 0)
