"""Overview: every indicator at a glance, grouped by category."""

import streamlit as st

from indicators import views, webapp
from indicators.charts import sparkline_figure

webapp.page_needs_app()

store = webapp.current_store()
st.title("Serbia–US relations in figures")
st.caption(
    "Every figure the two policy papers use, with the latest value we hold. "
    "A ★ marks a paper's claim; open an indicator for its chart, sources and sentences."
)

overview = webapp.overview(store)
if overview.empty:
    st.info("The store holds no indicators yet. Run `python -m indicators init` to load the bundled figures.")
    st.stop()

tiles_by_category, waiting = views.split_waiting(views.overview_tiles(overview))
total = sum(len(tiles) for tiles in tiles_by_category.values())
if total > views.TILE_LIMIT:
    # A store with hundreds of indicators (whole World Bank downloads) would draw hundreds of tiles and
    # sparklines; past the limit the page asks what to show instead.
    search = st.text_input("Find indicators", placeholder="name or id, e.g. growth, trade_volume")
    tiles_by_category, shown = views.select_tiles(tiles_by_category, search)
    st.caption(
        f"Showing {shown} of {total} indicators" + ("; refine the search to see others." if shown < total else ".")
    )
shown_ids = tuple(tile.indicator_id for tiles in tiles_by_category.values() for tile in tiles)
sparklines = dict(tuple(webapp.sparklines(store, shown_ids).groupby("indicator_id", sort=False)))  # id -> points
checks = views.claim_check_captions(webapp.read(store, "claim_checks"), overview)
for category, tiles in tiles_by_category.items():
    st.header(views.CATEGORY_TITLES.get(category, category.title()))
    columns = st.columns(3)
    for position, tile in enumerate(tiles):
        with columns[position % 3].container(border=True):
            st.markdown(f"**{webapp.md(tile.name)}**")
            star = " ★" if tile.latest_is_claim else ""
            st.markdown(f"### {webapp.md(tile.latest)}{star}")
            if tile.period:
                period = views.period_label(tile.period)
                st.caption(f"{webapp.md(tile.entity)} · {webapp.md(period)} · {webapp.md(tile.source)}")
            if tile.overdue:
                st.caption(f":orange[:material/schedule: {webapp.md(tile.overdue)}]")
            if tile.claim:
                by = f" · {webapp.md(tile.claim_source)}" if tile.claim_source else ""
                st.caption(f"The paper said: {webapp.md(tile.claim)} ({webapp.md(tile.claim_period)}){by}")
            if tile.indicator_id in checks:
                st.caption(f"Official statistics: {webapp.md(checks[tile.indicator_id])}")
            points = sparklines.get(tile.indicator_id)
            if points is not None and len(points) > 1:
                st.plotly_chart(
                    sparkline_figure(points),
                    config={"displayModeBar": False, "staticPlot": True},
                    key=f"spark-{tile.indicator_id}",
                )
            st.page_link(
                "pages/indicator.py",
                label="Chart and sources",
                icon=":material/show_chart:",
                query_params={"indicator": tile.indicator_id},
            )

if waiting:
    with st.expander(f"Indicators waiting for figures ({len(waiting)})"):
        st.caption("Defined, but no figures recorded yet: upload or enter them to see them here.")
        for tile in waiting:
            st.page_link(
                "pages/indicator.py",
                label=f"{webapp.md(tile.name)} ({webapp.md(tile.indicator_id)})",
                query_params={"indicator": tile.indicator_id},
            )
