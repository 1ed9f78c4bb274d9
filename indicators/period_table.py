"""Many periods judged at once, with exactly the verdicts of ``periods.parse_period``.

A big file has thousands of distinct periods (25,000 days of a daily series); judging each in Python costs
about 0.15 s. The shapes files really hold (``2019``, ``2019-S1``, ``2019-Q3``, ``2019-07``,
``2019-07-15``, ASCII digits, nothing around them) are judged here with array arithmetic; a text is taken
only when it is certainly valid (year 1800-2100, a month that exists, a day that exists in its month), and
its period is the text itself, as ``parse_period`` keeps it. Everything else, every invalid period
included, goes to ``parse_period``, so every message stays the rule's own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from indicators.periods import EARLIEST_YEAR, LATEST_YEAR, PeriodError, parse_period

# RE2 (Arrow): ASCII digits only, $ only at the very end; no whitespace anywhere, so the text is its own
# stripped form. A candidate, not a verdict: months, days and years are checked below.
_SHAPE = r"^[0-9]{4}(-(S[12]|Q[1-4]|[0-9]{2}(-[0-9]{2})?))?$"
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _fast(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(which texts are certainly valid periods of a common shape, their first day as datetime64[D])."""
    shaped = pc.match_substring_regex(pa.array(texts, type=pa.string()), _SHAPE)
    shaped = shaped.to_numpy(zero_copy_only=False).astype(bool)
    valid = np.zeros(len(texts), dtype=bool)
    start = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[D]")
    index = np.flatnonzero(shaped)
    if not len(index):
        return valid, start
    # the candidates as a matrix of code points, padded with 0 to 10 characters (all ASCII, at most 10)
    chars = np.array([texts[i] for i in index], dtype="U10").view(np.uint32).reshape(len(index), 10)
    chars = chars.astype(np.int64)
    digit = chars - ord("0")
    length = np.count_nonzero(chars, axis=1)
    year = digit[:, 0] * 1000 + digit[:, 1] * 100 + digit[:, 2] * 10 + digit[:, 3]
    letter = chars[:, 5]
    half = (length == 7) & (letter == ord("S"))
    quarter = (length == 7) & (letter == ord("Q"))
    numbered = ((length == 7) & ~half & ~quarter) | (length == 10)  # a month, or a month and a day
    month = np.ones(len(index), dtype=np.int64)
    month = np.where(half, 1 + 6 * (digit[:, 6] - 1), month)
    month = np.where(quarter, 1 + 3 * (digit[:, 6] - 1), month)
    month = np.where(numbered, digit[:, 5] * 10 + digit[:, 6], month)
    day = np.where(length == 10, digit[:, 8] * 10 + digit[:, 9], 1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    in_month = _DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    ok = (year >= EARLIEST_YEAR) & (year <= LATEST_YEAR) & (month >= 1) & (month <= 12)
    ok &= (day >= 1) & (day <= in_month)
    valid[index] = ok
    # first day: years since 1970 -> months -> days, in numpy's calendar (proleptic Gregorian, as dt.date)
    months = ((year - 1970) * 12 + month - 1).astype("timedelta64[M]")
    first = (np.datetime64("1970-01", "M") + months).astype("datetime64[D]")
    start[index] = np.where(ok, first + (day - 1).astype("timedelta64[D]"), np.datetime64("NaT"))
    return valid, start


def period_verdicts(texts: list[str]) -> pd.DataFrame:
    """One row per text: ``text``, ``period`` (as stored; null when invalid), ``error`` (the rule's message;
    null when valid) and ``period_start`` (datetime64[us]; null when invalid), as ``check_period`` and
    ``parse_period`` decide them one by one."""
    valid, start = _fast(texts)
    period: list[str | None] = list(texts)
    error: list[str | None] = [None] * len(texts)
    for i in np.flatnonzero(~valid):
        try:
            parsed = parse_period(str(texts[i]))
        except PeriodError as problem:
            period[i], error[i] = None, str(problem)
            continue
        period[i] = parsed.text
        start[i] = np.datetime64(parsed.start, "D")
    return pd.DataFrame(
        {
            "text": pd.array(texts, dtype="string"),
            "period": pd.array(period, dtype="string"),
            "error": pd.array(error, dtype="string"),
            "period_start": start.astype("datetime64[us]"),
        }
    )
