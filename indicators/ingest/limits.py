"""Upload limits, each checked before the work it protects, so an oversize file is refused early and plainly:

- size: before the bytes are decoded (the command line checks the file's size before reading it at all);
- lines: counted on the raw bytes (a fast byte count, no decoding, no parsing) before the table is parsed;
- columns: counted on the first records of the sniffed sample before the table is parsed;
- a workbook: what it would unpack to, and how well each part is compressed (a zip bomb), read from the zip's
  directory before openpyxl opens it; then its rows and columns while the sheet streams, before a table is built.

The size, line and column limits come from ``Options`` when given, else from the settings
(``INDICATORS_MAX_UPLOAD_MB``, ``INDICATORS_MAX_UPLOAD_ROWS``, ``INDICATORS_MAX_UPLOAD_COLUMNS``).
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from dataclasses import dataclass

from indicators.config import settings
from indicators.ingest.errors import UploadError

MB = 1024 * 1024
WORKBOOK_UNPACKED_PER_MB = 20  # a workbook may unpack to 20 times the upload limit (sheet XML packs ~10-15x)
WORKBOOK_MAX_RATIO = 100.0  # no part over 1 MiB may unpack to more than 100 times its packed size
WORKBOOK_MAX_PARTS = 10_000


@dataclass(frozen=True)
class UploadLimits:
    max_mb: float
    max_rows: int  # lines of a text file, rows of a sheet (header and preamble included)
    max_columns: int


def upload_limits(
    max_mb: float | None = None, max_rows: int | None = None, max_columns: int | None = None
) -> UploadLimits:
    """The limits for one upload: the ones given, the settings for the rest."""
    config = settings()
    return UploadLimits(
        max_mb=config.max_upload_mb if max_mb is None else max_mb,
        max_rows=config.max_upload_rows if max_rows is None else max_rows,
        max_columns=config.max_upload_columns if max_columns is None else max_columns,
    )


def count_lines(data: bytes) -> int:
    """Lines in a text file, counted on its bytes: line feeds (or carriage returns, for old Mac files), plus a
    last line without a line break. Line breaks inside quoted cells count too, so this is an upper bound on
    the records; in UTF-16 it can only over-count."""
    breaks = max(data.count(b"\n"), data.count(b"\r"))
    return breaks + (0 if not data or data.endswith((b"\n", b"\r", b"\n\x00", b"\x00\n", b"\r\x00")) else 1)


def _too_many(what: str, count: int, limit: int, variable: str) -> UploadError:
    return UploadError(
        f"The file has {count:,} {what}, over the limit of {limit:,} {what} ({variable}). Split it, or raise "
        "the limit. Nothing was read into the store."
    )


def check_lines(data: bytes, limits: UploadLimits) -> None:
    check_line_count(count_lines(data), limits)


def check_line_count(lines: int, limits: UploadLimits) -> None:
    """A text file's lines, counted however the caller read it (bytes in memory, or a file streamed)."""
    if lines > limits.max_rows:
        raise _too_many("lines", lines, limits.max_rows, "INDICATORS_MAX_UPLOAD_ROWS")


def check_columns(text: str, delimiter: str, header_row: int, limits: UploadLimits) -> None:
    """The widest of the first records up to the header (only these are read, not the table)."""
    head = text[:65536]
    try:
        records = list(itertools.islice(csv.reader(io.StringIO(head), delimiter=delimiter), header_row + 1))
    except csv.Error:  # a field longer than the csv module takes: the table reader will say what is wrong
        return
    widest = max((len(record) for record in records), default=0)
    if widest > limits.max_columns:
        raise _too_many("columns", widest, limits.max_columns, "INDICATORS_MAX_UPLOAD_COLUMNS")


def check_row(number: int, width: int, limits: UploadLimits) -> None:
    """One row of a streaming sheet: refuse as soon as there are too many rows or the row is too wide."""
    if number > limits.max_rows:
        raise _too_many("rows", number, limits.max_rows, "INDICATORS_MAX_UPLOAD_ROWS")
    if width > limits.max_columns:
        raise _too_many("columns", width, limits.max_columns, "INDICATORS_MAX_UPLOAD_COLUMNS")


def check_workbook(data: bytes, limits: UploadLimits) -> None:
    """A workbook is a zip: refuse it from the zip's directory, before any part is decompressed, when it would
    unpack to too much or a part is compressed like a zip bomb. (Python's zipfile never unpacks more than a
    part's declared size, so the directory cannot lie its way past this.)"""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            parts = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: openpyxl says it is not a readable workbook
    if len(parts) > WORKBOOK_MAX_PARTS:
        raise UploadError(f"The workbook has {len(parts):,} parts; a workbook may have {WORKBOOK_MAX_PARTS:,}.")
    allowed = int(WORKBOOK_UNPACKED_PER_MB * limits.max_mb * MB)
    total = sum(part.file_size for part in parts)
    if total > allowed:
        raise UploadError(
            f"The workbook would unpack to {total / MB:,.0f} MB, over the limit of {allowed / MB:,.0f} MB "
            f"({WORKBOOK_UNPACKED_PER_MB} times INDICATORS_MAX_UPLOAD_MB). Split it, or save it as CSV."
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > MB and ratio > WORKBOOK_MAX_RATIO:
            raise UploadError(
                f"The workbook's part {part.filename} is compressed {ratio:,.0f} to 1 (at most "
                f"{WORKBOOK_MAX_RATIO:g} to 1 allowed), like a zip bomb: refused."
            )
