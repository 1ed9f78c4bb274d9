"""Hostile text goes in as data and comes out as the same text: every SQL value is a parameter, and what
the pages, charts and hover boxes show is text, never HTML, script or a markdown link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hostile_strings import HOSTILE, store_hostile
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.bootstrap import prepare
from indicators.charts import indicator_figure, safe_text
from indicators.store import Store
from indicators.webapp import WORD_JOINER, md

REPOSITORY = Path(__file__).resolve().parents[2]
TABLES = "SELECT table_name FROM information_schema.tables ORDER BY table_name"


@pytest.fixture(scope="module")
def hostile_store() -> Store:
    store = prepare(Store())
    store.tables_before = store.query_rows(TABLES)
    store.counts_before = store.counts()
    store_hostile(store)
    return store


def test_hostile_names_notes_and_titles_are_stored_and_read_back_verbatim(hostile_store):
    store = hostile_store
    assert store.query_rows(TABLES) == store.tables_before, "no table was dropped or created"
    counts = store.counts()
    assert counts["observations"] == store.counts_before["observations"] + len(HOSTILE)
    assert counts["indicators"] == store.counts_before["indicators"] + len(HOSTILE)
    sources = store.sources().set_index("id")
    for number, text in enumerate(HOSTILE):
        ident = f"hostile_{number}"
        stripped = text.strip()  # the models strip surrounding whitespace from form fields, nothing else
        assert sources.loc[ident, "title"] == stripped
        assert sources.loc[ident, "note"] == stripped
        indicator = store.indicator(ident)
        assert indicator.name == stripped and indicator.benchmark_label == stripped
        figure = store.series(ident).iloc[0]
        assert figure["quote"] == text and figure["note"] == text and figure["source_title"] == stripped
        assert figure["value"] == float(number)
    whos = store.query_rows("SELECT DISTINCT who, reason FROM batch WHERE kind <> 'seed'")
    assert {who for who, _ in whos} == set(HOSTILE) and {reason for _, reason in whos} == set(HOSTILE)


def test_nothing_in_the_product_renders_raw_html():
    offenders = [
        f"{path.relative_to(REPOSITORY)}:{number}"
        for folder in ("pages", "indicators")
        for path in sorted((REPOSITORY / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "unsafe_allow_html" in line or "components.html" in line or "st.html(" in line
    ]
    offenders += [f"app.py:{n}" for n, line in enumerate((REPOSITORY / "app.py").read_text().splitlines(), 1)
                  if "unsafe_allow_html" in line]  # fmt: skip
    assert not offenders, f"raw HTML rendering found at {offenders}"


def _without_line_breaks(text: str) -> str:
    return text.replace("<br>", "")


@pytest.mark.parametrize("text", HOSTILE)
def test_chart_titles_legends_and_hover_boxes_show_hostile_text_as_text(hostile_store, text):
    ident = f"hostile_{HOSTILE.index(text)}"
    figure = indicator_figure(hostile_store.series(ident), hostile_store.indicator(ident)).to_plotly_json()
    shown = [figure["layout"]["title"]["text"], figure["layout"]["yaxis"]["title"]["text"]]
    shown += [annotation["text"] for annotation in figure["layout"].get("annotations", [])]
    for trace in figure["data"]:
        shown.append(trace["name"])
        shown += [cell for row in trace["customdata"] for cell in row]
    for label in shown:
        assert "<" not in _without_line_breaks(label) and ">" not in _without_line_breaks(label), label
    assert safe_text(text) in figure["layout"]["title"]["text"].replace("<br>", "") or len(text) > 80


_MARKDOWN_ACTIVE = set("\\`*_{}[]()#+-.!|>~<&$:")


def _inert(text: str) -> bool:
    """After md(), every markdown or HTML character is escaped: removing escape pairs leaves none."""
    rest = re.sub(r"\\.", "", md(text), flags=re.DOTALL)
    return not (_MARKDOWN_ACTIVE & set(rest))


def _unescape(text: str) -> str:
    """What a viewer reads: escapes resolved, the invisible word joiners that break autolinks removed."""
    return re.sub(r"\\(.)", r"\1", text.replace("  \n", "\n"), flags=re.DOTALL).replace(WORD_JOINER, "")


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_of_hostile_text_is_inert_and_says_the_same_words(text):
    assert _inert(text)
    assert _unescape(md(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.text().filter(lambda text: WORD_JOINER not in text))
def test_markdown_escaping_holds_for_any_text(text):
    assert _inert(text)
    assert _unescape(md(text)) == text


_AUTOLINK = re.compile(r"(?i)(https?://|www\.|ftp://|mailto:)|[\w.+-]@[\w-]")


_PIECES = ["https", "http", "www", "://", ".", "@", "a", "-", "mailto", ":", "x.org", " "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES)).map("".join))
def test_bare_addresses_never_become_links(text):
    """GFM links bare addresses after escapes are resolved; what a viewer reads must hold no trigger."""
    assert not _AUTOLINK.search(re.sub(r"\\(.)", r"\1", md(text)))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_plotly_labels_never_carry_a_tag(text):
    escaped = safe_text(text, width=20)
    assert "<" not in _without_line_breaks(escaped) and ">" not in _without_line_breaks(escaped)
