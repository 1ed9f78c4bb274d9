"""What a person typed becomes a valid figure, or messages per field: the rules of models.py."""

from __future__ import annotations

import pytest

from indicators import access
from indicators.editing import check_figure, check_indicator, check_source, new_source_id, unit_choices


@pytest.fixture
def catalog(store):
    return store.indicator_map()


def figure(catalog, **typed):
    fields = {
        "indicator": "trade_volume",
        "entity": "SRB-USA",
        "period": "2025",
        "value": "1.7",
        "source": "pupin_2024",
    }
    fields["reason"] = "new figure"
    return check_figure(catalog, **{**fields, **typed})


def test_a_value_typed_in_billions_is_stored_in_base_units(catalog):
    checked = figure(catalog, unit="billion USD", qualifier="about")
    assert checked.ok
    assert (checked.value.value, checked.value.qualifier) == (1.7e9, "about")
    assert unit_choices(catalog["trade_volume"]) == ["USD", "thousand USD", "million USD", "billion USD"]


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        (
            {"indicator": "eu_share_exports", "entity": "SRB", "value": "101"},
            "value",
            "above the largest valid value 100",
        ),
        ({"indicator": "us_tourist_arrivals", "value": "-5"}, "value", "below the smallest valid value 0"),
        ({"period": "2019-13"}, "period", "2019-13"),
        ({"unit": "furlongs"}, "unit", "unknown unit 'furlongs'"),
        ({"unit": "million persons"}, "unit", "measured in USD, not persons"),
        ({"entity": "Atlantis"}, "entity", "not an entity code"),
        ({"value": "1,7 bn"}, "value", "not a number"),
        ({"value": "1,700"}, "value", "'1,700' could be 1700 or 1.7: write 1700 or 1.7"),
        ({"reason": " "}, "reason", "reason"),
        ({"qualifier": "perhaps"}, "qualifier", "not a qualifier"),
    ],
)
def test_each_bad_field_gets_its_own_message(catalog, typed, field, message):
    checked = figure(catalog, **typed)
    assert not checked.ok and checked.value is None
    assert message in checked.errors[field]


def test_new_sources_get_readable_unused_ids():
    assert new_source_id("NBS: Quarterly Report!", 2025, set()) == "nbs_quarterly_report_2025"
    assert new_source_id("NBS report", None, {"nbs_report"}) == "nbs_report_2"
    assert check_source(set(), title="Report", url="javascript:alert(1)").errors["url"].startswith("a source URL")
    assert check_source(set(), title="Report", year="20x5").errors["year"] == "'20x5' is not a year"
    assert check_source(set(), title="Report", year="2025", publisher="NBS").value.id == "report_2025"


def test_a_new_indicator_is_checked_like_the_catalog(catalog):
    good = {"id": "fdi_inflow", "name": "FDI inflow", "unit": "USD", "category": "economy", "min_value": 0}
    assert check_indicator(good, set(catalog)).ok
    assert "already" in check_indicator({**good, "id": "gdp_growth"}, set(catalog)).errors["id"]
    assert "unknown unit" in check_indicator({**good, "unit": "furlongs"}, set()).errors["unit"]
    assert "empty" in check_indicator({**good, "min_value": 5, "max_value": 1}, set()).errors["range"]


def test_passwords_are_compared_in_constant_time_and_never_kept():
    assert access.check_password("s3cret", "s3cret") and not access.check_password("s3cre", "s3cret")
    proof = access.editor_proof("Ana", "s3cret")
    assert "s3cret" not in proof and proof != access.editor_proof("Ana", "other")
    assert [access.failure_delay(n) for n in (1, 2, 3, 10)] == [0.25, 0.5, 1.0, 3.0]


def test_who_may_edit_follows_the_settings(monkeypatch):
    monkeypatch.delenv("INDICATORS_EDITOR_PASSWORD", raising=False)
    monkeypatch.delenv("INDICATORS_READ_ONLY", raising=False)
    assert access.current_editor()  # open: the local user
    monkeypatch.setenv("INDICATORS_EDITOR_PASSWORD", "pw")
    assert access.password_required() and access.current_editor() is None  # outside a signed-in session
    monkeypatch.setenv("INDICATORS_READ_ONLY", "1")
    assert not access.editing_enabled() and access.current_editor() is None


@pytest.mark.parametrize(
    ("typed", "stored", "note"),
    [
        ({"value": "1,7"}, ("SRB-USA", 1.7e9), {"value": "'1,7' read as 1.7"}),
        ({"value": "1.234,5", "unit": "million USD"}, ("SRB-USA", 1234.5e6), {"value": "'1.234,5' read as 1234.5"}),
        ({"value": "1,234.5", "unit": "million USD"}, ("SRB-USA", 1234.5e6), {"value": "'1,234.5' read as 1234.5"}),
        ({"value": "1 234,5", "unit": "million USD"}, ("SRB-USA", 1234.5e6), {"value": "'1 234,5' read as 1234.5"}),
        ({"value": "1.7"}, ("SRB-USA", 1.7e9), {}),
        ({"value": "1 700", "unit": "million USD"}, ("SRB-USA", 1.7e9), {}),
        ({"value": "0.125"}, ("SRB-USA", 0.125e9), {}),
        ({"value": "1.700"}, ("SRB-USA", 1.7e9), {}),  # the form's own writing: a dot is the decimal point
        ({"value": "1.125", "unit": "thousand USD"}, ("SRB-USA", 1125.0), {}),  # as a correction is prefilled
        (
            {"indicator": "gdp_growth", "entity": "Srbija", "unit": None},
            ("SRB", 1.7),
            {"entity": "'Srbija' read as SRB (Serbia)"},
        ),
        (
            {"indicator": "gdp_growth", "entity": "RS", "unit": None},
            ("SRB", 1.7),
            {"entity": "'RS' read as SRB (Serbia)"},
        ),
        ({"indicator": "gdp_growth", "entity": "srb", "unit": None}, ("SRB", 1.7), {}),
    ],
)
def test_a_figure_is_read_as_an_upload_reads_it_and_says_how(catalog, typed, stored, note):
    """A decimal comma, thousands separators and entity names or aliases are read by the upload's rules; where
    that differs from what was typed, a note says how, for the form to show before it saves."""
    checked = figure(catalog, **{"unit": "billion USD", **typed})
    assert checked.ok, checked.errors
    assert (checked.value.entity, checked.value.value) == pytest.approx(stored)
    assert checked.notes == note
