"""The dashboard's entry point: page config, navigation, sidebar. Run with `streamlit run app.py`."""

from pathlib import Path

import streamlit as st

from indicators import access, webapp
from indicators.config import settings

# Absolute paths: app.py may also be run from a page file (see webapp.page_needs_app).
PAGES = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title="Serbia–US relations in figures", page_icon="📊", layout="wide")

store = webapp.current_store()

browse = [
    st.Page(PAGES / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page(PAGES / "indicator.py", title="Indicator", icon=":material/show_chart:"),
    st.Page(PAGES / "sources.py", title="Sources", icon=":material/menu_book:"),
    st.Page(PAGES / "history.py", title="History", icon=":material/history:"),
]
# Pages that change the store: listed only for someone who may edit now (never in read-only mode; with an
# editor password, only once signed in). Add new editing pages here.
edit = [
    st.Page(PAGES / "enter.py", title="Enter", icon=":material/edit:"),
    st.Page(PAGES / "upload.py", title="Upload", icon=":material/upload_file:"),
]
sections = {"Browse": browse}
if access.may_edit():
    sections["Edit"] = edit
# Snapshots: everyone may export and compare; restoring inside the page is for editors only.
sections["Manage"] = [st.Page(PAGES / "snapshots.py", title="Snapshots", icon=":material/archive:")]
navigation = st.navigation(sections)
if "indicator" in st.query_params and navigation is browse[0]:
    # ?indicator=ID on the front page opens the Indicator page on that indicator. (The Indicator page
    # keeps its own address, /indicator, so links to it also work when opened in a new tab.)
    st.switch_page(browse[1], query_params=st.query_params.to_dict())

with st.sidebar:
    config = settings()
    st.caption(f"Store: {webapp.md(store.label)}" + (" · read-only" if config.read_only else ""))
    access.sidebar()

webapp.run_navigation(navigation)
