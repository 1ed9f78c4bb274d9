"""Indicator: one indicator over time, its entities and sources, the table behind the chart."""

import streamlit as st

from indicators import views, webapp
from indicators.charts import indicator_figure
from indicators.csvformat import observations_csv

store = webapp.current_store()
catalog = webapp.indicators(store)
if not catalog:
    st.title("Indicator")
    st.info("The store holds no indicators yet. Run `python -m indicators init` to load the bundled figures.")
    st.stop()

by_id = {indicator.id: indicator for indicator in catalog}
requested = st.query_params.get("indicator")
ids = list(by_id)
if requested and requested not in by_id:
    st.warning(f"There is no indicator '{webapp.md(requested)}'; showing the first one instead.")
chosen = st.selectbox(
    "Indicator",
    ids,
    index=ids.index(requested) if requested in by_id else 0,
    format_func=lambda key: f"{by_id[key].name} ({key})",
)
st.query_params["indicator"] = chosen
indicator = by_id[chosen]

st.title(webapp.md(indicator.name))
if indicator.description:
    st.caption(webapp.md(indicator.description))

entities = webapp.read(store, "indicator_entities", indicator.id)
options = list(entities["entity"])
names = dict(zip(entities["entity"], entities["name"], strict=True))
default = options if len(options) <= 3 else [e for e in options if e == indicator.default_entity] or options[:1]
selected = st.multiselect(
    "Entities to compare", options, default=default, format_func=lambda code: f"{names.get(code, code)} ({code})"
)
log_scale = st.toggle("Logarithmic scale", value=False, help="Only for positive values")

series = webapp.series(store, indicator.id, tuple(selected)) if selected else webapp.series(store, indicator.id)
if selected:
    series = series[series["entity"].isin(selected)]
st.plotly_chart(indicator_figure(series, indicator, log_scale=log_scale), key="indicator-chart")

if series.empty:
    st.info("No figures recorded for this selection yet.")
elif len(series) == 1:
    st.caption("One figure so far: a single point, no line.")

st.subheader("Figures")
st.dataframe(views.series_table(series, indicator), hide_index=True)
st.download_button(
    "Download these figures (CSV)",
    data=observations_csv(views.series_as_csv_frame(series, indicator)),
    file_name=f"{indicator.id}.csv",
    mime="text/csv",
    disabled=series.empty,
)
