"""The cleaning rules' default latest date: read from the clock with the parameters."""

import datetime as dt

from customer_segmentation.pipelines.data_processing.settings import (
    CleaningRules,
    latest_possible_time,
)


def test_nothing_can_be_dated_after_the_start_of_the_day_after_tomorrow_utc():
    before = dt.datetime.now(dt.UTC).date()
    latest = latest_possible_time()
    after = dt.datetime.now(dt.UTC).date()

    assert latest.tzinfo is None  # as the lines' times
    assert latest.time() == dt.time()
    # (before and after differ only when the test runs across midnight)
    assert dt.timedelta(days=2) in {latest.date() - before, latest.date() - after}


def test_the_rules_default_to_it_and_a_given_date_or_null_wins():
    assert CleaningRules().latest_valid_date == latest_possible_time()
    given = CleaningRules.model_validate({"latest_valid_date": "2026-01-01"})
    assert given.latest_valid_date == dt.datetime(2026, 1, 1)
    off = CleaningRules.model_validate({"latest_valid_date": None})
    assert off.latest_valid_date is None
