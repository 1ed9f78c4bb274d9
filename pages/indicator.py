"""Indicator: one indicator over time with the events around it, both countries' numbers, the store as
recorded on any day, and a URL that restores exactly this view."""

import datetime as dt
from pathlib import Path

import streamlit as st

from indicators import analysis, analysis_tables, charts, event_forms, exports, views, viewstate, webapp
from indicators.access import current_editor
from indicators.event_forms import event_editor, event_remover
from indicators.mirrors import load_mirrors, pairs_for
from indicators.models import EVENT_TYPES

webapp.page_needs_app()

EARLIEST_AS_OF = dt.date(2000, 1, 1)
ENTER_PAGE = Path(__file__).resolve().parent / "enter.py"

store = webapp.current_store()
catalog = webapp.indicators(store)
if not catalog:
    st.title("Indicator")
    st.info("The store holds no indicators yet. Run `python -m indicators init` to load the bundled figures.")
    st.stop()
by_id = {indicator.id: indicator for indicator in catalog}
ids = list(by_id)

# --- the view: the URL sets the widgets when it was opened or edited by hand --------------------------
url = st.query_params.to_dict()
if st.session_state.get("_view_params") != url:
    state = viewstate.parse_params(url)
    if state.as_of and not EARLIEST_AS_OF <= state.as_of <= dt.date.today():
        state.warnings.append(f"as_of {state.as_of} is not between {EARLIEST_AS_OF} and today; ignored")
        state.as_of = None
    if state.indicator and state.indicator not in by_id:
        state.warnings.append(f"there is no indicator '{state.indicator}'; showing the first one instead")
    st.session_state.update(
        view_indicator=state.indicator if state.indicator in by_id else ids[0],
        view_log=state.log_scale,
        view_as_of=state.as_of,
        view_event_types=list(state.event_types),
        view_window=state.window,
        _pending={"entities": state.entities, "range": (state.start, state.end), "event": state.event},
    )
    for warning in state.warnings:
        st.warning(f"This link: {webapp.md(warning)}")
pending = st.session_state.pop("_pending", {})

chosen = st.selectbox("Indicator", ids, key="view_indicator", format_func=lambda key: f"{by_id[key].name} ({key})")
indicator = by_id[chosen]
st.title(webapp.md(indicator.name))
if indicator.description:
    st.caption(webapp.md(indicator.description))

entities = webapp.read(store, "indicator_entities", indicator.id)
options = list(entities["entity"])
names = dict(zip(entities["entity"], entities["name"], strict=True))
default = options if len(options) <= 3 else [e for e in options if e == indicator.default_entity] or options[:1]
if "entities" in pending:
    wanted = pending["entities"]
    st.session_state["view_entities"] = default if wanted is None else [e for e in wanted if e in options]
    if unknown := [code for code in wanted or () if code not in options]:
        st.warning(f"This link: no figures of this indicator for {webapp.md(', '.join(unknown))}; left out")
elif st.session_state.get("_entities_for") != indicator.id:
    st.session_state["view_entities"] = default
else:
    st.session_state["view_entities"] = [e for e in st.session_state.get("view_entities", []) if e in options]
st.session_state["_entities_for"] = indicator.id

left, middle, right = st.columns([3, 1, 1])
selected = left.multiselect(
    "Entities to compare", options, key="view_entities", format_func=lambda code: f"{names.get(code, code)} ({code})"
)
today = dt.date.today()
as_of_day = middle.date_input(
    "As recorded on",
    key="view_as_of",
    min_value=EARLIEST_AS_OF,
    max_value=today,
    help="The figures as the store held them at the end of that day (UTC); empty: as recorded now",
)
log_scale = right.toggle("Logarithmic scale", key="view_log", help="Only for positive values")
as_of = viewstate.end_of_day(as_of_day) if as_of_day else None

series = webapp.read(store, "series", indicator.id, tuple(selected) or None, as_of)
if selected:
    series = series[series["entity"].isin(selected)]
elif len(options) > 1:
    st.caption(f"No entity chosen: all {len(options)} entities with figures are shown.")
periods = sorted(set(series["period"]), key=lambda text: analysis.parse_period(text).start)
start = end = None
whole_series = series  # the before/after table looks beyond the range shown
if len(periods) >= 2:
    # A range slider takes its mode from ``value``, so it is not keyed: the last range shown is kept here.
    current = st.session_state.get("_view_range")
    if "range" in pending:
        value = viewstate.snap_range(periods, *pending["range"])
        if note := viewstate.range_warning(periods, *pending["range"]):
            st.warning(f"This link: {webapp.md(note)}")
    elif isinstance(current, tuple) and all(period in periods for period in current):
        value = current
    else:
        value = (periods[0], periods[-1])
    start, end = st.select_slider("Periods shown", periods, value=value)
    st.session_state["_view_range"] = (start, end)
    series = analysis.within_periods(series, start, end)

event_types = st.multiselect("Events shown on the chart", EVENT_TYPES, key="view_event_types")
events = webapp.read(store, "events", None, as_of)
shown_events = events[events["type"].isin(event_types)]
if start and end:
    shown_events = analysis.events_in_range(shown_events, analysis.parse_period(start).start, analysis.period_end(end))

# --- freshness and provenance of the view ------------------------------------------------------------
last = webapp.read(store, "last_changed", indicator.id)
st.caption(f"Last updated {last:%Y-%m-%d %H:%M} UTC" if last is not None else "No figures recorded yet")
if as_of:
    st.info(f"Showing the figures as they were recorded on {as_of_day:%Y-%m-%d} (end of day, UTC).")
all_periods = webapp.read(store, "series", indicator.id, None, None)["period"]
fresh = analysis.freshness(all_periods, indicator.release_cycle_months, today)
if fresh.message():
    st.warning(fresh.message())

# --- the chart ---------------------------------------------------------------------------------------
revised = webapp.read(store, "revised_figures", indicator.id, as_of)
figure = charts.indicator_figure(series, indicator, log_scale=log_scale)
charts.add_event_markers(figure, shown_events)
charts.mark_revised(figure, series, revised)
charts.caption_figure(
    figure,
    indicator,
    list(series["source_title"]),
    extra=f"as recorded on {as_of_day:%Y-%m-%d}" if as_of_day else "",
)
image_format = st.radio("Chart image (camera button)", ["png", "svg"], horizontal=True, format_func=str.upper)
st.plotly_chart(figure, key="indicator-chart", config=charts.image_config(indicator.id, image_format))
if series.empty:
    st.info("No figures recorded for this selection yet.")
elif len(series) == 1:
    st.caption("One figure so far: a single point, no line.")
if note := views.frequency_note(series, indicator):
    st.caption(note)
if log_scale and not (hidden := charts.off_log_axis(series)).empty:
    periods = sorted(set(hidden["period"].astype(str)))
    st.warning(
        f"The logarithmic scale cannot draw {len(hidden)} figure(s) at or below zero "
        f"({webapp.md(', '.join(periods[:5]))}{' …' if len(periods) > 5 else ''}): "
        "they are missing from the chart, not from the table. Switch the scale off to see them."
    )
if not revised.empty:
    st.caption("Ringed points were revised: their value changed since first recorded (see the Revised column).")

# --- before and after an event ----------------------------------------------------------------------
st.subheader("Before and after an event")
event_ids = ["", *events["id"]]
titles = dict(zip(events["id"], events["date"] + " · " + events["title"], strict=True))
wanted_event = pending.get("event", st.session_state.get("view_event"))
if pending.get("event") and pending["event"] not in event_ids:
    st.warning(f"This link: there is no event '{webapp.md(pending['event'])}'; no event chosen")
st.session_state["view_event"] = wanted_event if wanted_event in event_ids else ""
event_left, event_right = st.columns([3, 1])
event_id = event_left.selectbox(
    "Event", event_ids, key="view_event", format_func=lambda key: titles.get(key, "— choose an event —")
)
window = event_right.number_input("Years each side", min_value=1, max_value=viewstate.MAX_WINDOW, key="view_window")
if event_id:
    chosen_event = events[events["id"] == event_id].iloc[0]
    if isinstance(chosen_event["quote"], str) and chosen_event["quote"]:
        st.caption(f"“{webapp.md(chosen_event['quote'])}” — {webapp.md(chosen_event['source_title'])}")
    change = analysis.event_window(whole_series, chosen_event["date"], int(window), int(window))
    if change.empty:
        st.info(
            f"No line of this chart has figures both within {window} years before and after {chosen_event['date']}."
        )
    else:
        st.dataframe(analysis_tables.event_window_table(change, indicator), hide_index=True)

# --- both sides' numbers ----------------------------------------------------------------------------
for pair in pairs_for(indicator.id, load_mirrors()):
    side_a = webapp.read(store, "series", pair.indicator_a, (pair.entity_a,), as_of)
    side_b = webapp.read(store, "series", pair.indicator_b, (pair.entity_b,), as_of)
    gap = analysis.mirror_gap(side_a, side_b)
    if gap.empty:
        continue
    st.subheader(f"Both sides' numbers: {pair.title}")
    st.caption(analysis.MIRROR_EXPLANATION)
    table = analysis_tables.mirror_table(
        gap, indicator, f"a: as {pair.reporter_a} reports", f"b: as {pair.reporter_b} reports"
    )
    st.dataframe(table, hide_index=True)

# --- the figures --------------------------------------------------------------------------------------
st.subheader("Figures")
st.dataframe(analysis_tables.with_versions(views.series_table(series, indicator), series, revised), hide_index=True)
if ENTER_PAGE.exists() and current_editor() and not series.empty:
    rows = list(series.itertuples())
    pick = st.selectbox(
        "Correct a figure",
        range(len(rows)),
        format_func=lambda i: f"{rows[i].period} · {rows[i].entity} · {rows[i].source_title}",
    )
    row = rows[pick]
    try:
        st.page_link(
            "pages/enter.py",
            label="Open it on the Enter page",
            icon=":material/edit:",
            query_params={
                "indicator": indicator.id,
                "entity": row.entity,
                "period": row.period,
                "source": row.source_id,
            },
        )
    except st.errors.StreamlitAPIException:
        st.caption("The Enter page is not available here.")

view = viewstate.ViewState(
    indicator=indicator.id,
    entities=tuple(selected),
    start=start,
    end=end,
    log_scale=bool(log_scale),
    as_of=as_of_day,
    event_types=tuple(event_types),
    event=event_id or None,
    window=int(window),
)
params = viewstate.to_params(view)
filters = {name: value for name, value in params.items() if name != "indicator"}
exported_at = dt.datetime.now(dt.UTC)
csv_column, xlsx_column = st.columns(2)
csv_column.download_button(
    "Download the chart's data (CSV)",
    data=exports.chart_csv(series, indicator, filters, exported_at),
    file_name=f"{indicator.id}.csv",
    mime="text/csv",
    disabled=series.empty,
)
xlsx_column.download_button(
    "Download the chart's data (XLSX)",
    data=exports.chart_xlsx(series, indicator, filters, exported_at),
    file_name=f"{indicator.id}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    disabled=series.empty,
)

# --- events: add one, load a file of them, delete one (editors) ------------------------------------------
who = current_editor()
if who:
    with st.expander("Add events", expanded=event_forms.ADDED_MESSAGE in st.session_state):
        event_editor(store, who)
    with st.expander("Delete an event", expanded="event_deleted_message" in st.session_state):
        event_remover(store, who)

if st.query_params.to_dict() != params:
    st.query_params.from_dict(params)
st.session_state["_view_params"] = params
