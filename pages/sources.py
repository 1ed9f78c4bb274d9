"""Sources: each paper with its figures and the sentences they come from; the sources the papers cite."""

import streamlit as st

from indicators import webapp
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
        byline = ", ".join(
            webapp.md(part)
            for part in (paper.authors, paper.publisher, paper.year)
            if part is not None and str(part) not in {"", "nan", "<NA>"}
        )
        st.caption(byline)
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
        others[["title", "publisher", "year", "kind", "cited_in", "figures", "url"]],
        hide_index=True,
        column_config={"url": st.column_config.LinkColumn("URL")},
    )
