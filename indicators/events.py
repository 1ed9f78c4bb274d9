"""Events in and out: our events CSV (``id,date,type,title,source,quote,note``), validated all-or-nothing,
and the one function every entry path (form, CSV, command line) uses to add events.

An events file is read whole: every problem is reported with its row, column, value and reason, and nothing
is written unless every row is valid.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pandas as pd
from pydantic import ValidationError

from indicators.csvformat import csv_text, neutralise_formulas, restore_formulas
from indicators.models import EVENT_CSV_COLUMNS, EVENT_TYPES, Event
from indicators.store import Store, WriteResult

REQUIRED_COLUMNS = ("date", "type", "title", "source")
_FIELD_TO_COLUMN = {"source_id": "source"}


@dataclass
class EventProblem:
    row: int  # the file's line number (the header is line 1)
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column} ({self.value!r}): {self.reason}"


@dataclass
class ParsedEvents:
    events: list[Event] = field(default_factory=list)
    problems: list[EventProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def problems_from(error: ValidationError, row: int, record: dict) -> list[EventProblem]:
    """A pydantic error as problems a person can act on: which column and why."""
    found = []
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "row"
        column = _FIELD_TO_COLUMN.get(name, name)
        reason = item["msg"].removeprefix("Value error, ")
        if name == "type":
            reason = f"not an event type: use one of {', '.join(EVENT_TYPES)}"
        found.append(EventProblem(row, column, str(record.get(column, "")), reason))
    return found


def parse_event(record: dict, row: int = 0) -> tuple[Event | None, list[EventProblem]]:
    """One event from a CSV row or a form (keys as in our CSV: ``source``, not ``source_id``)."""
    data = {key: value for key, value in record.items() if key in EVENT_CSV_COLUMNS}
    data["source_id"] = data.pop("source", None)
    try:
        return Event.model_validate(data), []
    except ValidationError as error:
        return None, problems_from(error, row, record)


def read_events_csv(content: bytes | str, known_sources: set[str] | None = None) -> ParsedEvents:
    """Parse our events CSV. Unknown sources (when ``known_sources`` is given) and repeated ids are
    problems too; the caller writes only when ``ok``."""
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    except UnicodeDecodeError as error:
        reason = f"not UTF-8 text (byte {error.start + 1}): save it as 'CSV UTF-8' and load it again"
        return ParsedEvents(problems=[EventProblem(1, "file", "", reason)])
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        return ParsedEvents(problems=[EventProblem(1, "file", "", f"not a CSV file we can read: {error}")])
    frame.columns = [str(column).strip().lower() for column in frame.columns]
    frame = restore_formulas(frame)  # `events_csv` guarded cells like '+ COVID; read them back as written
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        return ParsedEvents(
            problems=[
                EventProblem(1, column, "", f"the column is missing; the columns are {','.join(EVENT_CSV_COLUMNS)}")
                for column in missing
            ]
        )
    parsed = ParsedEvents()
    first_row: dict[str, int] = {}
    for number, record in enumerate(frame.to_dict("records"), start=2):
        event, problems = parse_event(record, number)
        parsed.problems += problems
        source = str(record.get("source", "")).strip()
        if (
            known_sources is not None
            and source not in known_sources
            and not any(problem.column == "source" for problem in problems)
        ):
            parsed.problems.append(EventProblem(number, "source", source, "unknown source: add the source first"))
        if event is None:
            continue
        if event.id in first_row:
            parsed.problems.append(
                EventProblem(number, "id", str(event.id), f"the same event id appears on row {first_row[event.id]}")
            )
        first_row.setdefault(str(event.id), number)
        parsed.events.append(event)
    return parsed


def load_events_csv(store: Store, content: bytes | str, *, who: str, reason: str) -> tuple[ParsedEvents, WriteResult]:
    """Read an events file and write it as one batch; nothing is written when any row is invalid."""
    parsed = read_events_csv(content, store.source_ids())
    if not parsed.ok:
        return parsed, WriteResult(batch_id=None)
    return parsed, store.write_events(parsed.events, kind="event", who=who, reason=reason)


def events_csv(events: pd.DataFrame) -> bytes:
    """Events in our events CSV, UTF-8, ready to edit and load again."""
    frame = events.rename(columns={"source_id": "source"}).reindex(columns=list(EVENT_CSV_COLUMNS))
    return csv_text(neutralise_formulas(frame)).encode("utf-8")
