"""`export`, `restore` and `diff`: snapshots from scripts."""

from __future__ import annotations

import sys
from pathlib import Path

from indicators.cli.common import store_for_command
from indicators.config import settings
from indicators.progress import scaled, stderr_progress
from indicators.store import local_user


def register(subparsers) -> None:
    export = subparsers.add_parser(
        "export",
        help="write a snapshot zip (default: the snapshots folder beside the store)",
        description="Write a dated snapshot zip. PATH is a folder (the dated name is chosen inside it) or a "
        "file ending in .zip; default the snapshots folder (INDICATORS_SNAPSHOTS_DIR, else 'snapshots' "
        "beside the store).",
    )
    export.add_argument("path", nargs="?", metavar="PATH", help="a folder or a .zip file name")
    export.add_argument("--indicator", action="append", default=[], metavar="ID", help="only this indicator (repeat)")
    export.add_argument("--entity", action="append", default=[], metavar="CODE", help="only this entity (repeat)")
    export.add_argument("--from", dest="period_from", metavar="PERIOD", help="only periods from this one (2015)")
    export.add_argument("--to", dest="period_to", metavar="PERIOD", help="only periods up to this one (2020-Q4)")
    export.set_defaults(handler=run_export)

    restore = subparsers.add_parser(
        "restore",
        help="load a snapshot; all or nothing",
        description="Check a snapshot, show what would change per indicator, then apply it in one transaction "
        "as one undoable batch. replace (default) also removes current figures the snapshot does not hold, "
        "within the snapshot's own filters; merge only adds and corrects.",
    )
    restore.add_argument("path", metavar="PATH", help="a snapshot zip")
    restore.add_argument("--mode", choices=("replace", "merge"), default="replace")
    restore.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    restore.set_defaults(handler=run_restore)

    diff = subparsers.add_parser(
        "diff",
        help="what changed between two snapshots (or a snapshot and the store), as CSV",
        description="Compare snapshot A with snapshot B, or with the live store when B is 'store' or left out "
        "(the store is then read within A's filters). CSV on stdout: indicator, entity, period, source, status "
        "(added, changed, removed), old_value, new_value, old_qualifier, new_qualifier.",
    )
    diff.add_argument("a", metavar="A", help="the older snapshot zip")
    diff.add_argument("b", metavar="B", nargs="?", default="store", help="the newer snapshot zip, or 'store'")
    diff.set_defaults(handler=run_diff)


def _fail(message: str):
    from indicators.cli import CommandFailed

    return CommandFailed(message)


def run_export(args) -> int:
    from indicators.periods import PeriodError
    from indicators.snapshot import Filters, export_snapshot

    try:
        filters = Filters(
            indicators=tuple(args.indicator),
            entities=tuple(args.entity),
            period_from=args.period_from,
            period_to=args.period_to,
        )
    except (PeriodError, ValueError) as error:
        raise _fail(str(error)) from None
    target = Path(args.path) if args.path else settings().snapshots_dir
    with store_for_command() as store:
        known = {indicator.id for indicator in store.indicators()}
        unknown = [identifier for identifier in filters.indicators if identifier not in known]
        if unknown:
            raise _fail(f"unknown indicator {', '.join(unknown)}; `indicators list` shows the {len(known)} there are")
        strangers = [code for code in filters.entities if code not in store.known_entities()]
        if strangers:
            raise _fail(
                f"unknown entity {', '.join(strangers)}: no figure and no entry in the entity list has that code "
                "(ISO 3166 alpha-3 like SRB, or a pair like SRB-USA)"
            )
        try:
            path, manifest = export_snapshot(store, target, filters, progress=stderr_progress("export"))
        except (FileExistsError, OSError) as error:
            raise _fail(str(error)) from None
    counts = manifest["counts"]
    print(
        f"Snapshot written: {path}\n{counts['observations']} observations, {counts['indicators']} indicators, "
        f"{counts['sources']} sources, {counts['changes']} change-log entries."
    )
    return 0


def run_restore(args) -> int:
    from indicators.snapshot import ArchiveError, apply_restore, plan_restore, read_archive

    report = stderr_progress("restore")  # progress on stderr; stdout keeps the summary table
    report(0.0, "check: the archive (paths, sizes, checksums)")
    try:
        archive = read_archive(Path(args.path))
    except ArchiveError as error:
        raise _fail(f"refused, nothing changed: {error}") from None
    with store_for_command() as store:
        try:
            plan = plan_restore(store, archive, args.mode, progress=scaled(report, 0.3, 0.8))
        except ArchiveError as error:
            raise _fail(f"refused, nothing changed: {error}") from None
        summary = plan.summary()
        print(f"Snapshot {archive.name} of {archive.manifest.get('created_at')} ({args.mode}):")
        print("indicator\tadded\tchanged\tremoved\tunchanged")
        for row in summary.itertuples(index=False):
            print("\t".join(str(value) for value in row))
        for entry in plan.catalog.itertuples(index=False):
            print(f"{entry.table} {entry.id}: {entry.status}" + (f" ({entry.fields})" if entry.fields else ""))
        if args.dry_run:
            report(1.0, "done (dry run)")
            print(f"Dry run: {plan.would_change}; nothing was written.")
            return 0
        result = apply_restore(store, plan, who=local_user(), progress=scaled(report, 0.8, 1.0))
    if result.batch_id is None:
        print("Nothing to change: the store already holds this snapshot's figures, indicators and sources.")
    else:
        catalog = f"; {result.catalog} indicator(s) or source(s) updated" if result.catalog else ""
        print(
            f"Restored as batch {result.batch_id}: {result.added} added, {result.changed} changed, "
            f"{result.removed} removed{catalog}. `indicators undo {result.batch_id}` reverses the figures"
            + (" (indicators and sources are corrected by saving them again)." if result.catalog else ".")
        )
    return 0


def run_diff(args) -> int:
    from indicators.snapshot import ArchiveError, compare_archives, diff_csv, read_archive

    try:
        old = read_archive(Path(args.a))
        if args.b != "store":
            differences = compare_archives(old, read_archive(Path(args.b)))
        else:
            with store_for_command() as store:
                differences = compare_archives(old, store)
    except ArchiveError as error:
        raise _fail(f"refused: {error}") from None
    sys.stdout.buffer.write(diff_csv(differences))
    sys.stdout.flush()
    return 0
