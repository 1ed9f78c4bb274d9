"""Oversize uploads are refused early, saying which limit, before the work the limit protects: a file over the
size limit is never decoded (and the command line never reads it), a file with too many lines or columns is
never parsed into a table, a workbook that would unpack to too much is never opened, and a sheet with too many
rows or columns stops streaming at the first row past the limit. The store never changes."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from indicators.bootstrap import open_store
from indicators.cli import main
from indicators.ingest import Options, UploadError, read_upload
from indicators.ingest import reader as reader_module
from indicators.ingest import xlsx as xlsx_module
from indicators.ingest.limits import count_lines

HEADER = "indicator,entity,period,value,unit,qualifier,source,quote,note\n"
LINE = "gdp_growth,SRB,{year},1.5,percent,exactly,pupin_2024,,\n"


def _csv(lines: int) -> bytes:
    return (HEADER + "".join(LINE.format(year=1900 + n % 100) for n in range(lines))).encode()


def _workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def never(monkeypatch):
    """``never(module, name)``: the named function must not be called (the limit refused the file first)."""

    def forbid(module, name: str) -> None:
        def called(*args, **kwargs):
            raise AssertionError(f"{name} was called: the file was read before the limit refused it")

        monkeypatch.setattr(module, name, called)

    return forbid


def _refused(data: bytes, filename: str, options: Options | None = None) -> str:
    with pytest.raises(UploadError) as refusal:
        read_upload(data, filename, options)
    return str(refusal.value)


def test_a_file_over_the_size_limit_is_refused_before_it_is_decoded(never):
    never(reader_module, "decode")
    message = _refused(_csv(60_000), "big.csv", Options(max_mb=1))  # about 3.7 MB
    assert "over the 1 MB limit" in message and "INDICATORS_MAX_UPLOAD_MB" in message


def test_a_file_with_too_many_lines_is_refused_before_it_is_decoded_or_parsed(never):
    never(reader_module, "decode")
    never(reader_module, "read_table")
    message = _refused(_csv(1_500), "long.csv", Options(max_rows=1_000))
    assert "1,501 lines, over the limit of 1,000 lines" in message
    assert "INDICATORS_MAX_UPLOAD_ROWS" in message


def test_the_row_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("INDICATORS_MAX_UPLOAD_ROWS", "100")
    assert "over the limit of 100 lines" in _refused(_csv(100), "long.csv")
    assert len(read_upload(_csv(99), "fits.csv").table) == 99  # 100 lines with the header: within the limit


def test_a_file_with_too_many_columns_is_refused_before_it_is_parsed(never):
    never(reader_module, "read_table")
    wide = ",".join(f"y{n}" for n in range(2_001)) + "\n" + ",".join("1" for _ in range(2_001)) + "\n"
    message = _refused(wide.encode(), "wide.csv")  # the default limit: 2,000 columns
    assert "2,001 columns, over the limit of 2,000 columns" in message
    assert "INDICATORS_MAX_UPLOAD_COLUMNS" in message


def test_line_counting_reads_bytes_and_counts_every_line_ending():
    assert count_lines(b"a\nb\nc") == count_lines(b"a\nb\nc\n") == 3
    assert count_lines(b"a\r\nb\r\n") == count_lines(b"a\rb\r") == 2  # Windows and old Mac line ends
    assert count_lines("a\nb\n".encode("utf-16")) == 2
    assert count_lines(b"") == 0


def test_a_sheet_with_too_many_rows_stops_streaming_at_the_first_row_past_the_limit(monkeypatch):
    data = _workbook(
        [["indicator", "entity", "period", "value"]] + [["gdp_growth", "SRB", 1900 + n, 1] for n in range(80)]
    )
    streamed = []
    cell = xlsx_module._cell
    monkeypatch.setattr(xlsx_module, "_cell", lambda value, *more: streamed.append(value) or cell(value, *more))
    message = _refused(data, "long.xlsx", Options(max_rows=50))
    assert "51 rows, over the limit of 50 rows" in message
    assert len(streamed) == 50 * 4  # the rows up to the limit were read, none after


def test_a_sheet_with_too_many_columns_is_refused():
    data = _workbook([[f"y{n}" for n in range(30)], list(range(30))])
    message = _refused(data, "wide.xlsx", Options(max_columns=20))
    assert "30 columns, over the limit of 20 columns" in message


def _rewrite(data: bytes, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info.filename)))
    return out.getvalue()


def test_a_sheet_that_declares_a_huge_size_is_read_by_its_real_cells():
    """Some programs write a wrong dimension (here: every row and column of Excel). The reader neither pads
    each row to 16,384 cells nor refuses the file: it counts what is really there."""
    data = _workbook([["indicator", "entity", "period", "value"], ["gdp_growth", "SRB", "2019", 4.2]])
    lying = _rewrite(
        data,
        lambda name, content: (
            content.replace(b'<dimension ref="A1:D2" />', b'<dimension ref="A1:XFD1048576" />')
            if name.endswith("sheet1.xml")
            else content
        ),
    )
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(lying)).read("xl/worksheets/sheet1.xml")
    parsed = read_upload(lying, "lying.xlsx")
    assert parsed.columns == ["indicator", "entity", "period", "value"] and len(parsed.table) == 1


def _with_extra_parts(data: bytes, parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as book:
        for name, content in parts.items():
            book.writestr(name, content)
    return out.getvalue()


def test_a_workbook_zip_bomb_is_refused_from_its_directory_before_openpyxl_opens_it(never):
    never(xlsx_module, "_open")
    bomb = _with_extra_parts(_workbook([["a", "b"], [1, 2]]), {"xl/media/image1.bin": bytes(20 * 2**20)})
    assert len(bomb) < 100_000  # 20 MB of zeros packed into a few tens of kilobytes
    message = _refused(bomb, "bomb.xlsx")
    assert "compressed" in message and "to 1" in message and "zip bomb" in message


def test_a_workbook_that_would_unpack_to_too_much_is_refused_before_openpyxl_opens_it(never):
    never(xlsx_module, "_open")
    # 30 parts of 1 MB each: none compressed suspiciously on its own terms, 30 MB in all (limit: 20 x 1 MB)
    parts = {f"xl/media/part{n}.bin": bytes(2**20) for n in range(30)}
    message = _refused(_with_extra_parts(_workbook([["a", "b"], [1, 2]]), parts), "heavy.xlsx", Options(max_mb=1))
    assert "would unpack to 30 MB, over the limit of 20 MB" in message


def test_the_command_line_refuses_an_oversize_file_without_reading_it(store_path, tmp_path, monkeypatch, capsys):
    upload = tmp_path / "big.csv"
    upload.write_bytes(_csv(40_000))  # about 2.4 MB
    monkeypatch.setenv("INDICATORS_MAX_UPLOAD_MB", "1")
    read = []
    original = type(upload).read_bytes
    monkeypatch.setattr(type(upload), "read_bytes", lambda self: read.append(self) or original(self))
    store = open_store(idle_release=0)
    before = store.counts(), store.query_df("SELECT * FROM current_observation ORDER BY id")
    store.close()
    assert main(["import", str(upload)]) == 1
    assert "over the 1 MB limit" in capsys.readouterr().err
    assert upload not in read
    store = open_store(idle_release=0)
    try:
        assert store.counts() == before[0]
        assert store.query_df("SELECT * FROM current_observation ORDER BY id").equals(before[1])
    finally:
        store.close()


def test_the_command_line_refuses_too_many_lines_and_changes_nothing(store_path, tmp_path, monkeypatch, capsys):
    upload = tmp_path / "long.csv"
    upload.write_bytes(_csv(300))
    monkeypatch.setenv("INDICATORS_MAX_UPLOAD_ROWS", "200")
    store = open_store(idle_release=0)
    before = store.counts()
    store.close()
    assert main(["import", str(upload)]) == 1
    assert "301 lines, over the limit of 200 lines (INDICATORS_MAX_UPLOAD_ROWS)" in capsys.readouterr().err
    store = open_store(idle_release=0)
    try:
        assert store.counts() == before
    finally:
        store.close()


def test_the_upload_page_says_which_limit_refused_the_file_and_writes_nothing(app, monkeypatch):
    monkeypatch.setenv("INDICATORS_MAX_UPLOAD_ROWS", "10")
    at = app(timeout=60).run()
    at.switch_page("pages/upload.py").run()
    at.file_uploader[0].set_value(("long.csv", _csv(20), "text/csv")).run()
    assert not at.exception, at.exception
    message = at.error[0].value.replace("\\", "")  # messages escape markdown characters
    assert "long.csv" in message and "21 lines, over the limit of 10 lines (INDICATORS_MAX_UPLOAD_ROWS)" in message
    assert not [button for button in at.button if button.label.startswith("Commit")]
    store = open_store(idle_release=0)
    try:
        assert store.query_value("SELECT count(*) FROM batch WHERE kind = 'upload'") == 0
    finally:
        store.close()
