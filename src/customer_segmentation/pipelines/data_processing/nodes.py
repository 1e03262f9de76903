"""Nodes that validate, standardise and clean raw transactions and customer attributes.

The nodes take and return Ibis tables, so the same code runs on DuckDB (the default),
Spark or a warehouse, depending on the connection the catalog gives the datasets.
"""

from __future__ import annotations

import logging
from typing import Any

import ibis
import ibis.expr.types as ir
from pydantic import BaseModel, ConfigDict, Field

logger = logging.getLogger(__name__)

TRANSACTION_COLUMNS = (
    "customer_id",
    "invoice_id",
    "invoice_date",
    "product_id",
    "quantity",
    "unit_price",
    "country",
)
CUSTOMER_KEY = "customer_id"
RETURN_RULES = ("cancellation", "non_positive_quantity")


class InputValidationError(ValueError):
    """Raised when a raw input breaks a rule; the message names dataset, column and rule."""


class TransactionsSchema(BaseModel):
    """How the raw transactions map onto the canonical columns.

    Attributes:
        dataset: Name of the raw dataset, used in error messages.
        columns: Canonical column name -> column name in the raw file.
        date_format: ``strptime`` format of ``invoice_date`` when it is text;
            ``None`` lets the engine parse ISO-8601 text.
    """

    model_config = ConfigDict(extra="forbid")

    dataset: str = "raw_transactions"
    columns: dict[str, str] = Field(
        default_factory=lambda: {name: name for name in TRANSACTION_COLUMNS}
    )
    date_format: str | None = None


class CustomersSchema(BaseModel):
    """How the raw customer attributes map onto canonical columns.

    Attributes:
        dataset: Name of the raw dataset, used in error messages.
        customer_id: Name of the customer id column in the raw file.
        numeric: Raw numeric attribute columns to keep.
        categorical: Raw categorical attribute columns to keep.
        dates: Raw date columns to keep (parsed to timestamps).
    """

    model_config = ConfigDict(extra="forbid")

    dataset: str = "raw_customers"
    customer_id: str = CUSTOMER_KEY
    numeric: list[str] = Field(default_factory=list)
    categorical: list[str] = Field(default_factory=list)
    dates: list[str] = Field(default_factory=list)


class CleaningRules(BaseModel):
    """Which rows the cleaning drops; each rule can be switched off.

    Rules are applied in the order of the fields; a row broken by several rules is
    counted once, under the first.

    Attributes:
        drop_missing_customer_id: Drop lines without a customer id (guest orders).
        cancellation_prefix: Invoice ids starting with this mark cancellations;
            ``None`` switches the rule off.
        drop_non_positive_quantity: Drop returns and adjustments (quantity <= 0).
        drop_non_positive_price: Drop free or negative-priced lines.
        drop_duplicate_lines: Drop exact repeats of a line, keeping the first.
    """

    model_config = ConfigDict(extra="forbid")

    drop_missing_customer_id: bool = True
    cancellation_prefix: str | None = "C"
    drop_non_positive_quantity: bool = True
    drop_non_positive_price: bool = True
    drop_duplicate_lines: bool = True


def _require_columns(table: ir.Table, dataset: str, columns: list[str]) -> None:
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise InputValidationError(
            f"{dataset}: required column(s) {missing} missing (rule: required "
            f"columns present); columns found: {list(table.columns)}"
        )


def _as_text_id(column: ir.Column) -> ir.Column:
    # Ids exported from spreadsheets often arrive as floats (17850.0).
    if column.type().is_floating():
        column = column.cast("int64")
    return column.cast("string").strip()


def _as_timestamp(column: ir.Column, date_format: str | None) -> ir.Column:
    if column.type().is_timestamp():
        return column
    if column.type().is_date():
        return column.cast("timestamp")
    if date_format:
        return column.as_timestamp(date_format)
    return column.try_cast("timestamp")


def _check_dates_parse(
    table: ir.Table, column: str, parsed: ir.Column, dataset: str
) -> None:
    checked = table.select(original=table[column], parsed=parsed)
    failures = checked.filter(checked.original.notnull() & checked.parsed.isnull())
    n_failed = failures.count().execute()
    if n_failed:
        examples = failures.original.cast("string").to_pyarrow(limit=3).to_pylist()
        raise InputValidationError(
            f"{dataset}: column '{column}' has {n_failed} value(s) that are not "
            f"dates (rule: dates parseable); examples: {examples}"
        )


def standardise_transactions(
    raw_transactions: ir.Table, schema: TransactionsSchema
) -> ir.Table:
    """Renames raw transaction columns to canonical names and casts their types.

    Args:
        raw_transactions: Raw transaction lines as exported.
        schema: Column mapping and date format.

    Returns:
        A table with exactly the canonical columns ``customer_id`` (string),
        ``invoice_id`` (string), ``invoice_date`` (timestamp), ``product_id``
        (string), ``quantity`` (float64), ``unit_price`` (float64) and ``country``
        (string; null when the raw file has no such column).

    Raises:
        InputValidationError: If a mapped column is missing, or dates do not parse.
    """
    mapping = dict(schema.columns)
    optional = {"country"}
    required = [mapping[name] for name in TRANSACTION_COLUMNS if name not in optional]
    _require_columns(raw_transactions, schema.dataset, required)
    table = raw_transactions
    country_source = mapping.get("country")
    country = (
        table[country_source].cast("string")
        if country_source in table.columns
        else ibis.null("string")
    )
    invoice_date = _as_timestamp(table[mapping["invoice_date"]], schema.date_format)
    _check_dates_parse(table, mapping["invoice_date"], invoice_date, schema.dataset)
    return table.select(
        customer_id=_as_text_id(table[mapping["customer_id"]]),
        invoice_id=_as_text_id(table[mapping["invoice_id"]]),
        invoice_date=invoice_date,
        product_id=_as_text_id(table[mapping["product_id"]]),
        quantity=table[mapping["quantity"]].cast("float64"),
        unit_price=table[mapping["unit_price"]].cast("float64"),
        country=country,
    )


def standardise_customers(raw_customers: ir.Table, schema: CustomersSchema) -> ir.Table:
    """Keeps the configured attribute columns of the customer table, typed.

    Args:
        raw_customers: Raw customer attributes, one row per customer.
        schema: Id column and attribute columns by kind.

    Returns:
        A table with ``customer_id`` (string) and the configured attributes: numeric
        as float64, categorical as string, dates as timestamps.

    Raises:
        InputValidationError: If a configured column is missing, dates do not parse
            or a customer id appears more than once.
    """
    table = raw_customers
    _require_columns(
        table,
        schema.dataset,
        [schema.customer_id, *schema.numeric, *schema.categorical, *schema.dates],
    )
    columns: dict[str, ir.Value] = {
        CUSTOMER_KEY: _as_text_id(table[schema.customer_id])
    }
    columns |= {name: table[name].cast("float64") for name in schema.numeric}
    columns |= {name: table[name].cast("string") for name in schema.categorical}
    for name in schema.dates:
        parsed = _as_timestamp(table[name], None)
        _check_dates_parse(table, name, parsed, schema.dataset)
        columns[name] = parsed
    customers = table.select(**columns)
    repeated = (
        customers.group_by(CUSTOMER_KEY)
        .agg(n=customers.count())
        .filter(lambda grouped: grouped.n > 1)
    )
    n_repeated = repeated.count().execute()
    if n_repeated:
        examples = repeated[CUSTOMER_KEY].to_pyarrow(limit=3).to_pylist()
        raise InputValidationError(
            f"{schema.dataset}: column '{schema.customer_id}' has {n_repeated} "
            f"id(s) on more than one row (rule: one row per customer); "
            f"examples: {examples}"
        )
    return customers


def _drop_reason(table: ir.Table, rules: CleaningRules) -> ir.Value:
    cases: list[tuple[ir.BooleanValue, str]] = []
    if rules.drop_missing_customer_id:
        cases.append(
            (
                table.customer_id.isnull() | (table.customer_id == ""),
                "missing_customer_id",
            )
        )
    if rules.cancellation_prefix:
        cases.append(
            (table.invoice_id.startswith(rules.cancellation_prefix), "cancellation")
        )
    if rules.drop_non_positive_quantity:
        cases.append((table.quantity <= 0, "non_positive_quantity"))
    if rules.drop_non_positive_price:
        cases.append((table.unit_price <= 0, "non_positive_price"))
    if rules.drop_duplicate_lines:
        occurrence = ibis.row_number().over(group_by=list(TRANSACTION_COLUMNS))
        cases.append((occurrence > 0, "duplicate_line"))
    if not cases:
        return ibis.null("string")
    return ibis.cases(*cases, else_=ibis.null("string"))


def flag_transactions(
    transactions: ir.Table, cleaning_rules: CleaningRules
) -> ir.Table:
    """Marks each transaction line with the first cleaning rule it breaks.

    Args:
        transactions: Standardised transaction lines.
        cleaning_rules: Which rules apply.

    Returns:
        The same lines with a ``drop_reason`` column: the rule's name, or null for
        lines that survive cleaning.
    """
    return transactions.mutate(drop_reason=_drop_reason(transactions, cleaning_rules))


def select_clean_transactions(flagged_transactions: ir.Table) -> ir.Table:
    """Keeps the lines no cleaning rule dropped.

    Args:
        flagged_transactions: Output of :func:`flag_transactions`.

    Returns:
        The surviving lines, without the ``drop_reason`` column.
    """
    kept = flagged_transactions.filter(flagged_transactions.drop_reason.isnull())
    return kept.drop("drop_reason")


def select_returned_transactions(flagged_transactions: ir.Table) -> ir.Table:
    """Keeps the cancelled and returned lines of identified customers.

    They are dropped from the purchases but still tell how often a customer returns
    goods, which the ``return_rate`` feature needs.

    Args:
        flagged_transactions: Output of :func:`flag_transactions`.

    Returns:
        The cancellation and non-positive-quantity lines, without ``drop_reason``.
    """
    returned = flagged_transactions.filter(
        flagged_transactions.drop_reason.isin(RETURN_RULES)
    )
    return returned.drop("drop_reason")


def summarise_data_quality(
    flagged_transactions: ir.Table, clean_transactions: ir.Table
) -> dict[str, Any]:
    """Accounts for every input row: rows in, rows dropped per rule, rows out.

    Args:
        flagged_transactions: Output of :func:`flag_transactions`.
        clean_transactions: Output of :func:`select_clean_transactions`.

    Returns:
        A JSON-ready report with ``rows_in``, ``rows_dropped`` (per rule),
        ``rows_out``, ``customers_out`` and ``invoices_out``.

    Raises:
        ValueError: If rows in differs from rows dropped plus rows out.
    """
    counts = (
        flagged_transactions.group_by("drop_reason")
        .agg(rows=flagged_transactions.count())
        .to_pyarrow()
        .to_pylist()
    )
    dropped = {
        row["drop_reason"]: int(row["rows"])
        for row in sorted(counts, key=lambda row: str(row["drop_reason"]))
        if row["drop_reason"] is not None
    }
    rows_in = int(flagged_transactions.count().execute())
    rows_out = int(clean_transactions.count().execute())
    if rows_in != sum(dropped.values()) + rows_out:
        raise ValueError(
            f"data quality accounting broken: rows_in={rows_in} != "
            f"dropped={sum(dropped.values())} + rows_out={rows_out}"
        )
    report = {
        "dataset": "transactions",
        "rows_in": rows_in,
        "rows_dropped": dropped,
        "rows_out": rows_out,
        "customers_out": int(clean_transactions.customer_id.nunique().execute()),
        "invoices_out": int(clean_transactions.invoice_id.nunique().execute()),
    }
    logger.info(
        "Cleaning kept %d of %d transaction lines; dropped %s",
        rows_out,
        rows_in,
        dropped,
    )
    return report
