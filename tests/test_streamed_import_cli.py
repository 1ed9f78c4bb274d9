"""`python -m indicators import BIG.csv`: a whole download in our format is streamed, chunk by chunk, instead of
being read whole into memory; the analyst sees the same checks, line numbers, counts and all-or-nothing as
with a small file. (The threshold and chunk size are lowered here so that a few thousand rows stand in for
millions.)"""

from __future__ import annotations

from pathlib import Path

import pytest

import indicators.cli.importing as importing
from indicators import bulkload
from indicators.cli import main
from indicators.store import Store

HEADER = "indicator,entity,period,value,unit,qualifier,source,quote,note\n"


def _rows(count: int, *, first_month: int = 0, value_shift: float = 0.0) -> list[str]:
    """``count`` figures of Serbia's GDP growth and trade, monthly from January 1900 (+ ``first_month``)."""
    rows = []
    for n in range(count):
        indicator, entity = ("gdp_growth", "SRB") if n % 2 == 0 else ("trade_volume", "SRB-USA")
        month = first_month + n // 2
        period = f"{1900 + month // 12}-{month % 12 + 1:02d}"
        value = round((n % 40) - 10 + value_shift, 2) if indicator == "gdp_growth" else 1000.0 + n
        rows.append(f"{indicator},{entity},{period},{value},,,pupin_2024,,streamed test\n")
    return rows


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def _figures(path: Path) -> list[tuple]:
    store = Store(path, idle_release=0)
    try:
        return store.query_rows(
            "SELECT indicator_id, entity, period, value, qualifier, source_id, quote, note FROM current_observation "
            "ORDER BY ALL"
        )
    finally:
        store.close()


def _batches(path: Path) -> int:
    store = Store(path, idle_release=0)
    try:
        return store.query_value("SELECT count(*) FROM batch")
    finally:
        store.close()


@pytest.fixture
def streaming(monkeypatch):
    """Every file counts as big, and chunks are 500 rows."""
    monkeypatch.setattr(bulkload, "STREAM_ABOVE_BYTES", 0)
    monkeypatch.setattr(bulkload, "CHUNK_ROWS", 500)


@pytest.fixture
def initialised(store_path, capsys) -> Path:
    assert main(["init"]) == 0
    capsys.readouterr()
    return store_path


def _never_read_whole(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a big file in our format must not be read whole")

    monkeypatch.setattr(importing, "read_upload", refuse)


def test_a_big_file_is_streamed_and_stores_exactly_what_the_importer_would(
    initialised, streaming, tmp_path, monkeypatch, capsys
):
    upload = _write(tmp_path / "download.csv", _rows(2_400))
    _never_read_whole(monkeypatch)
    assert main(["import", str(upload)]) == 0
    out = capsys.readouterr().out
    assert "imported download.csv" in out and "streamed in chunks of 500 rows" in out
    assert "2400 new, 0 changed, 0 unchanged, 0 rejected; batch" in out
    streamed = _figures(initialised)
    batches = _batches(initialised)

    # the same file through the Upload page's importer, into a store just like it
    monkeypatch.undo()
    other = tmp_path / "other.duckdb"
    monkeypatch.setenv("INDICATORS_DB", str(other))
    assert main(["init"]) == 0
    assert main(["import", str(upload)]) == 0
    assert "streamed in chunks" not in capsys.readouterr().out
    assert streamed == _figures(other)
    assert batches == _batches(other), "one batch either way"


def test_a_bad_row_in_a_later_chunk_is_named_by_its_line_in_the_file_and_nothing_is_written(
    initialised, streaming, tmp_path, capsys
):
    lines = _rows(1_800)
    lines.insert(300, "\n")  # blank lines: Arrow skips them, the report must still count them
    lines.insert(900, "\r\n")
    lines[1_500] = "gdp_growth,SRB,2051,five,,,pupin_2024,,\n"
    lines[1_600] = "gdp_growth,SRB,2052,80,,,pupin_2024,,\n"  # over the indicator's largest valid value (50)
    upload = _write(tmp_path / "download.csv", lines)
    before = _figures(initialised)
    assert main(["import", str(upload)]) == 1
    err = capsys.readouterr().err
    # lines[k] is file line k + 2 (the header is line 1)
    assert "2 invalid lines in download.csv; nothing was written." in err
    assert "line 1502, column value, value 'five': not a number" in err
    assert "line 1602, column value, value '80': above the largest valid value 50" in err
    assert _figures(initialised) == before

    # the importer the Upload page uses names the same lines
    bulkload.STREAM_ABOVE_BYTES = 10**12  # restored by the fixture's monkeypatch
    assert main(["import", str(upload)]) == 1
    small_path_err = capsys.readouterr().err
    assert "line 1502, column value, value 'five': not a number" in small_path_err
    assert "line 1602, column value, value '80': above the largest valid value 50" in small_path_err


def test_skip_invalid_writes_the_valid_rows_and_lists_the_rest(initialised, streaming, tmp_path, capsys):
    lines = _rows(1_200)
    lines[700] = "no_such_indicator,SRB,2001,1,,,pupin_2024,,\n"
    upload = _write(tmp_path / "download.csv", lines)
    before = len(_figures(initialised))
    assert main(["import", str(upload), "--skip-invalid"]) == 0
    captured = capsys.readouterr()
    assert "1199 new, 0 changed, 0 unchanged, 1 rejected; batch" in captured.out
    assert "skipped 1 invalid line:" in captured.err and "line 702, column indicator" in captured.err
    assert len(_figures(initialised)) == before + 1_199


def test_a_dry_run_reports_what_the_import_would_do_and_writes_nothing(initialised, streaming, tmp_path, capsys):
    assert main(["import", str(_write(tmp_path / "first.csv", _rows(1_000)))]) == 0
    capsys.readouterr()
    # half of it again with corrected values, and 600 new figures
    upload = _write(tmp_path / "second.csv", _rows(1_000, value_shift=0.5)[:500] + _rows(600, first_month=1200))
    before, batches = _figures(initialised), _batches(initialised)
    assert main(["import", str(upload), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run, nothing written: second.csv" in out
    assert "1100 valid figures (600 new, 250 changed, 250 unchanged), 0 rejected lines" in out
    assert _figures(initialised) == before and _batches(initialised) == batches
    assert main(["import", str(upload)]) == 0
    assert "600 new, 250 changed, 250 unchanged, 0 rejected" in capsys.readouterr().out


def test_the_line_limit_refuses_a_big_file_before_any_row_is_checked(
    initialised, streaming, tmp_path, monkeypatch, capsys
):
    upload = _write(tmp_path / "download.csv", _rows(1_000))
    monkeypatch.setenv("INDICATORS_MAX_UPLOAD_ROWS", "600")
    monkeypatch.setattr(bulkload, "import_csv", lambda *a, **k: pytest.fail("checked rows past the line limit"))
    before = _figures(initialised)
    assert main(["import", str(upload)]) == 1
    assert "1,001 lines, over the limit of 600 lines (INDICATORS_MAX_UPLOAD_ROWS)" in capsys.readouterr().err
    assert _figures(initialised) == before


def test_a_figure_given_twice_with_two_values_in_different_chunks_is_refused(initialised, streaming, tmp_path, capsys):
    lines = _rows(1_400)
    cells = lines[10].split(",")
    lines[1_300] = ",".join([*cells[:3], "7.25", *cells[4:]])  # the figure of line 12 again, another value
    upload = _write(tmp_path / "download.csv", lines)
    before = _figures(initialised)
    assert main(["import", str(upload)]) == 1
    err = capsys.readouterr().err
    assert "more than once with different values" in err and "Nothing was written" in err
    assert _figures(initialised) == before


def test_files_to_map_or_in_another_dialect_still_go_through_the_importer(streaming, tmp_path):
    semicolons = tmp_path / "excel.csv"
    semicolons.write_text("indicator;period;value\ngdp_growth;2001;1,5\n", encoding="utf-8")
    assert not bulkload.streamable(semicolons)
    capitalised = tmp_path / "caps.csv"
    capitalised.write_text("Indicator,Period,Value\ngdp_growth,2001,1.5\n", encoding="utf-8")
    assert not bulkload.streamable(capitalised)
    latin2 = tmp_path / "latin2.csv"
    latin2.write_bytes("indicator,period,value,note\ngdp_growth,2001,1.5,Čačak\n".encode("iso-8859-2"))
    assert not bulkload.streamable(latin2)
    thousands = tmp_path / "thousands.csv"
    thousands.write_text('indicator,period,value\ntrade_volume,2001,"1,234,567.5"\n', encoding="utf-8")
    assert not bulkload.streamable(thousands)
    ours = _write(tmp_path / "ours.csv", _rows(10))
    assert bulkload.streamable(ours)
