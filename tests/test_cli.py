"""`python -m indicators init | list | show`: what a script sees, with exit codes 0, 1 and 2."""

import io

import pandas as pd
import pytest

from indicators.cli import main
from indicators.config import DATA_DIR
from indicators.models import OBSERVATION_CSV_COLUMNS

INDICATOR_COUNT = len(pd.read_csv(DATA_DIR / "indicators.csv"))


def test_init_creates_and_seeds_the_store_and_is_idempotent(store_path, capsys):
    assert main(["init"]) == 0
    first = capsys.readouterr().out
    assert f"{INDICATOR_COUNT} indicators" in first and "observations" in first
    assert main(["init"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == first.splitlines()[1]  # the same counts: nothing added
    assert store_path.exists()


def test_list_shows_each_indicator_with_its_latest_value(store_path, capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "indicator\tobservations\tlatest\tperiod\tentity"
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    assert rows["us_investment_stock"][1:] == ["1", "≈ USD 1.7 bn", "2018", "SRB-USA"]
    assert rows["trade_volume"][2:] == ["USD 949.1 m", "2022", "SRB-USA"]  # US Census, newer than the paper
    assert len(rows) == INDICATOR_COUNT


def test_show_writes_our_csv_with_periods_as_written(store_path, capsys):
    assert main(["show", "us_tourist_arrivals", "trade_volume"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str)
    assert tuple(frame.columns) == OBSERVATION_CSV_COLUMNS
    rows = frame[["indicator", "period", "value", "source"]].values.tolist()
    assert ["trade_volume", "2017", "400000000", "mfa_serbia_bilateral"] in rows
    assert ["us_tourist_arrivals", "2018", "39000", "serbia_tourism_2018"] in rows
    assert set(frame["indicator"]) == {"trade_volume", "us_tourist_arrivals"}


def test_show_without_ids_writes_everything(store_path, capsys):
    assert main(["show"]) == 0
    shown = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(shown) > 22 and shown["quote"].notna().sum() == 22  # the papers' figures and the statistics


def test_an_unknown_indicator_fails_with_a_message_not_a_traceback(store_path, capsys):
    assert main(["show", "nonsense"]) == 1
    error = capsys.readouterr().err
    assert "unknown indicator nonsense" in error and "Traceback" not in error


def test_usage_errors_exit_2(store_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
