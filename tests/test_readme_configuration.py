"""An operator sets the documented environment variables (README, "Configuration"): a value that cannot be
used gets a message naming the variable, and the command exits 1 as the README promises, never a traceback."""

from __future__ import annotations

import pytest

from indicators.cli import main
from indicators.config import DATA_DIR


@pytest.mark.parametrize(
    ("variable", "value", "argv"),
    [
        ("INDICATORS_MAX_UPLOAD_MB", "abc", ["import", str(DATA_DIR / "figures.csv"), "--dry-run"]),
        ("INDICATORS_MAX_UPLOAD_MB", "1.5", ["import", str(DATA_DIR / "figures.csv"), "--dry-run"]),
        ("INDICATORS_MAX_UPLOAD_ROWS", "1e6", ["import", str(DATA_DIR / "figures.csv"), "--dry-run"]),
        ("INDICATORS_MAX_UPLOAD_COLUMNS", "many", ["import", str(DATA_DIR / "figures.csv"), "--dry-run"]),
        ("INDICATORS_BUSY_TIMEOUT", "soon", ["list"]),
    ],
)
def test_a_setting_that_is_not_a_number_is_named_in_a_plain_message(
    store_path, monkeypatch, capsys, variable, value, argv
):
    monkeypatch.setenv(variable, value)
    assert main(argv) == 1
    error = capsys.readouterr().err
    assert variable in error and repr(value) in error
    assert "Traceback" not in error


def test_the_documented_limits_and_timeout_still_work_when_set_properly(store_path, monkeypatch, capsys):
    monkeypatch.setenv("INDICATORS_MAX_UPLOAD_MB", "600")
    monkeypatch.setenv("INDICATORS_BUSY_TIMEOUT", "0.5")
    assert main(["import", str(DATA_DIR / "figures.csv"), "--dry-run"]) == 0
    monkeypatch.setenv("INDICATORS_MAX_UPLOAD_ROWS", "5")
    assert main(["import", str(DATA_DIR / "figures.csv"), "--dry-run"]) == 1
    assert "INDICATORS_MAX_UPLOAD_ROWS" in capsys.readouterr().err
