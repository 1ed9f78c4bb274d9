"""Any bytes as an upload: the reader gives rows or a plain UploadError, planning gives a report, and
neither changes the store (hypothesis; bounded examples so it takes seconds)."""

from __future__ import annotations

import pandas as pd
from hostile_strings import HOSTILE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.bootstrap import prepare
from indicators.ingest import Options, UploadError, plan_upload, read_upload
from indicators.store import Store

STORE = prepare(Store())
COLUMNS = ["indicator", "entity", "period", "value", "unit", "qualifier", "source", "quote", "note"]


def _state() -> tuple:
    return (
        STORE.counts(),
        STORE._write_count,
        STORE.query_df("SELECT id, value, note FROM current_observation ORDER BY id").to_csv(),
    )


BEFORE = _state()

cell = st.one_of(
    st.text(max_size=15),
    st.sampled_from(["gdp_growth", "SRB", "2019", "2019-Q3", "3,8", "1.234,5", "1e400", "percent", "%", "about"]),
    st.sampled_from(HOSTILE),
)
table_text = st.builds(
    lambda header, rows, delimiter: "\n".join(delimiter.join(cells) for cells in [header, *rows]),
    st.one_of(st.just(COLUMNS), st.lists(st.sampled_from([*COLUMNS, "Country Name", "1999", "Year", ""]), max_size=9)),
    st.lists(st.lists(cell, max_size=10), max_size=8),
    st.sampled_from([",", ";", "\t", "|"]),
)
encoded = st.builds(
    lambda text, encoding: text.encode(encoding, errors="replace"),
    table_text,
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1250"]),
)
any_bytes = st.one_of(
    st.binary(max_size=600),
    encoded,
    st.builds(lambda tail: b"PK\x03\x04" + tail, st.binary(max_size=200)),  # looks like a workbook, is not
)


def _read_and_plan(data: bytes, filename: str) -> None:
    try:
        parsed = read_upload(data, filename, Options(max_mb=1))
    except UploadError as error:
        assert str(error)
        return
    try:
        plan = plan_upload(STORE, parsed)
    except UploadError as error:
        assert str(error)
        return
    problems = plan.validated.problems
    assert set(problems.columns) >= {"row", "column", "value", "reason"}
    assert len(plan.validated.rows) + problems["row"].nunique() <= max(len(plan.rows), 0) + len(problems)
    if not plan.validated.rows.empty:
        assert isinstance(plan.preview, pd.DataFrame)  # the dry run runs too, and writes nothing


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_bytes, st.sampled_from(["upload.csv", "data.tsv", "book.xlsx", "API_NY.GDP.csv", "x.txt", ""]))
def test_any_bytes_give_rows_or_a_plain_refusal_and_never_change_the_store(data, filename):
    _read_and_plan(data, filename)
    assert _state() == BEFORE


def test_an_oversize_upload_is_refused_before_it_is_read():
    big = b"indicator,entity,period,value\n" + b"gdp_growth,SRB,2019,1\n" * 60_000  # about 1.3 MB
    try:
        read_upload(big, "big.csv", Options(max_mb=1))
    except UploadError as error:
        assert "MB" in str(error)
    else:
        raise AssertionError("a 1.3 MB file passed a 1 MB limit")
    assert _state() == BEFORE
