"""`python -m indicators import`: a scripted import is all or nothing, and says what it did."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicators.cli import main
from indicators.store import Store

CORPUS = Path(__file__).resolve().parent / "data" / "ingest"


def _count(path: Path, indicator: str) -> int:
    store = Store(path)
    try:
        return store.query_value("SELECT count(*) FROM current_observation WHERE indicator_id = ?", [indicator])
    finally:
        store.close()


def test_an_analyst_imports_a_minimal_file_with_a_free_text_source(store_path, capsys):
    assert main(["import", str(CORPUS / "native_minimal.csv"), "--source", "My own notes, March 2025"]) == 0
    out = capsys.readouterr().out
    assert "2 new" in out and "batch" in out
    assert main(["show", "defense_share_gdp"]) == 0
    assert "2022,2.3,percent,exactly,my-own-notes-march-2025" in capsys.readouterr().out


def test_one_bad_row_rejects_the_whole_file_and_names_the_line(store_path, capsys, tmp_path):
    bad = tmp_path / "figures.csv"
    bad.write_text("indicator,period,value\ngdp_growth,2001,5\ngdp_growth,2002,five\n")
    assert main(["init"]) == 0
    before = _count(store_path, "gdp_growth")
    assert main(["import", str(bad), "--source", "Notes"]) == 1
    err = capsys.readouterr().err
    assert "line 3, column value, value 'five': not a number" in err and "nothing was written" in err
    assert _count(store_path, "gdp_growth") == before
    assert main(["import", str(bad), "--source", "Notes", "--skip-invalid"]) == 0
    assert _count(store_path, "gdp_growth") == before + 1


def test_dry_run_reports_and_writes_nothing(store_path, capsys):
    assert main(["init"]) == 0
    before = _count(store_path, "defense_share_gdp")
    file = CORPUS / "wdi_military_2018.csv"
    args = ["import", str(file), "--indicator", "defense_share_gdp", "--entity", "SRB", "--entity", "HRV,BIH"]
    assert main([*args, "--dry-run"]) == 0
    assert "dry run, nothing written" in capsys.readouterr().out
    assert _count(store_path, "defense_share_gdp") == before
    assert main([*args, "--format", "wdi"]) == 0
    assert "58 new" in capsys.readouterr().out
    assert _count(store_path, "defense_share_gdp") == before + 58


def test_a_foreign_file_without_an_indicator_is_refused_with_the_reason(store_path, capsys):
    assert main(["import", str(CORPUS / "owid_sipri_military.csv")]) == 1
    assert "--indicator" in capsys.readouterr().err


def test_unreadable_files_and_bad_usage(store_path, capsys):
    assert main(["import", str(CORPUS / "binary_file.csv")]) == 1
    assert "binary" in capsys.readouterr().err
    assert main(["import", str(CORPUS / "no-such-file.csv")]) == 1
    with pytest.raises(SystemExit) as exit_info:
        main(["import", str(CORPUS / "native_good.csv"), "--format", "parquet"])
    assert exit_info.value.code == 2


def test_workbook_sheet_is_chosen_by_name(store_path, capsys):
    file = str(CORPUS / "census_country_trimmed.xlsx")
    assert main(["import", file, "--sheet", "nope", "--indicator", "trade_volume"]) == 1
    assert "no sheet 'nope'" in capsys.readouterr().err
    assert main(["import", file, "--sheet", "country", "--indicator", "trade_volume", "--entity", "SRB"]) == 0
    assert "16 new" in capsys.readouterr().out


def test_an_entity_the_file_does_not_hold_is_refused_not_imported_as_nothing(store_path, capsys):
    """A script asks for `--entity SRB,ZZZ` (a typo): the import says which code the file does not hold and
    exits 1, instead of "0 new" and exit 0. A name from data/entities.csv (Srbija) means its code."""
    wdi = str(CORPUS / "wdi_military_2018.csv")
    args = ["import", wdi, "--indicator", "defense_share_gdp", "--dry-run"]
    assert main([*args, "--entity", "SRB,ZZZ"]) == 1
    err = capsys.readouterr().err
    assert "holds no figures for --entity ZZZ;" in err and "SRB" in err
    assert main([*args, "--entity", "Srbija"]) == 0
    assert "21 valid figures" in capsys.readouterr().out


def test_sources_named_in_serbian_cyrillic_stay_apart(store_path, capsys, tmp_path):
    """Two institutions' figures, each imported with its name in Cyrillic as the source. Cyrillic titles made
    no id ("upload"), so the second file's figures were silently filed under the first institution."""
    first, second = tmp_path / "rzs.csv", tmp_path / "nbs.csv"
    first.write_text("indicator,entity,period,value\ngdp_growth,SRB,2025,3.1\n", encoding="utf-8")
    second.write_text("indicator,entity,period,value\ngdp_growth,SRB,2026,3.4\n", encoding="utf-8")
    assert main(["import", str(first), "--source", "Републички завод за статистику Србије"]) == 0
    assert main(["import", str(second), "--source", "Народна банка Србије"]) == 0
    assert main(["import", str(first), "--source", "Đorđe Čačak, Šabac"]) == 0  # Latin letters with marks too
    capsys.readouterr()
    assert main(["show", "gdp_growth"]) == 0
    shown = capsys.readouterr().out
    source = {line.split(",")[2]: line.split(",")[6] for line in shown.splitlines() if ",SRB,202" in line}
    assert source["2025"] != source["2026"]
    assert "gdp_growth,SRB,2025,3.1,percent,exactly,republicki-zavod-za-statistiku-srbije," in shown
    assert "gdp_growth,SRB,2026,3.4,percent,exactly,narodna-banka-srbije," in shown
    assert ",djordje-cacak-sabac," in shown


def test_a_file_of_several_series_is_imported_one_series_at_a_time_with_series(store_path, capsys):
    """Eurostat's arrivals file holds three series (residents, foreigners, total). Without --series the import
    lists them and writes nothing; with one named in full (or in another case) only its figures are written."""
    eurostat = str(CORPUS / "eurostat_tour_occ_arn2.tsv")
    args = ["import", eurostat, "--indicator", "us_tourist_arrivals", "--entity", "SRB"]
    assert main(["init"]) == 0
    before = _count(store_path, "us_tourist_arrivals")
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "holds 3 series; choose one with --series" in err and "c_resid=FOR, unit=NR, nace_r2=I551-I553" in err
    assert main([*args, "--series", "c_resid=ZZZ"]) == 1
    assert "There is no series 'c_resid=ZZZ' in this file; it holds: c_resid=DOM" in capsys.readouterr().err
    assert _count(store_path, "us_tourist_arrivals") == before

    assert main([*args, "--series", "C_RESID=FOR, unit=NR, nace_r2=I551-I553", "--source", "Eurostat"]) == 0
    assert " new" in capsys.readouterr().out
    store = Store(store_path)
    try:
        written = store.query_df(
            "SELECT period, value FROM current_observation WHERE indicator_id = ? AND source_id = 'eurostat' "
            "AND entity = 'SRB' ORDER BY period",
            ["us_tourist_arrivals"],
        )
    finally:
        store.close()
    by_year = written.set_index("period")["value"]
    # the file's A,FOR,NR,I551-I553,RS cell (foreigners), not DOM's 2,058,492 or TOTAL's 4,192,797
    assert by_year["2023"] == 2_134_305
    assert "2019" not in by_year.index  # ':' in the file: no figure


def test_series_is_refused_for_a_file_in_our_format(store_path, capsys):
    assert main(["import", str(CORPUS / "native_minimal.csv"), "--series", "anything"]) == 1
    assert "--series picks one series of a file in another shape than ours" in capsys.readouterr().err


def test_a_newer_download_of_a_bundled_series_updates_it_when_the_source_is_named_by_its_id(store_path, capsys):
    """The store ships SIPRI's military spending via OWID. An analyst imports the same OWID download again
    naming that source by its id: nothing is new (it used to file 177 figures under a second source, '...-2',
    beside the bundled ones). Free text that names no source still starts one of its own."""
    owid = str(CORPUS / "owid_sipri_military.csv")
    bundled = "sipri-military-expenditure-database-via-our-world-in-data-2025-release"
    args = ["import", owid, "--indicator", "defense_share_gdp", "--dry-run"]
    assert main([*args, "--source", bundled]) == 0
    assert "(0 new, 0 changed, 177 unchanged)" in capsys.readouterr().out
    assert main([*args, "--source", "My notes"]) == 0
    assert "(177 new, 0 changed, 0 unchanged)" in capsys.readouterr().out
