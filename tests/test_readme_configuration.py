"""An operator sets the documented environment variables (README, "Configuration"): a value that cannot be
used gets a message naming the variable, and the command exits 1 as the README promises, never a traceback."""

from __future__ import annotations

import pytest

from indicators.cli import main
from indicators.config import DATA_DIR

CORPUS = DATA_DIR.parent / "tests" / "data" / "ingest"


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


def _readme_command(marker: str) -> list[str]:
    """The README's example command that contains ``marker``, as argv for ``main`` (continuation lines joined)."""
    import shlex

    text = (DATA_DIR.parent / "README.md").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("python -m indicators") and marker in line)
    return shlex.split(line)[3:]


def test_the_readmes_eurostat_example_never_files_all_foreigners_as_us_tourists(store_path, capsys, tmp_path):
    # Eurostat's tour_occ_arn2 counts arrivals of all foreign residents (c_resid=FOR), 2.1 million in 2023;
    # the README's example put them into "US tourists visiting Serbia", beside the paper's 39,000.
    from indicators.bootstrap import open_store

    (tmp_path / "tour_occ_arn2.tsv").write_bytes((CORPUS / "eurostat_tour_occ_arn2.tsv").read_bytes())
    argv = _readme_command("tour_occ_arn2.tsv")
    argv[1] = str(tmp_path / "tour_occ_arn2.tsv")
    assert main(argv) == 0, capsys.readouterr().err
    store = open_store()
    try:
        assert list(store.series("us_tourist_arrivals")["value"]) == [39000]
        indicator = store.indicator(argv[argv.index("--indicator") + 1])
        assert "non-residents" in indicator.description
        assert store.series(indicator.id).set_index("period")["value"]["2023"] == 2_134_305
    finally:
        store.close()


def test_the_dashboard_names_a_setting_it_cannot_use_instead_of_showing_a_traceback(app, monkeypatch):
    monkeypatch.setenv("INDICATORS_MAX_UPLOAD_MB", "fifty")
    at = app()
    at.run()
    assert not at.exception
    assert [error.value.replace("\\", "") for error in at.error] == [  # shown as text: markdown escaped
        "INDICATORS_MAX_UPLOAD_MB must be a whole number of at least 1, not 'fifty'"
    ]
