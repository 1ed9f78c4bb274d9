"""QA round 4 of the Upload page and `import`: an analyst's awkward choices and awkward files."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicators.cli import main
from indicators.ingest import Options, UploadError, read_upload
from indicators.ingest.formats import FORMATS

CORPUS = Path(__file__).resolve().parent / "data" / "ingest"
NOT_WORLD_BANK = ["owid_sipri_military.csv", "native_good.csv", "sdmx20_quarters.csv", "sipri_wide_share_of_gdp.csv"]


@pytest.mark.parametrize("name", NOT_WORLD_BANK)
@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "native"])
def test_a_format_chosen_for_a_file_of_another_shape_is_refused_in_words(name, fmt):
    """An analyst picks 'wdi' (or DataBank, Census) under Detected settings for a file that is not one: the
    page showed a KeyError traceback; it must say what the format needs."""
    try:
        read_upload((CORPUS / name).read_bytes(), name, Options(format=fmt))
    except UploadError as error:
        assert "KeyError" not in str(error)


def test_import_with_the_wrong_format_exits_1_with_the_missing_columns(store_path, capsys):
    file = CORPUS / "owid_sipri_military.csv"
    assert main(["import", str(file), "--format", "wdi", "--indicator", "defense_share_gdp"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "not a World Bank WDI download" in err and "Country Code" in err
    assert main(["import", str(file), "--format", "databank", "--indicator", "defense_share_gdp"]) == 1
    err = capsys.readouterr().err
    assert "not a World Bank DataBank export" in err and "Series Code" in err


def test_databank_chosen_for_a_big_file_of_ours_is_refused_in_words():
    """Files of 5,000 lines or more take the Arrow road for World Bank formats; it crashed the same way."""
    rows = "".join(f"gdp_growth,{1000 + i // 12}-{i % 12 + 1:02d},1\n" for i in range(6000))
    with pytest.raises(UploadError, match="not a World Bank DataBank export"):
        read_upload(("indicator,period,value\n" + rows).encode(), "big.csv", Options(format="databank"))
