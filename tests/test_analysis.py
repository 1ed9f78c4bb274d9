"""The analyst's numbers: change around an event, the gap between two countries' reports, freshness."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from indicators.analysis import (
    MIRROR_EXPLANATION,
    event_window,
    events_in_range,
    freshness,
    mirror_gap,
    period_end,
)


def line(entity: str, source: str, points: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "entity": entity,
            "entity_name": entity,
            "source_id": source,
            "source_title": source.upper(),
            "period": list(points),
            "value": list(points.values()),
        }
    )


def test_period_end_is_the_first_day_after_the_period():
    assert period_end("2019") == dt.date(2020, 1, 1)
    assert period_end("2019-Q4") == dt.date(2020, 1, 1)
    assert period_end("2019-S1") == dt.date(2019, 7, 1)
    assert period_end("2019-07") == dt.date(2019, 8, 1)
    assert period_end("2019-07-31") == dt.date(2019, 8, 1)


def test_the_year_of_an_event_is_neither_before_nor_after_it():
    # NATO bombing, March 1999: 1998 is the last year before it, 1999 contains it, 2002 ends the window
    series = line("SRB", "wb", {"1996": 5.0, "1998": 2.5, "1999": -11.0, "2000": 5.0, "2002": 4.0, "2003": 9.0})
    window = event_window(series, "1999-03", years_before=3, years_after=3)
    assert len(window) == 1
    row = window.iloc[0]
    assert (row.before_period, row.before_value) == ("1998", 2.5)
    assert (row.after_period, row.after_value) == ("2002", 4.0)  # 2003 starts after the 3-year window
    assert row.change == pytest.approx(1.5)
    assert row.change_percent == pytest.approx(60.0)


def test_each_entity_and_source_is_its_own_line_and_lines_without_both_sides_are_left_out():
    series = pd.concat(
        [
            line("SRB", "wb", {"2014": 10.0, "2016": 8.0}),
            line("HUN", "wb", {"2014": 4.0, "2016": 5.0}),
            line("SRB", "paper", {"2016": 9.0}),  # nothing before the event: left out
        ]
    )
    window = event_window(series, "2015", years_before=2, years_after=2)
    assert list(window["entity"]) == ["HUN", "SRB"]
    assert list(window["change"]) == [1.0, -2.0]


def test_a_window_too_short_to_reach_any_figure_gives_an_empty_table():
    series = line("SRB", "wb", {"2000": 1.0, "2010": 2.0})
    assert event_window(series, "2005", years_before=1, years_after=1).empty
    assert event_window(series.iloc[0:0], "2005").empty


def test_change_percent_is_empty_when_the_value_before_is_zero():
    series = line("SRB", "wb", {"2014": 0.0, "2016": 3.0})
    assert event_window(series, "2015", 2, 2).iloc[0].change_percent is None


def test_mirror_gap_matches_periods_and_measures_the_gap_against_side_b():
    us = line("SRB-USA", "census", {"2017": 110.0, "2018": 130.0, "2019": 150.0})
    rs = line("SRB-USA", "rzs", {"2017": 100.0, "2018": 130.0, "2020": 170.0})
    gap = mirror_gap(us, rs)
    assert list(gap["period"]) == ["2017", "2018"]  # 2019 and 2020 are reported by one side only
    assert list(gap["gap"]) == [10.0, 0.0]
    assert list(gap["gap_percent"]) == [10.0, 0.0]
    assert list(gap["source_a"]) == ["census", "census"]


def test_mirror_gap_prefers_official_statistics_when_a_side_has_two_sources_for_a_period():
    us = pd.concat(
        [
            line("SRB-USA", "paper", {"2017": 500.0}).assign(source_kind="paper"),
            line("SRB-USA", "census", {"2017": 110.0}).assign(source_kind="official"),
        ]
    )
    rs = line("SRB-USA", "rzs", {"2017": 100.0})
    gap = mirror_gap(us, rs)
    assert gap.iloc[0].value_a == 110.0 and gap.iloc[0].source_a == "census"


def test_mirror_gap_is_empty_when_one_side_has_no_data():
    us = line("SRB-USA", "census", {"2017": 110.0})
    assert mirror_gap(us, us.iloc[0:0]).empty
    assert mirror_gap(us, line("SRB-USA", "rzs", {"2018": 1.0})).empty


def test_the_mirror_explanation_names_valuation_timing_and_re_exports():
    for reason in ("CIF", "FOB", "re-exports", "months"):
        assert reason in MIRROR_EXPLANATION


def test_an_annual_figure_is_overdue_a_release_cycle_after_its_year_ends():
    periods = pd.Series(["2022", "2024", "2023"])
    fresh = freshness(periods, 12, dt.date(2026, 1, 2))
    assert fresh.latest_period == "2024" and fresh.expected_by == dt.date(2026, 1, 1) and fresh.overdue
    assert "2024" in fresh.message()
    assert not freshness(periods, 12, dt.date(2025, 12, 31)).overdue
    assert freshness(periods, None, dt.date(2040, 1, 1)).message() is None  # no cycle set: never overdue
    assert freshness(pd.Series([], dtype="string"), 12, dt.date(2040, 1, 1)).latest_period is None


def test_events_in_range_keeps_events_that_start_inside_it():
    events = pd.DataFrame(
        {"id": ["a", "b", "c"], "date_start": pd.to_datetime(["1980-06-01", "1999-03-01", "2024-11-05"])}
    )
    kept = events_in_range(events, dt.date(1990, 1, 1), dt.date(2025, 1, 1))
    assert list(kept["id"]) == ["b", "c"]


def test_a_fall_reads_with_one_minus_sign_in_both_change_columns():
    """Exports fell from 200 to 150 around an event: 'Change' said '−USD 50' with a typographic minus and
    'Change %' '-25.0 %' with a hyphen beside it; both now use the same sign."""
    from indicators.analysis_tables import event_window_table
    from indicators.models import Indicator

    indicator = Indicator(
        id="exports", name="Exports", unit="USD", category="economy", description="x", default_entity="SRB"
    )
    window = pd.DataFrame(
        {
            "entity_name": ["Serbia"],
            "source_title": ["x"],
            "before_value": [200.0],
            "before_period": ["2014"],
            "after_value": [150.0],
            "after_period": ["2016"],
            "change": [-50.0],
            "change_percent": [-25.0],
        }
    )
    row = event_window_table(window, indicator).iloc[0]
    assert row["Change"].startswith("−") and row["Change %"] == "−25.0 %"
