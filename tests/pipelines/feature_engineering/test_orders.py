"""The customers' orders and the three summaries that read them, on tiny in-memory tables."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from customer_segmentation.pipelines.customer_value.inputs import aggregate_purchases
from customer_segmentation.pipelines.feature_engineering.nodes import (
    compute_customer_features,
)
from customer_segmentation.pipelines.feature_engineering.orders import (
    ORDER_COLUMNS,
    aggregate_customer_orders,
)
from customer_segmentation.pipelines.feature_engineering.settings import FeatureSettings
from customer_segmentation.pipelines.reporting.business import summarise_transactions

# Each test runs on DuckDB and on Spark (tests/engines.py).
pytestmark = pytest.mark.usefixtures("engine")

REFERENCE = pd.Timestamp("2025-02-02")


def _lines(invoice_ids: list[str | None]) -> ibis.Table:
    # a: invoice 1 has two lines at 23:00 on 30 January and one at 00:30 the next
    # day (one purchase on two days), invoice 2 is on 1 February; b: one line.
    return ibis.memtable(
        pd.DataFrame(
            {
                "customer_id": ["a", "a", "a", "a", "b"],
                "invoice_id": pd.Series(invoice_ids, dtype="string"),
                "invoice_date": pd.to_datetime(
                    [
                        "2025-01-30 23:00",
                        "2025-01-30 23:00",
                        "2025-01-31 00:30",
                        "2025-02-01 10:00",
                        "2025-01-15 12:00",
                    ]
                ),
                "product_id": ["p", "q", "p", "r", "p"],
                "line_total": [10.0, 5.0, 2.0, 7.0, 3.0],
                "country": ["UK"] * 5,
            }
        )
    )


def _orders(lines: ibis.Table) -> pd.DataFrame:
    orders = aggregate_customer_orders(lines).to_pandas()
    return orders.sort_values(["customer_id", "purchase_day"], ignore_index=True)


def test_orders_sum_the_lines_of_each_purchase_and_day():
    orders = _orders(_lines(["1", "1", "1", "2", "3"]))

    assert list(orders.columns) == list(ORDER_COLUMNS)
    assert orders["purchase"].tolist() == ["1", "1", "2", "3"]
    assert orders["purchase_day"].tolist() == list(
        pd.to_datetime(["2025-01-30", "2025-01-31", "2025-02-01", "2025-01-15"])
    )
    assert orders["revenue"].tolist() == [15.0, 2.0, 7.0, 3.0]
    assert orders["lines"].tolist() == [2, 1, 1, 1]


def test_without_invoice_ids_a_purchase_is_the_customers_day():
    orders = _orders(_lines([None] * 5))

    assert orders["purchase"].tolist() == [
        "2025-01-30",
        "2025-01-31",
        "2025-02-01",
        "2025-01-15",
    ]
    assert orders["revenue"].tolist() == [15.0, 2.0, 7.0, 3.0]


def test_a_purchase_on_two_days_is_one_purchase_but_two_purchase_days():
    lines = _lines(["1", "1", "1", "2", "3"])
    orders = aggregate_customer_orders(lines)
    no_lines = lines.filter(ibis.literal(False))
    no_customers = ibis.memtable(
        pd.DataFrame({"customer_id": ["x"], "drop_reason": ["outlier"]})
    )

    features = compute_customer_features(
        orders, lines, no_lines, no_customers, REFERENCE, input_kind="transactions"
    ).to_pandas()
    days = aggregate_purchases(orders, lines, REFERENCE).to_pandas()
    _, monthly = summarise_transactions(
        orders,
        pd.DataFrame({"customer_id": ["a", "b"], "segment_id": [0, 1]}),
        FeatureSettings(),
        "transactions",
    )

    a = features.set_index("customer_id").loc["a"]
    assert (a["frequency"], a["monetary"], a["distinct_products"]) == (2, 24.0, 3)
    assert days.set_index("customer_id").loc["a", "purchase_days"] == 3
    # January holds invoice 1 once (its two days), February invoice 2.
    assert monthly[monthly["segment_id"] == 0]["n_orders"].tolist() == [1, 1]
    assert monthly[monthly["segment_id"] == 0]["revenue"].tolist() == [17.0, 7.0]
