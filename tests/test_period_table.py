"""A big file's periods are judged many at once (indicators.period_table): every verdict, message and first
day must be exactly what parse_period says of the same text one by one."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.models import check_period
from indicators.period_table import period_verdicts
from indicators.periods import parse_period

YEARS = ["0000", "0999", "1700", "1799", "1800", "1900", "1999", "2000", "2019", "2020", "2024", "2100", "2101",
         "9999"]  # fmt: skip


def one_by_one(texts: list[str]) -> pd.DataFrame:
    """The rule's own verdicts, text by text (as the pandas validator and the forms judge them)."""
    rows = []
    for text in texts:
        try:
            period = check_period(text)
        except ValueError as error:
            rows.append((text, None, str(error), None))
            continue
        rows.append((text, period, None, pd.Timestamp(parse_period(text).start)))
    frame = pd.DataFrame(rows, columns=["text", "period", "error", "period_start"])
    return frame.astype({"text": "string", "period": "string", "error": "string"}).assign(
        period_start=pd.to_datetime(frame["period_start"]).astype("datetime64[us]")
    )


def assert_same_verdicts(texts: list[str]) -> None:
    pd.testing.assert_frame_equal(period_verdicts(texts), one_by_one(texts))


def test_every_month_and_day_of_sample_years_is_judged_as_parse_period_does():
    """Exhaustive over the common shapes: month 00-99, day 00-99 of months 00-13, S0-S9, Q0-Q9, for leap
    and common years, century years and years outside 1800-2100 (2019-02-30, 2019-13, 2100-02-29...)."""
    texts = []
    for year in YEARS:
        texts.append(year)
        texts += [f"{year}-{letter}{n}" for letter in "SQsqHW" for n in range(10)]
        texts += [f"{year}-{month:02d}" for month in range(100)]
        texts += [f"{year}-{month:02d}-{day:02d}" for month, day in itertools.product(range(14), range(100))]
    assert "2019-02-30" in texts and "2019-13" in texts and "2020-02-29" in texts
    assert_same_verdicts(texts)


def test_odd_spellings_fall_back_to_the_rule_with_its_messages():
    texts = ["", " 2019", "2019 ", "2019\n", "２０１９", "٢٠١٩-٠٧", "2019-7", "2019-07-1", "19-07", "2019-Q5",
             "2019/07", "2019-07-15T00:00", "20190", "2019-", "2019-07-", "abcd", "2019-S3", "2019-Q0"]  # fmt: skip
    verdicts = period_verdicts(texts)
    assert_same_verdicts(texts)
    assert verdicts.set_index("text").loc["2019-Q5", "error"].startswith("'2019-Q5' is not a period")


def test_an_impossible_day_and_month_keep_their_messages():
    verdicts = period_verdicts(["2019-02-30", "2019-13", "2020-02-29", "1799", "2019-Q3"]).set_index("text")
    assert verdicts.loc["2019-02-30", "error"] == "'2019-02-30': there is no such day"
    assert verdicts.loc["2019-13", "error"] == "'2019-13': there is no month 13"
    assert verdicts.loc["1799", "error"] == "'1799': the year 1799 is outside 1800-2100"
    assert verdicts.loc["2020-02-29", "period_start"] == pd.Timestamp(dt.date(2020, 2, 29))
    assert verdicts.loc["2019-Q3", "period_start"] == pd.Timestamp(dt.date(2019, 7, 1))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789-SQ \t٢", max_size=12), max_size=30))
def test_any_text_gets_the_rule_s_verdict(texts):
    assert_same_verdicts(texts)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dates(min_value=dt.date(1750, 1, 1), max_value=dt.date(2150, 12, 31)), max_size=30))
def test_any_real_day_month_or_year_gets_the_rule_s_verdict(days):
    texts = [text for day in days for text in (day.isoformat(), day.isoformat()[:7], day.isoformat()[:4])]
    assert_same_verdicts(texts)
