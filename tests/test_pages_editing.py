"""The Enter and History pages and the sidebar sign-in, as an editor uses them (AppTest)."""

from __future__ import annotations

import re

import pytest

from indicators.cli import main
from indicators.store import Store

ENTER = "pages/enter.py"
HISTORY = "pages/history.py"


@pytest.fixture
def seeded(store_path):
    """The temporary store, created and seeded before the app opens it."""
    assert main(["init"]) == 0
    return store_path


def store_at(path) -> Store:
    return Store(path, idle_release=0)


def texts(elements) -> list[str]:
    return [str(element.value) for element in elements]


def plain(elements) -> list[str]:
    """What the person reads: the texts without the backslashes that escape Markdown."""
    return [re.sub(r"\\(.)", r"\1", text) for text in texts(elements)]


def fill_figure(at, indicator: str, *, period: str, value: str, source: str = "pupin_2024", **more):
    at.selectbox(key="enter_indicator").set_value(indicator).run()
    at.selectbox(key="enter_source").set_value(source).run()
    if "entity" in more:
        at.text_input(key=f"entity_{indicator}").set_value(more["entity"])
    at.text_input(key=f"period_{indicator}").set_value(period)
    at.text_input(key=f"value_{indicator}").set_value(value)
    if "unit" in more:
        at.selectbox(key=f"unit_{indicator}").set_value(more["unit"])
    if "unit_typed" in more:
        at.text_input(key=f"unit_typed_{indicator}").set_value(more["unit_typed"])
    at.text_input(key="reason").set_value(more.get("reason", "a newer figure"))
    at.button(key="FormSubmitter:figure_form-Save").click().run()
    assert not at.exception
    return at


def open_page(app, page: str):
    at = app().run()
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception
    return at


def test_an_editor_enters_a_value_in_billions_with_a_new_source(seeded, app):
    at = app().run()
    assert "Editing is open on this machine" in " ".join(texts(at.sidebar.caption))
    at.switch_page(ENTER).run()
    at.selectbox(key="enter_indicator").set_value("trade_volume").run()
    at.text_input(key="source_title").set_value("US Census Bureau: trade in goods with Serbia")
    at.text_input(key="source_publisher").set_value("US Census Bureau")
    at.text_input(key="source_year").set_value("2025")
    at.text_input(key="source_url").set_value("https://www.census.gov/foreign-trade/balance/c4791.html")
    at.text_input(key="period_trade_volume").set_value("2025")
    at.text_input(key="value_trade_volume").set_value("1.7")
    at.selectbox(key="unit_trade_volume").set_value("billion USD")
    at.selectbox(key="qualifier_trade_volume").set_value("about")
    at.text_input(key="reason").set_value("the 2025 annual figure")
    at.button(key="FormSubmitter:figure_form-Save").click().run()
    assert not at.exception and not at.error
    assert "USD 1\\.7 bn" in at.success[0].value
    store = store_at(seeded)
    figure = store.current_version("trade_volume", "SRB-USA", "2025", "us_census_bureau_trade_in_2025")
    assert (figure.value, figure.qualifier, figure.recorded_by) == (
        1.7e9,
        "about",
        store.query_value("SELECT who FROM batch ORDER BY id DESC LIMIT 1"),
    )
    assert "us_census_bureau_trade_in_2025" in store.source_ids()
    store.close()


def test_a_typo_corrected_right_after_saving_with_a_new_source_corrects_that_figure(seeded, app):
    """The editor saves 1.7 bn with a new source, sees the typo and saves 1.8 bn from the same form. That is a
    correction of the figure just saved: one source, one figure (it made a second copy of the source,
    us_census_..._2, and a second figure beside the first)."""
    at = app().run()
    at.switch_page(ENTER).run()
    at.selectbox(key="enter_indicator").set_value("trade_volume").run()
    at.text_input(key="source_title").set_value("US Census Bureau: trade in goods with Serbia")
    at.text_input(key="period_trade_volume").set_value("2025")
    at.text_input(key="value_trade_volume").set_value("1.7")
    at.selectbox(key="unit_trade_volume").set_value("billion USD")
    at.text_input(key="reason").set_value("the 2025 annual figure")
    at.button(key="FormSubmitter:figure_form-Save").click().run()
    assert "Saved" in at.success[0].value
    at.text_input(key="value_trade_volume").set_value("1.8")
    at.text_input(key="reason").set_value("typo: 1.8, not 1.7")
    at.button(key="FormSubmitter:figure_form-Save").click().run()
    if not at.success:  # the page shows the figure it would replace first; Save again replaces it
        at.button(key="FormSubmitter:figure_form-Save").click().run()
    assert not at.exception and not at.error
    store = store_at(seeded)
    figures = store.query_rows(
        "SELECT source_id, value FROM current_observation WHERE indicator_id = 'trade_volume' AND period = '2025'"
    )
    titles = store.query_rows("SELECT id FROM source WHERE title = 'US Census Bureau: trade in goods with Serbia'")
    store.close()
    assert len(titles) == 1
    assert figures == [(titles[0][0], 1.8e9)]


@pytest.mark.parametrize(
    ("indicator", "typed", "field_message"),
    [
        ("eu_share_exports", {"period": "2025", "value": "120"}, "above the largest valid value 100"),
        ("state_partnership_countries", {"period": "2025", "value": "-3"}, "below the smallest valid value 0"),
        ("gdp_growth", {"period": "2019-13", "value": "2"}, "2019-13"),
        ("trade_volume", {"period": "2025", "value": "2", "unit_typed": "furlongs"}, "unknown unit 'furlongs'"),
        ("gdp_growth", {"period": "2025", "value": "2", "reason": ""}, "every change needs a reason"),
    ],
    ids=["share-over-100", "negative-count", "impossible-period", "unknown-unit", "no-reason"],
)
def test_an_invalid_figure_gets_a_message_next_to_the_field_and_nothing_is_saved(
    seeded, app, indicator, typed, field_message
):
    store = store_at(seeded)
    batches = store.counts()["batches"]
    store.close()
    at = open_page(app, ENTER)
    fill_figure(at, indicator, **typed)
    messages = texts(at.error)
    assert any(field_message.replace(".", "\\.").replace("-", "\\-") in m or field_message in m for m in messages), (
        messages
    )
    assert any("Nothing was saved" in m for m in messages)
    assert not at.success
    store = store_at(seeded)
    assert store.counts()["batches"] == batches
    store.close()


def save_again(at):
    at.button(key="FormSubmitter:figure_form-Save").click().run()
    assert not at.exception
    return at


def figures_for(path, indicator: str, period: str) -> list[tuple]:
    store = store_at(path)
    rows = store.query_rows(
        "SELECT entity, value FROM current_observation WHERE indicator_id = ? AND period = ?", [indicator, period]
    )
    store.close()
    return rows


def test_a_value_typed_with_a_decimal_comma_is_shown_as_read_then_saved(seeded, app):
    """A Serbian statistician types 1,7 for Serbia's GDP growth, as she would in a semicolon CSV upload. The
    form reads it by the upload's rules, shows "read as 1.7" and saves nothing until she presses Save again."""
    at = open_page(app, ENTER)
    fill_figure(at, "gdp_growth", entity="SRB", period="2030", value="1,7", reason="NBS flash estimate")
    assert not at.error
    assert any("'1,7' read as 1.7" in info for info in plain(at.info)), plain(at.info)
    assert any("press Save again" in warning for warning in texts(at.warning))
    assert figures_for(seeded, "gdp_growth", "2030") == []
    save_again(at)
    assert not at.error and "Saved (added)" in plain(at.success)[0]
    assert figures_for(seeded, "gdp_growth", "2030") == [("SRB", 1.7)]


def test_an_entity_typed_by_its_serbian_name_is_stored_under_its_code(seeded, app):
    """Srbija is an alias in data/entities.csv, which uploads resolve to SRB: the form does too, and says so."""
    at = open_page(app, ENTER)
    fill_figure(at, "gdp_growth", entity="Srbija", period="2030", value="2.4", reason="NBS flash estimate")
    assert not at.error
    assert any("'Srbija' read as SRB (Serbia)" in info for info in plain(at.info)), plain(at.info)
    assert figures_for(seeded, "gdp_growth", "2030") == []
    save_again(at)
    assert not at.error and "for SRB 2030" in plain(at.success)[0]
    assert figures_for(seeded, "gdp_growth", "2030") == [("SRB", 2.4)]


@pytest.mark.parametrize(
    ("typed", "field_message"),
    [
        ({"value": "1,700"}, "value: '1,700' could be 1700 or 1.7: write 1700 or 1.7"),
        ({"value": "1,7 %"}, "value: '1,7 %' is not a number"),
        ({"value": "2.4", "entity": "Srbijaa"}, "entity: 'Srbijaa' is not an entity code"),
    ],
    ids=["ambiguous-comma", "not-a-number", "unknown-name"],
)
def test_an_ambiguous_or_unreadable_entry_is_refused_naming_the_field(seeded, app, typed, field_message):
    store = store_at(seeded)
    before = store.counts()
    store.close()
    at = open_page(app, ENTER)
    fill_figure(at, "gdp_growth", period="2030", **{"entity": "SRB", **typed})
    messages = plain(at.error)
    assert any(field_message in message for message in messages), messages
    assert any("Nothing was saved" in message for message in messages)
    save_again(at)  # pressing Save again does not talk the form into a guess
    assert not at.success and any(field_message in message for message in plain(at.error))
    store = store_at(seeded)
    assert store.counts() == before
    store.close()


def test_an_existing_value_is_shown_before_it_is_overwritten(seeded, app):
    at = open_page(app, ENTER)
    fill_figure(at, "gdp_growth", entity="SRB", period="2024", value="3.9", reason="revised")
    assert "A value already exists" in at.warning[0].value and "3\\.8 %" in at.warning[0].value
    store = store_at(seeded)
    assert store.current_version("gdp_growth", "SRB", "2024", "pupin_2024").value == 3.8
    store.close()
    at.button(key="FormSubmitter:figure_form-Save").click().run()
    assert "corrected" in at.success[0].value
    store = store_at(seeded)
    assert store.current_version("gdp_growth", "SRB", "2024", "pupin_2024").value == 3.9
    store.close()


def test_a_link_opens_the_figure_for_correcting_and_a_concurrent_change_is_refused(seeded, app):
    at = app().run()
    # as a browser opening /enter?indicator=...: the Enter page reads the link (the root URL with
    # ?indicator= would open the Indicator page instead, which keeps its own state in the URL)
    at.query_params.update({"indicator": "gdp_growth", "entity": "SRB", "period": "2024", "source": "pupin_2024"})
    at.switch_page(ENTER).run()
    assert "Correcting the current value" in at.info[0].value
    assert at.text_input(key="value_gdp_growth").value == "3.8"
    # meanwhile, another editor corrects the same figure from the command line
    assert (
        main(
            [
                "add",
                "--indicator",
                "gdp_growth",
                "--period",
                "2024",
                "--value",
                "4.1",
                "--source",
                "pupin_2024",
                "--reason",
                "other editor",
            ]
        )
        == 0
    )
    at.text_input(key="value_gdp_growth").set_value("3.9")
    at.text_input(key="reason").set_value("my correction")
    at.button(key="FormSubmitter:figure_form-Save").click().run()
    assert "since you opened it" in at.error[0].value and "4\\.1" in at.error[0].value
    store = store_at(seeded)
    assert store.current_version("gdp_growth", "SRB", "2024", "pupin_2024").value == 4.1
    store.close()


def test_an_editor_deletes_a_figure_with_a_reason(seeded, app):
    at = app().run()
    # as a browser opening /enter?indicator=...: the Enter page reads the link (the root URL with
    # ?indicator= would open the Indicator page instead, which keeps its own state in the URL)
    at.query_params.update({"indicator": "gdp_growth", "entity": "SRB", "period": "2024", "source": "pupin_2024"})
    at.switch_page(ENTER).run()
    at.text_input(key="delete_reason").set_value("wrong year")
    at.button(key="FormSubmitter:delete_form-Delete").click().run()
    assert "Deleted" in at.success[0].value
    # the page no longer claims to be correcting the figure it has just deleted
    assert not any("Correcting the current value" in info.value for info in at.info)
    store = store_at(seeded)
    assert store.current_version("gdp_growth", "SRB", "2024", "pupin_2024") is None
    store.close()


def test_a_new_indicator_is_added_and_a_bad_one_refused(seeded, app):
    at = open_page(app, ENTER)
    at.text_input(key="ind_id").set_value("gdp_growth")
    at.text_input(key="ind_name").set_value("Duplicate")
    at.text_input(key="ind_min").set_value("5")
    at.text_input(key="ind_max").set_value("1")
    at.text_input(key="ind_reason").set_value("x")
    at.button(key="FormSubmitter:indicator_form-Add the indicator").click().run()
    messages = " ".join(texts(at.error))
    assert "already an indicator" in messages and "empty" in messages and "Nothing was saved" in messages
    at.text_input(key="ind_id").set_value("fdi_inflow")
    at.text_input(key="ind_name").set_value("FDI inflow to Serbia")
    at.text_input(key="ind_min").set_value("0")
    at.text_input(key="ind_max").set_value("")
    at.text_input(key="ind_bench").set_value("1000000000")
    at.text_input(key="ind_reason").set_value("tracking FDI")
    at.button(key="FormSubmitter:indicator_form-Add the indicator").click().run()
    assert "Added FDI inflow" in at.success[0].value
    store = store_at(seeded)
    assert store.indicator("fdi_inflow").benchmark_value == 1e9
    store.close()


def test_a_new_indicator_can_get_its_first_figure_straight_away(seeded, app):
    """The editor adds an indicator; the page says "enter its first figure in the other tab", so that tab
    must already offer the new indicator (it listed only the old ones until something else reran the page)."""
    at = open_page(app, ENTER)
    at.text_input(key="ind_id").set_value("remittances_from_usa")
    at.text_input(key="ind_name").set_value("Remittances from the US")
    at.text_input(key="ind_reason").set_value("tracking remittances")
    at.button(key="FormSubmitter:indicator_form-Add the indicator").click().run()
    assert not at.exception and not at.warning
    assert "Added Remittances from the US" in at.success[0].value
    assert "Remittances from the US (remittances_from_usa)" in at.selectbox(key="enter_indicator").options
    assert at.selectbox(key="enter_indicator").value == "remittances_from_usa"
    fill_figure(at, "remittances_from_usa", period="2024", value="350000000", reason="World Bank estimate")
    assert "Nothing was saved" not in " ".join(texts(at.error))
    store = store_at(seeded)
    assert store.current_version("remittances_from_usa", "SRB", "2024", "pupin_2024").value == 350_000_000
    store.close()


# --- who may edit ------------------------------------------------------------------------------------


def sign_in_block():
    """The sidebar's sign-in block alone (AppTest drops app.py's sidebar after the first run when the
    pages live in pages/, so the widget is exercised here and the navigation through app.py below)."""
    import streamlit as st

    from indicators import access

    with st.sidebar:
        access.sidebar()
    st.text(f"editor: {access.current_editor()}")


def test_sign_in_asks_for_name_and_password_and_refuses_a_wrong_one(store_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("INDICATORS_EDITOR_PASSWORD", "correct horse")
    at = AppTest.from_function(sign_in_block, default_timeout=10).run()
    assert at.text[0].value == "editor: None"
    at.sidebar.text_input[0].set_value("Ana")
    at.sidebar.text_input[1].set_value("wrong")
    at.sidebar.button[0].click().run()
    assert "Wrong password" in at.sidebar.error[0].value
    assert at.text[0].value == "editor: None"
    at.sidebar.text_input[0].set_value("Ana")
    at.sidebar.text_input[1].set_value("correct horse")
    at.sidebar.button[0].click().run()
    assert "Signed in as **Ana**" in at.sidebar.caption[0].value
    assert at.text[0].value == "editor: Ana"
    kept = repr(at.session_state)
    assert "Ana" in kept and "proof" in kept
    assert "correct horse" not in kept and "wrong" not in kept  # neither password is kept in the session
    at.sidebar.button[0].click().run()  # sign out
    assert at.text[0].value == "editor: None"


def test_without_a_password_the_sidebar_says_editing_is_open(store_path):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(sign_in_block, default_timeout=10).run()
    assert "Editing is open on this machine" in at.sidebar.caption[0].value
    assert at.text[0].value != "editor: None"


def test_with_a_password_only_signed_in_editors_reach_the_editing_pages(seeded, app, monkeypatch):
    from indicators import access

    monkeypatch.setenv("INDICATORS_EDITOR_PASSWORD", "correct horse")
    visitor = app().run()
    assert not visitor.exception
    assert visitor.sidebar.button[0].label == "Sign in"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        visitor.switch_page(ENTER)  # not listed before signing in
    visitor.switch_page(HISTORY).run()
    assert "Sign in in the sidebar first" in " ".join(texts(visitor.caption))
    assert all(button.key != "undo" for button in visitor.button)

    forged = app()
    forged.session_state[access.SESSION_KEY] = {"name": "Eve", "proof": access.editor_proof("Eve", "a guess")}
    forged.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        forged.switch_page(ENTER)

    at = app()
    at.session_state[access.SESSION_KEY] = {"name": "Ana", "proof": access.editor_proof("Ana", "correct horse")}
    at.run()
    at.switch_page(ENTER).run()
    assert "Enter or correct a figure" in texts(at.title)
    fill_figure(at, "gdp_growth", entity="SRB", period="2025", value="2.5")
    assert at.success
    store = store_at(seeded)
    assert store.current_version("gdp_growth", "SRB", "2025", "pupin_2024").recorded_by == "Ana"
    store.close()


def test_read_only_hides_the_editing_pages_and_the_undo(seeded, app, monkeypatch):
    monkeypatch.setenv("INDICATORS_READ_ONLY", "1")
    at = app().run()
    assert not at.exception
    assert "Read-only" in " ".join(texts(at.sidebar.caption))
    assert not at.sidebar.text_input  # no sign-in form either
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(ENTER)
    at.switch_page(HISTORY).run()
    assert "History" in texts(at.title)
    assert all(button.key != "undo" for button in at.button)
    assert "read-only" in " ".join(texts(at.caption))


# --- history -------------------------------------------------------------------------------------------


def test_an_undo_shows_at_once_in_the_history_and_can_itself_be_undone(seeded, app):
    """The editor undoes the newest batch. The page says "undo batch N to bring the changes back": the table
    must already list that undo, and batch N must be offered for undoing, without touching anything else."""
    from indicators.models import Observation

    store = store_at(seeded)
    edit = store.save_observation(
        Observation(indicator_id="gdp_growth", entity="SRB", period="2024", value=4.0, source_id="pupin_2024"),
        who="ana",
        reason="revised by the statistics office",
    )
    store.close()
    at = open_page(app, HISTORY)
    at.selectbox(key="undo_batch").set_value(edit.batch_id)
    at.button(key="undo").click().run()
    assert not at.exception
    assert f"Undid batch {edit.batch_id} as batch {edit.batch_id + 1}" in at.success[0].value
    newest = at.dataframe[0].value.iloc[0]
    assert (newest["batch"], newest["kind"]) == (edit.batch_id + 1, f"undo of batch {edit.batch_id}")
    assert any(
        label.startswith(f"Batch {edit.batch_id + 1} · undo") for label in at.selectbox(key="undo_batch").options
    )


def test_history_filters_by_indicator_and_person_and_undoes_a_batch(seeded, app):
    from indicators.models import Observation

    store = store_at(seeded)
    edit = store.save_observation(
        Observation(indicator_id="gdp_growth", entity="SRB", period="2024", value=4.0, source_id="pupin_2024"),
        who="ana",
        reason="revised by the statistics office",
    )
    store.save_observation(
        Observation(indicator_id="defense_share_gdp", entity="SRB", period="2025", value=2.2, source_id="pupin_2024"),
        who="ben",
        reason="new SIPRI figure",
    )
    store.close()
    at = open_page(app, HISTORY)
    table = at.dataframe[0].value
    assert {"ana", "ben", "seed data"} <= set(table["who"])
    at.selectbox[0].set_value("gdp_growth").run()
    assert set(at.dataframe[0].value["what"].str.contains("GDP growth")) == {True}
    at.selectbox[1].set_value("ben").run()
    assert at.info and "No changes match" in at.info[0].value
    at.selectbox[0].set_value("(all)").run()
    table = at.dataframe[0].value
    assert list(table["who"].unique()) == ["ben"] and table.iloc[0]["why"] == "new SIPRI figure"
    at.selectbox[1].set_value("(all)").run()
    at.number_input[0].set_value(edit.batch_id).run()
    table = at.dataframe[0].value
    assert table[["old", "new"]].values.tolist() == [["3.8 %", "4 %"]]

    at.selectbox(key="undo_batch").set_value(edit.batch_id)
    at.text_input(key="undo_reason").set_value("the revision was withdrawn")
    at.button(key="undo").click().run()
    assert f"Undid batch {edit.batch_id}" in at.success[0].value
    store = store_at(seeded)
    assert store.current_version("gdp_growth", "SRB", "2024", "pupin_2024").value == 3.8
    store.close()
    at.button(key="undo").click().run()  # the same batch again: refused, clearly
    assert "already undone" in at.error[0].value


def test_after_a_correction_the_page_names_the_value_now_recorded(seeded, app):
    """An editor opens 2024's GDP growth from the Indicator page and corrects 3.8 to 3.9: the green message
    said "Saved (corrected): 3.9 %" while the box at the top still read "Correcting the current value: 3.8 %"."""
    at = app().run()
    at.query_params.update({"indicator": "gdp_growth", "entity": "SRB", "period": "2024", "source": "pupin_2024"})
    at.switch_page(ENTER).run()
    at.text_input(key="value_gdp_growth").set_value("3.9")
    at.text_input(key="reason").set_value("revised release")
    at.button(key="FormSubmitter:figure_form-Save").click().run()
    assert "corrected" in at.success[0].value
    correcting = [info.value for info in at.info if "Correcting the current value" in info.value]
    assert len(correcting) == 1 and "3\\.9 %" in correcting[0] and "3\\.8" not in correcting[0]


def test_a_share_typed_as_a_fraction_is_questioned_and_never_shown_as_zero(seeded, app):
    """An editor enters a 45 % approval rating as 0.45 (a share, as spreadsheets write it): it was saved at
    once and announced as "Saved (added): 0 % for SRB 2025", and the Overview showed 0 %. The form now asks
    before saving a percentage between 0 and 1, and a small value is shown with the digits it has."""
    at = open_page(app, ENTER)
    fill_figure(at, "approval_us_president", entity="SRB", period="2025", value="0.45")
    assert not at.success
    notes = " ".join(plain(at.info))
    assert "0.45 %" in notes and "45" in notes and "0–100" in notes
    save_again(at)  # the editor meant 0.45 %: a second Save keeps it
    assert "Saved (added): 0.45 % for SRB 2025" in plain(at.success)[0]
    store = store_at(seeded)
    assert store.current_version("approval_us_president", "SRB", "2025", "pupin_2024").value == 0.45
    store.close()


def test_a_correction_link_to_a_source_that_is_gone_says_so(seeded, app):
    """A bookmarked "Open it on the Enter page" link names a source this store does not hold (a link from
    another store, or a mistyped id): the page silently opened an empty form for a new source,
    and the editor could not tell why the figure was not there to correct."""
    at = app().run()
    at.query_params.update({"indicator": "gdp_growth", "entity": "SRB", "period": "2024", "source": "gone_2023"})
    at.switch_page(ENTER).run()
    assert not at.exception
    warnings = " ".join(plain(at.warning))
    assert "gone_2023" in warnings and "no source" in warnings

    at = app().run()
    at.query_params.update({"indicator": "gdp_grwth", "source": "pupin_2024"})
    at.switch_page(ENTER).run()
    assert "gdp_grwth" in " ".join(plain(at.warning)) and "no indicator" in " ".join(plain(at.warning))
