"""History: every change to figures, catalog and events (who, when, what, old → new, why), filtered; editors can
undo a change or a batch."""

import streamlit as st

from indicators import access, history_view, webapp
from indicators.store import StoreError

webapp.page_needs_app()

ALL = "(all)"
WHOLE_BATCH = "(the whole batch)"

store = webapp.current_store()
catalog = {indicator.id: indicator for indicator in webapp.indicators(store)}
st.title("History")
st.caption(
    "Every change to the figures, the catalog and the events, newest first. Nothing is ever overwritten: "
    "an undo is a change too."
)

by_indicator, by_person, since_col, until_col, by_batch = st.columns([3, 2, 2, 2, 1])
indicator_id = by_indicator.selectbox(
    "Indicator", [ALL, *catalog], format_func=lambda key: key if key == ALL else f"{catalog[key].name} ({key})"
)
person = by_person.selectbox("Person", [ALL, *webapp.guarded(store.editors)])
since = since_col.date_input("From", value=None)
until = until_col.date_input("To", value=None)
batch = by_batch.number_input("Batch", min_value=1, value=None, step=1)
limit = 2000
log = webapp.guarded(
    store.change_log,
    indicator_id=None if indicator_id == ALL else indicator_id,
    who=None if person == ALL else person,
    since=since,
    until=until,
    batch_id=batch,
    limit=limit,
)
event_log = webapp.guarded(
    store.event_changes, limit, who=None if person == ALL else person, since=since, until=until, batch_id=batch
)
if log.empty and event_log.empty:
    st.info("No changes match these filters.")
    st.stop()
if log.empty:
    st.caption("No changes to the figures or the catalog match these filters.")
else:
    st.dataframe(history_view.history_table(log, catalog), hide_index=True)
    if len(log) == limit:
        st.caption(f"Showing the newest {limit} changes; narrow the filters to see older ones.")

st.subheader("Events")
if event_log.empty:
    st.caption("No changes to the events match these filters.")
else:
    if indicator_id != ALL:
        st.caption("Events belong to no indicator: the indicator filter does not apply to them.")
    st.dataframe(history_view.event_history_table(event_log), hide_index=True)
    if len(event_log) == limit:
        st.caption(f"Showing the newest {limit} changes to events; narrow the filters to see older ones.")

st.subheader("Undo")
if message := st.session_state.pop("undo_message", None):
    st.success(message)
if not access.may_edit():
    st.caption(
        "Editors can undo a change or a whole batch here."
        + (" Sign in in the sidebar first." if access.editing_enabled() else " This dashboard is read-only.")
    )
    st.stop()
who = access.current_editor()
sizes = history_view.batch_sizes(webapp.read(store, "batches"))
shown = history_view.both_logs(log, event_log)
choices = history_view.batch_choices(shown, sizes)
if message and choices:
    # A fresh picker after an undo: the newest batch (the undo itself, as the message says), the whole of it,
    # and an empty reason. Set, not deleted: only a value set here reaches the widgets in the browser.
    st.session_state.update(undo_batch=next(iter(choices)), undo_figure=WHOLE_BATCH, undo_reason="")
chosen = st.selectbox("Batch to undo", list(choices), format_func=choices.get, key="undo_batch")
figures = history_view.batch_figures(log, chosen)
hidden = history_view.hidden_changes(shown, chosen, sizes)
figure = WHOLE_BATCH
if len(figures) > 1 or (figures and hidden):
    figure = st.selectbox("Undo only one figure of it?", [WHOLE_BATCH, *figures], key="undo_figure")
if hidden and figure == WHOLE_BATCH:
    st.warning(f"Undoing the whole batch also undoes {hidden} change(s) the filters above do not show.")
reason = st.text_input("Reason (optional)", key="undo_reason")
if st.button("Undo", type="primary", key="undo"):
    try:
        result = store.undo_batch(
            chosen, who=who, reason=reason.strip() or None, figure=None if figure == WHOLE_BATCH else figures[figure]
        )
    except StoreError as error:
        st.error(webapp.md(str(error)))
    else:
        # Rerun so that the table above and the list of batches show the undo (they were read before it).
        st.session_state["undo_message"] = (
            f"Undid batch {result.undid} as batch {result.batch_id}: {result.summary()}. "
            f"Undo batch {result.batch_id} to bring the changes back."
        )
        st.rerun()
