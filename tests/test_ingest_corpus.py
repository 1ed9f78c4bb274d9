"""The upload corpus: real downloads (trimmed, see tests/data/PROVENANCE.md) and hand-made good and bad files.

Each file has its expected result: it reads and imports N figures, or it cannot be read at all (with the
reason), or some line is rejected (line, column, reason). A rejected file leaves the store exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from indicators.bootstrap import prepare
from indicators.ingest import Mapping, Options, UploadError, commit_upload, plan_upload, read_upload
from indicators.models import Source
from indicators.store import Store

CORPUS = Path(__file__).resolve().parent / "data" / "ingest"


@dataclass
class Case:
    file: str
    expect: str  # "ok", "unreadable", "rejected"
    new: int = 0  # ok: figures written
    format: str | None = None  # ok: the detected format
    mapping: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    message: str = ""  # unreadable: part of the reason
    line: int | None = None  # rejected: the first bad line ...
    column: str = ""  # ... its column
    reason: str = ""  # ... and part of the reason
    unchanged: int = 0  # ok: figures the store already holds (the bundled reference series)


CASES = [
    # real downloads, trimmed
    Case(
        "wdi_gdp_growth_2017.csv", "ok", 0, "wdi", {"indicator": "gdp_growth", "entities": ["SRB", "USA"]}, unchanged=75
    ),  # the same vintage is bundled as a reference series
    Case("wdi_military_2018.csv", "ok", 21, "wdi", {"indicator": "defense_share_gdp", "entities": ["SRB"]}),
    Case("wdi_rehosted_gdp_growth.csv", "ok", 24, "wdi", {"indicator": "gdp_growth", "entities": ["SRB"]}),
    Case("owid_sipri_military.csv", "ok", 29, "owid", {"indicator": "defense_share_gdp", "entities": ["SRB"]}),
    Case("owid_sipri_military.csv", "ok", 17, "owid", {"indicator": "defense_share_gdp", "entities": ["XKX"]}),
    Case("sipri_wide_share_of_gdp.csv", "ok", 26, "wide", {"indicator": "defense_share_gdp", "entities": ["SRB"]}),
    Case(
        "eurostat_tour_occ_arn2.tsv",
        "ok",
        10,
        "eurostat",
        {
            "indicator": "us_tourist_arrivals",
            "entities": ["SRB"],
            "series": "c_resid=FOR, unit=NR, nace_r2=I551-I553",
            "pair_with": "USA",
        },
    ),
    Case(
        "sdmx20_labels_real_gdp_pc.csv",
        "rejected",
        mapping={"indicator": "gdp_growth", "entities": ["SRB"]},
        line=24,
        column="value",
        reason="above the largest valid value 50",
    ),
    Case(
        "census_country_trimmed.xlsx",
        "ok",
        14,
        "census",
        {"indicator": "trade_volume", "entities": ["SRB"], "years": (2009, 2022)},
    ),
    # hand-made: our format in the dialects analysts' tools write
    Case("native_good.csv", "ok", 2, "native"),
    Case("native_minimal.csv", "ok", 2, "native", {"source_text": "My own notes"}),
    Case("native_semicolon_decimal_comma.csv", "ok", 2, "native"),
    Case("native_bom_utf8.csv", "ok", 1, "native"),
    Case("native_utf16_unicode_text.txt", "ok", 1, "native"),
    Case("native_cp1250_serbian_excel.csv", "ok", 1, "native"),
    Case("native_iso8859_2.csv", "ok", 1, "native"),
    Case("native_crlf_multiline.csv", "ok", 2, "native"),
    Case("native_quarters_months.csv", "ok", 2, "native"),
    Case("native_units_scaled.csv", "ok", 1, "native"),
    Case("native_thousands_english.csv", "ok", 1, "native"),
    Case("databank_export.csv", "ok", 5, "databank", {"indicator": "gdp_growth", "entities": ["SRB", "USA"]}),
    Case("sdmx10_dataflow_unit_mult.csv", "ok", 2, "sdmx", {"indicator": "trade_volume", "entities": ["SRB-USA"]}),
    Case("sdmx20_quarters.csv", "ok", 2, "sdmx", {"indicator": "gdp_growth"}),
    # files that cannot be read at all
    Case("empty.csv", "unreadable", message="empty"),
    Case("header_only.csv", "unreadable", message="no rows"),
    Case("binary_file.csv", "unreadable", message="binary"),
    Case("missing_value_column.csv", "unreadable", message="Missing required column: value"),
    Case("not_really.xlsx", "unreadable", message="not a readable .xlsx"),
    Case("native_good.csv", "unreadable", options={"max_mb": 0.0001}, message="over the 0.0001 MB limit"),
    Case("wdi_gdp_growth_2017.csv", "unreadable", message="Choose the indicator"),
    # files with bad rows: every problem named, nothing written
    Case("unknown_indicator.csv", "rejected", line=2, column="indicator", reason="unknown indicator"),
    Case("non_numeric_value.csv", "rejected", line=2, column="value", reason="not a number"),
    Case("nan_and_infinity.csv", "rejected", line=2, column="value", reason="not a number"),
    Case("share_over_100.csv", "rejected", line=2, column="value", reason="above the largest valid value 100"),
    Case("negative_count.csv", "rejected", line=2, column="value", reason="below the smallest valid value 0"),
    Case("impossible_period.csv", "rejected", line=2, column="period", reason="2019-13"),
    Case("same_key_twice.csv", "rejected", line=2, column="value", reason="appear again with another value"),
    Case("number_too_large.csv", "rejected", line=2, column="value", reason="too large for a double"),
    Case("unit_mismatch.csv", "rejected", line=2, column="unit", reason="measured in percent"),
    Case("bad_qualifier.csv", "rejected", line=2, column="qualifier", reason="not a qualifier"),
    Case("unknown_source.csv", "rejected", line=2, column="source", reason="unknown source id"),
    Case("one_bad_among_1000.csv", "rejected", line=734, column="value", reason="not a number"),
]


def _with_notes_source(store: Store) -> Store:
    store.save_source(Source(id="my-notes", title="My notes", kind="user"), who="test", reason="a source to cite")
    return store


@pytest.fixture
def upload_store(store: Store) -> Store:
    return _with_notes_source(store)


@pytest.fixture(scope="module")
def shared_store() -> Store:
    """One store for every file that must be refused: none of them may change it."""
    return _with_notes_source(prepare(Store()))


def contents(store: Store) -> tuple:
    return (
        store.observations_table().to_csv(index=False),
        store.sources().to_csv(index=False),
        store.query_value("SELECT count(*) FROM batch"),
    )


def test_the_corpus_is_large_enough():
    assert len({case.file for case in CASES}) >= 30
    assert len(list(CORPUS.iterdir())) >= 30


def _load(case: Case, store: Store):
    data = (CORPUS / case.file).read_bytes()
    parsed = read_upload(data, case.file, Options(**case.options))
    return parsed, plan_upload(store, parsed, Mapping(**case.mapping))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.file}-{c.expect}")
def test_each_file_gives_its_expected_result(case: Case, request: pytest.FixtureRequest):
    upload_store = request.getfixturevalue("upload_store" if case.expect == "ok" else "shared_store")
    before = contents(upload_store)
    if case.expect == "unreadable":
        with pytest.raises(UploadError, match=case.message):
            _load(case, upload_store)
        assert contents(upload_store) == before
        return
    parsed, plan = _load(case, upload_store)
    if case.expect == "rejected":
        problems = plan.problems
        assert not problems.empty
        first = problems.iloc[0]
        assert (first["line"], first["column"]) == (case.line, case.column), problems
        assert case.reason in first["reason"]
        with pytest.raises(UploadError, match="nothing was written"):
            commit_upload(upload_store, plan, who="test")
        assert contents(upload_store) == before
        return
    assert parsed.format == case.format
    assert plan.validated.ok, plan.problems
    result = commit_upload(upload_store, plan, who="test")
    assert (result.added, result.unchanged) == (case.new, case.unchanged)
    if case.new:
        assert upload_store.query_value("SELECT kind FROM batch WHERE id = ?", [result.batch_id]) == "upload"


def _stored(store: Store, indicator: str) -> pd.DataFrame:
    return store.observations_table([indicator])


def test_serbian_letters_survive_every_encoding(upload_store: Store):
    for name, text in [
        ("native_cp1250_serbian_excel.csv", "Č Ć Š Ž Đ – č ć š ž đ"),
        ("native_iso8859_2.csv", "Šabac Žabalj Đurđevo"),
        ("native_utf16_unicode_text.txt", "Čačak, Šabac"),
    ]:
        parsed, plan = _load(Case(name, "ok"), upload_store)
        assert parsed.encoding in {"windows-1250", "iso-8859-2", "utf-16"}
        commit_upload(upload_store, plan, who="test")
        assert text in set(_stored(upload_store, "gdp_growth")["note"].dropna())


def test_decimal_comma_and_thousands_are_read_as_numbers(upload_store: Store):
    parsed, plan = _load(Case("native_semicolon_decimal_comma.csv", "ok"), upload_store)
    assert (parsed.dialect.delimiter, parsed.dialect.decimal, parsed.dialect.thousands) == (";", ",", ".")
    values = dict(zip(plan.validated.rows["indicator_id"], plan.validated.rows["value"], strict=True))
    assert values == {"trade_volume": 1234567.8, "gdp_growth": 4.5}


def test_a_quoted_line_break_keeps_later_line_numbers_right(upload_store: Store):
    parsed, plan = _load(Case("native_crlf_multiline.csv", "ok"), upload_store)
    assert list(parsed.table["row"]) == [2, 4]
    assert "two lines:\r\nfirst, second" in set(
        plan.validated.rows["note"].dropna()
    ) or "two lines:\nfirst, second" in set(plan.validated.rows["note"].dropna())


def test_world_bank_download_names_its_vintage_and_becomes_an_official_source(upload_store: Store):
    case = Case("wdi_military_2018.csv", "ok", mapping={"indicator": "defense_share_gdp"})
    parsed, plan = _load(case, upload_store)
    assert parsed.source_text == "World Bank WDI, last updated 2018-02-22"
    assert [source.kind for source in plan.new_sources] == ["official"]
    commit_upload(upload_store, plan, who="test")
    source = upload_store.sources().set_index("id").loc["world-bank-wdi-last-updated-2018-02-22"]
    assert (source["kind"], source["year"]) == ("official", 2018)


def test_sdmx_applies_unit_mult_keeps_the_status_and_makes_pairs(upload_store: Store):
    case = Case("sdmx10_dataflow_unit_mult.csv", "ok", mapping={"indicator": "trade_volume", "entities": ["SRB-USA"]})
    _, plan = _load(case, upload_store)
    rows = plan.validated.rows.set_index("period")
    assert rows.loc["2022", "value"] == pytest.approx(160.25e6)
    assert rows.loc["2022", "entity"] == "SRB-USA"
    assert rows.loc["2022", "note"] == "OBS_STATUS E"


def test_census_workbook_sums_exports_and_imports_in_dollars(upload_store: Store):
    case = Case("census_country_trimmed.xlsx", "ok", mapping={"indicator": "trade_volume", "entities": ["SRB"]})
    parsed, plan = _load(case, upload_store)
    rows = plan.validated.rows.set_index("period")
    assert rows.loc["2017", "value"] == pytest.approx(417.9e6, rel=1e-3)
    assert parsed.sheets == ["country"]


def test_skip_invalid_imports_the_good_rows_only(upload_store: Store):
    _, plan = _load(Case("one_bad_among_1000.csv", "rejected"), upload_store)
    result = commit_upload(upload_store, plan, who="test", skip_invalid=True)
    assert result.added == 999


def test_changed_values_replace_or_live_beside_as_a_new_source(upload_store: Store):
    """The analyst's notes are uploaded, then a newer version of them: 2021 trade revised, 2022 added, GDP
    growth the same. "Keep both" leaves the old source exactly as it was and files the whole newer version
    under a new source, so each source is one vintage (the new year used to join the old source, and the new
    source held only the revised figure)."""
    _, plan = _load(Case("native_good.csv", "ok"), upload_store)
    commit_upload(upload_store, plan, who="test")
    newer = (CORPUS / "native_good.csv").read_bytes().replace(b"425000000", b"430000000")
    newer += b"trade_volume,SRB-USA,2022,460000000,USD,exactly,my-notes,,\n"
    plan = plan_upload(upload_store, read_upload(newer, "native_good.csv"))
    assert plan.counts() == {"new": 1, "changed": 1, "unchanged": 1, "rejected": 0}
    assert plan.changed()[["old", "new"]].iloc[0].tolist() == [425e6, 430e6]
    commit_upload(upload_store, plan, who="test", on_change="keep")

    def by_source(indicator: str) -> dict[str, dict[str, float]]:
        stored = _stored(upload_store, indicator)
        stored = stored[stored["source"].str.startswith("my-notes")]
        return {
            ("newer" if "." in source else "old"): dict(zip(group["period"], group["value"], strict=True))
            for source, group in stored.groupby("source")
        }

    assert by_source("trade_volume") == {"old": {"2021": 425e6}, "newer": {"2021": 430e6, "2022": 460e6}}
    assert by_source("gdp_growth") == {"old": {"2023": 3.8}, "newer": {"2023": 3.8}}


def test_overriding_the_detected_dialect_changes_the_reading(upload_store: Store):
    data = (CORPUS / "native_semicolon_decimal_comma.csv").read_bytes()
    # read with commas: '1.234.567,8' splits line 2 into more fields than the one-column header
    with pytest.raises(UploadError, match=r"line 2 has 2 fields .* choose another delimiter"):
        read_upload(data, "x.csv", Options(delimiter=","))
    forced = read_upload(data, "x.csv", Options(decimal=".", thousands=""))
    plan = plan_upload(upload_store, forced)
    assert "not a number" in set(plan.problems["reason"])
