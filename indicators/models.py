"""What a valid source, indicator and observation are. Declared once; applied per object here and
column-wise to whole files in ``indicators.validate`` (which calls the same rule functions below).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from indicators.periods import PeriodError, parse_period
from indicators.units import QUALIFIERS, UNITS, normalise_qualifier

CATEGORIES = ("economy", "security", "people", "politics")
SOURCE_KINDS = ("paper", "cited", "official", "user")
INDICATOR_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
SOURCE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
# ISO 3166 alpha-3 (or a World Bank aggregate such as EUU), or a pair of them for bilateral figures.
ENTITY_PATTERN = re.compile(r"^[A-Z]{3}(-[A-Z]{3})?$")
MAX_TEXT = 5000  # quotes, notes, descriptions: long enough for a paragraph, short enough to show
LARGEST_VALUE = 1e18  # no statistic we keep is larger; bigger numbers are typos or overflow


# --- rules, as plain functions so the bulk validator applies exactly these -------------------------


def check_entity(code: str) -> str:
    text = str(code).strip().upper()
    if not ENTITY_PATTERN.match(text):
        raise ValueError(
            f"'{code}' is not an entity code: use ISO 3166 alpha-3 (SRB) or a pair for bilateral figures (SRB-USA)"
        )
    return text


def check_period(text: str) -> str:
    try:
        return parse_period(str(text)).text
    except PeriodError as error:
        raise ValueError(str(error)) from None


def check_qualifier(text: object) -> str:
    qualifier = normalise_qualifier(text)
    if qualifier is None:
        raise ValueError(f"'{text}' is not a qualifier: use one of {', '.join(QUALIFIERS)}")
    return qualifier


def check_finite(value: float) -> float:
    if value is None or not math.isfinite(value):
        raise ValueError(f"'{value}' is not a number")
    if abs(value) > LARGEST_VALUE:
        raise ValueError(f"{value:g} is too large for a statistic (more than {LARGEST_VALUE:g})")
    return value


def range_problem(value: float, minimum: float | None, maximum: float | None, unit: str) -> str | None:
    """Why a value falls outside an indicator's valid range (its own and its unit's), or None."""
    unit_min = UNITS[unit].minimum if unit in UNITS else None
    lows = [bound for bound in (minimum, unit_min) if bound is not None]
    low = max(lows) if lows else None
    if low is not None and value < low:
        return f"{value:g} is below the smallest valid value {low:g}"
    if maximum is not None and value > maximum:
        return f"{value:g} is above the largest valid value {maximum:g}"
    return None


def _blank_to_none(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


# --- models ----------------------------------------------------------------------------------------


class Source(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    id: str = Field(pattern=SOURCE_ID_PATTERN.pattern)
    title: str = Field(min_length=1, max_length=500)
    publisher: str | None = Field(default=None, max_length=500)
    authors: str | None = Field(default=None, max_length=500)
    year: int | None = Field(default=None, ge=1800, le=2100)
    url: str | None = Field(default=None, max_length=2000)
    kind: Literal["paper", "cited", "official", "user"] = "user"
    cited_in: str | None = None
    licence: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=MAX_TEXT)

    _blanks = field_validator("publisher", "authors", "year", "url", "cited_in", "licence", "note", mode="before")(
        _blank_to_none
    )

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        # Only web addresses: a javascript: or data: link from a user must never become clickable.
        if value is not None and not re.match(r"^https?://", value, re.IGNORECASE):
            raise ValueError("a source URL must start with http:// or https://")
        return value


class Indicator(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    id: str = Field(pattern=INDICATOR_ID_PATTERN.pattern, description="a stable slug used in URLs, CSVs, the CLI")
    name: str = Field(min_length=1, max_length=200)
    unit: str
    category: Literal["economy", "security", "people", "politics"]
    description: str | None = Field(default=None, max_length=MAX_TEXT)
    min_value: float | None = None
    max_value: float | None = None
    decimals: int = Field(default=1, ge=0, le=6)
    default_entity: str = "SRB"
    benchmark_value: float | None = None
    benchmark_label: str | None = Field(default=None, max_length=200)
    release_cycle_months: int | None = Field(default=None, ge=1, le=120)

    _blanks = field_validator(
        "description",
        "min_value",
        "max_value",
        "benchmark_value",
        "benchmark_label",
        "release_cycle_months",
        "decimals",
        mode="before",
    )(_blank_to_none)

    @field_validator("decimals", mode="before")
    @classmethod
    def _default_decimals(cls, value: object) -> object:
        return 1 if value is None else value

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        if value not in UNITS:
            raise ValueError(f"unknown unit '{value}': use one of {', '.join(UNITS)}")
        return value

    @field_validator("default_entity")
    @classmethod
    def _entity(cls, value: str) -> str:
        return check_entity(value)

    @model_validator(mode="after")
    def _range_in_order(self) -> Indicator:
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValueError(f"the valid range is empty: minimum {self.min_value:g} > maximum {self.max_value:g}")
        return self

    def range_problem(self, value: float) -> str | None:
        return range_problem(value, self.min_value, self.max_value, self.unit)


class Observation(BaseModel):
    """One figure: an indicator's value for an entity and period, from a source.

    Validate with ``Observation.model_validate(data, context={"indicator": indicator})`` to apply the
    indicator's valid range too; errors name the field, so a form can show them next to it.
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    indicator_id: str = Field(pattern=INDICATOR_ID_PATTERN.pattern)
    entity: str
    period: str
    value: float
    qualifier: str = "exactly"
    source_id: str = Field(pattern=SOURCE_ID_PATTERN.pattern)
    quote: str | None = Field(default=None, max_length=MAX_TEXT)
    note: str | None = Field(default=None, max_length=MAX_TEXT)

    _blanks = field_validator("quote", "note", mode="before")(_blank_to_none)

    @field_validator("entity")
    @classmethod
    def _entity(cls, value: str) -> str:
        return check_entity(value)

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, value: object) -> str:
        return check_period(str(value))

    @field_validator("qualifier", mode="before")
    @classmethod
    def _qualifier(cls, value: object) -> str:
        return check_qualifier(value)

    @field_validator("value")
    @classmethod
    def _value(cls, value: float, info: ValidationInfo) -> float:
        value = check_finite(value)
        indicator = (info.context or {}).get("indicator")
        if indicator is not None:
            problem = indicator.range_problem(value)
            if problem:
                raise ValueError(f"{problem} for {indicator.name}")
        return value

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.indicator_id, self.entity, self.period, self.source_id)


class Batch(BaseModel):
    """One entry of the change log: an upload, an edit, a restore, an undo; all its rows undo together."""

    id: int
    kind: str
    who: str
    created_at: dt.datetime
    reason: str | None = None


EVENT_TYPES = ("visit", "agreement", "sanction", "conflict", "election", "rating", "crisis")
EVENT_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


# Serbian Cyrillic in the Latin alphabet (one letter or digraph each), then the Latin letters without marks.
_LATIN = "a b v g d đ e ž z i j k l lj m n nj o p r s t ć u f h c č dž š"
_CYRILLIC = dict(zip("абвгдђежзијклљмнњопрстћуфхцчџш", _LATIN.split(), strict=True))
_UNMARKED = {"đ": "dj", "ß": "ss", "æ": "ae", "ø": "o", "ł": "l"}


def slug(text: str, separator: str = "-") -> str:
    """Lower-case ASCII words joined by ``separator``, for ids made from titles: Serbian Cyrillic and Latin
    letters with marks keep their words (``Народна банка Србије`` -> ``narodna-banka-srbije``, ``Čačak`` ->
    ``cacak``) instead of vanishing, which made different titles share one id."""
    latin = "".join(_CYRILLIC.get(char, char) for char in str(text).lower())
    latin = "".join(_UNMARKED.get(char, char) for char in latin)
    unmarked = "".join(char for char in unicodedata.normalize("NFKD", latin) if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", separator, unmarked).strip(separator)


def event_slug(date: str, title: str) -> str:
    """A readable, stable id for an event: its date and the first words of its title."""
    return f"{date.lower()}-{slug(title)}"[:80].rstrip("-")


class Event(BaseModel):
    """A dated bilateral event (a visit, an agreement, a war, an election ...) shown on every chart.

    ``date`` is an SDMX period as precise as known (``1999``, ``1980-06``, ``2024-11-05``); ``id`` is derived
    from the date and title when not given. Like a figure, an event names its source, and an event from the
    papers carries the verbatim sentence.
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    id: str | None = Field(default=None, pattern=EVENT_ID_PATTERN.pattern)
    date: str
    type: Literal["visit", "agreement", "sanction", "conflict", "election", "rating", "crisis"]
    title: str = Field(min_length=1, max_length=200)
    source_id: str = Field(pattern=SOURCE_ID_PATTERN.pattern)
    quote: str | None = Field(default=None, max_length=MAX_TEXT)
    note: str | None = Field(default=None, max_length=MAX_TEXT)

    _blanks = field_validator("id", "quote", "note", mode="before")(_blank_to_none)

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: object) -> str:
        return check_period(str(value))

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: object) -> object:
        return str(value).strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _derive_id(self) -> Event:
        if self.id is None:
            self.id = event_slug(self.date, self.title)
        return self

    @property
    def date_start(self) -> dt.date:
        return parse_period(self.date).start


EVENT_CSV_COLUMNS = ("id", "date", "type", "title", "source", "quote", "note")
OBSERVATION_CSV_COLUMNS = ("indicator", "entity", "period", "value", "unit", "qualifier", "source", "quote", "note")
