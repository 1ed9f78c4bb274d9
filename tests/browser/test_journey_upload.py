"""An analyst uploads the Windows-1250, semicolon, decimal-comma file Excel writes in Serbia: the preview
keeps Č Ć Š Ž Đ, the commit stores it; a file with a bad value says which line is wrong."""

from __future__ import annotations

import pytest
from browsing import REPOSITORY, chart_points, no_exceptions, open_app, settle
from playwright.sync_api import expect

from indicators.models import Source

pytestmark = pytest.mark.browser

FILES = REPOSITORY / "tests" / "data" / "ingest"


# the position of the chart's point whose hover note holds "Č" (the uploaded figure), or -1
_UPLOADED_INDEX = """() => [...document.querySelectorAll("[data-testid='stPlotlyChart'] .scatterlayer path.point")]
    .findIndex(p => { const t = p.parentNode.parentNode.__data__[0].trace;
                      return String(t.customdata[p.__data__.i][3]).includes("Č"); })"""


def _seed(store) -> None:
    store.save_source(Source(id="my-notes", title="My notes", kind="user"), who="browser-test", reason="test data")


@pytest.fixture(scope="module")
def server(streamlit_app):
    return streamlit_app(seed=_seed)


def _upload(page, name: str) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(FILES / name))
    expect(page.get_by_text("Rows as they will be stored")).to_be_visible()
    settle(page)


def test_upload_the_serbian_excel_file_preview_and_commit(page, server):
    open_app(page, server, "upload")
    no_exceptions(page)
    _upload(page, "native_cp1250_serbian_excel.csv")
    no_exceptions(page)
    expect(page.get_by_text("encoding windows-1250, delimiter semicolon, decimal mark ','")).to_be_visible()
    page.get_by_role("button", name="Commit").click()
    expect(page.get_by_text("Committed native_cp1250_serbian_excel.csv: 1 new")).to_be_visible()
    settle(page)

    # charted, and its note reads Č Ć Š Ž Đ in the hover (decoded from Windows-1250, not mojibake)
    open_app(page, server, "indicator?indicator=gdp_growth&entities=SRB")
    expect(chart_points(page).first).to_be_attached()
    index = page.evaluate(_UPLOADED_INDEX)
    assert index >= 0, "the uploaded figure is not on the chart"
    point = chart_points(page).nth(index)
    page.evaluate("(i) => document.querySelectorAll(\"[data-testid='stPlotlyChart'] .scatterlayer path.point\")[i]"
                  ".scrollIntoView({block: 'center'})", index)  # fmt: skip
    box = point.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("[data-testid='stPlotlyChart'] .hoverlayer .hovertext")).to_contain_text("Č Ć Š Ž Đ")

    # undo the upload from History (the newest batch is offered first): the figure leaves the chart
    open_app(page, server, "history")
    page.get_by_role("textbox", name="Reason (optional)").fill("browser test: undo the upload")
    page.get_by_role("button", name="Undo", exact=True).click()
    expect(page.get_by_text("0 figure(s) restored, 1 removed")).to_be_visible()
    settle(page)
    open_app(page, server, "indicator?indicator=gdp_growth&entities=SRB")
    expect(chart_points(page).first).to_be_attached()
    assert page.evaluate(_UPLOADED_INDEX) == -1


def test_a_bad_file_says_which_line_is_wrong(page, server):
    open_app(page, server, "upload")
    _upload(page, "non_numeric_value.csv")
    expect(page.get_by_text("Rejected: 1 lines")).to_be_visible()
    expect(page.get_by_role("button", name="Commit")).to_be_disabled()
    no_exceptions(page)
