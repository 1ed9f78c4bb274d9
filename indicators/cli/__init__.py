"""`python -m indicators ...` (and the `indicators` script): a thin shell over the package.

Exit codes: 0 success; 1 refused or failed (with a message that says why, never a traceback); 2 usage.
Each command lives in its own module with ``register(subparsers)``; add new ones to COMMANDS.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from indicators import __version__
from indicators.cli import browse, editing, events, importing, snapshots
from indicators.config import ConfigError
from indicators.store import StoreError

COMMANDS = [browse, importing, editing, snapshots, events]


class CommandFailed(Exception):
    """A command refused or failed; the message is printed for the user and the exit code is 1."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="indicators",
        description="Serbia–US relations in figures: manage the DuckDB store behind the dashboard.",
        epilog="The store is INDICATORS_DB (default data/indicators.duckdb).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_negative_values_attached(sys.argv[1:] if argv is None else argv))  # 2 on usage errors
    try:
        code = int(args.handler(args) or 0)
        sys.stdout.flush()  # a full disk or a closed pipe shows here, not in the interpreter's exit
        return code
    except (CommandFailed, StoreError, ConfigError) as error:
        print(f"indicators {args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            f"indicators {args.command}: interrupted; nothing half-written (writes are transactions)", file=sys.stderr
        )
        return 1
    except BrokenPipeError:  # `indicators show | head`: the reader went away, which is fine
        _discard_stdout()
        return 0
    except OSError as error:  # `indicators show > /full/disk/figures.csv`: one line, not a traceback
        if error.filename is not None:
            raise
        _discard_stdout()
        print(f"indicators {args.command}: cannot write the output: {error.strerror or error}", file=sys.stderr)
        return 1


# argparse takes only -5 and -1.5 for negative numbers; `--value -1,5` (a decimal comma) or `-1e3` would be read
# as an unknown option. Attaching the value (`--value=-1,5`) is argparse's own way to pass it.
_NEGATIVE = re.compile(r"-[\d.,]")


def _negative_values_attached(argv: list[str]) -> list[str]:
    attached: list[str] = []
    pending = iter(argv)
    for item in pending:
        if item == "--value":
            following = next(pending, None)
            if following is not None and _NEGATIVE.match(following):
                attached.append(f"--value={following}")
                continue
            attached.append(item)
            if following is not None:
                attached.append(following)
            continue
        attached.append(item)
    return attached


def _discard_stdout() -> None:
    """Send what is still buffered for stdout nowhere, so that the interpreter's exit does not fail on it again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
