"""Enter: add or correct one figure (with its source and a reason), delete one, or add an indicator.

Prefill from the Indicator page: ?indicator=ID&entity=CODE&period=P&source=ID opens that figure for correcting.
The form remembers the version it was opened with; a save over a figure someone changed since is refused.
"""

import streamlit as st

from indicators import access, editing, webapp
from indicators.models import CATEGORIES
from indicators.store import StoreError
from indicators.units import QUALIFIERS, UNITS

webapp.page_needs_app()

store = webapp.current_store()
who = access.require_editor()
catalog = {indicator.id: indicator for indicator in webapp.indicators(store)}
sources = webapp.read(store, "sources")
NEW_SOURCE = "+ a new source"
opened: dict = st.session_state.setdefault("enter_opened_versions", {})  # figure key -> version id it was opened at
readings_seen: set = st.session_state.setdefault("enter_readings_seen", set())  # (field, note) shown to the editor

st.title("Enter or correct a figure")
st.caption(
    f"Changes are recorded as **{webapp.md(who)}**, with your reason; every change can be undone on the History page."
)
figure_tab, indicator_tab = st.tabs(["A figure", "A new indicator"])


def show_errors(slots: dict, errors: dict) -> None:
    for name, message in errors.items():
        (slots.get(name) or slots["form"]).error(webapp.md(f"{name.replace('_', ' ')}: {message}"))


def show_notes(slots: dict, notes: dict) -> None:
    for name, note in notes.items():
        (slots.get(name) or slots["form"]).info(webapp.md(note))


with figure_tab:
    if not catalog:
        st.info("There are no indicators yet: add one in the next tab first.")
    else:
        params = st.query_params
        ids = list(catalog)
        asked = params.get("indicator")
        if asked and asked not in catalog:
            st.warning(f"This link names no indicator '{webapp.md(asked)}' in the store: pick one below.")
        if (added := st.session_state.pop("enter_added_indicator", None)) in catalog:
            st.session_state["enter_indicator"] = added  # the indicator just added, ready for its first figure
        indicator_id = st.selectbox(
            "Indicator",
            ids,
            index=ids.index(asked) if asked in catalog else 0,
            format_func=lambda key: f"{catalog[key].name} ({key})",
            key="enter_indicator",
        )
        indicator = catalog[indicator_id]
        source_ids = [*sources["id"], NEW_SOURCE]
        titles = dict(zip(sources["id"], sources["title"], strict=True))
        asked_source = params.get("source")
        if asked_source and asked_source not in titles:
            st.warning(
                f"This link names no source '{webapp.md(asked_source)}' in the store (another store's, or "
                "mistyped): the figure it points to cannot be opened. Pick its source below, or add a new one."
            )
        source_choice = st.selectbox(
            "Source",
            source_ids,
            index=source_ids.index(asked_source) if asked_source in titles else len(source_ids) - 1,
            format_func=lambda key: key if key == NEW_SOURCE else f"{titles[key]} ({key})",
            key="enter_source",
        )

        # correcting an existing figure (a link from the Indicator page)
        prefill = asked == indicator_id and asked_source == source_choice
        entity_default = (params.get("entity") if prefill else None) or indicator.default_entity
        period_default = (params.get("period") if prefill else None) or ""
        existing = None
        notice = st.empty()  # what the form is correcting; cleared when the figure is deleted below
        if prefill and period_default:
            existing = store.current_version(indicator_id, entity_default, period_default, source_choice)
            if existing is not None:
                opened.setdefault(existing.key, existing.id)
                notice.info(
                    f"Correcting the current value: {webapp.md(editing.describe_version(indicator, existing))}."
                )
            else:
                notice.caption("No such figure is recorded yet: saving adds it.")
        value_default, unit_default = ("", editing.unit_choices(indicator)[0])
        if existing is not None:
            value_default, unit_default = editing.split_value(existing.value, indicator)

        slots: dict = {}
        with st.form("figure_form"):
            entity = st.text_input(
                "Entity (ISO alpha-3, or a pair such as SRB-USA)", entity_default, key=f"entity_{indicator_id}"
            )
            slots["entity"] = st.empty()
            period = st.text_input("Period (2025, 2025-Q2, 2025-03)", period_default, key=f"period_{indicator_id}")
            slots["period"] = st.empty()
            value_col, unit_col = st.columns(2)
            value_text = value_col.text_input("Value", value_default, key=f"value_{indicator_id}")
            choices = editing.unit_choices(indicator)
            unit_choice = unit_col.selectbox(
                "in", choices, index=choices.index(unit_default), key=f"unit_{indicator_id}"
            )
            slots["value"] = st.empty()
            unit_typed = st.text_input("…or the unit as written (e.g. USD mn)", key=f"unit_typed_{indicator_id}")
            slots["unit"] = st.empty()
            qualifier = st.selectbox(
                "Qualifier",
                QUALIFIERS,
                index=QUALIFIERS.index(existing.qualifier) if existing is not None else 0,
                key=f"qualifier_{indicator_id}",
            )
            slots["qualifier"] = st.empty()
            new_source = {}
            if source_choice == NEW_SOURCE:
                st.markdown("**The new source**")
                for name, label in (("title", "Title"), ("publisher", "Publisher"), ("year", "Year"), ("url", "URL")):
                    new_source[name] = st.text_input(label, key=f"source_{name}")
                    slots[f"source_{name}"] = st.empty()
            slots["source"] = st.empty()
            quote = st.text_area(
                "Quote (the sentence the figure comes from)", existing.quote if existing else "", key="quote"
            )
            slots["quote"] = st.empty()
            note = st.text_area("Note", existing.note if existing else "", key="note")
            slots["note"] = st.empty()
            reason = st.text_input("Reason for this change (required)", key="reason")
            slots["reason"] = st.empty()
            slots["form"] = st.empty()
            submitted = st.form_submit_button("Save", type="primary")

        if submitted:
            errors: dict = {}
            source_obj = None
            source_id = source_choice
            if source_choice == NEW_SOURCE and (same := editing.source_titled(sources, new_source["title"])):
                source_id = same  # a source of that title exists (one saved a moment ago, say): use it, no copy
            elif source_choice == NEW_SOURCE:
                checked_source = editing.check_source(store.source_ids(), **new_source)
                errors.update({f"source_{name}": message for name, message in checked_source.errors.items()})
                source_obj = checked_source.value
                source_id = source_obj.id if source_obj else "pending"
            checked = editing.check_figure(
                catalog,
                indicator=indicator_id,
                entity=entity,
                period=period,
                value=value_text,
                unit=unit_typed.strip() or unit_choice,
                qualifier=qualifier,
                source=source_id,
                quote=quote,
                note=note,
                reason=reason,
            )
            errors.update(checked.errors)
            unseen = editing.unconfirmed_notes(checked, readings_seen)
            show_notes(slots, checked.notes)  # how the form read what was typed (1,7 as 1.7; Srbija as SRB)
            if errors:
                show_errors(slots, errors)
                slots["form"].error(f"Nothing was saved: {len(errors)} problem(s), shown next to the fields.")
            elif unseen:
                slots["form"].warning(
                    "Nothing was saved yet: check how the form read what you typed (shown next to the fields), "
                    "then press Save again to save it so."
                )
            else:
                outcome = editing.save_figure(
                    store, indicator, checked.value, opened=opened, who=who, reason=reason, new_source=source_obj
                )
                getattr(slots["form"], outcome.level)(webapp.md(outcome.message))
                # the box at the top names the value now recorded, not the one the form was opened with
                same_figure = existing is not None and checked.value.key == existing.key
                if outcome.level == "success" and same_figure and (now := store.current_version(*existing.key)):
                    notice.info(f"Correcting the current value: {webapp.md(editing.describe_version(indicator, now))}.")

        if existing is not None:
            with st.expander("Delete this figure"):
                with st.form("delete_form"):
                    delete_reason = st.text_input("Reason for deleting (required)", key="delete_reason")
                    delete = st.form_submit_button("Delete")
                if delete:
                    try:
                        result = store.delete_observation(
                            *existing.key, who=who, reason=delete_reason, expected_version=opened.get(existing.key)
                        )
                    except StoreError as error:
                        st.error(webapp.md(str(error)))
                    else:
                        opened.pop(existing.key, None)
                        notice.caption("No such figure is recorded any more: saving adds it again.")
                        st.success(
                            f"Deleted (batch {result.batch_id}); undo it on the History page if it was a mistake."
                        )

with indicator_tab:
    if message := st.session_state.pop("enter_indicator_message", None):
        st.success(message)
    slots = {}
    with st.form("indicator_form"):
        fields = {}
        fields["id"] = st.text_input("Id (lower-case letters, digits, _; used in URLs and CSVs)", key="ind_id")
        slots["id"] = st.empty()
        fields["name"] = st.text_input("Name", key="ind_name")
        slots["name"] = st.empty()
        fields["unit"] = st.selectbox("Unit", list(UNITS), key="ind_unit")
        slots["unit"] = st.empty()
        fields["category"] = st.selectbox("Category", CATEGORIES, key="ind_category")
        fields["description"] = st.text_area("Description", key="ind_description")
        slots["description"] = st.empty()
        low, high = st.columns(2)
        range_text = {
            "min_value": low.text_input("Smallest valid value (optional)", key="ind_min"),
            "max_value": high.text_input("Largest valid value (optional)", key="ind_max"),
        }
        slots["range"] = st.empty()
        fields["decimals"] = st.number_input("Decimals shown", min_value=0, max_value=6, value=1, key="ind_decimals")
        fields["default_entity"] = st.text_input("Usual entity", "SRB", key="ind_entity")
        slots["default_entity"] = st.empty()
        bench_value, bench_label = st.columns(2)
        benchmark_text = bench_value.text_input("Benchmark line at (optional)", key="ind_bench")
        fields["benchmark_label"] = bench_label.text_input("Benchmark label", key="ind_bench_label")
        slots["benchmark_value"] = st.empty()
        indicator_reason = st.text_input("Reason (required)", key="ind_reason")
        slots["reason"] = st.empty()
        slots["form"] = st.empty()
        add_indicator = st.form_submit_button("Add the indicator")
    if add_indicator:
        checked = editing.check_indicator_form(fields, {**range_text, "benchmark_value": benchmark_text}, set(catalog))
        errors = dict(checked.errors)
        if not indicator_reason.strip():
            errors["reason"] = "say why: every change needs a reason"
        if errors:
            show_errors(slots, errors)
            slots["form"].error(f"Nothing was saved: {len(errors)} problem(s), shown next to the fields.")
        else:
            try:
                batch = store.save_indicator(checked.value, who=who, reason=indicator_reason.strip())
            except StoreError as error:
                slots["form"].error(webapp.md(str(error)))
            else:
                # Rerun so that the other tab's list of indicators holds the new one (it was read above).
                st.session_state["enter_added_indicator"] = checked.value.id
                st.session_state["enter_indicator_message"] = (
                    f"Added {webapp.md(checked.value.name)} ({webapp.md(checked.value.id)}), batch {batch}: "
                    "enter its first figure in the other tab."
                )
                st.rerun()
