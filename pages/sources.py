"""Sources: each paper with its figures and the sentences they come from; the sources the papers cite."""

import streamlit as st

from indicators import views, webapp
from indicators.units import format_value

webapp.page_needs_app()

store = webapp.current_store()
st.title("Sources")
sources = webapp.read(store, "sources")
claims = webapp.read(store, "claims")
if sources.empty:
    st.info("No sources recorded yet.")
    st.stop()

papers = sources[sources["kind"] == "paper"]
for paper in papers.itertuples():
    with st.container(border=True):
        st.subheader(webapp.md(paper.title))
        st.caption(webapp.md(views.paper_byline(paper)))
        if isinstance(paper.url, str) and paper.url:
            st.caption(f"URL: {webapp.md(paper.url)}")
        if isinstance(paper.licence, str) and paper.licence:
            st.caption(f"Licence: {webapp.md(paper.licence)}")
        if isinstance(paper.note, str):
            st.markdown(webapp.md(paper.note))
        figures = claims[claims["paper_id"] == paper.id]
        st.markdown(f"**{len(figures)} figures**")
        for figure in figures.itertuples():
            value = format_value(figure.value, figure.unit, figure.qualifier, int(figure.decimals))
            cited = "" if figure.source_id == paper.id else f" · cites {webapp.md(figure.source_title)}"
            st.markdown(
                f"- **{webapp.md(figure.indicator_name)}**: {webapp.md(value)} "
                f"({webapp.md(figure.entity)}, {webapp.md(figure.period)}){cited}  \n"
                f"  > {webapp.md(figure.quote)}"
            )

others = sources[sources["kind"] != "paper"]
if not others.empty:
    st.subheader("Sources cited and statistics")
    st.dataframe(
        views.sources_table(sources)[sources["kind"] != "paper"],
        hide_index=True,
        column_config={"URL": st.column_config.LinkColumn("URL"), "Year": st.column_config.NumberColumn(format="%d")},
    )
