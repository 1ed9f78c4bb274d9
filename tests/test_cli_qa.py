"""What a script (cron, a shell pipeline, CI) meets at the command line's edges: a read-only deployment whose
store was never created, and a stdout that cannot be written."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from indicators.cli import main

REPOSITORY = Path(__file__).resolve().parents[1]


def test_a_read_only_deployment_without_a_store_says_to_run_init_and_creates_no_file(store_path, monkeypatch, capsys):
    # A cron job on a read-only server, before anyone ran `init`: the message must say what is wrong
    # (there is no store) and what to do, and must not leave an empty file that later looks like a store.
    monkeypatch.setenv("INDICATORS_READ_ONLY", "1")
    assert main(["list"]) == 1
    error = capsys.readouterr().err
    assert str(store_path) in error and "indicators init" in error and "Traceback" not in error
    assert "nothing can be changed" not in error  # the old, misleading reason: nothing was being changed
    assert not store_path.exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux) to stand for a full disk")
@pytest.mark.parametrize("command", [["list"], ["show", "trade_volume"]])
def test_output_to_a_full_disk_fails_with_one_line_not_a_traceback(store_path, capsys, command):
    # `indicators show > /mnt/full/figures.csv` in a cron job: exit 1 and one line naming the problem.
    assert main(["init"]) == 0
    capsys.readouterr()
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "indicators", *command],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
            timeout=60,
        )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"indicators {command[0]}: cannot write the output: No space left on device"
    ]


def test_events_carried_through_their_csv_come_back_exactly_as_they_were(store_path, tmp_path, capsys):
    # The README's way to carry events across a snapshot restore: `events > events.csv`, then `import-events`.
    # A title or note that starts like a formula (+, -, =, @) goes out with a guarding apostrophe; it must
    # come back without it, not gain one more on every round trip.
    assert main(["init"]) == 0
    added = ["add-event", "--date", "2020", "--type", "crisis", "--title", "+ COVID-19 in Čačak"]
    assert main([*added, "--source", "pupin_2024", "--note", "-5% output", "--reason", "Čačak"]) == 0
    capsys.readouterr()
    assert main(["events"]) == 0
    exported = tmp_path / "events.csv"
    exported.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["import-events", str(exported), "--reason", "carried over"]) == 0
    assert capsys.readouterr().out.startswith("0 added, 0 corrected,")
    assert main(["events", "--type", "crisis"]) == 0
    assert "2020-covid-19-in-cacak,2020,crisis,'+ COVID-19 in Čačak,pupin_2024,,'-5% output" in capsys.readouterr().out


def test_an_undo_with_a_blank_reason_is_recorded_with_the_default_reason(store_path, capsys):
    # `indicators undo 4 --reason "$WHY"` from a script whose $WHY happened to be empty: the change log must
    # still say why, not keep a reason of blanks.
    assert main(["init"]) == 0
    figure = ["--indicator", "gdp_growth", "--entity", "SRB", "--period", "2031", "--value", "2"]
    assert main(["add", *figure, "--reason", "Čačak estimate"]) == 0
    batch = int(capsys.readouterr().out.rsplit("(batch ", 1)[1].rstrip(")\n"))
    assert main(["undo", str(batch), "--reason", "   "]) == 0
    capsys.readouterr()
    assert main(["history", "--limit", "1"]) == 0
    newest = capsys.readouterr().out.splitlines()[1]
    assert newest.endswith(f",undo of batch {batch},{batch}")


def test_an_events_file_saved_in_a_windows_code_page_is_refused_with_one_line(store_path, tmp_path, capsys):
    # Excel on a Serbian Windows saves "CSV" in Windows-1250: Čačak is not UTF-8. Exit 1, a reason, no traceback.
    assert main(["init"]) == 0
    legacy = tmp_path / "events.csv"
    legacy.write_bytes(
        "id,date,type,title,source,quote,note\n,2021,visit,Visit to Čačak,pupin_2024,,\n".encode("cp1250")
    )
    capsys.readouterr()
    assert main(["import-events", str(legacy), "--reason", "Čačak"]) == 1
    error = capsys.readouterr().err
    assert "UTF-8" in error and "nothing was written" in error and "Traceback" not in error


def test_a_negative_value_with_a_decimal_comma_is_read_like_the_form_reads_it(store_path, capsys):
    # Serbia's GDP fell 1,5 %: `--value -1,5` (as written in Serbian) must not be taken for an unknown option.
    assert main(["init"]) == 0
    capsys.readouterr()
    figure = ["--indicator", "gdp_growth", "--entity", "SRB", "--period", "2031", "--value", "-1,5"]
    assert main(["add", *figure, "--reason", "Čačak estimate"]) == 0
    out = capsys.readouterr().out
    assert "value: '-1,5' read as -1.5" in out and "added gdp_growth SRB 2031" in out
