"""The Indicator page's view as URL query parameters, so a view can be shared and restored exactly.

``?indicator=gdp_growth&entities=SRB,HUN&from=2000&to=2024&scale=log&as_of=2025-01-31&events=conflict,visit
&event=1999-03-nato-bombing&window=3``

- ``indicator``: an indicator id; ``entities``: comma-separated entity codes;
- ``from`` / ``to``: periods exactly as written (``2019``, ``2019-Q3``), the ends of the range shown;
- ``scale``: ``linear`` (default) or ``log``; ``as_of``: a day (``YYYY-MM-DD``), the store as recorded then;
- ``events``: comma-separated event types to mark, or ``none``; absent means every type;
- ``event``: the event whose before/after change is shown; ``window``: years each side (1-20, default 3).

Parsing never fails: a malformed value is dropped with a warning a person can read, and the default used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from indicators.analysis import period_end
from indicators.models import EVENT_TYPES, check_entity
from indicators.periods import PeriodError, parse_period

DEFAULT_WINDOW = 3
MAX_WINDOW = 20


@dataclass
class ViewState:
    indicator: str | None = None
    entities: tuple[str, ...] | None = None  # None: the page's default selection
    start: str | None = None
    end: str | None = None
    log_scale: bool = False
    as_of: dt.date | None = None
    event_types: tuple[str, ...] = EVENT_TYPES
    event: str | None = None
    window: int = DEFAULT_WINDOW
    warnings: list[str] = field(default_factory=list)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_params(params: Mapping[str, str | Sequence[str]]) -> ViewState:
    """Read a view from query parameters (values as strings, or lists of strings: the first is used)."""

    def get(name: str) -> str | None:
        value = params.get(name)
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        return None if value is None else str(value)

    state = ViewState(indicator=(get("indicator") or None))
    if (entities := get("entities")) is not None:
        codes = []
        for code in _split(entities):
            try:
                codes.append(check_entity(code))
            except ValueError:
                state.warnings.append(f"'{code}' in the link is not an entity code; ignored")
        state.entities = tuple(dict.fromkeys(codes))
    for name in ("from", "to"):
        if (text := get(name)) is not None:
            try:
                value = parse_period(text).text
            except PeriodError as error:
                state.warnings.append(f"the link's '{name}': {error}; ignored")
                continue
            if name == "from":
                state.start = value
            else:
                state.end = value
    if (scale := get("scale")) is not None:
        if scale not in ("log", "linear"):
            state.warnings.append(f"the link's scale '{scale}' is neither log nor linear; linear used")
        state.log_scale = scale == "log"
    if (as_of := get("as_of")) is not None:
        try:
            state.as_of = dt.date.fromisoformat(as_of)
        except ValueError:
            state.warnings.append(f"the link's as_of '{as_of}' is not a day (YYYY-MM-DD); ignored")
    if (types := get("events")) is not None:
        chosen = [] if types.strip() == "none" else _split(types)
        unknown = [item for item in chosen if item not in EVENT_TYPES]
        if unknown:
            state.warnings.append(f"unknown event type {', '.join(unknown)} in the link; ignored")
        state.event_types = tuple(item for item in EVENT_TYPES if item in chosen)
    state.event = get("event") or None
    if (window := get("window")) is not None:
        try:
            years = int(window)
        except ValueError:
            state.warnings.append(f"the link's window '{window}' is not a number of years; {DEFAULT_WINDOW} used")
        else:
            state.window = min(max(years, 1), MAX_WINDOW)
            if state.window != years:
                state.warnings.append(
                    f"the link's window of {years} years is outside 1-{MAX_WINDOW}; {state.window} used"
                )
    return state


def to_params(state: ViewState) -> dict[str, str]:
    """The query parameters that restore ``state`` (every part of the view, so a link is exact)."""
    params: dict[str, str] = {}
    if state.indicator:
        params["indicator"] = state.indicator
    if state.entities is not None:
        params["entities"] = ",".join(state.entities)
    if state.start:
        params["from"] = state.start
    if state.end:
        params["to"] = state.end
    params["scale"] = "log" if state.log_scale else "linear"
    if state.as_of is not None:
        params["as_of"] = state.as_of.isoformat()
    params["events"] = ",".join(state.event_types) if state.event_types else "none"
    if state.event:
        params["event"] = state.event
        params["window"] = str(state.window)
    return params


def _inside(options: Sequence[str], start: str | None, end: str | None) -> list[str]:
    """The options whose period starts within the requested range; ``to`` means up to the end of its period,
    so ``to=2019`` keeps 2019-Q4 and 2019-12 (as ``export --to`` does)."""
    if start is not None and end is not None and parse_period(start).start >= period_end(end):
        start, end = end, start  # a hand-edited link with its ends swapped
    low = parse_period(start).start if start is not None else None
    high = period_end(end) if end is not None else None
    return [
        option
        for option in options
        if (low is None or parse_period(option).start >= low) and (high is None or parse_period(option).start < high)
    ]


def snap_range(options: Sequence[str], start: str | None, end: str | None) -> tuple[str, str]:
    """The slider's ends for a requested range: the first and last options inside it (``to`` counts up to the
    end of its period), or the whole range when nothing is requested or nothing lies inside. ``options`` are
    periods sorted by their start."""
    inside = _inside(options, start, end)
    if not inside:
        return options[0], options[-1]
    return inside[0], inside[-1]


def range_warning(options: Sequence[str], start: str | None, end: str | None) -> str | None:
    """What to tell the reader when a link's range holds none of the periods there are."""
    if not options or (start is None and end is None) or _inside(options, start, end):
        return None
    asked = f"{start or '…'} to {end or '…'}"
    return f"no figures of this selection from {asked}; showing all periods ({options[0]} to {options[-1]}) instead"


def end_of_day(day: dt.date) -> dt.datetime:
    """``as recorded on`` a day means at the end of that day (UTC)."""
    return dt.datetime.combine(day, dt.time.max)
