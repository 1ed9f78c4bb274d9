"""`add`, `history` and `undo`: change one figure, read the change log (figures' or events'), undo a batch."""

from __future__ import annotations

import sys

from indicators.cli.common import store_for_command
from indicators.editing import check_figure, check_source, source_titled
from indicators.history_view import event_history_csv, history_csv
from indicators.models import Source
from indicators.store import ANY_VERSION, Store, local_user
from indicators.units import QUALIFIERS, format_value

MANUAL_SOURCE = Source(
    id="manual_entry",
    title="Entered by hand",
    kind="user",
    note="Figures typed in by an editor without a named source; the change log says who and why.",
)


def register(subparsers) -> None:
    add = subparsers.add_parser("add", help="add or correct one value (with a reason)")
    add.add_argument("--indicator", required=True, metavar="ID")
    add.add_argument("--entity", metavar="CODE", help="ISO 3166 alpha-3 or a pair (SRB-USA); default: the indicator's")
    add.add_argument("--period", required=True, metavar="P", help="2025, 2025-Q2, 2025-03 or 2025-03-15")
    add.add_argument("--value", required=True, metavar="V", help="a number, in --unit (default: the indicator's unit)")
    add.add_argument("--unit", metavar="U", help="e.g. 'billion USD', 'USD millions', 'thousand persons'")
    add.add_argument("--qualifier", metavar="Q", help=f"one of: {', '.join(QUALIFIERS)} (default exactly)")
    add.add_argument("--source", metavar="TEXT", help="a source id, or the title of a new source")
    add.add_argument("--note", metavar="TEXT")
    add.add_argument("--reason", required=True, metavar="TEXT", help="why: recorded in the change log")
    add.set_defaults(handler=run_add)

    history = subparsers.add_parser("history", help="the change log as CSV on stdout, with batch ids")
    history.add_argument("--indicator", metavar="ID")
    history.add_argument("--limit", type=int, metavar="N", help="the N newest rows")
    history.add_argument("--events", action="store_true", help="the events' change log instead of the figures'")
    history.set_defaults(handler=run_history)

    undo = subparsers.add_parser("undo", help="undo a change or a whole batch (itself a batch that can be undone)")
    undo.add_argument("batch", type=int, metavar="BATCH", help="a batch id from `indicators history`")
    undo.add_argument("--reason", metavar="TEXT", help="why (default: 'undo of batch N')")
    undo.set_defaults(handler=run_undo)


def _source_for(store: Store, text: str | None) -> tuple[str, Source | None]:
    """The source id to use, and a new source to create with the figure (or None)."""
    ids = store.source_ids()
    if not text or not text.strip():
        return MANUAL_SOURCE.id, (None if MANUAL_SOURCE.id in ids else MANUAL_SOURCE)
    text = text.strip()
    if text in ids:
        return text, None
    if (same_title := source_titled(store.sources(), text)) is not None:
        return same_title, None
    from indicators.cli import CommandFailed

    checked = check_source(ids, title=text)
    if not checked.ok:
        raise CommandFailed("; ".join(f"source: {message}" for message in checked.errors.values()))
    return checked.value.id, checked.value


def run_add(args) -> int:
    from indicators.cli import CommandFailed

    with store_for_command() as store:
        indicators = store.indicator_map()
        source_id, new_source = _source_for(store, args.source)
        checked = check_figure(
            indicators,
            indicator=args.indicator,
            entity=args.entity,
            period=args.period,
            value=args.value,
            unit=args.unit,
            qualifier=args.qualifier,
            source=source_id,
            note=args.note,
            reason=args.reason,
        )
        if not checked.ok:
            raise CommandFailed(
                "nothing written: " + "; ".join(f"{name}: {message}" for name, message in checked.errors.items())
            )
        for name, note in checked.notes.items():  # 1,7 read as 1.7; Srbija as SRB: said, not silently
            print(f"{name}: {note}")
        observation = checked.value
        indicator = indicators[observation.indicator_id]
        before = store.current_version(*observation.key)
        result = store.save_observation(
            observation, who=local_user(), reason=args.reason, expected_version=ANY_VERSION, new_source=new_source
        )

    def shown(value: float, qualifier: str) -> str:
        return format_value(value, indicator.unit, qualifier, indicator.decimals)

    figure = f"{observation.indicator_id} {observation.entity} {observation.period} ({observation.source_id})"
    if new_source is not None:
        print(f"new source '{new_source.id}': {new_source.title}")
    if result.action == "unchanged":
        print(f"unchanged: {figure} is already {shown(before.value, before.qualifier)}; nothing written")
    elif result.action == "add":
        print(f"added {figure}: {shown(observation.value, observation.qualifier)} (batch {result.batch_id})")
    else:
        print(
            f"changed {figure}: {shown(before.value, before.qualifier)} -> "
            f"{shown(observation.value, observation.qualifier)} (batch {result.batch_id})"
        )
    return 0


def run_history(args) -> int:
    from indicators.cli import CommandFailed

    if args.limit is not None and args.limit < 1:
        raise CommandFailed("--limit must be 1 or more")
    if args.events:
        if args.indicator:
            raise CommandFailed("--events lists the events' changes, which belong to no indicator: drop --indicator")
        with store_for_command() as store:
            log = store.event_changes(args.limit)
        sys.stdout.buffer.write(event_history_csv(log))
        sys.stdout.flush()
        return 0
    with store_for_command() as store:
        if args.indicator and store.indicator(args.indicator) is None:
            raise CommandFailed(f"unknown indicator {args.indicator}; `indicators list` shows the ones there are")
        log = store.change_log(indicator_id=args.indicator, limit=args.limit)
    sys.stdout.buffer.write(history_csv(log))
    sys.stdout.flush()
    return 0


def run_undo(args) -> int:
    with store_for_command() as store:
        result = store.undo_batch(args.batch, who=local_user(), reason=args.reason)
    print(
        f"undid batch {result.undid} as batch {result.batch_id}: {result.summary()}. "
        f"`indicators undo {result.batch_id}` undoes this undo."
    )
    return 0
