"""Unit tests of the purchase summaries on tiny in-memory tables."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from customer_segmentation.pipelines.customer_value.inputs import (
    aggregate_purchases,
    split_history,
    summarise_history,
    summarise_purchases,
)
from customer_segmentation.pipelines.feature_engineering.orders import (
    aggregate_customer_orders,
)


def _lines() -> ibis.Table:
    # a: two invoices on 1 January (one purchase day), then 8 and 22 January;
    # b: one purchase; c: not a listed customer; a's 5 February line is after
    # the observation end.
    return ibis.memtable(
        pd.DataFrame(
            {
                "customer_id": ["a", "a", "a", "a", "a", "b", "c", "a"],
                "invoice_id": ["1", "1", "2", "3", "4", "5", "6", "7"],
                "invoice_date": pd.to_datetime(
                    [
                        "2025-01-01 09:00",
                        "2025-01-01 09:00",
                        "2025-01-01 15:00",
                        "2025-01-08 10:00",
                        "2025-01-22 23:59",
                        "2025-01-20 12:00",
                        "2025-01-03 12:00",
                        "2025-02-05 12:00",
                    ]
                ),
                "line_total": [10.0, 10.0, 20.0, 30.0, 50.0, 7.0, 9.0, 100.0],
                "country": ["UK"] * 8,
            }
        )
    )


def _orders() -> ibis.Table:
    return aggregate_customer_orders(_lines())


def _customers() -> ibis.Table:
    return ibis.memtable(pd.DataFrame({"customer_id": ["a", "b"]}))


OBSERVATION_END = pd.Timestamp("2025-01-29 18:00")


def _summary_at(observation_end: pd.Timestamp, time_unit: str = "days") -> pd.DataFrame:
    summary = summarise_purchases(_orders(), _customers(), observation_end, time_unit)
    return summary.to_pandas().set_index("customer_id")


def _summary(time_unit: str = "days") -> pd.DataFrame:
    return _summary_at(OBSERVATION_END, time_unit)


def test_repeat_purchases_count_purchase_days_after_the_first():
    summary = _summary()

    assert summary.loc["a", "frequency"] == 2
    assert summary.loc["b", "frequency"] == 0


def test_recency_and_t_run_from_the_first_purchase_day():
    summary = _summary()

    assert summary.loc["a", "recency"] == pytest.approx(21.0)
    assert summary.loc["a", "T"] == pytest.approx(28.0)
    assert summary.loc["b", "recency"] == pytest.approx(0.0)
    assert summary.loc["b", "T"] == pytest.approx(9.0)


def test_monetary_value_is_the_mean_spend_of_the_repeat_days():
    summary = _summary()

    # 8 January: 30; 22 January: 50. The first day's 40 is left out.
    assert summary.loc["a", "monetary_value"] == pytest.approx(40.0)
    assert summary.loc["b", "monetary_value"] == pytest.approx(0.0)


def test_only_listed_customers_are_summarised():
    assert sorted(_summary().index) == ["a", "b"]


def test_weeks_divide_the_days_by_seven():
    summary = _summary("weeks")

    assert summary.loc["a", "T"] == pytest.approx(4.0)
    assert summary.loc["a", "recency"] == pytest.approx(3.0)


def _split(calibration_end: str) -> pd.DataFrame:
    history = aggregate_purchases(
        _orders(), _customers(), OBSERVATION_END, pd.Timestamp(calibration_end)
    )
    split = split_history(
        history, pd.Timestamp(calibration_end), OBSERVATION_END, "days"
    )
    return split.to_pandas().set_index("customer_id")


def test_holdout_purchases_count_days_after_the_calibration_end():
    split = _split("2025-01-10")

    # a: 1 and 8 January in the calibration period, 22 January after it; b
    # first bought after it, so it is not in the split.
    assert list(split.index) == ["a"]
    assert split.loc["a", "frequency"] == 1
    assert split.loc["a", "holdout_purchases"] == 1
    assert split.loc["a", "holdout_length"] == pytest.approx(19.0)


def test_the_calibration_summary_is_the_summary_at_the_calibration_end():
    for end in ("2025-01-01", "2025-01-08", "2025-01-21", "2025-01-22"):
        split = _split(end)
        at_end = _summary_at(pd.Timestamp(end))

        pd.testing.assert_frame_equal(split[at_end.columns], at_end)


def test_the_history_summary_is_the_summary_from_the_lines():
    history = aggregate_purchases(
        _orders(), _customers(), OBSERVATION_END, pd.Timestamp("2025-01-10")
    )

    from_history = summarise_history(history, OBSERVATION_END, "weeks").to_pandas()
    from_lines = summarise_purchases(
        _orders(), _customers(), OBSERVATION_END, "weeks"
    ).to_pandas()
    pd.testing.assert_frame_equal(from_history, from_lines)


def test_stored_summary_columns_are_floats_on_every_engine(engine, tmp_path):
    # Spark SQL reads `days / 7.0` as a decimal division: the stored file would hold
    # decimals, which pandas reads as objects and the models refuse.
    summary = summarise_purchases(
        _orders(), _customers(), pd.Timestamp("2025-01-29 18:00"), "weeks"
    )
    summary.to_parquet(tmp_path / "summary.parquet")
    stored = pd.read_parquet(tmp_path / "summary.parquet").set_index("customer_id")

    assert stored["recency"].dtype == "float64"
    assert stored["T"].dtype == "float64"
    assert stored.loc["a", "T"] == pytest.approx(4.0)


def test_stored_calibration_split_is_the_same_on_every_engine(engine, tmp_path):
    # The split's conditional aggregates (a maximum, a count and a sum over the
    # days up to the calibration end) are compiled by each engine's SQL.
    end = pd.Timestamp("2025-01-10")
    history = aggregate_purchases(_orders(), _customers(), OBSERVATION_END, end)
    split_history(history, end, OBSERVATION_END, "weeks").to_parquet(
        tmp_path / "split.parquet"
    )
    stored = pd.read_parquet(tmp_path / "split.parquet").set_index("customer_id")

    assert list(stored.index) == ["a"]
    assert stored["holdout_purchases"].dtype == "int64"
    assert stored["holdout_length"].dtype == "float64"
    assert stored.loc["a", "frequency"] == 1
    assert stored.loc["a", "recency"] == pytest.approx(1.0)
    assert stored.loc["a", "T"] == pytest.approx(9 / 7)
    # 8 January's 30; the first day's 40 is left out.
    assert stored.loc["a", "monetary_value"] == pytest.approx(30.0)
    assert stored.loc["a", "holdout_purchases"] == 1
    assert stored.loc["a", "holdout_length"] == pytest.approx(19 / 7)
