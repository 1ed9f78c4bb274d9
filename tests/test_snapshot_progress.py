"""Progress of exports and restores: what a progress bar (the page) or the command line (stderr) is told."""

from __future__ import annotations

import threading

import pytest

from indicators.cli import main
from indicators.progress import Stages, scaled
from indicators.snapshot import Filters, apply_restore, build_snapshot, export_snapshot, plan_restore, read_archive
from tests.snapshot_helpers import add_figures

GDP = Filters(indicators=("gdp_growth",))  # one chart: keeps these tests quick


class Recorder:
    """A progress callback that remembers what it heard, and from which thread."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []
        self.threads: set[str] = set()

    def __call__(self, fraction: float, message: str) -> None:
        self.calls.append((fraction, message))
        self.threads.add(threading.current_thread().name)

    @property
    def fractions(self) -> list[float]:
        return [fraction for fraction, _ in self.calls]

    @property
    def messages(self) -> list[str]:
        return [message for _, message in self.calls]


def assert_a_good_progress_bar(heard: Recorder) -> None:
    assert heard.fractions, "the callback was never called"
    assert heard.fractions == sorted(heard.fractions), f"fractions went down: {heard.fractions}"
    assert all(0.0 <= fraction <= 1.0 for fraction in heard.fractions)
    assert heard.fractions[-1] == 1.0
    # Streamlit draws a progress bar only from the script's own thread: never from a worker
    assert heard.threads == {threading.current_thread().name}


def test_an_export_reports_each_stage_in_order_and_ends_at_one(store):
    heard = Recorder()
    snapshot = build_snapshot(store, GDP, progress=heard)
    assert_a_good_progress_bar(heard)
    assert heard.fractions[0] == 0.0
    for stage in ("observations", "changes", "workbook", "report", "zip", "checksum"):
        assert stage in heard.messages
    assert snapshot.manifest["counts"]["indicators"] == 1


def test_saving_an_export_reports_progress_too_and_leaves_no_partial_file(store, tmp_path):
    heard = Recorder()
    path, manifest = export_snapshot(store, tmp_path, GDP, progress=heard)
    assert_a_good_progress_bar(heard)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    assert read_archive(path).manifest["counts"] == manifest["counts"]


def test_a_failed_export_leaves_no_file_behind(store, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(type(store), "snapshot_changes_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        export_snapshot(store, tmp_path / "out", GDP)
    assert list((tmp_path / "out").iterdir()) == []


def test_a_restore_reports_check_and_diff_then_apply(store):
    data = build_snapshot(store, GDP).data
    add_figures(store, [{"indicator": "gdp_growth", "entity": "SRB", "period": "2022", "value": 2.5,
                         "source": "pupin_2024"}])  # fmt: skip
    planning, applying = Recorder(), Recorder()
    plan = plan_restore(store, read_archive(data), "replace", progress=planning)
    assert_a_good_progress_bar(planning)
    assert [message.split(":")[0] for message in planning.messages[:2]] == ["check", "diff"]
    result = apply_restore(store, plan, who="tester", progress=applying)
    assert_a_good_progress_bar(applying)
    assert applying.messages[0].startswith("apply") and result.removed == 1


def test_stages_never_go_back_and_scaled_steps_make_one_bar():
    heard = Recorder()
    stages = Stages(heard, (("a", 1), ("b", 3)))
    stages.start("b")
    stages.start("a")  # out of order: the bar holds where it was
    stages.done()
    assert heard.fractions == [0.25, 0.25, 1.0]
    whole = Recorder()
    scaled(whole, 0.5, 1.0)(0.5, "half of the second half")
    assert whole.calls == [(0.75, "half of the second half")]
    assert scaled(None, 0, 1) is None


def test_the_command_line_prints_progress_on_stderr_only(store_path, tmp_path, capsys):
    target = tmp_path / "snap.zip"
    assert main(["export", str(target), "--indicator", "gdp_growth"]) == 0
    out, err = capsys.readouterr()
    assert "Snapshot written" in out and "%" not in out
    lines = err.splitlines()
    assert lines[0].startswith("export:") and lines[-1] == "export: 100% done"
    assert any("zip" in line for line in lines)

    assert main(["restore", str(target), "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Snapshot snap.zip") and "%" not in out  # stdout: the summary table only
    assert "restore:   0% check" in err and err.splitlines()[-1] == "restore: 100% done (dry run)"

    assert main(["restore", str(target), "--mode", "merge"]) == 0
    err = capsys.readouterr().err
    assert "apply" in err and err.splitlines()[-1] == "restore: 100% restored"

    assert main(["diff", str(target)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0].startswith("indicator,entity,period") and err == ""  # CSV on stdout, clean
