"""The Upload page, driven through AppTest: choose a file, override what was detected, map it, preview,
commit or cancel. (AppTest 1.67 drives st.file_uploader directly; downloads are checked via the function.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from indicators.cli import main
from indicators.ingest.template import template_csv

CORPUS = Path(__file__).resolve().parent / "data" / "ingest"


def _upload_page(app):
    at = app(timeout=60).run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    return at


def _upload(at, name: str, data: bytes | None = None):
    data = (CORPUS / name).read_bytes() if data is None else data
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, at.exception
    return at


def _plain(text: str) -> str:
    """Messages escape markdown characters (user text is never markup); compare them without the escapes."""
    return text.replace("\\", "")


def _button(at, label: str):
    return next(button for button in at.button if button.label == label)


def _metrics(at) -> dict[str, int]:
    return {metric.label: int(metric.value) for metric in at.metric}


def test_the_page_is_listed_under_edit_and_offers_a_template(app, store):
    at = app(timeout=60).run()
    assert not at.exception
    text = template_csv(store).decode()
    assert text.startswith("indicator,entity,period,value,unit,qualifier,source,quote,note\n")
    assert "\ntrade_volume,SRB-USA," in text and text.count("\n") == len(store.indicators()) + 1


def test_upload_preview_and_commit_a_file_in_our_format(app):
    at = _upload(_upload_page(app), "native_minimal.csv")
    at.text_input(key="upload_source").set_value("My own notes").run()
    assert _metrics(at) == {"New": 2, "Changed": 0, "Unchanged": 0, "Rejected": 0}
    at.button(key="upload_commit").click().run()
    assert not at.exception
    assert "Committed native_minimal.csv: 2 new" in _plain(at.success[0].value)
    # the same file again: everything is already there
    at = _upload(at, "native_minimal.csv")
    at.text_input(key="upload_source").set_value("My own notes").run()
    assert _metrics(at)["Unchanged"] == 2


def test_cancel_writes_nothing(app):
    at = _upload(_upload_page(app), "native_minimal.csv")
    at.text_input(key="upload_source").set_value("My own notes").run()
    at.button(key="upload_cancel").click().run()
    assert _plain(at.success[0].value) == "Cancelled: nothing from native_minimal.csv was written."
    at = _upload(at, "native_minimal.csv")
    at.text_input(key="upload_source").set_value("My own notes").run()
    assert _metrics(at)["New"] == 2


def test_map_a_world_bank_download_to_an_indicator(app):
    at = _upload(_upload_page(app), "wdi_military_2018.csv")
    assert "format wdi" in " ".join(c.value for c in at.caption)
    assert at.text_input(key="upload_source").value == "World Bank WDI, last updated 2018-02-22"
    at.selectbox(key="upload_indicator").set_value("defense_share_gdp").run()
    assert sorted(at.multiselect(key="upload_entities").value) == [
        "Serbia (SRB) · 21",
        "United States (USA) · 57",
    ]
    assert _metrics(at)["New"] == 21 + 57
    at.multiselect(key="upload_entities").set_value(["Serbia (SRB) · 21"]).run()
    at.slider(key="upload_years").set_value((2010, 2016)).run()
    assert _metrics(at)["New"] == 7
    at.button(key="upload_commit").click().run()
    assert "7 new" in _plain(at.success[0].value)


def test_rejected_rows_are_listed_and_commit_waits_for_a_choice(app):
    at = _upload(_upload_page(app), "x.csv", b"indicator,period,value\ngdp_growth,2001,5\ngdp_growth,2002,five\n")
    at.text_input(key="upload_source").set_value("Notes").run()
    assert _metrics(at)["Rejected"] == 1
    problems = at.dataframe[0].value
    assert problems.iloc[0].to_dict() == {"line": 3, "column": "value", "value": "five", "reason": "not a number"}
    assert at.button(key="upload_commit").disabled
    at.checkbox(key="upload_skip_invalid").check().run()
    at.button(key="upload_commit").click().run()
    assert "1 new" in _plain(at.success[0].value)


def test_override_the_detected_dialect(app):
    serbian_excel = b"indicator;period;value\ntrade_volume;2018;1.234.567,8\ngdp_growth;2018;4,5\n"
    at = _upload(_upload_page(app), "x.csv", serbian_excel)
    at.text_input(key="upload_source").set_value("Notes").run()
    assert _metrics(at) == {"New": 2, "Changed": 0, "Unchanged": 0, "Rejected": 0}
    assert "delimiter semicolon, decimal mark ','" in _plain(" ".join(c.value for c in at.caption))
    at.selectbox(key="upload_delimiter").set_value("comma").run()
    assert "line 2 has 2 fields" in _plain(at.error[0].value) and "choose another delimiter" in at.error[0].value
    at.selectbox(key="upload_delimiter").set_value("detect").run()
    at.selectbox(key="upload_decimal").set_value("point (3.5)").run()
    at.selectbox(key="upload_thousands").set_value("none").run()
    assert _metrics(at)["Rejected"] == 2  # 1.234.567,8 and 4,5 are not numbers when read the English way
    at.selectbox(key="upload_decimal").set_value("detect").run()
    at.selectbox(key="upload_thousands").set_value("detect").run()
    assert _metrics(at) == {"New": 2, "Changed": 0, "Unchanged": 0, "Rejected": 0}


def test_an_unreadable_file_shows_why(app):
    at = _upload(_upload_page(app), "binary_file.csv")
    assert "binary file" in at.error[0].value


def test_create_an_unknown_indicator_from_the_page(app):
    at = _upload(_upload_page(app), "x.csv", b"indicator,period,value\nhappiness_index,2020,6.1\n")
    at.text_input(key="upload_source").set_value("Notes").run()
    assert _metrics(at)["Rejected"] == 1
    inputs = {text_input.label: text_input for text_input in at.text_input}
    assert inputs["Id (lower-case, digits, _)"].value == "happiness_index"  # prefilled from the file
    inputs["Name"].set_value("Happiness index")
    inputs["Smallest valid value (blank: none)"].set_value("0")
    inputs["Largest valid value (blank: none)"].set_value("10")
    next(s for s in at.selectbox if s.label == "Unit").set_value("index")
    next(s for s in at.selectbox if s.label == "Category").set_value("people")
    _button(at, "Create indicator").click().run()
    assert not at.exception
    assert _metrics(at) == {"New": 1, "Changed": 0, "Unchanged": 0, "Rejected": 0}


def test_read_only_dashboards_do_not_list_the_upload_page(app, monkeypatch):
    assert main(["init"]) == 0  # a read-only dashboard serves an existing store
    monkeypatch.setenv("INDICATORS_READ_ONLY", "1")
    at = app(timeout=60).run()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/upload.py")


def test_a_second_file_is_mapped_afresh_not_with_the_first_files_choices(app):
    """An analyst maps a World Bank download to defence spending, then changes their mind and drops an OWID
    file on the uploader instead. The OWID file must not inherit the first file's indicator, source or
    entity choices: committing would otherwise file its figures under the wrong indicator and source."""
    at = _upload(_upload_page(app), "wdi_military_2018.csv")
    at.selectbox(key="upload_indicator").set_value("defense_share_gdp").run()
    at.multiselect(key="upload_entities").set_value(["Serbia (SRB) · 21"]).run()
    assert at.text_input(key="upload_source").value == "World Bank WDI, last updated 2018-02-22"

    at = _upload(at, "owid_sipri_military.csv")
    assert at.selectbox(key="upload_indicator").value is None
    assert "World Bank" not in at.text_input(key="upload_source").value
    assert at.text_input(key="upload_source").value.startswith("Our World in Data")
    assert sorted(at.multiselect(key="upload_entities").value) == [
        label for label in at.multiselect(key="upload_entities").options if "(SRB)" in label or "(USA)" in label
    ]
    assert not at.get("metric"), "no preview until the new file's indicator is chosen"


def test_a_bad_new_indicator_gets_plain_messages_not_a_validation_dump(app):
    """Creating an indicator while uploading, with a bad id, no name and a minimum typed as a word: each problem
    is named in words, as on the Enter page (it was pydantic's dump: regular expressions and pydantic's URLs)."""
    at = _upload(_upload_page(app), "wdi_military_2018.csv")
    form = {field.label: field for field in at.text_input if field.form_id == "upload_new_indicator"}
    form["Id (lower-case, digits, _)"].set_value("Military Spending!")
    form["Smallest valid value (blank: none)"].set_value("abc")
    _button(at, "Create indicator").click().run()
    assert not at.exception
    errors = [_plain(error.value) for error in at.error]
    assert errors == [
        "id: 'Military Spending!' is not an id: use lower-case letters, digits and _, as in fdi_inflow",
        "name: empty: this is required",
        "range: 'abc' is not a number: write digits, with a dot for decimals (1.7)",
    ]
    form = {field.label: field for field in at.text_input if field.form_id == "upload_new_indicator"}
    form["Id (lower-case, digits, _)"].set_value("military_share")
    form["Name"].set_value("Military spending, share of GDP")
    form["Smallest valid value (blank: none)"].set_value("0")
    _button(at, "Create indicator").click().run()
    assert not at.error
    assert any("(military_share)" in option for option in at.selectbox(key="upload_indicator").options)


def test_the_template_uploaded_back_as_it_came_changes_no_figure(app, store):
    """An analyst downloads the template, adds one figure of their own at the bottom and uploads it. The example
    rows must not count as figures: they replaced each latest figure's quote (the papers' sentences) and note
    with the template's, and stored zeros for indicators without figures."""
    text = template_csv(store).decode()
    mine = text + "gdp_growth,SRB,2025,3.9,percent,exactly,,,\n"
    at = _upload(_upload_page(app), "template.csv", mine.encode())
    at.text_input(key="upload_source").set_value("My own notes").run()
    counts = _metrics(at)
    assert (counts["New"], counts["Changed"]) == (1, 0)
    assert counts["Rejected"] == len(store.indicators())  # every example row, until its value is filled in
    assert "example: 949054251 (USD 949.1 m" in text  # the latest figure still shows what a value looks like
