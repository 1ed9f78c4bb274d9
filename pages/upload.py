"""Upload: choose a file, check what was understood, map it, preview every change, commit or cancel."""

import streamlit as st

from indicators import access, editing, webapp
from indicators.config import settings
from indicators.ingest import (
    Mapping,
    Options,
    UploadError,
    check_size,
    commit_upload,
    plan_upload,
    read_upload,
    sheet_names,
)
from indicators.ingest import choices as ui
from indicators.ingest.template import template_csv
from indicators.models import CATEGORIES
from indicators.units import UNITS

webapp.page_needs_app()

store = webapp.current_store()
st.title("Upload figures")
who = access.current_editor()
if who is None:
    st.info("This dashboard is read-only: figures cannot be uploaded here.")
    st.stop()

limit = settings().max_upload_mb
st.caption(
    "Our CSV format, World Bank (WDI download, DataBank), Our World in Data, SDMX-CSV, Eurostat TSV, wide "
    f"sheets like SIPRI's, and .xlsx workbooks, up to {limit} MB. Nothing is written until you commit."
)
st.download_button(
    "Template in our format (one example row per indicator)",
    data=template_csv(store),
    file_name="indicators-template.csv",
    mime="text/csv",
    icon=":material/download:",
)

generation = st.session_state.setdefault("upload_generation", 0)
if message := st.session_state.pop("upload_message", None):
    st.success(webapp.md(message))
upload = st.file_uploader(
    "File", type=["csv", "tsv", "txt", "xlsx"], key=f"upload_file_{generation}", help="CSV, TSV, TXT or XLSX"
)
if upload is None:
    st.stop()
try:
    check_size(upload.size, limit)
except UploadError as error:
    st.error(f"{webapp.md(upload.name)}: {webapp.md(error)}")
    st.stop()
ui.start_afresh_for(st.session_state, upload.file_id)

with st.expander("Detected settings: change any of them", expanded=False):
    left, middle, right = st.columns(3)
    fmt = left.selectbox("Format", ui.FORMAT_CHOICES, key="upload_format")
    encoding = left.selectbox("Encoding", ui.ENCODING_CHOICES, key="upload_encoding")
    delimiter = middle.selectbox("Delimiter", list(ui.DELIMITER_CHOICES), key="upload_delimiter")
    header = middle.number_input("Header on line (0: detect)", min_value=0, step=1, key="upload_header")
    decimal = right.selectbox("Decimal mark", list(ui.DECIMAL_CHOICES), key="upload_decimal")
    thousands = right.selectbox("Thousands separator", list(ui.THOUSANDS_CHOICES), key="upload_thousands")

# a workbook's sheets are offered before one is read: the first may hold notes, not figures
sheets = sheet_names(upload.getvalue())
sheet = st.selectbox("Sheet", sheets, key="upload_sheet") if len(sheets) > 1 else None
options = Options(
    format=None if fmt == ui.AUTO else fmt,
    encoding=None if encoding == ui.AUTO else encoding,
    delimiter=ui.DELIMITER_CHOICES[delimiter],
    decimal=ui.DECIMAL_CHOICES[decimal],
    thousands=ui.THOUSANDS_CHOICES[thousands],
    header_row=int(header) - 1 if header else None,
    sheet=sheet,
    value_columns=st.session_state.get("upload_value_columns") or None,
    value_column=st.session_state.get("upload_value_column"),
)
try:
    parsed = read_upload(upload.getvalue(), upload.name, options)
except UploadError as error:
    st.error(f"{webapp.md(upload.name)}: {webapp.md(error)}")
    st.stop()
st.caption(f"Understood as: {webapp.md(parsed.describe())}")

indicators = {i.id: i for i in store.indicators()}
mapping = Mapping()
series: list[str] = []
st.subheader("Map")
if parsed.is_native:
    mapping.source_text = st.text_input("Source for rows without one (free text)", key="upload_source") or None
else:
    foreign = parsed.foreign
    ids = sorted(indicators)
    mapping.indicator = st.selectbox(
        "Indicator this file feeds", ids, index=None, key="upload_indicator",
        format_func=lambda i: f"{indicators[i].name} ({i})", placeholder="choose an indicator",
    )  # fmt: skip
    series = parsed.series_choices()
    if len(series) > 1:  # never preselected: Eurostat's first series is the domestic residents' arrivals
        mapping.series = st.selectbox(
            "Series", series, index=None, key="upload_series", placeholder=f"choose one of {len(series)} series"
        )
    if parsed.format == "owid" and len(foreign.value_columns) > 1:
        st.selectbox("Value column", foreign.value_columns, key="upload_value_column")
    if parsed.format in ("census", "table"):
        st.multiselect(
            "Value columns (summed)", foreign.value_columns, default=None, key="upload_value_columns",
            help="Census: IYR (US imports) + EYR (US exports) by default",
        )  # fmt: skip
    entity_options = ui.entity_options(parsed, foreign.default_pair_with)
    chosen = st.multiselect(
        "Entities to keep", list(entity_options), default=ui.default_entities(entity_options), key="upload_entities"
    )
    mapping.entities = [entity_options[label] for label in chosen] or None
    if not chosen:
        st.caption(f"No entity chosen: all {len(entity_options)} entities with a code are kept.")
    unmapped = ui.unmapped_entities(parsed)
    if unmapped:
        st.caption(
            f"Left out (no ISO3 code): {webapp.md(', '.join(unmapped[:15]))}{' …' if len(unmapped) > 15 else ''}"
        )
    bounds = ui.year_bounds(parsed)
    if bounds and bounds[0] < bounds[1]:
        mapping.years = st.slider("Years", bounds[0], bounds[1], bounds, key="upload_years")
    mapping.source_text = st.text_input("Source", value=parsed.source_text or "", key="upload_source") or None
    if mapping.indicator is None:
        st.info("Choose the indicator this file feeds, or create one below.")
    elif len(series) > 1 and mapping.series is None:
        st.info(f"This file holds {len(series)} series: choose the series whose figures the indicator takes.")

try:
    ready = parsed.is_native or (mapping.indicator and (len(series) <= 1 or mapping.series))
    plan = plan_upload(store, parsed, mapping) if ready else None
except UploadError as error:
    st.error(webapp.md(error))
    plan = None

unknown = plan.unknown_indicators() if plan else []
if unknown or (not parsed.is_native and mapping.indicator is None):
    with st.form("upload_new_indicator"):
        st.markdown("**Create an indicator**")
        new_id = st.text_input("Id (lower-case, digits, _)", value=unknown[0] if unknown else "")
        name = st.text_input("Name")
        unit = st.selectbox("Unit", list(UNITS))
        category = st.selectbox("Category", CATEGORIES)
        low = st.text_input("Smallest valid value (blank: none)")
        high = st.text_input("Largest valid value (blank: none)")
        if st.form_submit_button("Create indicator"):
            checked = editing.check_indicator_form(
                {"id": new_id, "name": name, "unit": unit, "category": category},
                {"min_value": low, "max_value": high},
                set(indicators),
            )
            for field, message in checked.errors.items():
                st.error(f"{webapp.md(field)}: {webapp.md(message)}")
            if checked.value is not None:
                store.save_indicator(checked.value, who=who, reason=f"created while uploading {upload.name}")
                st.rerun()
if plan is None:
    st.stop()

st.subheader("Preview")
counts = plan.counts()
columns = st.columns(4)
for column, label in zip(columns, ("new", "changed", "unchanged", "rejected"), strict=True):
    column.metric(label.title(), counts[label])
if counts["changed"]:
    st.markdown("**Changed figures** (old → new value; what changes)")
    st.dataframe(plan.changed(), hide_index=True)
    if removals := plan.removals():
        st.warning(removals)
if counts["rejected"]:
    st.markdown(f"**Rejected: {counts['rejected']} lines** (line, column, value, reason)")
    st.dataframe(plan.problems, hide_index=True)
st.markdown("**Rows as they will be stored**")
PREVIEW_ROWS = 1000
st.dataframe(plan.preview.head(PREVIEW_ROWS), hide_index=True)
if len(plan.preview) > PREVIEW_ROWS:
    st.caption(f"The first {PREVIEW_ROWS:,} of {len(plan.preview):,} rows.")

on_change = "replace"
if counts["changed"]:
    on_change = ui.ON_CHANGE_CHOICES[st.radio("Changed values", list(ui.ON_CHANGE_CHOICES), key="upload_on_change")]
    if on_change == "keep" and (note := plan.keep_both_note()):
        st.caption(webapp.md(note))
skip_invalid = False
if counts["rejected"]:
    skip_invalid = st.checkbox("Import the valid rows and leave the rejected ones", key="upload_skip_invalid")

commit_column, cancel_column = st.columns(2)
can_commit = plan.valid_rows > 0 and (plan.validated.ok or skip_invalid)
if commit_column.button("Commit", type="primary", disabled=not can_commit, key="upload_commit"):
    bar = st.progress(0.0, text="Writing …")  # a million rows take seconds: say where the write is
    try:
        result = commit_upload(
            store, plan, who=who, skip_invalid=skip_invalid, on_change=on_change,
            progress=lambda share, what: bar.progress(share, text=what.capitalize()),
        )  # fmt: skip
    except (UploadError, ValueError) as error:
        st.error(webapp.md(error))
        st.stop()
    st.session_state["upload_generation"] = generation + 1
    st.session_state["upload_message"] = (
        f"Committed {upload.name}: {result.added} new, {result.changed} changed, {result.unchanged} unchanged"
        + (f" (batch {result.batch_id}, undoable from History)" if result.batch_id else "")
    )
    st.rerun()
if cancel_column.button("Cancel", key="upload_cancel"):
    st.session_state["upload_generation"] = generation + 1
    st.session_state["upload_message"] = f"Cancelled: nothing from {upload.name} was written."
    st.rerun()
