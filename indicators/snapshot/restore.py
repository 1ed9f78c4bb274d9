"""Archive -> store: check, show what would change, then apply in one transaction as one undoable batch.

Two modes: ``merge`` adds and corrects figures and removes nothing; ``replace`` also removes the current
figures that the snapshot does not hold, *within the snapshot's own filters* (restoring a snapshot of one
indicator never touches the others). Indicators and sources in the snapshot are upserted.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pandas as pd
from pydantic import ValidationError

from indicators.csvformat import as_written, restore_formulas
from indicators.models import OBSERVATION_CSV_COLUMNS, Indicator, Source
from indicators.progress import ProgressCallback, Stages
from indicators.snapshot.archive import Archive, ArchiveError
from indicators.snapshot.filters import Filters
from indicators.store import RestoreResult, Store
from indicators.validate import validate_observations

MODES = ("replace", "merge")
PLAN_STAGES = (("check", 3), ("diff", 2))  # rough shares of planning a restore's time
# Older snapshot schemas: {schema version: {old column name: current name}} per table. Schema 1 is the first;
# a migration that renames a column adds its mapping here so old snapshots keep restoring.
COLUMN_MAPS: dict[int, dict[str, dict[str, str]]] = {1: {}}
STATUS_NAMES = {"new": "added", "changed": "changed", "removed": "removed", "unchanged": "unchanged"}


class RestoreRefused(ArchiveError):
    """The archive is intact but its contents cannot be restored (invalid figures, unknown sources)."""


@dataclass
class SnapshotTables:
    observations: pd.DataFrame  # our CSV columns
    indicators: list[Indicator]
    sources: list[Source]
    filters: Filters


@dataclass
class RestorePlan:
    tables: SnapshotTables
    rows: pd.DataFrame  # validated rows for Store.write_observations
    mode: str
    preview: pd.DataFrame  # one row per figure: status added / changed / removed / unchanged
    archive_name: str
    manifest: dict
    # the snapshot's indicators and sources that the store lacks or holds otherwise (CATALOG_COLUMNS), and
    # for the batch's detail the same with the store's version before the restore
    catalog: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CATALOG_COLUMNS))
    catalog_detail: list[dict] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """Per indicator: how many figures would be added, changed, removed, left as they are."""
        return change_summary(self.preview)

    @property
    def changes(self) -> int:
        """Figures that would be added, changed or removed (indicators and sources: ``catalog``)."""
        return int((self.preview["status"] != "unchanged").sum()) if not self.preview.empty else 0

    @property
    def nothing_to_do(self) -> bool:
        return self.changes == 0 and self.catalog.empty

    @property
    def would_change(self) -> str:
        """``3 figure(s) would change``, naming indicators and sources too when the restore writes any."""
        if self.catalog.empty:
            return f"{self.changes} figure(s) would change"
        return f"{self.changes} figure(s) and {len(self.catalog)} indicator(s) or source(s) would change"


CATALOG_COLUMNS = ["table", "id", "status", "fields"]


def _plain(record: dict) -> dict:
    return {k: None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v for k, v in record.items()}


def _as_written(values: dict) -> dict:
    """Numbers as the snapshot's CSV writes them (15 significant digits): 0.30000000000000004 is 0.3."""
    return {k: as_written(v) if isinstance(v, float) else v for k, v in values.items()}


def catalog_changes(store: Store, tables: SnapshotTables) -> tuple[pd.DataFrame, list[dict]]:
    """The snapshot's indicators and sources that a restore would add or overwrite: one row each (table, id,
    status added / changed, the fields that differ), and the same with the store's version for the batch."""
    current: dict[str, dict] = {
        "indicator": {i.id: i for i in store.indicator_map().values()},
        "source": {
            record["id"]: Source.model_validate({k: v for k, v in _plain(record).items() if k in Source.model_fields})
            for record in store.snapshot_sources().to_dict("records")
        },
    }
    rows, detail = [], []
    for table, items in (("indicator", tables.indicators), ("source", tables.sources)):
        for item in items:
            before = current[table].get(item.id)
            if before is None:
                fields = []
            else:
                old, new = _as_written(before.model_dump()), _as_written(item.model_dump())
                fields = [name for name in new if new[name] != old.get(name)]
                if not fields:
                    continue
            status = "added" if before is None else "changed"
            rows.append({"table": table, "id": item.id, "status": status, "fields": ", ".join(fields)})
            detail.append(
                {
                    "table": table,
                    "id": item.id,
                    "status": status,
                    "fields": fields,
                    "before": None if before is None else before.model_dump(),
                }
            )
    return pd.DataFrame(rows, columns=CATALOG_COLUMNS), detail


def change_summary(preview: pd.DataFrame) -> pd.DataFrame:
    columns = ["added", "changed", "removed", "unchanged"]
    if preview.empty:
        return pd.DataFrame(columns=["indicator", *columns])
    table = pd.crosstab(preview["indicator_id"], preview["status"]).reindex(columns=columns, fill_value=0)
    return table.reset_index().rename(columns={"indicator_id": "indicator"}).rename_axis(None, axis=1)


def _mapped(frame: pd.DataFrame, version: int, table: str) -> pd.DataFrame:
    renames: dict[str, str] = {}
    for older in sorted(v for v in COLUMN_MAPS if v >= version):
        renames.update(COLUMN_MAPS[older].get(table, {}))
    return frame.rename(columns=renames)


def _csv_table(archive: Archive, member: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(io.BytesIO(archive.members[member]), dtype=str, keep_default_na=False, encoding="utf-8")
    except (ValueError, UnicodeDecodeError) as error:
        raise ArchiveError(f"{archive.name}: {member} does not parse ({error})") from None
    return restore_formulas(_mapped(frame, archive.schema_version, member.removesuffix(".csv")))


def _models(frame: pd.DataFrame, model, member: str, archive: Archive) -> list:
    fields = set(model.model_fields)
    items, problems = [], []
    first_row: dict[str, int] = {}
    for number, record in enumerate(frame.to_dict("records"), start=2):
        try:
            item = model.model_validate({k: v for k, v in record.items() if k in fields})
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "row"
            problems.append(f"{member} row {number}, column {where}: {first['msg']}")
            continue
        if item.id in first_row:  # one id twice: which one is meant? (the last silently won)
            problems.append(f"{member} lists {item.id} twice (rows {first_row[item.id]} and {number})")
        first_row.setdefault(item.id, number)
        items.append(item)
    if problems:
        raise RestoreRefused(f"{archive.name} cannot be restored: " + "; ".join(problems[:5]))
    return items


def _check_types(observations: pd.DataFrame, name: str) -> None:
    """The Parquet columns must be of the types an export writes: value a number, the others text (or empty).
    Anything else is refused, never converted (dates as values became microseconds since 1970)."""
    for column in observations.columns.intersection(list(OBSERVATION_CSV_COLUMNS)):
        values = observations[column]
        if column == "value":
            fits = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
            wanted = "numbers"
        else:
            # pandas reads Parquet text as its string dtype; an object column (rare) is checked value by value
            fits = isinstance(values.dtype, pd.StringDtype) or (
                values.dtype == object and values.dropna().map(type).eq(str).all()
            )
            wanted = "text"
        if not (fits or values.isna().all()):
            raise ArchiveError(
                f"{name}: observations.parquet: column {column} holds {values.dtype} values, not {wanted}: "
                "it was not written by this dashboard's export"
            )


def snapshot_tables(archive: Archive) -> SnapshotTables:
    """The tables of a checked archive, with columns of older schemas mapped to today's names."""
    try:
        observations = pd.read_parquet(io.BytesIO(archive.members["observations.parquet"]))
    except Exception as error:  # pyarrow raises several types for a damaged file; all mean the same here
        raise ArchiveError(f"{archive.name}: observations.parquet does not parse ({error})") from None
    observations = _mapped(observations, archive.schema_version, "observations")
    missing = [c for c in ("indicator", "period", "value") if c not in observations]
    if missing:
        raise ArchiveError(f"{archive.name}: observations.parquet lacks the column(s) {', '.join(missing)}")
    _check_types(observations, archive.name)
    counted = (archive.manifest.get("counts") or {}).get("observations")
    if isinstance(counted, int) and not isinstance(counted, bool) and counted != len(observations):
        raise ArchiveError(
            f"{archive.name}: the manifest counts {counted:,} figures; observations.parquet holds "
            f"{len(observations):,} (altered or damaged)"
        )
    # a Parquet file written by pandas brings its index back, perhaps with repeated labels (two frames
    # concatenated); validation aligns on the index, so figures would be lost: row order is what counts
    observations = observations.reindex(columns=list(OBSERVATION_CSV_COLUMNS)).reset_index(drop=True)
    try:
        filters = Filters.from_manifest(archive.manifest.get("filters"))
    except ValueError as error:
        raise ArchiveError(f"{archive.name}: the manifest's filters are not valid ({error})") from None
    return SnapshotTables(
        observations=observations,
        indicators=_models(_csv_table(archive, "indicators.csv"), Indicator, "indicators.csv", archive),
        sources=_models(_csv_table(archive, "sources.csv"), Source, "sources.csv", archive),
        filters=filters,
    )


def _refuse_figures_outside(rows: pd.DataFrame, filters: Filters, name: str) -> None:
    """Every figure must lie within the snapshot's own filters, which decide what a replace may remove: a
    manifest edited to name other filters than the figures' would remove what the snapshot never held."""
    if filters.is_all or rows.empty:
        return
    scope = filters.scope()
    outside = pd.Series(False, index=rows.index)
    if scope.indicators:
        outside |= ~rows["indicator_id"].isin(scope.indicators)
    if scope.entities:
        outside |= ~rows["entity"].isin(scope.entities)
    starts = pd.to_datetime(rows["period_start"])
    if scope.start_min is not None:
        outside |= starts < pd.Timestamp(scope.start_min)
    if scope.start_max is not None:
        outside |= starts > pd.Timestamp(scope.start_max)
    if outside.any():
        first = rows[outside].iloc[0]
        raise RestoreRefused(
            f"{name} cannot be restored: {int(outside.sum())} of its figures lie outside its own filters "
            f"({filters.describe()}), e.g. {first['indicator_id']} {first['entity']} {first['period']}: "
            "the manifest does not describe its figures"
        )


def plan_restore(
    store: Store, archive: Archive, mode: str = "replace", *, progress: ProgressCallback | None = None
) -> RestorePlan:
    """Everything a restore would do, checked and previewed, without writing. ``progress`` hears the
    stages ``check`` (read and validate the figures) and ``diff`` (compare with the store), then 1.0."""
    if mode not in MODES:
        raise ValueError(f"unknown restore mode {mode!r}: use {' or '.join(MODES)}")
    stages = Stages(progress, PLAN_STAGES)
    stages.start("check", "check: reading and validating the figures")
    tables = snapshot_tables(archive)
    indicator_map = store.indicator_map()
    indicator_map.update({indicator.id: indicator for indicator in tables.indicators})
    validated = validate_observations(tables.observations, indicator_map)
    if not validated.ok:
        problems = [
            f"row {p.row}, column {p.column}, value {p.value!r}: {p.reason}"
            for p in validated.problems.head(5).itertuples()
        ]
        raise RestoreRefused(
            f"{archive.name} cannot be restored: {len(validated.problems)} problem(s) in its figures "
            "(rows of observations.csv): " + "; ".join(problems)
        )
    _refuse_figures_outside(validated.rows, tables.filters, archive.name)
    known_sources = store.source_ids() | {source.id for source in tables.sources}
    unknown = sorted(set(validated.rows["source_id"].dropna()) - known_sources)
    if unknown:
        raise RestoreRefused(
            f"{archive.name} cannot be restored: its figures cite unknown sources {', '.join(unknown)}"
        )
    stages.start("diff", "diff: comparing with the store")
    preview = store.preview_restore(validated.rows, mode=mode, scope=tables.filters.scope())
    preview["status"] = preview["status"].map(STATUS_NAMES)
    catalog, catalog_detail = catalog_changes(store, tables)
    stages.done("checked and compared")
    return RestorePlan(
        tables=tables,
        rows=validated.rows,
        mode=mode,
        preview=preview,
        archive_name=archive.name,
        manifest=archive.manifest,
        catalog=catalog,
        catalog_detail=catalog_detail,
    )


def apply_restore(
    store: Store,
    plan: RestorePlan,
    *,
    who: str,
    reason: str | None = None,
    progress: ProgressCallback | None = None,
) -> RestoreResult:
    """Apply a plan in one transaction as one batch of kind ``restore`` (undoable as a whole). ``progress``
    hears ``apply`` when the transaction starts and 1.0 when it is committed."""
    stages = Stages(progress, (("apply", 1),))
    stages.start("apply", "apply: writing in one transaction")
    detail = {
        "file": plan.archive_name,
        "mode": plan.mode,
        "snapshot_created_at": plan.manifest.get("created_at"),
        "snapshot_app_version": plan.manifest.get("app_version"),
        "filters": plan.tables.filters.to_manifest(),
    }
    if plan.catalog_detail:
        detail["catalog"] = plan.catalog_detail  # what the restore added or overwrote, with the version before
    changed = {(entry["table"], entry["id"]) for entry in plan.catalog_detail}
    result = store.restore_snapshot(
        plan.rows,
        # only the indicators and sources the plan showed as added or changed: a batch is kept when any is
        indicators=[i for i in plan.tables.indicators if ("indicator", i.id) in changed],
        sources=[s for s in plan.tables.sources if ("source", s.id) in changed],
        mode=plan.mode,
        scope=plan.tables.filters.scope(),
        who=who,
        reason=reason or f"restore of {plan.archive_name} ({plan.mode})",
        detail=detail,
    )
    stages.done("restored")
    return result
