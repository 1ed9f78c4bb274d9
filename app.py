"""The dashboard's entry point: page config, navigation, sidebar. Run with `streamlit run app.py`."""

import streamlit as st

from indicators import webapp
from indicators.config import settings

st.set_page_config(page_title="Serbia–US relations in figures", page_icon="📊", layout="wide")

store = webapp.current_store()
deep_link = "indicator" in st.query_params  # ?indicator=ID opens the Indicator page on that indicator

browse = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=not deep_link),
    st.Page("pages/indicator.py", title="Indicator", icon=":material/show_chart:", default=deep_link),
    st.Page("pages/sources.py", title="Sources", icon=":material/menu_book:"),
]
navigation = st.navigation({"Browse": browse})

with st.sidebar:
    config = settings()
    st.caption(f"Store: {webapp.md(store.label)}" + (" · read-only" if config.read_only else ""))

navigation.run()
