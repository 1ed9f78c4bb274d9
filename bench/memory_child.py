"""Run one import in a fresh process, as a user would, and print its peak resident memory (benchmark e).

Usage: python -m bench.memory_child STORE CSV  -> prints {"max_rss_kb": ..., "added": ...} as JSON.

The import is the real command, ``python -m indicators import CSV`` (run in this process so that its peak
is this process's), with the upload limits raised as a user importing a whole download raises them; a file
in our format this big (over bulkload.STREAM_ABOVE_BYTES) is streamed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import resource
import sys
from pathlib import Path


def main() -> None:
    store, csv_path = Path(sys.argv[1]), Path(sys.argv[2])
    os.environ["INDICATORS_DB"] = str(store)
    os.environ["INDICATORS_MAX_UPLOAD_MB"] = str(csv_path.stat().st_size // 2**20 + 1)
    os.environ["INDICATORS_MAX_UPLOAD_ROWS"] = str(sum(1 for _ in csv_path.open("rb")) + 1)
    from indicators.cli import main as command

    said = io.StringIO()
    with contextlib.redirect_stdout(said):  # progress goes to stderr, live
        status = command(["import", str(csv_path)])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    summary = said.getvalue().strip()
    print(summary, file=sys.stderr)
    if status != 0:
        raise SystemExit(f"the import failed (exit {status}): {summary}")
    added = int(re.search(r"(\d+) new", summary).group(1))
    streamed = "streamed in chunks" in summary  # a file under bulkload.STREAM_ABOVE_BYTES is read whole
    print("\n" + json.dumps({"max_rss_kb": peak, "added": added, "streamed": streamed}))


if __name__ == "__main__":
    main()
