"""What DuckDB runs for the flagging query (one engine: a query plan is DuckDB's)."""

from __future__ import annotations

import ibis
import pandas as pd

from customer_segmentation.pipelines.data_processing.nodes import (
    flag_transactions,
    standardise_transactions,
)
from customer_segmentation.pipelines.data_processing.settings import (
    CleaningRules,
    TransactionsSchema,
)


def test_flag_transactions_tests_missing_value_tokens_without_a_join():
    # DuckDB plans an IN list of constants as a join run on every line.
    connection = ibis.duckdb.connect()
    raw = connection.create_table(
        "raw_transactions",
        pd.DataFrame(
            {
                "customer_id": [1.0, 1.0, None, 2.0],
                "invoice_id": ["100", "C101", "102", "103"],
                "invoice_date": ["2025-01-01 10:00:00"] * 4,
                "product_id": ["A", "A", "B", "B"],
                "quantity": [2, -2, 1, 3],
                "unit_price": [1.5, 1.5, 2.0, 2.0],
                "country": ["UK"] * 4,
            }
        ),
    )
    flagged = flag_transactions(
        standardise_transactions(raw, TransactionsSchema(), "both"), CleaningRules()
    )

    plan = connection.raw_sql(f"EXPLAIN {ibis.to_sql(flagged)}").fetchall()

    assert "join" not in str(plan).lower()
