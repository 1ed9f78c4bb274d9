"""`events`, `add-event` and `import-events`: the events layer from scripts.

python -m indicators events [--type T ...]          events as our events CSV on stdout
python -m indicators add-event --date P --type T --title TEXT --source ID [--quote TEXT] [--note TEXT]
                               [--id SLUG] --reason TEXT
python -m indicators import-events FILE --reason TEXT [--dry-run]   all rows or none
python -m indicators delete-event --id ID --reason TEXT             remove one event (its versions stay)
"""

from __future__ import annotations

import sys
from pathlib import Path

from indicators.access import current_editor
from indicators.cli.common import store_for_command
from indicators.events import events_csv, parse_event, read_events_csv
from indicators.models import EVENT_TYPES


def register(subparsers) -> None:
    listing = subparsers.add_parser("events", help="dated events as our events CSV on stdout")
    listing.add_argument("--type", dest="types", action="append", choices=EVENT_TYPES, help="only this type")
    listing.set_defaults(handler=run_events)

    add = subparsers.add_parser("add-event", help="add or correct one event (same id: a new version)")
    add.add_argument("--date", required=True, help="2024, 2024-Q4, 2024-11 or 2024-11-05")
    add.add_argument("--type", required=True, choices=EVENT_TYPES)
    add.add_argument("--title", required=True)
    add.add_argument("--source", required=True, help="a source id (see the Sources page)")
    add.add_argument("--quote", help="the sentence the event comes from, word for word")
    add.add_argument("--note")
    add.add_argument("--id", help="a slug; derived from the date and title when omitted")
    add.add_argument("--reason", required=True, help="why this change is made (kept in the change log)")
    add.set_defaults(handler=run_add_event)

    load = subparsers.add_parser("import-events", help="load events from our events CSV; all or nothing")
    load.add_argument("file", type=Path)
    load.add_argument("--reason", required=True)
    load.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    load.set_defaults(handler=run_import_events)

    delete = subparsers.add_parser("delete-event", help="remove one event, with a reason (undoable)")
    delete.add_argument("--id", required=True, metavar="ID", help="the event's id (see `indicators events`)")
    delete.add_argument("--reason", required=True, metavar="TEXT", help="why (kept in the change log)")
    delete.set_defaults(handler=run_delete_event)


def _editor() -> str:
    from indicators.cli import CommandFailed

    who = current_editor()
    if who is None:
        raise CommandFailed("this store is read-only (INDICATORS_READ_ONLY=1): nothing was changed")
    return who


def _reason(args) -> str:
    """Every change needs a reason, as on the page's event form and for `add`: a blank one is refused."""
    from indicators.cli import CommandFailed

    if not args.reason.strip():
        raise CommandFailed("--reason: say why: every change needs a reason; nothing was written")
    return args.reason.strip()


def run_events(args) -> int:
    with store_for_command() as store:
        table = store.events(args.types)
    sys.stdout.buffer.write(events_csv(table))
    sys.stdout.flush()
    return 0


def run_add_event(args) -> int:
    from indicators.cli import CommandFailed

    who = _editor()
    reason = _reason(args)
    record = {
        "id": args.id,
        "date": args.date,
        "type": args.type,
        "title": args.title,
        "source": args.source,
        "quote": args.quote,
        "note": args.note,
    }
    event, problems = parse_event(record)
    if problems:
        raise CommandFailed("; ".join(f"--{p.column}: {p.reason}" for p in problems) + "; nothing was written")
    with store_for_command() as store:
        if event.source_id not in store.source_ids():
            raise CommandFailed(f"--source: unknown source '{event.source_id}'; nothing was written")
        result = store.write_events([event], kind="event", who=who, reason=reason)
    state = "added" if result.added else "corrected" if result.changed else "unchanged"
    print(f"event {event.id} {state}" + (f" (batch {result.batch_id})" if result.batch_id else ""))
    return 0


def run_import_events(args) -> int:
    from indicators.cli import CommandFailed

    who = _editor()
    reason = _reason(args)
    try:
        content = args.file.read_bytes()
    except OSError as error:
        raise CommandFailed(f"cannot read {args.file}: {error.strerror}") from None
    with store_for_command() as store:
        parsed = read_events_csv(content, store.source_ids())
        if not parsed.ok:
            raise CommandFailed(
                f"{len(parsed.problems)} problem(s) in {args.file}; nothing was written:\n"
                + "\n".join(str(problem) for problem in parsed.problems)
            )
        if args.dry_run:
            print(f"{len(parsed.events)} valid event(s) in {args.file}; nothing written (--dry-run)")
            return 0
        result = store.write_events(parsed.events, kind="event", who=who, reason=reason)
    print(
        f"{result.added} added, {result.changed} corrected, {result.unchanged} unchanged"
        + (f" (batch {result.batch_id})" if result.batch_id else "")
    )
    return 0


def run_delete_event(args) -> int:
    from indicators.cli import CommandFailed

    who = _editor()
    reason = _reason(args)
    event_id = args.id.strip()
    with store_for_command() as store:
        if event_id not in set(store.events()["id"]):
            raise CommandFailed(
                f"--id: there is no event '{event_id}' (`indicators events` lists them); nothing was written"
            )
        batch = store.delete_event(event_id, who=who, reason=reason)
    print(f"event {event_id} deleted (batch {batch}). `indicators undo {batch}` brings it back.")
    return 0
