"""The dashboard's entry point: page config, navigation, sidebar. Run with `streamlit run app.py`."""

import streamlit as st

from indicators import webapp
from indicators.config import settings

st.set_page_config(page_title="Serbia–US relations in figures", page_icon="📊", layout="wide")

store = webapp.current_store()

browse = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/indicator.py", title="Indicator", icon=":material/show_chart:"),
    st.Page("pages/sources.py", title="Sources", icon=":material/menu_book:"),
]
navigation = st.navigation({"Browse": browse})
if "indicator" in st.query_params and navigation is browse[0]:
    # ?indicator=ID on the front page opens the Indicator page on that indicator. (The Indicator page
    # keeps its own address, /indicator, so links to it also work when opened in a new tab.)
    st.switch_page(browse[1], query_params=st.query_params.to_dict())

with st.sidebar:
    config = settings()
    # No code span here: inside backticks md()'s escapes would show as backslashes in the path.
    st.caption(f"Store: {webapp.md(store.label)}" + (" · read-only" if config.read_only else ""))

navigation.run()
