"""Big files in our CSV format, streamed: read in chunks, each validated column-wise, staged in the store,
and written as one batch. All of it or none of it; memory stays bounded by the chunk size, not the file.

This is the bulk path for scripted imports of whole downloads: ``python -m indicators import FILE`` takes it
for a file in our format bigger than ``STREAM_ABOVE_BYTES`` (``streamable``), which it would otherwise read
whole into memory; smaller files, other formats and other dialects take the importer the Upload page uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
from pyarrow import csv as pa_csv

from indicators.ingest.arrowcsv import staged_text
from indicators.ingest.dialect import _records, sniff_numbers
from indicators.models import OBSERVATION_CSV_COLUMNS
from indicators.staged import stage
from indicators.store import StagedRows, Store, WriteResult
from indicators.validate import PROBLEM_COLUMNS

CHUNK_ROWS = 200_000
# Above this, the import command streams a file in our format instead of reading it whole: below it, reading
# whole costs under a gigabyte and is quicker; above it, memory would grow with the file. (The upload limits,
# INDICATORS_MAX_UPLOAD_MB and _ROWS, still apply: a user raises them to import a whole download.)
STREAM_ABOVE_BYTES = 64 * 1024 * 1024
# No cap on DuckDB by default: with a cap (1 GB, 1.5 GB) that made it spill, DuckDB 2.0 failed a 10 M-row import
# with internal string-segment errors (3 runs of 4). Pass memory_mb to try a cap.
DUCKDB_MEMORY_MB: int | None = None
MAX_PROBLEMS = 1000  # a report beyond this helps no one; counting stops there


class ImportRefused(Exception):
    """The file has problems; nothing was written. ``problems`` lists row, column, value and reason."""

    def __init__(self, problems: pd.DataFrame, rejected_lines: int | None = None) -> None:
        self.problems = problems
        self.rejected_lines = rejected_lines if rejected_lines is not None else int(problems["row"].nunique())
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
    rejected_lines: int = 0  # every line with a problem (``problems`` lists the first MAX_PROBLEMS problems)


def streamable(path: str | Path) -> bool:
    """Whether ``import_csv`` reads this file exactly as the Upload page's importer would: a file in our format
    whose header names only our columns (lower case, once each) on its first line, UTF-8, comma-separated.
    Anything else (another dialect, encoding or shape) is for the importer, which detects and maps it."""
    with open(path, "rb") as handle:
        head = handle.read(65536)
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:  # not a character cut in half at the sample's end
            return False
        text = head[: error.start].decode("utf-8-sig")
    first = text.split("\n", 1)[0].rstrip("\r")
    if '"' in first or ";" in first or "\t" in first:
        return False
    header = first.split(",")
    if len(set(header)) != len(header) or not set(header) <= set(OBSERVATION_CSV_COLUMNS):
        return False
    if not {"indicator", "period", "value"} <= set(header):
        return False
    # numbers written the English way, as the importer would read them (not 1.234,5 nor "1,234.5")
    records = _records(text, ",")[1:]  # the first records after the header
    if len(head) == 65536:
        records = records[:-1]  # the sample may have cut the last one off
    position = header.index("value")
    values = pd.Series([record[position] for record in records if len(record) > position], dtype="string")
    return sniff_numbers(values, ",") == (".", "")


@dataclass
class LineScan:
    lines: int  # lines in the file, header included (a last line without a line break counts)
    blank_lines: list[int]  # numbers of the blank lines (Arrow skips them: rows are then renumbered)


_BLANK_LINE = re.compile(rb"\n\r?(?=\n)")  # a line break followed by an empty line (LF or CRLF files)


def scan_lines(path: str | Path, block_bytes: int = 16 << 20) -> LineScan:
    """Count a file's lines and find its blank ones, a block at a time, before any parsing: the line limit is
    checked on this, and messages name the file's own line numbers even where Arrow skipped a blank line."""
    newlines, blank, tail = 0, [], b""
    ends_with_break = True
    with open(path, "rb") as handle:
        while block := handle.read(block_bytes):
            joined = tail + block  # the previous block's last bytes: a blank line may straddle two blocks
            before = newlines - tail.count(b"\n")  # line feeds in the file before ``joined``
            counted, seen = 0, 0
            has_blank = b"\n\n" in joined or b"\n\r\n" in joined  # a fast search first: blank lines are rare
            for match in _BLANK_LINE.finditer(joined) if has_blank else ():
                if match.end() < len(tail):
                    continue  # found with the previous block
                seen += joined.count(b"\n", counted, match.start() + 1)
                counted = match.start() + 1
                blank.append(before + seen + 1)
            newlines += block.count(b"\n")
            tail = joined[-2:]
            ends_with_break = block.endswith(b"\n")
    return LineScan(newlines + (0 if ends_with_break else 1), blank)


def line_of(row: int, blank_lines: list[int]) -> int:
    """The file line of a reported row (rows are counted from line 2 as if no line were blank)."""
    line = row
    for blank in blank_lines:
        if blank <= line:
            line += 1
        else:
            break
    return line


def in_file_lines(problems: pd.DataFrame, blank_lines: list[int]) -> pd.DataFrame:
    """Problems with ``row`` and the line a repeated key was first given on ('(first on line 2)') as the file's
    own lines, blank lines counted."""
    problems = problems.copy()
    problems["row"] = [line_of(int(row), blank_lines) for row in problems["row"]]

    def first(match) -> str:
        return f"(first on line {line_of(int(match.group(1)), blank_lines)})"

    problems["reason"] = problems["reason"].astype(str).str.replace(r"\(first on line (\d+)\)", first, regex=True)
    return problems


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
    skip_invalid: bool = False,
    rehearse: bool = False,
) -> BulkResult:
    """Import a file in our CSV format as one batch. Raises :class:`ImportRefused` (store unchanged) when
    any row has a problem, unless ``skip_invalid`` (the valid rows are written, the problems returned);
    every problem is listed, up to ``MAX_PROBLEMS``. ``rehearse``: do all of it and roll back (a dry run whose
    counts come from the real write).

    Each chunk is checked and staged inside DuckDB (``indicators.staged``: the models' rules judge each
    distinct value once, the store joins the verdicts), so no chunk is ever a pandas frame; DuckDB's own
    memory is capped at ``memory_mb`` while the import runs (it spills to disk beyond that)."""
    indicators = store.indicator_map()
    problems: list[pd.DataFrame] = []
    seen = {"rows": 0, "problems": 0, "rejected": 0}

    def checked() -> Iterator[StagedRows]:
        for raw in read_raw_chunks(path, chunk_rows):
            staged = stage(store, raw, indicators)
            yield staged  # the store checks it and stages its valid rows; its problems are then known
            seen["rows"] += raw.num_rows
            found = staged.problems
            if found is not None and len(found):
                seen["rejected"] += int(found["row"].nunique())
                if seen["problems"] < MAX_PROBLEMS:
                    problems.append(found.head(MAX_PROBLEMS - seen["problems"]))
                    seen["problems"] += len(problems[-1])
            if progress:
                progress(seen["rows"])
        if seen["problems"] and not skip_invalid:
            raise ImportRefused(pd.concat(problems, ignore_index=True), seen["rejected"])

    # held open throughout: a command-line store closes its file between queries, which would also drop the cap
    with store.holding(), store.memory_limit(memory_mb):
        write = store.write_observations(
            checked(), kind=kind, who=who, reason=reason, detail={"file": Path(path).name}, rehearse=rehearse
        )
    found = pd.concat(problems, ignore_index=True) if problems else pd.DataFrame(columns=PROBLEM_COLUMNS)
    return BulkResult(rows=seen["rows"], write=write, problems=found, rejected_lines=seen["rejected"])
