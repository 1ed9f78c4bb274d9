"""`init`, `list` and `show`: create the store, and read it from scripts."""

from __future__ import annotations

import sys

from indicators.cli.common import store_for_command
from indicators.csvformat import observations_csv
from indicators.units import format_value


def register(subparsers) -> None:
    init = subparsers.add_parser("init", help="create the store if needed and seed it from data/ (idempotent)")
    init.set_defaults(handler=run_init)

    listing = subparsers.add_parser("list", help="indicators with counts and latest values")
    listing.set_defaults(handler=run_list)

    show = subparsers.add_parser("show", help="observations as our CSV on stdout (all when no id is given)")
    show.add_argument("ids", nargs="*", metavar="ID", help="indicator ids, e.g. trade_volume gdp_growth")
    show.set_defaults(handler=run_show)


def run_init(args) -> int:
    with store_for_command() as store:
        counts = store.counts()
        print(
            f"Store ready: {store.label}\n"
            f"{counts['indicators']} indicators, {counts['sources']} sources, "
            f"{counts['observations']} observations, {counts['batches']} batches in the change log."
        )
    return 0


def run_list(args) -> int:
    with store_for_command() as store:
        overview = store.overview()
    print("indicator\tobservations\tlatest\tperiod\tentity")
    for row in overview.itertuples():
        has_value = row.value == row.value and row.value is not None
        latest = format_value(row.value, row.unit, row.qualifier, int(row.decimals)) if has_value else "-"
        period = row.period if has_value else "-"
        entity = row.entity if has_value else "-"
        print(f"{row.indicator_id}\t{row.observations}\t{latest}\t{period}\t{entity}")
    return 0


def run_show(args) -> int:
    from indicators.cli import CommandFailed

    with store_for_command() as store:
        known = {indicator.id for indicator in store.indicators()}
        unknown = [identifier for identifier in args.ids if identifier not in known]
        if unknown:
            raise CommandFailed(
                f"unknown indicator {', '.join(unknown)}; `indicators list` shows the {len(known)} there are"
            )
        table = store.observations_table(args.ids or None)
    sys.stdout.buffer.write(observations_csv(table))
    sys.stdout.flush()
    return 0
