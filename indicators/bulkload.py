"""Big files in our CSV format, streamed: read in chunks, each validated column-wise, staged in the store,
and written as one batch. All of it or none of it; memory stays bounded by the chunk size, not the file.

This is the bulk path for scripted imports of whole downloads (the Upload page and ``import`` command
detect formats and dialects; once a file is in our columns, this is how a million rows get in).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
from pyarrow import csv as pa_csv

from indicators.ingest.arrowcsv import staged_text
from indicators.models import OBSERVATION_CSV_COLUMNS
from indicators.staged import stage
from indicators.store import StagedRows, Store, WriteResult
from indicators.validate import PROBLEM_COLUMNS

CHUNK_ROWS = 200_000
# No cap on DuckDB by default: with a cap (1 GB, 1.5 GB) that made it spill, DuckDB 2.0 failed a 10 M-row import
# with internal string-segment errors (3 runs of 4). Pass memory_mb to try a cap.
DUCKDB_MEMORY_MB: int | None = None
MAX_PROBLEMS = 1000  # a report beyond this helps no one; counting stops there


class ImportRefused(Exception):
    """The file has problems; nothing was written. ``problems`` lists row, column, value and reason."""

    def __init__(self, problems: pd.DataFrame) -> None:
        self.problems = problems
        first = problems.iloc[0]
        super().__init__(
            f"{len(problems):,} problem(s), nothing was written; first at row {first['row']}, "
            f"column {first['column']}: {first['reason']}"
        )


@dataclass
class BulkResult:
    rows: int
    write: WriteResult
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))


def _open_text_csv(path: str | Path) -> pa_csv.CSVStreamingReader:
    """Arrow's streaming reader over our CSV, every column as text; refuses a file without the required
    columns before reading any row."""
    text = {column: pa.string() for column in OBSERVATION_CSV_COLUMNS}
    reader = pa_csv.open_csv(
        str(path),
        read_options=pa_csv.ReadOptions(block_size=16 << 20),
        convert_options=pa_csv.ConvertOptions(column_types=text, strings_can_be_null=False),
    )
    missing = [column for column in ("indicator", "period", "value") if column not in reader.schema.names]
    if missing:
        raise ValueError(f"{Path(path).name}: missing column(s) {', '.join(missing)}")
    return reader


def read_raw_chunks(path: str | Path, chunk_rows: int = CHUNK_ROWS) -> Iterator[pa.Table]:
    """Our CSV as staged text (``indicators.staged``): Arrow tables of at most ``chunk_rows`` rows with the
    file line in ``row``, cells stripped, blanks null; never more than one block of the file in memory."""
    reader = _open_text_csv(path)
    first_row = 2
    for batch in reader:
        for offset in range(0, batch.num_rows, chunk_rows):
            chunk = pa.Table.from_batches([batch.slice(offset, chunk_rows)])
            yield staged_text(chunk, first_row)
            first_row += chunk.num_rows


def import_csv(
    store: Store,
    path: str | Path,
    *,
    who: str,
    reason: str | None,
    kind: str = "upload",
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int], None] | None = None,
    memory_mb: int | None = DUCKDB_MEMORY_MB,
) -> BulkResult:
    """Import a file in our CSV format as one batch. Raises :class:`ImportRefused` (store unchanged) when
    any row has a problem; every problem is listed, up to ``MAX_PROBLEMS``.

    Each chunk is checked and staged inside DuckDB (``indicators.staged``: the models' rules judge each
    distinct value once, the store joins the verdicts), so no chunk is ever a pandas frame; DuckDB's own
    memory is capped at ``memory_mb`` while the import runs (it spills to disk beyond that)."""
    indicators = store.indicator_map()
    problems: list[pd.DataFrame] = []
    seen = {"rows": 0, "problems": 0}

    def checked() -> Iterator[StagedRows]:
        for raw in read_raw_chunks(path, chunk_rows):
            staged = stage(store, raw, indicators)
            yield staged  # the store checks it and stages its valid rows; its problems are then known
            seen["rows"] += raw.num_rows
            found = staged.problems
            if found is not None and len(found) and seen["problems"] < MAX_PROBLEMS:
                problems.append(found.head(MAX_PROBLEMS - seen["problems"]))
                seen["problems"] += len(problems[-1])
            if progress:
                progress(seen["rows"])
        if seen["problems"]:
            raise ImportRefused(pd.concat(problems, ignore_index=True))

    # held open throughout: a command-line store closes its file between queries, which would also drop the cap
    with store.holding(), store.memory_limit(memory_mb):
        write = store.write_observations(checked(), kind=kind, who=who, reason=reason, detail={"file": Path(path).name})
    return BulkResult(rows=seen["rows"], write=write)
