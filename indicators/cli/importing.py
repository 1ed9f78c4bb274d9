"""`import FILE`: load a file through the same importer as the Upload page; all or nothing. A big file in our own
format is streamed instead (``indicators.bulkload``): the same checks and messages, chunk by chunk."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa

from indicators import bulkload
from indicators.cli.common import store_for_command
from indicators.cli.progress import Progress
from indicators.ingest import Mapping, Options, UploadError, check_size, commit_upload, plan_upload, read_upload
from indicators.ingest.choices import entities_asked
from indicators.ingest.dialect import Dialect
from indicators.ingest.formats import CLI_FORMATS
from indicators.ingest.limits import check_line_count, upload_limits
from indicators.ingest.mapping import series_named, split_codes
from indicators.store import local_user


def register(subparsers) -> None:
    command = subparsers.add_parser(
        "import",
        help="load a file (ours, World Bank, OWID, SDMX-CSV, Eurostat TSV, .xlsx); all or nothing",
        description="Validate every row, then write all of them as one undoable batch, or nothing.",
    )
    command.add_argument("file", metavar="FILE", help="the file to load (.csv, .tsv, .txt, .xlsx)")
    command.add_argument("--format", choices=CLI_FORMATS, default="auto", help="the file's format (default: detect)")
    command.add_argument("--indicator", metavar="ID", help="the indicator a file in another shape than ours feeds")
    command.add_argument(
        "--entity", metavar="CODE", action="append", help="keep only these entities (repeat, or comma-separated)"
    )
    command.add_argument("--source", metavar="TEXT", help="the source to record (default: what the file says)")
    command.add_argument("--sheet", metavar="NAME", help="the sheet of an .xlsx workbook (default: the first)")
    command.add_argument(
        "--series", metavar="NAME", help="which series of a file that holds several: its name as listed, or its code"
    )
    command.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
    command.add_argument("--skip-invalid", action="store_true", help="import the valid rows, leave the rest")
    command.set_defaults(handler=run_import)


def _invalid_lines(count: int) -> str:
    return f"{count} invalid line" + ("" if count == 1 else "s")


def _report(plan) -> str:
    return _problem_lines(plan.problems["line"], plan.problems)


def _problem_lines(lines, problems) -> str:
    """One line per problem: the file's line, the column, the value and the reason."""
    return "\n".join(
        f"line {line}, column {p.column}, value '{p.value}': {p.reason}"
        for line, p in zip(lines, problems.itertuples(), strict=True)
    )


def _streams(path: Path, args) -> bool:
    """A big file in our own format, with nothing to map: streamed in chunks rather than read whole."""
    if (
        args.format not in ("auto", "native")
        or args.indicator
        or args.entity
        or args.source
        or args.sheet
        or args.series
    ):
        return False
    return path.stat().st_size > bulkload.STREAM_ABOVE_BYTES and bulkload.streamable(path)


def _run_streamed(path: Path, args, progress: Progress) -> int:
    """``import`` of a big file in our format: checked and written a chunk at a time in one transaction (all or
    nothing, one batch), so memory stays bounded by the chunk, not the file (``indicators.bulkload``)."""
    from indicators.cli import CommandFailed

    scan = bulkload.scan_lines(path)
    check_line_count(scan.lines, upload_limits())
    # what bulkload.streamable admits: our format, UTF-8, the default dialect
    chunks = f"streamed in chunks of {bulkload.CHUNK_ROWS:,} rows"
    described = f"format native, encoding utf-8, {Dialect().describe()}, {chunks}"
    progress.rows(scan.lines)
    progress.say(f"streaming {path.name} ({scan.lines:,} lines): each chunk checked, then written")

    def report(problems) -> str:
        problems = bulkload.in_file_lines(problems, scan.blank_lines)
        return _problem_lines(problems["row"], problems)

    with store_for_command() as store:
        try:
            result = bulkload.import_csv(
                store,
                path,
                who=local_user(),
                reason=f"upload of {path.name}",
                chunk_rows=bulkload.CHUNK_ROWS,
                progress=lambda rows: progress.say(f"checked {rows:,} of {scan.lines - 1:,} rows"),
                skip_invalid=args.skip_invalid,
                rehearse=args.dry_run,
            )
        except bulkload.ImportRefused as refused:
            shown = "" if refused.rejected_lines <= len(refused.problems) else f" (the first {len(refused.problems):,})"
            raise CommandFailed(
                f"{_invalid_lines(refused.rejected_lines)} in {path.name}; nothing was written.{shown}\n"
                + report(refused.problems)
            ) from None
        except (ValueError, pa.ArrowInvalid) as error:  # a key twice with two values; a record Arrow can't split
            raise CommandFailed(f"{path.name}: {error}. Nothing was written.") from None
    write = result.write
    counts = f"{write.added} new, {write.changed} changed, {write.unchanged} unchanged"
    if args.dry_run:
        print(
            f"dry run, nothing written: {path.name} ({described}): {write.added + write.changed + write.unchanged} "
            f"valid figures ({counts}), {result.rejected_lines} rejected lines"
        )
    if result.rejected_lines:
        print(f"skipped {_invalid_lines(result.rejected_lines)}:\n{report(result.problems)}", file=sys.stderr)
    if not args.dry_run:
        batch = f"batch {write.batch_id}" if write.batch_id else "nothing to write"
        print(f"imported {path.name} ({described}): {counts}, {result.rejected_lines} rejected; {batch}")
    return 0


def run_import(args) -> int:
    from indicators.cli import CommandFailed

    path = Path(args.file)
    if not path.is_file():
        raise CommandFailed(f"no such file: {path}")
    progress = Progress.for_file(path.stat().st_size)  # on stderr, for a terminal or a big file
    try:
        check_size(path.stat().st_size)
        if _streams(path, args):
            return _run_streamed(path, args, progress)
        options = Options(format=None if args.format == "auto" else args.format, sheet=args.sheet)
        progress.say(f"reading {path.name} ({path.stat().st_size / 2**20:.1f} MB)")
        parsed = read_upload(path.read_bytes(), path.name, options)
        progress.rows(parsed.rows)
        progress.say(f"read {parsed.rows:,} rows ({parsed.describe()}); checking every row")
        entities = split_codes(args.entity)
        if entities and parsed.foreign is not None:
            entities, missing = entities_asked(parsed, entities)
            if missing:
                held = sorted(set(parsed.entity_choices()["entity"].dropna().astype(str)))
                raise CommandFailed(
                    f"{path.name} holds no figures for --entity {', '.join(missing)}; it holds {len(held)} "
                    f"entities: {', '.join(held[:12])}{' …' if len(held) > 12 else ''}"
                )
        if args.series and parsed.foreign is None:
            raise UploadError("--series picks one series of a file in another shape than ours; this file is ours")
        series = series_named(parsed.series_choices(), args.series)  # a file of ours has none: None
        mapping = Mapping(indicator=args.indicator, entities=entities, source_text=args.source, series=series)
        # held open from the check to the commit: a command's store otherwise closes its file in between
        with store_for_command() as store, store.holding():
            plan = plan_upload(store, parsed, mapping)
            rejected = plan.rejected_lines
            progress.say(f"checked: {plan.valid_rows:,} valid figures, {rejected:,} rejected lines")
            if not plan.validated.ok and not args.skip_invalid:
                raise CommandFailed(f"{_invalid_lines(rejected)} in {path.name}; nothing was written.\n{_report(plan)}")
            if args.dry_run:
                print(f"dry run, nothing written: {plan.summary()}")
                if removals := plan.removals():
                    print(removals, file=sys.stderr)
                if not plan.validated.ok:
                    print(_report(plan), file=sys.stderr)
                return 0
            result = commit_upload(
                store, plan, who=local_user(), skip_invalid=args.skip_invalid, progress=progress.writing
            )
    except UploadError as error:
        raise CommandFailed(f"{path.name}: {error}") from None
    if not plan.validated.ok:
        print(f"skipped {_invalid_lines(rejected)}:\n{_report(plan)}", file=sys.stderr)
    batch = f"batch {result.batch_id}" if result.batch_id else "nothing to write"
    print(
        f"imported {path.name} ({parsed.describe()}): {result.added} new, {result.changed} changed, "
        f"{result.unchanged} unchanged, {rejected} rejected; {batch}"
    )
    return 0
