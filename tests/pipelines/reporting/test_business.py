"""Business figures: data period, monthly revenue per segment, key figures, grid, breakdowns."""

import ibis
import pandas as pd
import pytest

from customer_segmentation.pipelines.feature_engineering.orders import (
    aggregate_customer_orders,
)
from customer_segmentation.pipelines.feature_engineering.settings import FeatureSettings
from customer_segmentation.pipelines.reporting.business import (
    key_figures,
    rfm_grid,
    segment_breakdown,
    summarise_transactions,
)
from customer_segmentation.pipelines.reporting.settings import RfmSettings

LINES = pd.DataFrame(
    {
        "customer_id": ["a", "a", "b", "c"],
        "invoice_id": ["1", "2", "3", "4"],
        "invoice_date": pd.to_datetime(
            ["2025-01-03", "2025-02-10", "2025-02-20", "2025-02-21"]
        ),
        "product_id": ["p", "p", "q", "q"],
        "quantity": [2.0, 1.0, 3.0, 1.0],
        "unit_price": [10.0, 5.0, 1.0, 4.0],
        "line_total": [20.0, 5.0, 3.0, 4.0],
        "country": ["UK"] * 4,
    }
)


def _orders(lines: pd.DataFrame) -> ibis.Table:
    return aggregate_customer_orders(ibis.memtable(lines))


SEGMENTS = pd.DataFrame({"customer_id": ["a", "b", "c"], "segment_id": [0, 1, 1]})
FEATURES = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c"],
        "recency_days": [10, 20, 30],
        "frequency": [2, 1, 1],
        "monetary": [25.0, 3.0, 4.0],
        "country": ["UK", None, "FR"],
    }
)


def test_monthly_revenue_is_summed_per_segment_and_calendar_month():
    period, monthly = summarise_transactions(
        _orders(LINES), SEGMENTS, FeatureSettings(), "transactions"
    )

    table = monthly.set_index(["segment_id", "month"])["revenue"]
    assert table[(0, pd.Timestamp("2025-01-01"))] == 20.0
    assert table[(0, pd.Timestamp("2025-02-01"))] == 5.0
    assert table[(1, pd.Timestamp("2025-02-01"))] == 7.0
    assert monthly.loc[monthly["segment_id"] == 1, "n_customers"].tolist() == [2]
    assert period == {
        "first_transaction": "2025-01-03",
        "last_transaction": "2025-02-21",
        "reference_date": "2025-02-22",
        "n_months": 2,
    }


def test_monthly_orders_count_each_invoice_once_and_customers_once():
    lines = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "c"],
            "invoice_id": ["1", "1", "2", "3", "4"],
            "invoice_date": pd.to_datetime(["2025-01-03"] * 3 + ["2025-01-20"] * 2),
            "line_total": [20.0, 1.0, 5.0, 3.0, 4.0],
            "country": ["UK"] * 5,
        }
    )
    segments = pd.DataFrame({"customer_id": ["a", "b", "c"], "segment_id": [0, 0, 1]})

    _, monthly = summarise_transactions(
        _orders(lines), segments, FeatureSettings(), "transactions"
    )

    first = monthly[monthly["segment_id"] == 0].iloc[0]
    assert (first["revenue"], first["n_orders"], first["n_customers"]) == (29.0, 3, 2)
    assert monthly["n_orders"].tolist() == [3, 1]


def test_set_reference_date_is_reported():
    period, _ = summarise_transactions(
        _orders(LINES),
        SEGMENTS,
        FeatureSettings(reference_date="2025-03-01"),
        "transactions",
    )

    assert period["reference_date"] == "2025-03-01"


def test_attribute_only_data_has_no_period_and_no_monthly_revenue():
    period, monthly = summarise_transactions(
        ibis.memtable(LINES.head(0)), SEGMENTS, FeatureSettings(), "attributes"
    )

    assert period["first_transaction"] is None
    assert monthly.empty


def test_key_figures_give_revenue_order_value_and_repeat_rate():
    figures = key_figures(FEATURES, RfmSettings())

    assert figures["revenue"] == 32.0
    assert figures["n_orders"] == 4
    assert figures["average_order_value"] == 8.0
    assert figures["repeat_rate"] == pytest.approx(1 / 3)


def test_key_figures_of_attribute_only_data_count_customers_only():
    assert key_figures(FEATURES[["customer_id", "country"]], RfmSettings()) == {
        "n_customers": 3
    }


def test_rfm_grid_has_every_cell_with_counts_and_revenue():
    scores = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "recency_score": pd.array([5, 1, 1], "Int64"),
            "frequency_score": pd.array([5, 1, 1], "Int64"),
        }
    )

    grid = rfm_grid(scores, FEATURES, RfmSettings(n_bins=5)).set_index(
        ["recency_score", "frequency_score"]
    )

    assert len(grid) == 25
    assert grid.loc[(1, 1), "n_customers"] == 2
    assert grid.loc[(1, 1), "revenue"] == 7.0
    assert grid.loc[(3, 3), "n_customers"] == 0


def test_rfm_grid_is_the_same_whatever_the_order_of_the_scores():
    scores = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "recency_score": pd.array([5, 1, pd.NA], "Int64"),
            "frequency_score": pd.array([5, 1, 1], "Int64"),
        }
    )
    settings = RfmSettings(n_bins=5)

    pd.testing.assert_frame_equal(
        rfm_grid(scores, FEATURES, settings),
        rfm_grid(scores.iloc[[2, 1, 0]], FEATURES, settings),
    )
    assert rfm_grid(scores, FEATURES, settings)["n_customers"].sum() == 2


def test_breakdown_counts_missing_values_as_unknown():
    shares = segment_breakdown(FEATURES, SEGMENTS, "country", max_levels=5)

    assert shares.loc[1, "unknown"] == 0.5
    assert shares.loc[1, "FR"] == 0.5
    assert shares.loc[0, "UK"] == 1.0
