"""Periods as SDMX's TIME_PERIOD writes them, and nothing else.

A period is kept exactly as written (``2019``, ``2019-S2``, ``2019-Q3``, ``2019-07``, ``2019-07-15``) so that
every CSV, CLI output and URL gives it back unchanged: a year is ``2019``, never ``2019-01-01``. For sorting
and charting we derive the first day of the period and its frequency; those are never shown as the period.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

PERIOD_PATTERN = re.compile(
    r"^(?P<year>\d{4})"
    r"(?:-(?:(?P<semester>S[1-2])|(?P<quarter>Q[1-4])|(?P<month>\d{2})(?:-(?P<day>\d{2}))?))?$"
)
EARLIEST_YEAR = 1800
LATEST_YEAR = 2100

FREQUENCY_NAMES = {"A": "annual", "S": "half-yearly", "Q": "quarterly", "M": "monthly", "D": "daily"}


@dataclass(frozen=True)
class Period:
    text: str
    start: dt.date
    frequency: str  # A, S, Q, M or D


class PeriodError(ValueError):
    """A period that is not a valid SDMX TIME_PERIOD; the message says why, for a person to read."""


@lru_cache(maxsize=65536)
def parse_period(text: str) -> Period:
    """Parse ``2019``, ``2019-S1``, ``2019-Q3``, ``2019-07`` or ``2019-07-15``; raise PeriodError otherwise."""
    cleaned = str(text).strip()
    match = PERIOD_PATTERN.match(cleaned)
    if not match:
        raise PeriodError(
            f"'{text}' is not a period: write a year (2019), a half-year (2019-S1), a quarter (2019-Q3), "
            "a month (2019-07) or a day (2019-07-15)"
        )
    year = int(match["year"])
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise PeriodError(f"'{text}': the year {year} is outside {EARLIEST_YEAR}-{LATEST_YEAR}")
    if match["semester"]:
        half = int(match["semester"][1])
        return Period(cleaned, dt.date(year, 1 + 6 * (half - 1), 1), "S")
    if match["quarter"]:
        quarter = int(match["quarter"][1])
        return Period(cleaned, dt.date(year, 1 + 3 * (quarter - 1), 1), "Q")
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise PeriodError(f"'{text}': there is no month {month:02d}")
        if match["day"]:
            day = int(match["day"])
            try:
                return Period(cleaned, dt.date(year, month, day), "D")
            except ValueError:
                raise PeriodError(f"'{text}': there is no such day") from None
        return Period(cleaned, dt.date(year, month, 1), "M")
    return Period(cleaned, dt.date(year, 1, 1), "A")


def period_start(text: str) -> dt.date:
    return parse_period(text).start


def period_frequency(period: object) -> str:
    """A, S, Q, M or D for a period as written; "" for a missing or malformed one."""
    try:
        return parse_period(period).frequency if isinstance(period, str) else ""
    except PeriodError:
        return ""


def is_valid_period(text: str) -> bool:
    try:
        parse_period(text)
    except PeriodError:
        return False
    return True
