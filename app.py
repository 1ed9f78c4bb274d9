"""The dashboard's entry point: page config, navigation, sidebar. Run with `streamlit run app.py`."""

import streamlit as st

from indicators import access, webapp
from indicators.config import settings

st.set_page_config(page_title="Serbia–US relations in figures", page_icon="📊", layout="wide")

store = webapp.current_store()

browse = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/indicator.py", title="Indicator", icon=":material/show_chart:"),
    st.Page("pages/sources.py", title="Sources", icon=":material/menu_book:"),
    st.Page("pages/history.py", title="History", icon=":material/history:"),
]
# Pages that change the store: listed only for someone who may edit now (never in read-only mode; with an
# editor password, only once signed in). Add new editing pages here.
edit = [
    st.Page("pages/enter.py", title="Enter", icon=":material/edit:"),
    st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:"),
]
sections = {"Browse": browse}
if access.may_edit():
    sections["Edit"] = edit
# Snapshots: everyone may export and compare; restoring inside the page is for editors only.
sections["Manage"] = [st.Page("pages/snapshots.py", title="Snapshots", icon=":material/archive:")]
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
