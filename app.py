"""The dashboard's entry point: page config, navigation, sidebar. Run with `streamlit run app.py`."""

import streamlit as st

from indicators import access, webapp
from indicators.config import settings

st.set_page_config(page_title="Serbia–US relations in figures", page_icon="📊", layout="wide")

store = webapp.current_store()
deep_link = "indicator" in st.query_params  # ?indicator=ID opens the Indicator page on that indicator

browse = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=not deep_link),
    st.Page("pages/indicator.py", title="Indicator", icon=":material/show_chart:", default=deep_link),
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

with st.sidebar:
    config = settings()
    st.caption(f"Store: {webapp.md(store.label)}" + (" · read-only" if config.read_only else ""))
    access.sidebar()

navigation.run()
