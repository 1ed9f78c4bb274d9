"""Snapshots: export a dated snapshot (with filters) and download it; download saved ones again; compare two
snapshots or a snapshot with the store; restore one (editors), with a preview first."""

import streamlit as st

from indicators import webapp
from indicators.access import current_editor, editing_enabled
from indicators.config import settings
from indicators.periods import PeriodError
from indicators.progress import scaled
from indicators.snapshot import (
    ArchiveError,
    Filters,
    apply_restore,
    compare_archives,
    diff_summary,
    list_snapshots,
    plan_restore,
    read_archive,
    snapshot_files,
)
from indicators.snapshot.export import export_for_page

webapp.page_needs_app()


store = webapp.current_store()
config = settings()
editor = current_editor()
st.title("Snapshots")
st.caption(
    "A snapshot is one zip that says exactly what the dashboard held: the figures as CSV and Parquet, a workbook, "
    "an offline report with every chart, the sources and a manifest with checksums. "
    f"Saved snapshots live in `{webapp.md(config.snapshots_dir)}`."
)
export_tab, saved_tab, compare_tab, restore_tab = st.tabs(["Export", "Saved snapshots", "Compare", "Restore"])

with export_tab:
    catalog = webapp.indicators(store)
    names = {indicator.id: indicator.name for indicator in catalog}
    chosen = st.multiselect("Indicators (none: all)", list(names), format_func=lambda i: f"{names[i]} ({i})")
    entities = webapp.read(store, "entities")
    entity_names = dict(zip(entities["code"], entities["name"], strict=True))
    chosen_entities = st.multiselect(
        "Entities (none: all)", list(entity_names), format_func=lambda c: f"{entity_names[c]} ({c})"
    )
    left, right = st.columns(2)
    period_from = left.text_input("Periods from (e.g. 2015; blank: any)", key="period_from")
    period_to = right.text_input("Periods to (e.g. 2020-Q4; blank: any)", key="period_to")
    if st.button("Export snapshot", type="primary", key="export"):
        try:
            filters = Filters(tuple(chosen), tuple(chosen_entities), period_from or None, period_to or None)
        except (PeriodError, ValueError) as error:
            st.error(f"Filters: {webapp.md(error)}")
        else:
            bar = st.progress(0.0, text="Building the snapshot…")
            folder = config.snapshots_dir if editor else None  # editors' snapshots are saved in the folder
            made = webapp.guarded(
                export_for_page, store, filters, folder, progress=webapp.progress_bar(bar, "Building the snapshot")
            )
            snapshot = made.snapshot
            st.session_state["snapshot"] = (snapshot.filename, snapshot.data, snapshot.manifest, made.saved)
            if made.not_saved:
                st.warning(f"The snapshot is ready to download, but {webapp.md(made.not_saved)}.")
    if "snapshot" in st.session_state:
        filename, data, manifest, saved = st.session_state["snapshot"]
        counts = manifest["counts"]
        st.success(
            f"{webapp.md(filename)}: {counts['observations']} figures, {counts['indicators']} indicators, "
            f"{counts['sources']} sources, {len(data) / 1e6:.1f} MB"
            + (f"; saved in the snapshots folder as {webapp.md(saved.name)}" if saved else "")
        )
        st.download_button("Download the snapshot", data=data, file_name=filename, mime="application/zip")

saved_list = list_snapshots(config.snapshots_dir)
with saved_tab:
    if saved_list.empty:
        st.info("No snapshots saved yet: export one on the Export tab (or `python -m indicators export`).")
    else:
        st.dataframe(saved_list.drop(columns=["path"]), hide_index=True)
        pick = st.selectbox("Download again", list(saved_list["file"]), key="saved_pick")
        path = config.snapshots_dir / pick
        st.download_button("Download", data=path.read_bytes(), file_name=pick, mime="application/zip")

with compare_tab:
    files = snapshot_files(saved_list)
    if not files:
        st.info("Compare needs a saved snapshot: export one first.")
    else:
        older = st.selectbox("Snapshot A (before)", files, index=min(1, len(files) - 1), key="compare_a")
        newer = st.selectbox("B (after)", ["the live store", *files], key="compare_b")
        if st.button("Compare", key="compare"):
            try:
                archive_a = read_archive(config.snapshots_dir / older)
                other = store if newer == "the live store" else read_archive(config.snapshots_dir / newer)
                differences = webapp.guarded(compare_archives, archive_a, other)
            except ArchiveError as error:
                st.error(webapp.md(error))
            else:
                if differences.empty:
                    st.success("No differences.")
                else:
                    st.markdown(f"**{len(differences)} figure(s) differ**")
                    st.dataframe(diff_summary(differences), hide_index=True)
                    st.dataframe(differences, hide_index=True)

with restore_tab:
    if editor is None:
        st.info(
            "Restoring a snapshot changes the store: only editors can do it."
            + (" Sign in in the sidebar first." if editing_enabled() else " This dashboard is read-only.")
        )
    else:
        upload = st.file_uploader("Snapshot to restore (.zip)", type=["zip"], key="restore_upload")
        mode = st.radio(
            "Mode",
            ["replace", "merge"],
            horizontal=True,
            help="replace: the store's figures within the snapshot's filters become exactly the snapshot's; "
            "merge: add and correct figures, remove nothing.",
        )
        if upload is not None:
            data = upload.getvalue()
            plan = None
            if len(data) > config.max_upload_mb * 1024 * 1024:
                st.error(f"The file is larger than {config.max_upload_mb} MB; restore it with the command line.")
            else:
                bar = st.progress(0.0, text="Checking the snapshot: paths, sizes, checksums")
                report = webapp.progress_bar(bar, "Checking the snapshot")
                try:
                    archive = read_archive(data, name=upload.name)
                    plan = plan_restore(store, archive, mode, progress=scaled(report, 0.4, 1.0))
                except ArchiveError as error:
                    st.error(f"Refused, nothing changed: {webapp.md(error)}")
                bar.empty()  # the preview (or the refusal) follows
            if plan is not None:
                preview = st.empty()
                with preview.container():
                    st.markdown(f"**Preview** ({webapp.md(mode)}): {plan.would_change}")
                    st.dataframe(plan.summary(), hide_index=True)
                    changing = plan.preview[plan.preview["status"] != "unchanged"]
                    if not changing.empty:
                        st.dataframe(changing, hide_index=True)
                    if not plan.catalog.empty:
                        st.caption("Indicators and sources the restore adds or overwrites with the snapshot's:")
                        st.dataframe(plan.catalog, hide_index=True)
                    apply = st.button("Apply restore", type="primary", disabled=plan.nothing_to_do, key="apply_restore")
                if apply:
                    bar = st.progress(0.0, text="Restoring…")
                    result = webapp.guarded(
                        apply_restore, store, plan, who=editor, progress=webapp.progress_bar(bar, "Restoring")
                    )
                    preview.empty()  # it described the store before the restore, and its button would apply it again
                    catalog = f"; {result.catalog} indicator(s) or source(s) updated" if result.catalog else ""
                    st.success(
                        f"Restored as batch {result.batch_id}: {result.added} added, {result.changed} changed, "
                        f"{result.removed} removed{catalog}. The History page can undo its figures as one batch."
                    )
