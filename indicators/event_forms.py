"""The editors' way to add and delete events in the browser: one form, or a file in our events CSV; a
deletion with a reason. Streamlit glue only: parsing and validation are ``indicators.events``, writing is
``Store.write_events`` and ``Store.delete_event``."""

from __future__ import annotations

import streamlit as st

from indicators import webapp
from indicators.events import EventProblem, load_events_csv, parse_event
from indicators.models import EVENT_TYPES
from indicators.store import Store, StoreError

ADDED_MESSAGE = "event_added_message"  # session key: what the last add said, shown after the rerun


def _added(message: str) -> None:
    """Rerun so that the chart and the event pickers above (read before the form was sent) show the events
    just written; the message waits in the session for the rerun."""
    st.session_state[ADDED_MESSAGE] = message
    st.rerun()


def event_editor(store: Store, who: str) -> None:
    if message := st.session_state.pop(ADDED_MESSAGE, None):
        st.success(message)
    sources = webapp.read(store, "sources")
    source_titles = dict(zip(sources["id"], sources["title"], strict=True))
    with st.form("add-event"):
        date_text = st.text_input("Date", placeholder="2024, 2024-11 or 2024-11-05")
        event_type = st.selectbox("Type", EVENT_TYPES)
        title = st.text_input("Title")
        source = st.selectbox("Source", list(sources["id"]), format_func=lambda key: source_titles.get(key, key))
        quote = st.text_area("Quote (word for word, if it comes from a text)")
        note = st.text_input("Note")
        reason = st.text_input("Reason for the change")
        if st.form_submit_button("Add event"):
            record = {"date": date_text, "type": event_type, "title": title, "source": source}
            event, problems = parse_event({**record, "quote": quote, "note": note})
            if not reason.strip():
                problems.append(EventProblem(0, "reason", "", "say why this event is added"))
            for problem in problems:
                st.error(f"{problem.column.capitalize()}: {webapp.md(problem.reason)}")
            if not problems:
                result = webapp.guarded(store.write_events, [event], kind="event", who=who, reason=reason)
                state = "added" if result.added else "corrected" if result.changed else "unchanged"
                _added(f"Event {webapp.md(event.id)} {state}.")

    upload = st.file_uploader("Or load events from our events CSV (id,date,type,title,source,quote,note)", type="csv")
    upload_reason = st.text_input("Reason for loading the file", key="events-upload-reason")
    if upload is not None and st.button("Load the events", disabled=not upload_reason.strip()):
        parsed, result = webapp.guarded(load_events_csv, store, upload.getvalue(), who=who, reason=upload_reason)
        if parsed.ok:
            _added(f"{result.added} added, {result.changed} corrected, {result.unchanged} unchanged.")
        else:
            st.error("Nothing was loaded:\n\n" + "\n".join(f"- {webapp.md(problem)}" for problem in parsed.problems))


def event_remover(store: Store, who: str) -> None:
    """Delete one event with a reason: one batch, undoable on the History page (the versions stay)."""
    if message := st.session_state.pop("event_deleted_message", None):
        st.success(message)
    events = webapp.read(store, "events")
    if events.empty:
        st.caption("There are no events to delete.")
        return
    labels = dict(zip(events["id"], events["date"] + " · " + events["title"], strict=True))
    with st.form("delete-event"):
        event_id = st.selectbox("Event to delete", list(labels), format_func=lambda key: labels.get(key, key))
        reason = st.text_input("Reason for deleting it")
        if st.form_submit_button("Delete event"):
            if not reason.strip():
                st.error("Reason: say why this event is deleted; nothing was deleted.")
                return
            try:
                batch = store.delete_event(event_id, who=who, reason=reason.strip())
            except StoreError as error:
                st.error(webapp.md(str(error)))
                return
            # Rerun so that the chart, the event pickers and this list no longer show it (read before).
            st.session_state["event_deleted_message"] = (
                f"Event {webapp.md(event_id)} deleted (batch {batch}); the History page can undo it."
            )
            st.rerun()
