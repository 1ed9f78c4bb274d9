"""Snapshots from scripts: `export`, `restore`, `diff` (exit 0 success, 1 refused, 2 usage)."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from indicators.cli import main
from tests.snapshot_helpers import add_figures, rewrite, with_store

GDP = ["--indicator", "gdp_growth"]  # one chart per export keeps these tests quick


@pytest.fixture
def snapshots_dir(store_path, tmp_path, monkeypatch):
    folder = tmp_path / "my-snapshots"
    monkeypatch.setenv("INDICATORS_SNAPSHOTS_DIR", str(folder))
    return folder


def test_export_with_no_path_writes_a_dated_zip_into_the_snapshots_folder(snapshots_dir, capsys):
    assert main(["export", *GDP]) == 0
    (written,) = snapshots_dir.glob("store-*.zip")  # named after the store file, store.duckdb
    assert "Snapshot written" in capsys.readouterr().out
    assert "observations.csv" in zipfile.ZipFile(written).namelist()


def test_export_to_a_file_then_refuse_to_overwrite_it(snapshots_dir, tmp_path, capsys):
    target = tmp_path / "report.zip"
    assert main(["export", str(target), *GDP]) == 0
    assert main(["export", str(target), *GDP]) == 1
    assert "exists already" in capsys.readouterr().err


def test_export_refuses_unknown_indicators_and_bad_periods(snapshots_dir, capsys):
    assert main(["export", "--indicator", "no_such_thing"]) == 1
    assert main(["export", "--from", "2019-13"]) == 1
    err = capsys.readouterr().err
    assert "unknown indicator no_such_thing" in err and "no month 13" in err
    assert not snapshots_dir.exists()


def test_export_refuses_an_entity_the_store_has_never_heard_of(snapshots_dir, capsys):
    """A typo (SRV for SRB) wrote an empty snapshot and said '0 observations'; an unknown indicator was already
    refused. A known entity with no figures yet, or a pair with figures, is fine."""
    assert main(["export", "--entity", "SRV", *GDP]) == 1
    assert "unknown entity SRV" in capsys.readouterr().err
    assert not snapshots_dir.exists()
    assert main(["export", "--entity", "srb-usa", "--entity", "MNE", *GDP]) == 0


def test_restore_dry_run_then_apply_then_diff_against_the_store(snapshots_dir, tmp_path, capsys):
    target = tmp_path / "before.zip"
    assert main(["export", str(target), *GDP]) == 0
    held = with_store(lambda store: store.counts()["observations"])
    with_store(
        lambda store: add_figures(
            store,
            [{"indicator": "gdp_growth", "entity": "SRB", "period": "2022", "value": 2.5, "source": "pupin_2024"}],
        )
    )
    capsys.readouterr()
    assert main(["diff", str(target)]) == 0
    differences = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str)
    assert differences[["period", "status", "new_value"]].values.tolist() == [["2022", "added", "2.5"]]

    assert main(["restore", str(target), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "gdp_growth\t0\t0\t1\t" in out and "nothing was written" in out
    assert with_store(lambda store: store.counts()["observations"]) == held + 1

    assert main(["restore", str(target), "--mode", "replace"]) == 0
    assert "1 removed" in capsys.readouterr().out
    assert with_store(lambda store: store.counts()["observations"]) == held
    assert main(["diff", str(target), "store"]) == 0
    assert capsys.readouterr().out.strip().count("\n") == 0  # the header only: no differences left


def test_diff_of_two_snapshots(snapshots_dir, tmp_path, capsys):
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    assert main(["export", str(a), *GDP]) == 0
    with_store(
        lambda store: add_figures(
            store,
            [{"indicator": "gdp_growth", "entity": "SRB", "period": "2024", "value": 4.1, "source": "pupin_2024"}],
        )
    )
    assert main(["export", str(b), *GDP]) == 0
    capsys.readouterr()
    assert main(["diff", str(a), str(b)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "indicator,entity,period,source,status,old_value,new_value,old_qualifier,new_qualifier",
        "gdp_growth,SRB,2024,pupin_2024,changed,3.8,4.1,exactly,exactly",
    ]


def test_a_hostile_archive_is_refused_with_exit_1_and_the_store_unchanged(snapshots_dir, tmp_path, capsys):
    good = tmp_path / "good.zip"
    assert main(["export", str(good), *GDP]) == 0
    bad = tmp_path / "bad.zip"
    bad.write_bytes(rewrite(good.read_bytes(), add={"../../etc/cron.d/evil": b"x"}))
    before = with_store(lambda store: store.query_value("SELECT count(*) FROM batch"))
    assert main(["restore", str(bad)]) == 1
    assert main(["diff", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "refused" in err and "leaves the archive" in err and "Traceback" not in err
    assert with_store(lambda store: store.query_value("SELECT count(*) FROM batch")) == before
    assert main(["restore", str(tmp_path / "missing.zip")]) == 1


def test_usage_errors_exit_2(snapshots_dir):
    with pytest.raises(SystemExit) as exit_info:
        main(["restore"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["restore", "x.zip", "--mode", "overwrite"])
    assert exit_info.value.code == 2
