"""Run one import in a fresh process and print its peak resident memory (benchmark e).

Usage: python -m bench.memory_child STORE CSV  -> prints {"max_rss_kb": ..., "added": ...} as JSON.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from bench.cases import import_our_csv


def main() -> None:
    store, csv_path = Path(sys.argv[1]), Path(sys.argv[2])
    result = import_our_csv(
        store, csv_path, progress=lambda rows: print(f"  {rows:,} rows validated and staged", file=sys.stderr)
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print("\n" + json.dumps({"max_rss_kb": peak, **result}))  # after any progress bar on the same line


if __name__ == "__main__":
    main()
