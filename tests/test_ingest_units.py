"""The importer's small parts: encodings, number dialects, country codes, entity lists."""

from __future__ import annotations

import pandas as pd
import pytest

from indicators.ingest import UploadError, split_codes
from indicators.ingest.countries import to_iso3
from indicators.ingest.decode import decode
from indicators.ingest.dialect import sniff_numbers


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Šabac;1,5\n".encode("utf-16-le"), "utf-16-le"),  # Excel "Unicode text" saved without a BOM
        ("\ufeffŠabac;1,5\n".encode("utf-16"), "utf-16"),
        ("Šabac;1,5\n".encode("cp1250"), "windows-1250"),
        ("Čačak;1,5\n".encode(), "utf-8"),
    ],
)
def test_encodings_are_detected_and_letters_survive(data, encoding):
    decoded = decode(data)
    assert decoded.encoding == encoding
    assert decoded.text.split(";")[0] in {"Šabac", "Čačak"}


def test_a_wrong_encoding_override_names_the_line():
    with pytest.raises(UploadError, match="not valid utf-8 \\(line 2"):
        decode("a\nŠ\n".encode("cp1250"), "utf-8")


@pytest.mark.parametrize(
    ("cells", "delimiter", "expected"),
    [
        (["1.234.567,8", "3,5"], ";", (",", ".")),
        (["1 234,5"], ";", (",", " ")),
        (["1,234,567.8"], ",", (".", ",")),
        (["1.6296061", "2.595"], ",", (".", "")),
        (["3.51%", "xxx", "..."], ",", (".", "")),
        (["2.595"], ";", (",", ".")),  # ambiguous: a semicolon file is read the Serbian way
    ],
)
def test_decimal_mark_and_thousands_separator(cells, delimiter, expected):
    assert sniff_numbers(pd.Series(cells), delimiter) == expected


def test_names_and_codes_become_iso3():
    codes = to_iso3(pd.Series(["RS", "Serbia", "Srbija", "Kosovo", "KSV", "XK", "EUU", "Atlantis", "EL"]))
    assert codes.fillna("?").tolist() == ["SRB", "SRB", "SRB", "XKX", "XKX", "XKX", "EUU", "?", "GRC"]


def test_entities_may_be_repeated_or_comma_separated():
    assert split_codes(["srb", "USA,HRV", " BIH , MNE"]) == ["SRB", "USA", "HRV", "BIH", "MNE"]
    assert split_codes(None) is None
