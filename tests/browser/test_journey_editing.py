"""An editor enters a figure in the browser and sees it charted and in the history; a wrong value changes
nothing; with an editor password, viewers cannot edit, a wrong password is refused, the right one lets the
editor in under their name."""

from __future__ import annotations

import re

import pytest
from browsing import chart_points, no_exceptions, open_app, settle
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

GROWTH = "gdp_growth"
PASSWORD = "correct horse battery staple"


def _facts(store) -> dict:
    # the Indicator page opens on the usual entity (Serbia) when an indicator has many
    return {"growth_points": len(store.series(GROWTH, ["SRB"]))}


@pytest.fixture(scope="module")
def open_server(streamlit_app):
    return streamlit_app(seed=_facts)


@pytest.fixture(scope="module")
def guarded_server(streamlit_app):
    return streamlit_app(seed=_facts, env={"INDICATORS_EDITOR_PASSWORD": PASSWORD})


def _enter_figure(page, *, period: str, value: str, reason: str) -> None:
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Save"))
    form.get_by_label("Period (2025, 2025-Q2, 2025-03)").fill(period)
    form.get_by_label("Value", exact=True).fill(value)
    form.get_by_label("Reason for this change (required)").fill(reason)
    form.get_by_role("button", name="Save").click()


def _history_shows(page, server, *texts: str) -> None:
    open_app(page, server, "history")
    table = page.get_by_test_id("stDataFrame").first
    for text in texts:
        expect(table).to_contain_text(text)


def test_an_editor_enters_a_figure_and_sees_it_charted_and_in_the_history(page, open_server):
    open_app(page, open_server, f"enter?indicator={GROWTH}&source=pupin_2024")
    no_exceptions(page)
    _enter_figure(page, period="2025", value="4.1", reason="browser test: newer figure")
    expect(page.get_by_test_id("stAlert").filter(has_text="Saved (added): 4.1 %")).to_be_visible()
    settle(page)

    open_app(page, open_server, f"indicator?indicator={GROWTH}")
    expect(chart_points(page)).to_have_count(open_server.facts["growth_points"] + 1)
    _history_shows(page, open_server, "Serbia’s real GDP growth · SRB · 2025 · pupin_2024")


def test_an_invalid_value_shows_the_fields_message_and_changes_nothing(page, open_server):
    open_app(page, open_server, f"enter?indicator={GROWTH}&source=pupin_2024")
    _enter_figure(page, period="2026", value="four point one", reason="browser test: a typo")
    expect(page.get_by_text("Nothing was saved")).to_be_visible()
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Save"))
    expect(form.get_by_test_id("stAlert").first).to_be_visible()  # the message next to the field
    settle(page)
    open_app(page, open_server, f"indicator?indicator={GROWTH}")
    expect(chart_points(page)).to_have_count(open_server.facts["growth_points"] + 1)  # only the first test's


def _sign_in(page, name: str, password: str) -> None:
    form = page.get_by_test_id("stSidebar").get_by_test_id("stForm")
    form.get_by_label("Your name").fill(name)
    form.get_by_label("Editor password").fill(password)
    form.get_by_role("button", name="Sign in").click()


def test_with_a_password_viewers_cannot_edit_and_the_editor_signs_in_under_their_name(page, guarded_server):
    open_app(page, guarded_server)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav).not_to_contain_text("Enter")
    page.goto(f"{guarded_server.url}/enter")
    page.wait_for_selector("h1")
    settle(page)
    expect(page.get_by_role("button", name="Save")).to_have_count(0)

    open_app(page, guarded_server)
    _sign_in(page, "Ana Editor", "not the password")
    expect(page.get_by_text("Wrong password")).to_be_visible()
    settle(page)
    expect(page.get_by_test_id("stSidebarNav")).not_to_contain_text("Enter")

    _sign_in(page, "Ana Editor", PASSWORD)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Signed in as Ana Editor")
    settle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Enter").click()
    expect(page.locator("h1")).to_have_text("Enter or correct a figure")
    settle(page)
    page.get_by_role("combobox", name="Source").click()
    page.get_by_role("option", name=re.compile(r"\(pupin_2024\)$")).click()
    expect(page.get_by_role("button", name="Save")).to_be_visible()
    settle(page)
    _enter_figure(page, period="2025", value="4.2", reason="browser test: signed-in editor")
    expect(page.get_by_test_id("stAlert").filter(has_text="Saved (added)")).to_be_visible()
    settle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="History").click()
    expect(page.locator("h1")).to_have_text("History")
    settle(page)
    expect(page.get_by_test_id("stDataFrame").first).to_contain_text("Ana Editor")
    no_exceptions(page)


def test_after_an_undo_the_page_offers_to_undo_the_undo_with_an_empty_reason(page, open_server):
    """The page said "Undo batch M to bring the changes back", but the browser kept the batch just undone in
    the picker and the first undo's reason in the box (clearing the widgets' state on the server alone does
    not reach the browser): a second Undo was refused, or recorded the old reason."""
    open_app(page, open_server, "history")
    main = page.get_by_test_id("stMain")
    main.get_by_label("Reason (optional)").fill("browser test: first undo")
    main.get_by_role("button", name="Undo").click()
    settle(page)
    done = page.get_by_test_id("stAlert").filter(has_text="Undid batch")
    expect(done).to_be_visible()
    undo = int(re.search(r"Undid batch \d+ as batch (\d+)", done.inner_text()).group(1))
    expect(main.get_by_label("Reason (optional)")).to_have_value("")
    picker = page.get_by_test_id("stSelectbox").get_by_role("combobox", name="Batch to undo")
    expect(picker).to_have_value(re.compile(rf"^Batch {undo} · undo "))

    main.get_by_role("button", name="Undo").click()
    settle(page)
    expect(page.get_by_test_id("stAlert").filter(has_text=f"Undid batch {undo} as batch")).to_be_visible()
    no_exceptions(page)
