"""`indicators add`, `history` and `undo`, as a script would run them."""

from __future__ import annotations

import csv
import io

import pytest

from indicators.cli import main
from indicators.store import Store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def current(store_path, key):
    store = Store(store_path, idle_release=0)
    try:
        return store.current_version(*key)
    finally:
        store.close()


def test_add_a_value_in_billions_then_read_it_in_the_history_and_undo_it(store_path, capsys):
    code, out, _ = run(
        capsys, "add", "--indicator", "trade_volume", "--entity", "SRB-USA", "--period", "2025", "--value", "1.7",
        "--unit", "billion USD", "--qualifier", "about", "--source", "Census Bureau trade in goods with Serbia",
        "--note", "annual total", "--reason", "new annual figure",
    )  # fmt: skip
    assert code == 0, out
    assert "new source 'census_bureau_trade_in_goods'" in out
    assert "added trade_volume SRB-USA 2025" in out and "≈ USD 1.7 bn" in out
    figure = current(store_path, ("trade_volume", "SRB-USA", "2025", "census_bureau_trade_in_goods"))
    assert (figure.value, figure.qualifier, figure.note) == (1.7e9, "about", "annual total")

    code, out, _ = run(capsys, "history", "--indicator", "trade_volume", "--limit", "1")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 1
    assert rows[0]["action"] == "add" and rows[0]["new_value"] == "1700000000"
    assert rows[0]["reason"] == "new annual figure" and rows[0]["period"] == "2025"
    batch = rows[0]["batch_id"]

    code, out, _ = run(capsys, "undo", batch)
    assert code == 0 and f"undid batch {batch}" in out and "1 removed" in out
    assert current(store_path, ("trade_volume", "SRB-USA", "2025", "census_bureau_trade_in_goods")) is None
    undo_batch = out.split(" as batch ")[1].split(":")[0]
    assert run(capsys, "undo", undo_batch)[0] == 0  # the undo can itself be undone
    assert current(store_path, ("trade_volume", "SRB-USA", "2025", "census_bureau_trade_in_goods")).value == 1.7e9


def test_add_corrects_an_existing_value_and_says_what_it_was(store_path, capsys):
    code, out, _ = run(
        capsys, "add", "--indicator", "gdp_growth", "--period", "2024", "--value", "3.9", "--source", "pupin_2024",
        "--reason", "typo",
    )  # fmt: skip
    assert code == 0
    assert "changed gdp_growth SRB 2024 (pupin_2024): 3.8 % -> 3.9 %" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--indicator", "eu_share_exports", "--period", "2024", "--value", "120"], "value: 120 is above"),
        (["--indicator", "us_tourist_arrivals", "--period", "2024", "--value", "-5"], "value: -5 is below"),
        (["--indicator", "gdp_growth", "--period", "2019-13", "--value", "2"], "period:"),
        (["--indicator", "trade_volume", "--period", "2024", "--value", "2", "--unit", "furlongs"], "unknown unit"),
        (["--indicator", "trade_volume", "--period", "2024", "--value", "2", "--unit", "persons"], "measured in USD"),
        (["--indicator", "no_such_thing", "--period", "2024", "--value", "2"], "unknown indicator"),
        (["--indicator", "gdp_growth", "--period", "2024", "--value", "two"], "not a number"),
        (["--indicator", "gdp_growth", "--period", "2024", "--value", "2", "--qualifier", "maybe"], "qualifier"),
    ],
)
def test_bad_input_exits_1_and_writes_nothing(store_path, capsys, argv, message):
    main(["init"])
    capsys.readouterr()
    _, before, _ = run(capsys, "history")
    code, _, err = run(capsys, "add", *argv, "--reason", "test")
    assert code == 1
    assert message in err and "nothing written" in err and "Traceback" not in err
    main(["history"])
    assert capsys.readouterr().out == before


def test_add_without_reason_is_a_usage_error(store_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["add", "--indicator", "gdp_growth", "--period", "2024", "--value", "2"])
    assert exit_.value.code == 2


def test_undo_refusals_exit_1_with_a_reason(store_path, capsys):
    code, _, err = run(capsys, "undo", "99999")
    assert code == 1 and "no batch 99999" in err
    run(
        capsys,
        "add",
        "--indicator",
        "gdp_growth",
        "--period",
        "2024",
        "--value",
        "4",
        "--source",
        "pupin_2024",
        "--reason",
        "a",
    )
    run(
        capsys,
        "add",
        "--indicator",
        "gdp_growth",
        "--period",
        "2024",
        "--value",
        "5",
        "--source",
        "pupin_2024",
        "--reason",
        "b",
    )
    rows = list(csv.DictReader(io.StringIO(run(capsys, "history", "--limit", "2")[1])))
    older = rows[1]["batch_id"]
    code, _, err = run(capsys, "undo", older)
    assert code == 1 and "later batches" in err


def test_commands_are_refused_in_read_only_mode(store_path, capsys, monkeypatch):
    main(["init"])
    capsys.readouterr()
    monkeypatch.setenv("INDICATORS_READ_ONLY", "1")
    code, _, err = run(capsys, "add", "--indicator", "gdp_growth", "--period", "2024", "--value", "4", "--reason", "x")
    assert code == 1 and "read-only" in err
    assert run(capsys, "history", "--limit", "1")[0] == 0  # reading is fine


def test_add_reads_a_decimal_comma_and_a_serbian_name_as_the_form_does_and_says_so(store_path, capsys):
    code, out, _ = run(
        capsys, "add", "--indicator", "gdp_growth", "--entity", "Srbija", "--period", "2030", "--value", "1,7",
        "--source", "pupin_2024", "--reason", "flash estimate",
    )  # fmt: skip
    assert code == 0, out
    assert "value: '1,7' read as 1.7" in out and "entity: 'Srbija' read as SRB (Serbia)" in out
    assert current(store_path, ("gdp_growth", "SRB", "2030", "pupin_2024")).value == 1.7

    code, _, err = run(
        capsys, "add", "--indicator", "gdp_growth", "--entity", "SRB", "--period", "2031", "--value", "1,700",
        "--source", "pupin_2024", "--reason", "flash estimate",
    )  # fmt: skip
    assert code == 1 and "value: '1,700' could be 1700 or 1.7" in err
    assert current(store_path, ("gdp_growth", "SRB", "2031", "pupin_2024")) is None
