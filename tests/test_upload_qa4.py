"""QA round 4 of the Upload page and `import`: an analyst's awkward choices and awkward files."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicators.cli import main
from indicators.ingest import Mapping, Options, UploadError, plan_upload, read_upload
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


def test_an_unquoted_comma_in_the_first_row_is_named_not_blamed_on_every_row():
    """A note typed with a comma (`revised, see WB`) on the first row made pandas read the first column as an
    index: every row was then 'rejected' with shifted columns ('indicator 2020: not an indicator id')."""
    text = "indicator,period,value,note\ngdp_growth,2020,1,revised, see WB\ngdp_growth,2021,2,ok\n"
    with pytest.raises(UploadError) as refused:
        read_upload(text.encode(), "notes.csv")
    assert "line 2 has 5 fields where the header (line 1) has 4" in str(refused.value)
    assert "double quotes" in str(refused.value) and "C error" not in str(refused.value)


def test_a_bad_record_is_named_by_the_files_own_line_after_quoted_line_breaks():
    rows = "".join(f"gdp_growth,{year},1,ok\n" for year in range(1990, 2010))
    text = f'indicator,period,value,note\ngdp_growth,1989,1,"two\nlines"\n{rows}gdp_growth,2020,1,revised, see WB\n'
    with pytest.raises(UploadError, match=r"line 24 has 5 fields where the header \(line 1\) has 4"):
        read_upload(text.encode(), "notes.csv")


def test_a_quote_never_closed_names_the_line_it_opens_on():
    rows = "".join(f"gdp_growth,{year},1\n" for year in range(1990, 2000))
    text = f'indicator,period,value\n{rows}gdp_growth,2020,"1\ngdp_growth,2021,2\n'
    with pytest.raises(UploadError) as refused:
        read_upload(text.encode(), "quote.csv")
    assert "line 12: a double quote opens a value that is never closed" in str(refused.value)
    assert "C error" not in str(refused.value)


def test_a_world_bank_row_with_an_extra_cell_names_its_line(store):
    data = (CORPUS / "wdi_military_2018.csv").read_bytes().replace(b'"Serbia","SRB",', b'"Serbia","SRB","x",', 1)
    line = data[: data.index(b'"Serbia","SRB"')].count(b"\n") + 1
    with pytest.raises(UploadError, match=f"line {line} has 64 fields where the header \\(line 5\\) has 63"):
        read_upload(data, "API_MS.MIL.XPND.GD.ZS_DS2_en_csv_v2.csv")


def test_one_wide_row_does_not_move_the_header_onto_itself():
    """indicator,period,value with a stray cell on line 2: the header was detected on record 2 and the file
    read as a foreign table asking for an indicator."""
    text = "indicator,period,value\ngdp_growth,2020,1,oops\ngdp_growth,2021,2\n"
    with pytest.raises(UploadError, match=r"line 2 has 4 fields where the header \(line 1\) has 3"):
        read_upload(text.encode(), "stray.csv")


def _upload_page(app):
    at = app(timeout=60).run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    return at


def test_a_trimmed_export_says_it_would_remove_the_papers_quotes(app):
    """An analyst re-uploads figures with only indicator, entity, period, value and source (quote and note
    columns deleted in Excel). The preview said 'Changed 1' and showed 3.8 → 3.8: nothing said that the
    commit blanks the paper's quote and the note."""
    text = b"indicator,entity,period,value,source\ngdp_growth,SRB,2024,3.8,pupin_2024\n"
    at = _upload_page(app)
    at.file_uploader[0].set_value(("trimmed.csv", text, "text/csv")).run()
    assert not at.exception
    assert {m.label: int(m.value) for m in at.metric}["Changed"] == 1
    changed = at.dataframe[0].value
    assert changed[["old", "new", "changes"]].iloc[0].tolist() == [3.8, 3.8, "quote removed, note removed"]
    assert "removes 1 quote and 1 note" in at.warning[0].value


def test_a_dry_run_warns_of_quotes_it_would_remove(store_path, tmp_path, capsys):
    file = tmp_path / "trimmed.csv"
    file.write_text("indicator,entity,period,value,source\ngdp_growth,SRB,2024,3.9,pupin_2024\n")
    assert main(["init"]) == 0
    capsys.readouterr()
    assert main(["import", str(file), "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert "1 changed" in captured.out and "removes 1 quote and 1 note" in captured.err


def test_a_streamed_import_names_a_repeated_key_by_the_files_own_lines(store_path, tmp_path, monkeypatch, capsys):
    """A big file in our format (streamed) with blank lines: the problem's line was the file's (6) but its
    reason said 'first at row 2' (the record number) for a key first given on line 4."""
    from indicators import bulkload

    monkeypatch.setattr(bulkload, "STREAM_ABOVE_BYTES", 0)
    file = tmp_path / "download.csv"
    file.write_text(
        "indicator,entity,period,value,source\n\n\ngdp_growth,SRB,2020,1,pupin_2024\n\n"
        "gdp_growth,SRB,2020,2,pupin_2024\n"
    )
    assert main(["init"]) == 0
    capsys.readouterr()
    assert main(["import", str(file)]) == 1
    err = capsys.readouterr().err
    assert "streamed" not in err  # (the message is the same as the page's, below)
    assert "line 4, column value, value '1': the same indicator" in err
    assert "line 6, column value, value '2': the same indicator" in err
    assert "first on line 4" in err and "row 2" not in err


def test_a_repeated_key_on_the_page_says_where_it_was_first_given(store):
    text = b"indicator,period,value\n\ngdp_growth,2020,1\ngdp_growth,2020,2\n"
    plan = plan_upload(store, read_upload(text, "twice.csv"), Mapping(source_text="Notes"))
    assert plan.problems["line"].tolist() == [3, 4]
    assert all(reason.endswith("(first on line 3)") for reason in plan.problems["reason"])


def test_a_file_over_the_limit_gives_its_size_as_the_chooser_does_and_names_the_setting(app, monkeypatch):
    """The uploader showed '3.4MB' beside 'tour_occ_arn2.tsv is 3.2 MB, over the 2 MB limit' (MiB in one,
    MB in the other), and the page never named the setting that raises the limit, as the README says."""
    monkeypatch.setenv("INDICATORS_MAX_UPLOAD_MB", "1")
    at = _upload_page(app)
    big = b"indicator,period,value\n" + b"gdp_growth,2020,1\n" * 190_000  # 3,420,023 bytes: 3.4 MB, 3.26 MiB
    at.file_uploader[0].set_value(("big.csv", big, "text/csv")).run()
    assert not at.exception
    message = at.error[0].value.replace("\\", "")  # (messages escape markdown)
    assert "3.4 MB" in message and "over the 1 MB limit" in message and "INDICATORS_MAX_UPLOAD_MB" in message


def _workbook(sheets: list[tuple[str, list[list]]]) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


NOTES_THEN_DATA = [
    ("Notes", [["GDP growth, prepared for the ministry"], ["Figures on the next sheet"]]),
    ("Data", [["indicator", "entity", "period", "value"], ["gdp_growth", "SRB", 2020, -0.9]]),
]


def test_a_workbook_whose_first_sheet_is_notes_lets_the_analyst_choose_the_data_sheet(app):
    """The sheet picker appeared only after the first sheet had been read: a workbook opening on a notes
    sheet showed 'Choose the columns ...' and no way to pick the sheet with the figures."""
    at = _upload_page(app)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at.file_uploader[0].set_value(("ministry.xlsx", _workbook(NOTES_THEN_DATA), xlsx)).run()
    assert not at.exception
    assert "Data" in at.error[0].value  # the refusal names the other sheet
    at.selectbox(key="upload_sheet").set_value("Data").run()
    assert not at.exception and not at.error
    at.text_input(key="upload_source").set_value("Ministry notes").run()
    assert {m.label: int(m.value) for m in at.metric} == {"New": 1, "Changed": 0, "Unchanged": 0, "Rejected": 0}


def test_import_of_such_a_workbook_names_its_sheets(store_path, tmp_path, capsys):
    file = tmp_path / "ministry.xlsx"
    file.write_bytes(_workbook(NOTES_THEN_DATA))
    assert main(["import", str(file), "--source", "Ministry"]) == 1
    err = capsys.readouterr().err
    assert "sheet 'Notes'" in err and "other sheets: Data" in err and "--sheet" in err
    assert main(["import", str(file), "--source", "Ministry", "--sheet", "Data"]) == 0


def test_keep_both_says_before_the_commit_what_the_commit_will_count(app):
    """The preview counted 1 new, 1 changed, 1 unchanged; with 'Keep both' the commit reported '3 new, 0 changed,
    0 unchanged' and nothing on the page had said why. The choice now says what the commit will do."""
    first = b"indicator,period,value\ngdp_growth,2020,1\ngdp_growth,2021,2\n"
    at = _upload_page(app)
    at.file_uploader[0].set_value(("notes.csv", first, "text/csv")).run()
    at.text_input(key="upload_source").set_value("My notes").run()
    at.button(key="upload_commit").click().run()
    newer = b"indicator,period,value\ngdp_growth,2020,1.5\ngdp_growth,2021,2\ngdp_growth,2022,3\n"
    at.file_uploader[0].set_value(("notes-v2.csv", newer, "text/csv")).run()
    at.text_input(key="upload_source").set_value("My notes").run()
    assert {m.label: int(m.value) for m in at.metric} == {"New": 1, "Changed": 1, "Unchanged": 1, "Rejected": 0}
    at.radio(key="upload_on_change").set_value("Keep both, the new values as a separate source").run()
    said = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "The commit adds 3 figures, changes none and leaves 0 unchanged" in said
    assert "all 3 figures the file gives for My notes (1 new, 1 changed, 1 unchanged)" in said
    at.button(key="upload_commit").click().run()
    assert "3 new, 0 changed, 0 unchanged" in at.success[0].value


def test_import_indicator_for_a_file_of_ours_that_names_other_indicators_is_refused(store_path, tmp_path, capsys):
    """`import figures.csv --indicator defense_share_gdp` on a file of ours holding GDP growth imported the GDP
    growth figures and exited 0: the flag was ignored without a word."""
    file = tmp_path / "figures.csv"
    file.write_text("indicator,entity,period,value\ngdp_growth,SRB,2020,1\ngdp_growth,USA,2020,2\n")
    assert main(["init"]) == 0
    capsys.readouterr()
    assert main(["import", str(file), "--indicator", "defense_share_gdp", "--source", "Notes"]) == 1
    err = capsys.readouterr().err
    assert "--indicator defense_share_gdp" in err and "gdp_growth" in err and "nothing was written" in err
    # the flag agreeing with the file's own column is harmless
    assert main(["import", str(file), "--indicator", "gdp_growth", "--source", "Notes"]) == 0


def test_import_sheet_for_a_csv_is_refused_not_ignored(store_path, capsys):
    assert main(["import", str(CORPUS / "native_minimal.csv"), "--sheet", "Data", "--source", "Notes"]) == 1
    assert "--sheet" in capsys.readouterr().err


def test_a_share_saved_by_excel_with_a_percent_sign_is_read_as_percent(store):
    """Excel saves a cell formatted as a percentage as '2.50%' (Serbian Excel: '2,50%'): every such row was
    rejected as 'not a number'. It is the percentage (0-100, our unit); for an indicator in another unit the
    row is refused with the unit named."""
    text = "indicator;period;value\ndefense_share_gdp;2020;2,50%\ntrade_volume;2020;2,5%\n".encode("cp1250")
    plan = plan_upload(store, read_upload(text, "shares.csv"), Mapping(source_text="Notes"))
    assert plan.preview[["indicator_id", "value"]].values.tolist() == [["defense_share_gdp", 2.5]]
    assert plan.problems[["line", "column", "value"]].values.tolist() == [[3, "unit", "percent"]]
    assert "measured in USD" in plan.problems["reason"].iloc[0]


def test_percent_signs_read_the_same_in_a_big_file(store):
    import datetime as dt

    days = [dt.date(1990, 1, 1) + dt.timedelta(days=n) for n in range(5_200)]
    rows = "".join(f"defense_share_gdp,SRB,{day.isoformat()},{n % 9}.25%\n" for n, day in enumerate(days))
    parsed = read_upload(("indicator,entity,period,value\n" + rows).encode(), "big.csv")
    assert parsed.raw is not None  # the Arrow road
    plan = plan_upload(store, parsed, Mapping(source_text="Notes"))
    assert plan.validated.ok and plan.valid_rows == 5_200
    assert sorted(set(plan.preview["value"])) == [n + 0.25 for n in range(9)]


def test_a_workbook_cell_formatted_as_a_percentage_is_stored_as_the_percentage_shown(store):
    """Excel shows 0.021 formatted as '2.1%'; the sheet was read as 0.021 and stored as 0.021 % of GDP: a
    hundred times too small, silently."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["indicator", "entity", "period", "value"])
    sheet.append(["defense_share_gdp", "SRB", 2020, 0.021])
    sheet.append(["defense_share_gdp", "SRB", 2021, 2.3])  # typed as a plain number
    sheet["D2"].number_format = "0.0%"
    out = io.BytesIO()
    book.save(out)
    plan = plan_upload(store, read_upload(out.getvalue(), "shares.xlsx"), Mapping(source_text="Notes"))
    assert plan.preview["value"].tolist() == [2.1, 2.3]


def test_workbook_dates_in_the_period_column_are_read_as_the_period_they_show(store):
    """A period typed in Excel as a date (shown 'Jul 2020' or '15.07.2020') was read as '2020-07-01 00:00:00'
    and rejected: 'is not a period', with a time the analyst never typed."""
    import datetime as dt
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["indicator", "entity", "period", "value"])
    sheet.append(["gdp_growth", "SRB", dt.datetime(2020, 7, 1), 1.0])
    sheet.append(["gdp_growth", "SRB", dt.datetime(2020, 7, 15), 2.0])
    sheet.append(["gdp_growth", "SRB", dt.datetime(2021, 1, 1), 3.0])
    sheet["C2"].number_format = "mmm yyyy"
    sheet["C3"].number_format = "dd.mm.yyyy"
    sheet["C4"].number_format = "yyyy"
    out = io.BytesIO()
    book.save(out)
    plan = plan_upload(store, read_upload(out.getvalue(), "dates.xlsx"), Mapping(source_text="Notes"))
    assert plan.validated.ok, plan.problems
    assert sorted(plan.preview["period"]) == ["2020-07", "2020-07-15", "2021"]


@pytest.mark.parametrize("space", ["\u00a0", "\u202f"])
def test_thousands_grouped_with_a_no_break_space_are_numbers(store, space):
    """Excel and LibreOffice in many locales group thousands with a no-break space (1 234 567,5): such values
    were 'not a number' (a plain space was understood)."""
    text = f"indicator;entity;period;value\ntrade_volume;SRB-USA;2020;1{space}234{space}567,5\n".encode()
    parsed = read_upload(text, "trade.csv")
    assert (parsed.dialect.decimal, parsed.dialect.thousands) == (",", " ")
    plan = plan_upload(store, parsed, Mapping(source_text="Notes"))
    assert plan.preview["value"].tolist() == [1234567.5]


def test_a_figure_given_twice_as_about_and_as_more_than_is_refused_not_half_kept(store):
    """The same key and value twice, once 'about' and once 'more than' (or with two different notes): the first
    was kept and the second dropped without a word. They are two statements: which one is true?"""
    text = (
        b"indicator,period,value,qualifier,note\n"
        b"gdp_growth,2021,1,about,\ngdp_growth,2021,1,more than,\n"
        b"gdp_growth,2022,2,,first note\ngdp_growth,2022,2,,second note\n"
        b"gdp_growth,2023,3,,same\ngdp_growth,2023,3.0,,same\n"
    )
    plan = plan_upload(store, read_upload(text, "twice.csv"), Mapping(source_text="Notes"))
    assert plan.problems["line"].tolist() == [2, 3, 4, 5]
    assert set(plan.problems["reason"]) == {
        "the same indicator, entity, period and source appear again with another value, qualifier, quote or note "
        f"(first on line {line})"
        for line in (2, 4)
    }
    assert plan.valid_rows == 1  # the identical repeat counts once


def test_a_streamed_import_refuses_a_key_repeated_across_chunks_with_another_note(
    store_path, tmp_path, monkeypatch, capsys
):
    from indicators import bulkload

    monkeypatch.setattr(bulkload, "STREAM_ABOVE_BYTES", 0)
    monkeypatch.setattr(bulkload, "CHUNK_ROWS", 2)
    file = tmp_path / "download.csv"
    file.write_text(
        "indicator,entity,period,value,source,note\ngdp_growth,SRB,2020,1,pupin_2024,first\n"
        "gdp_growth,SRB,2019,1,pupin_2024,\ngdp_growth,SRB,2018,1,pupin_2024,\ngdp_growth,SRB,2020,1,pupin_2024,second\n"
    )
    assert main(["init"]) == 0
    capsys.readouterr()
    assert main(["import", str(file)]) == 1
    assert "(value, qualifier, quote or note): gdp_growth, SRB, 2020, pupin_2024" in capsys.readouterr().err


def test_a_file_of_several_series_waits_for_the_analyst_to_choose_one(app):
    """Eurostat's tour_occ_arn2 holds arrivals of domestic (DOM), foreign (FOR) and all (TOTAL) residents. The
    page preselected the first series, c_resid=DOM: choosing the indicator 'Foreign tourists visiting Serbia'
    previewed 856,479 domestic arrivals (2013) as new foreign-tourist figures, one click from Commit."""
    at = _upload_page(app)
    data = (CORPUS / "eurostat_tour_occ_arn2.tsv").read_bytes()
    at.file_uploader[0].set_value(("tour_occ_arn2.tsv", data, "text/tab-separated-values")).run()
    at.selectbox(key="upload_indicator").set_value("foreign_tourist_arrivals").run()
    assert not at.exception
    assert at.selectbox(key="upload_series").value is None
    assert not at.metric and not [b for b in at.button if b.label == "Commit"]
    assert any("choose the series" in info.value for info in at.info)
    at.selectbox(key="upload_series").set_value("c_resid=FOR, unit=NR, nace_r2=I551-I553").run()
    assert {m.label: int(m.value) for m in at.metric}["New"] > 0


def test_an_emptied_entity_list_says_that_every_entity_is_kept(app):
    """Clearing 'Entities to keep' (Serbia and the US preselected) kept every country of the World Bank file,
    with nothing saying so next to the empty list."""
    at = _upload_page(app)
    data = (CORPUS / "wdi_military_2018.csv").read_bytes()
    at.file_uploader[0].set_value(("API_MS.MIL.XPND.GD.ZS_DS2_en_csv_v2.csv", data, "text/csv")).run()
    at.selectbox(key="upload_indicator").set_value("defense_share_gdp").run()
    at.multiselect(key="upload_entities").set_value([]).run()
    assert not at.exception
    entities = len(at.multiselect(key="upload_entities").options)
    said = " ".join(c.value for c in at.caption)
    assert f"No entity chosen: all {entities} entities with a code are kept" in said


def test_a_utf8_file_with_one_line_pasted_from_windows_1250_is_refused_not_garbled():
    """One line pasted from a Windows-1250 file into a UTF-8 file: the whole file was decoded as Windows-1250,
    and 'Čačak Šabac' on the UTF-8 lines was stored as 'ÄŚaÄŤak Ĺ abac' without a word."""
    data = "indicator,period,value,note\ngdp_growth,2020,1,Čačak Šabac\n".encode() + "gdp_growth,2021,2,Niš\n".encode(
        "cp1250"
    )
    with pytest.raises(UploadError) as refused:
        read_upload(data, "mixed.csv")
    message = str(refused.value)
    assert "line 3" in message and "UTF-8" in message and "Windows-1250" in message
    # a whole Windows-1250 file is still read as one, letters intact
    whole = "indicator,period,value,note\ngdp_growth,2020,1,Čačak Šabac Niš Đurđevo Žabalj Ćuprija\n".encode("cp1250")
    assert read_upload(whole, "serbian.csv").table["note"].tolist() == ["Čačak Šabac Niš Đurđevo Žabalj Ćuprija"]


def test_an_empty_value_cell_is_called_empty_not_not_a_number(store):
    """A row whose value cell was left empty (the template's example rows, a short line) read 'value '':
    not a number'."""
    text = b"indicator,period,value\ngdp_growth,2020,\ngdp_growth,2021,abc\n"
    plan = plan_upload(store, read_upload(text, "gaps.csv"), Mapping(source_text="Notes"))
    assert plan.problems[["line", "value", "reason"]].values.tolist() == [
        [2, "", "no value: the cell is empty"],
        [3, "abc", "not a number"],
    ]


def test_a_figures_csv_shown_and_imported_back_changes_nothing_even_with_formula_like_quotes_and_notes(store):
    """`show` (and a snapshot's observations.csv) guards a quote or note that starts like a formula with an
    apostrophe, so a spreadsheet never runs it. Importing that file back, as the README says one can, must
    read the text as it was written: it used to count each such figure as changed, adding one more apostrophe
    to the note on every round trip."""
    from indicators.csvformat import observations_csv
    from indicators.ingest import commit_upload, plan_upload, read_upload
    from tests.snapshot_helpers import HOSTILE_NOTE, HOSTILE_QUOTE, hostile_store

    hostile_store(store)
    shown = observations_csv(store.observations_table(["gdp_growth"]))
    assert b"'-1+2" in shown  # guarded in the file
    plan = plan_upload(store, read_upload(shown, "gdp_growth.csv"))
    assert plan.counts()["changed"] == 0 and plan.counts()["new"] == 0
    commit_upload(store, plan, who="analyst")
    stored = store.observations_table(["gdp_growth"])
    assert HOSTILE_NOTE in set(stored["note"]) and HOSTILE_QUOTE in set(stored["quote"])
    assert "@SUM(A1:A9)" in set(stored["note"])
