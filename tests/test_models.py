"""What a valid figure is: periods, units, qualifiers, ranges — per object (forms) and per frame (files)."""

import datetime as dt

import pandas as pd
import pytest
from pydantic import ValidationError

from indicators.models import Indicator, Observation, Source
from indicators.periods import PeriodError, parse_period
from indicators.units import format_value, normalise_qualifier, parse_unit
from indicators.validate import validate_observations

SHARE = Indicator(
    id="eu_share_exports", name="EU share", unit="percent", category="economy", min_value=0, max_value=100
)
COUNT = Indicator(
    id="us_tourist_arrivals", name="US tourists", unit="persons", category="people", default_entity="SRB-USA"
)


@pytest.mark.parametrize(
    ("text", "start", "frequency"),
    [
        ("2019", dt.date(2019, 1, 1), "A"),
        ("2019-S2", dt.date(2019, 7, 1), "S"),
        ("2019-Q3", dt.date(2019, 7, 1), "Q"),
        ("2019-07", dt.date(2019, 7, 1), "M"),
        ("2019-07-15", dt.date(2019, 7, 15), "D"),
    ],
)
def test_periods_are_kept_as_written_and_sorted_by_their_first_day(text, start, frequency):
    period = parse_period(text)
    assert (period.text, period.start, period.frequency) == (text, start, frequency)


@pytest.mark.parametrize("text", ["2019-13", "2019-Q5", "2019-02-30", "19", "2019-01-01T00:00", "1700", "last year"])
def test_impossible_periods_are_refused_with_a_reason(text):
    with pytest.raises(PeriodError, match=text.split("T")[0][:4] if text[0].isdigit() else "not a period"):
        parse_period(text)


def test_the_papers_qualifier_words_map_onto_five_qualifiers():
    assert normalise_qualifier("just over") == "more than"
    assert normalise_qualifier("Exceeding") == "more than"
    assert normalise_qualifier("almost") == "less than"
    assert normalise_qualifier("approximately") == "about"
    assert normalise_qualifier("at least") == "at least"
    assert normalise_qualifier("") == "exactly"
    assert normalise_qualifier("perhaps") is None


def test_values_are_shown_in_their_unit_with_their_qualifier():
    assert format_value(400_000_000, "USD", "more than") == "> USD 400 m"
    assert format_value(1_700_000_000, "USD", "about") == "≈ USD 1.7 bn"
    assert format_value(3.8, "percent") == "3.8 %"
    assert format_value(39_000, "persons") == "39,000 people"
    assert format_value(2.5, "ratio") == "2.5×"
    assert format_value(1_000_000, "persons", "less than") == "< 1 million people"


def test_the_worlds_population_reads_in_billions_not_thousands_of_millions():
    # an analyst adds the world (WLD) or EU aggregates beside Serbia: "8,100 million people" reads badly
    assert format_value(8_100_000_000, "persons", "about") == "≈ 8.1 billion people"
    assert format_value(447_000_000, "persons") == "447 million people"


def test_scaled_units_convert_to_base_units():
    assert parse_unit("USD millions") == ("USD", 1e6)
    assert parse_unit("billion USD") == ("USD", 1e9)
    assert parse_unit("%") == ("percent", 1.0)
    assert parse_unit("thousand persons") == ("persons", 1e3)
    with pytest.raises(ValueError, match="unknown unit 'furlongs'"):
        parse_unit("furlongs")


def test_an_observation_outside_its_indicators_range_names_the_field():
    with pytest.raises(ValidationError) as error:
        Observation.model_validate(
            {"indicator_id": SHARE.id, "entity": "SRB", "period": "2019", "value": 120, "source_id": "x"},
            context={"indicator": SHARE},
        )
    (problem,) = error.value.errors()
    assert problem["loc"] == ("value",)
    assert "above the largest valid value 100" in problem["msg"]


def test_a_negative_head_count_is_refused_by_the_unit_rule():
    with pytest.raises(ValidationError, match="below the smallest valid value 0"):
        Observation.model_validate(
            {"indicator_id": COUNT.id, "entity": "SRB-USA", "period": "2018", "value": -1, "source_id": "x"},
            context={"indicator": COUNT},
        )


def test_a_source_url_must_be_a_web_address():
    with pytest.raises(ValidationError, match="http"):
        Source(id="evil", title="Evil", url="javascript:alert(1)")


def test_an_indicator_with_an_empty_range_is_refused():
    with pytest.raises(ValidationError, match="valid range is empty"):
        Indicator(id="x_y", name="X", unit="percent", category="economy", min_value=5, max_value=1)


def test_a_file_is_checked_whole_and_every_problem_is_reported_with_row_and_column():
    frame = pd.DataFrame(
        {
            "row": [2, 3, 4, 5, 6, 7],
            "indicator": [
                "eu_share_exports",
                "eu_share_exports",
                "nope",
                "us_tourist_arrivals",
                "eu_share_exports",
                "eu_share_exports",
            ],
            "entity": ["SRB", "SRB", "SRB", "", "SRB", "SRB"],
            "period": ["2019", "2019-13", "2019", "2018", "2020", "2020"],
            "value": ["67", "60", "1", "-5", "61", "62"],
            "source": ["s", "s", "s", "s", "s", "s"],
        }
    )
    result = validate_observations(frame, {SHARE.id: SHARE, COUNT.id: COUNT})
    reported = {(p.row, p.column) for p in result.problems.itertuples()}
    assert reported == {(3, "period"), (4, "indicator"), (5, "value"), (6, "value"), (7, "value")}
    assert list(result.rows["row"]) == [2]
    # a blank entity takes the indicator's usual one before the range check rejects the value
    assert "below the smallest valid value 0" in result.problems.set_index("row").loc[5, "reason"]


def test_scaled_unit_column_converts_values_in_a_file():
    frame = pd.DataFrame(
        {
            "indicator": ["us_tourist_arrivals"],
            "period": ["2018"],
            "value": ["39"],
            "unit": ["thousand persons"],
            "source": ["s"],
        }
    )
    result = validate_observations(frame, {COUNT.id: COUNT})
    assert result.ok
    assert result.rows.loc[0, "value"] == 39_000
    assert result.rows.loc[0, "entity"] == "SRB-USA"
