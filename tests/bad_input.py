"""Helpers of the bad-input matrix: tiny exports, and the path a counted rule must take."""

from __future__ import annotations

import ibis
import pandas as pd

from customer_segmentation.pipelines.data_processing.nodes import (
    CleaningRules,
    CustomerCleaningRules,
    CustomersSchema,
    TransactionsSchema,
    flag_customers,
    select_clean_customers,
    select_clean_transactions,
    standardise_customers,
    standardise_transactions,
    summarise_data_quality,
)
from customer_segmentation.pipelines.data_processing.settings import ReadingChecks
from tests.flagging import flag_every_rule


def lines(**overrides: list) -> pd.DataFrame:
    """Two clean transaction lines of two customers, with columns overridden."""
    frame = {
        "customer_id": [1.0, 2.0],
        "invoice_id": ["100", "101"],
        "invoice_date": ["2025-01-01 10:00:00", "2025-01-02 10:00:00"],
        "product_id": ["A", "B"],
        "quantity": [2.0, 1.0],
        "unit_price": [1.5, 2.0],
        "country": ["UK", "UK"],
    }
    frame.update(overrides)
    return pd.DataFrame(frame)


def invoices(n: int, **overrides: list) -> pd.DataFrame:
    """n clean one-line invoices of n customers (ids "0", "1", ...), columns overridden."""
    ids = [str(i) for i in range(n)]
    columns = {
        "customer_id": ids,
        "invoice_id": ids,
        "invoice_date": ["2025-01-01"] * n,
        "product_id": ["A"] * n,
        "quantity": [1.0] * n,
        "unit_price": [1.0] * n,
        "country": ["UK"] * n,
    }
    return lines(**(columns | overrides))


def sign_ups(n: int, placeholders: int = 0, first: str = "2023-01-01") -> ibis.Table:
    """Standardised attributes of n customers signed up a day apart from ``first``.

    Every 120th row from the first, ``placeholders`` of them, signed up on
    1900-01-01 instead.
    """
    days = pd.date_range(first, periods=n, freq="D").strftime("%Y-%m-%d")
    dates = [
        "1900-01-01" if i % 120 == 0 and i // 120 < placeholders else day
        for i, day in enumerate(days)
    ]
    frame = pd.DataFrame({"customer_id": [str(i) for i in range(n)]})
    frame["signup_date"] = dates
    return attributes(frame, dates=["signup_date"])


def standardise(
    raw: pd.DataFrame | ibis.Table, schema: TransactionsSchema | None = None
) -> ibis.Table:
    """Standardises raw lines (a frame as a pandas dataset gives it, or a table)."""
    return standardise_transactions(raw, schema or TransactionsSchema(), "transactions")


def attributes(frame: pd.DataFrame, **schema: object) -> ibis.Table:
    """Standardises an attribute-only export."""
    return standardise_customers(frame, CustomersSchema(**schema), "attributes")


def _report(
    transactions: ibis.Table,
    customers: ibis.Table,
    input_kind: str,
    *,
    rules: CleaningRules | None = None,
    customer_rules: CustomerCleaningRules | None = None,
    checks: ReadingChecks | None = None,
) -> dict:
    """The data-quality report of standardised lines and attributes, as the pipeline makes it."""
    flagged_lines = flag_every_rule(transactions, rules or CleaningRules())
    flagged = flag_customers(customers, customer_rules or CustomerCleaningRules())
    return summarise_data_quality(
        flagged_lines,
        select_clean_transactions(flagged_lines),
        flagged,
        select_clean_customers(flagged),
        input_kind,
        reading_checks=checks or ReadingChecks(),
    )


def transaction_report(
    transactions: ibis.Table,
    rules: CleaningRules | None = None,
    checks: ReadingChecks | None = None,
) -> dict:
    """The data-quality report of standardised lines, transactions only."""
    no_customers = standardise_customers(None, CustomersSchema(), "transactions")
    return _report(
        transactions, no_customers, "transactions", rules=rules, checks=checks
    )


def attribute_report(
    customers: ibis.Table,
    rules: CustomerCleaningRules | None = None,
    checks: ReadingChecks | None = None,
) -> dict:
    """The data-quality report of standardised attributes, attributes only."""
    no_lines = standardise_transactions(None, TransactionsSchema(), "attributes")
    return _report(
        no_lines, customers, "attributes", customer_rules=rules, checks=checks
    )


def both_report(lines: pd.DataFrame, customers: pd.DataFrame, **schema: object) -> dict:
    """The data-quality report of transaction lines and attributes read together."""
    return _report(
        standardise_transactions(lines, TransactionsSchema(), "both"),
        standardise_customers(customers, CustomersSchema(**schema), "both"),
        "both",
    )


def assert_counted(
    report: dict, rule: str, count: int, examples: list[str] | None = None
) -> None:
    """Asserts a rule dropped ``count`` rows, with examples, and every row is accounted for."""
    assert report["rows_dropped"].get(rule) == count, report["rows_dropped"]
    assert (
        report["rows_in"] == sum(report["rows_dropped"].values()) + report["rows_out"]
    )
    if examples is not None:
        assert report["examples"].get(rule) == examples, report["examples"]
