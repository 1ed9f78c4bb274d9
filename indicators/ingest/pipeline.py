"""Plan and commit: validate the mapped rows with the models' rules, preview them against the store, and
write them as one batch (with any new source) or not at all."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from indicators.ingest.errors import UploadError
from indicators.ingest.mapping import Mapping, distinct_texts, source_text, to_raw, to_rows
from indicators.ingest.reader import Parsed
from indicators.models import Source, slug
from indicators.staged import StagedValidated, raw_table, stage
from indicators.store import Store, WriteResult
from indicators.validate import Validated

OFFICIAL_FORMATS = {"wdi", "databank", "owid", "sdmx", "eurostat", "census", "wide"}
PUBLISHERS = {
    "world bank": "World Bank",
    "our world in data": "Our World in Data",
    "eurostat": "Eurostat",
    "census": "US Census Bureau",
    "sipri": "SIPRI",
    "oecd": "OECD",
    "imf": "IMF",
}
ON_CHANGE = ("replace", "keep")
YEARS_AS_COLUMNS = {"wdi", "databank", "wide", "eurostat"}  # one column per year (or period) in the file


def source_for_text(text: str, kind: str) -> Source:
    """A source row for a free-text source ("World Bank WDI, last updated 2017-03-23")."""
    text = " ".join(text.split())[:500]
    identifier = slug(text)[:80].strip("-") or "upload"
    year = re.search(r"\b(1[89]\d\d|20\d\d)\b", text)
    publisher = next((name for key, name in PUBLISHERS.items() if key in text.lower()), None)
    return Source(
        id=identifier,
        title=text,
        publisher=publisher,
        year=int(year.group(1)) if year else None,
        kind=kind,
        note="Created by an upload; the title records the file's vintage where the file states it.",
    )


@dataclass
class Plan:
    parsed: Parsed
    mapping: Mapping
    mapped: pd.DataFrame | None  # our CSV columns + row, as mapped (None: staged, see ``rows``)
    validated: Validated
    store: Store
    new_sources: list[Source] = field(default_factory=list)
    _preview: pd.DataFrame | None = None

    @property
    def rows(self) -> pd.DataFrame:
        """Our CSV columns + row, as mapped (for a staged file, built from the staged text when asked)."""
        if self.mapped is None:
            assert isinstance(self.validated, StagedValidated)
            frame = self.validated.staged.raw.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
            self.mapped = frame
        return self.mapped

    @property
    def staged(self) -> bool:
        return isinstance(self.validated, StagedValidated)

    @property
    def valid_rows(self) -> int:
        """How many figures the file brings (repeats once), without building them as a frame."""
        if isinstance(self.validated, StagedValidated):
            return self.validated.count
        return len(self.validated.rows)

    @property
    def preview(self) -> pd.DataFrame:
        """store.preview_observations of the valid rows (computed on first use: a CLI import skips it)."""
        if self._preview is None:
            if not self.valid_rows:
                self._preview = pd.DataFrame(
                    columns=["indicator_id", "entity", "period", "value", "source_id", "status", "current_value"]
                )
            elif isinstance(self.validated, StagedValidated):
                self._preview = self.store.preview_observations(self.validated.staged)
            else:
                self._preview = self.store.preview_observations(self.validated.rows)
        return self._preview

    @property
    def problems(self) -> pd.DataFrame:
        """Every rejected row: line, column, value, reason."""
        return self.validated.problems.rename(columns={"row": "line"})

    @property
    def rejected_lines(self) -> int:
        return int(self.validated.problems["row"].nunique())

    def counts(self) -> dict[str, int]:
        status = self.preview["status"].value_counts() if len(self.preview) else pd.Series(dtype=int)
        return {
            "new": int(status.get("new", 0)),
            "changed": int(status.get("changed", 0)),
            "unchanged": int(status.get("unchanged", 0)),
            "rejected": self.rejected_lines,
        }

    def changed(self) -> pd.DataFrame:
        """Changed figures: the current value and the one the file brings."""
        if self.preview.empty:
            return pd.DataFrame(columns=["indicator_id", "entity", "period", "source_id", "old", "new", "changes"])
        changed = self.preview[self.preview["status"] == "changed"]
        return pd.DataFrame(
            {
                "indicator_id": changed["indicator_id"],
                "entity": changed["entity"],
                "period": changed["period"],
                "source_id": changed["source_id"],
                "old": changed["current_value"],
                "new": changed["value"],
                "changes": changed["changes"],  # value, qualifier, quote, note ("quote removed": left blank)
            }
        ).reset_index(drop=True)

    def removals(self) -> str | None:
        """A warning when committing would blank quotes or notes the store holds (a file without those columns,
        say an export trimmed in Excel), or None."""
        if self.preview.empty:
            return None
        changes = self.preview.loc[self.preview["status"] == "changed", "changes"].fillna("")
        quotes = int(changes.str.contains("quote removed").sum())
        notes = int(changes.str.contains("note removed").sum())
        if not quotes and not notes:
            return None
        lost = " and ".join(
            f"{n} {what}{'s' if n > 1 else ''}" for n, what in ((quotes, "quote"), (notes, "note")) if n
        )
        return (
            f"Committing removes {lost} the store holds: the file leaves them blank (it has no quote or note "
            "column, or the cells are empty). Add them to the file to keep them."
        )

    def keep_both_note(self) -> str | None:
        """What "Keep both" will commit, in the commit's own counts (see ``_keep_both``): every figure the file
        gives for a source it revises goes to a new source, so those figures are all new. None: nothing to
        keep beside."""
        preview = self.preview
        revised = pd.unique(preview.loc[preview["status"] == "changed", "source_id"])
        if not len(revised):
            return None
        moved = preview[preview["source_id"].isin(revised)]
        rest = preview[~preview["source_id"].isin(revised)]
        titles = self.store.sources().set_index("id")["title"].astype(str).to_dict()
        named = ", ".join(titles.get(source, source) for source in revised)
        status = moved["status"].value_counts()
        adds = len(moved) + int((rest["status"] == "new").sum())
        return (
            f"The commit adds {adds} figures, changes none and leaves {int((rest['status'] == 'unchanged').sum())} "
            f"unchanged: all {len(moved)} figures the file gives for {named} ({int(status.get('new', 0))} new, "
            f"{int(status.get('changed', 0))} changed, {int(status.get('unchanged', 0))} unchanged) go to a new "
            "source (the title + the upload's date), beside the current ones, which stay as they are."
        )

    def unknown_indicators(self) -> list[str]:
        problems = self.validated.problems
        unknown = problems[problems["reason"].str.startswith("unknown indicator")]
        return sorted(pd.unique(unknown["value"]).tolist())

    def summary(self) -> str:
        c = self.counts()
        return (
            f"{self.parsed.filename or 'file'} ({self.parsed.describe()}): {self.valid_rows} valid figures "
            f"({c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged), {c['rejected']} rejected lines"
        )


def plan_upload(store: Store, parsed: Parsed, mapping: Mapping | None = None) -> Plan:
    """Everything the upload would do, checked in full, nothing written."""
    with store.holding():
        return _plan(store, parsed, mapping)


def _file_indicators(parsed: Parsed) -> list[str]:
    """The distinct indicator ids a file of ours names in its indicator column."""
    if parsed.frame is None and parsed.raw is not None:
        return sorted(str(i) for i in pc.unique(parsed.raw.column("indicator")).drop_null().to_pylist())
    return sorted(str(i) for i in parsed.table["indicator"].dropna().unique())


def _plan(store: Store, parsed: Parsed, mapping: Mapping | None) -> Plan:
    mapping = mapping or Mapping()
    if parsed.is_native and mapping.indicator:  # (the command line's --indicator; the page offers none here)
        others = [i for i in _file_indicators(parsed) if i != mapping.indicator]
        if others:
            raise UploadError(
                f"--indicator {mapping.indicator}, but this file is in our format and names its own indicators in "
                f"its indicator column: {', '.join(others[:10])}{' …' if len(others) > 10 else ''}. Leave out "
                "--indicator (or correct the file); nothing was written."
            )
    text = source_text(parsed, mapping)
    new_sources = []
    default_source = None
    if text:
        kind = "official" if parsed.format in OFFICIAL_FORMATS else "user"
        source = source_for_text(text, kind)
        sources = store.sources()
        taken = set(sources["id"])
        same_title = sources.loc[sources["title"].astype(str).str.casefold() == source.title.casefold(), "id"]
        # a source named by its id (a newer download of the same series), or typed before by its title: its
        # figures go together
        by_title = None if same_title.empty else str(same_title.iloc[0])
        existing = text.strip() if text.strip() in taken else by_title
        if existing is not None:
            source = source.model_copy(update={"id": existing})
        else:  # a new source, even when its id would be another source's (two titles, one slug)
            base, n = source.id[:76], 2
            while source.id in taken:
                source, n = source.model_copy(update={"id": f"{base}-{n}"}), n + 1
            new_sources.append(source)
        default_source = source.id
    known_sources = store.source_ids() | {s.id for s in new_sources}
    # checked and written inside DuckDB: the rows' text is joined with the models' verdict on each distinct
    # value (indicators.staged); nothing the size of the file goes through pandas validation
    raw = parsed.raw if parsed.raw is not None and not mapping.entities and not mapping.years else None
    distinct = None
    if raw is None and (raw := to_raw(parsed, mapping)) is not None:  # a big World Bank file: staged from Arrow
        distinct = distinct_texts(raw)
    rows = None if raw is not None else to_rows(parsed, mapping)
    raw = raw if raw is not None else raw_table(rows)
    staged = stage(
        store, raw, store.indicator_map(), sources=known_sources, default_source=default_source, distinct=distinct
    )
    validated = StagedValidated(store, staged)
    no_source = (validated.problems["column"] == "source") & (validated.problems["value"] == "")
    validated.problems.loc[no_source, "reason"] = "no source: name one in the source column or as the upload's source"
    if parsed.format in YEARS_AS_COLUMNS:  # a rejected cell is named by its year column, not our "value"
        in_value = (validated.problems["column"] == "value").to_numpy()
        validated.problems.loc[in_value, "column"] = validated.periods[in_value].to_numpy()
    return Plan(parsed, mapping, rows, validated, store, new_sources)


def _keep_both(store: Store, plan: Plan, rows: pd.DataFrame, stamp: str) -> tuple[pd.DataFrame, list[Source]]:
    """Keep both versions: where the upload changes figures of a source, all of that source's figures in the
    upload (new, changed and unchanged) go to a new source, the old one + the upload's date. The old source
    stays exactly as it was and the new one holds the upload's whole series, so each series is one vintage
    (moving only the changed figures left the old source's series extended with the new vintage's years and
    the new source's full of holes)."""
    changed = plan.preview[plan.preview["status"] == "changed"]
    if changed.empty:
        return rows, []
    rows = rows.copy()
    sources = store.sources().set_index("id")
    created = []
    for old in pd.unique(changed["source_id"]):
        new_id = f"{old}.{stamp}"[:80]
        base = sources.loc[old].to_dict() if old in sources.index else {"title": old, "kind": "user"}
        known = {k: v for k, v in base.items() if k in Source.model_fields and pd.notna(v)}
        known.update(id=new_id, title=f"{base.get('title', old)} (upload of {stamp})")
        created.append(Source.model_validate(known))
        rows.loc[rows["source_id"] == old, "source_id"] = new_id
    return rows, created


def commit_upload(
    store: Store,
    plan: Plan,
    *,
    who: str,
    skip_invalid: bool = False,
    on_change: str = "replace",
    reason: str | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> WriteResult:
    """Write the plan's valid rows as one batch; refuse (writing nothing) when any row is invalid, unless
    ``skip_invalid``. ``on_change``: "replace" changed figures, or "keep" both as separate sources."""
    if on_change not in ON_CHANGE:
        raise UploadError(f"on_change must be one of {', '.join(ON_CHANGE)}")
    if not plan.validated.ok and not skip_invalid:
        raise UploadError(f"{plan.rejected_lines} lines are invalid; nothing was written.")
    if not plan.valid_rows:
        raise UploadError("No valid figures to import; nothing was written.")
    rows = plan.validated.staged if isinstance(plan.validated, StagedValidated) else plan.validated.rows
    sources = list(plan.new_sources)
    if on_change == "keep":
        rows, extra = _keep_both(store, plan, plan.validated.rows, dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S"))
        sources += extra
    parsed = plan.parsed
    detail = {
        "file": parsed.filename,
        "format": parsed.format,
        "encoding": parsed.encoding,
        "sheet": parsed.sheet,
        "dialect": parsed.dialect.describe(),
        "rejected_lines": plan.rejected_lines,
        "on_change": on_change,
    }
    return store.write_observations(
        rows,
        kind="upload",
        who=who,
        reason=reason or f"upload of {parsed.filename or 'a file'}",
        detail=detail,
        sources=sources,
        progress=progress,
    )
