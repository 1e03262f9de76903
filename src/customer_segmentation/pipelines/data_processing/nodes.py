"""Nodes of the data processing pipeline: transaction lines here, attributes in :mod:`.customers`.

One input contract serves training, batch inference and the API: whatever dataset
loaded the input (an Ibis table, or a pandas frame from CSV with any separator,
Excel or parquet), every column goes through the missing-value tokens and typed
"try" casts of :mod:`.reading`, ids through :mod:`.ids`, and every value that
cannot be used is a counted rule (:mod:`.rules` and, for copies of a line,
:mod:`.duplicates`; reported by :mod:`.accounting`) or a named error.
Transaction nodes take and return Ibis tables, so the same code runs on DuckDB
(the default), Spark or a warehouse.
"""

from __future__ import annotations

import logging

import ibis
import ibis.expr.types as ir
import pandas as pd

from .accounting import check_input_kind, needs, summarise_data_quality
from .customers import (
    flag_customers,
    flag_customers_to_score,
    select_clean_customers,
    standardise_customers,
)
from .duplicates import line_key, repeated_lines, with_duplicate_lines
from .errors import (
    InputValidationError,
    columns_found,
    ids_present_check,
    not_empty_check,
    require_one_meaning_per_column,
    run_checks,
)
from .ids import read_ids
from .reading import (
    ReadProblems,
    as_table,
    empty_table,
    with_parsed_values,
    with_present_values,
)
from .rules import LINE_KEY, first_broken, transaction_cases, without_flags
from .settings import (
    INPUT_KINDS,
    TRANSACTION_COLUMNS,
    TRANSACTION_TYPES,
    CleaningRules,
    CustomerCleaningRules,
    CustomersSchema,
    InputKind,
    OutlierRule,
    TransactionsSchema,
    attribute_mapping,
)

__all__ = [
    "INPUT_KINDS",
    "TRANSACTION_COLUMNS",
    "CleaningRules",
    "CustomerCleaningRules",
    "CustomersSchema",
    "InputKind",
    "InputValidationError",
    "OutlierRule",
    "TransactionsSchema",
    "attribute_mapping",
    "check_input_kind",
    "find_repeated_lines",
    "flag_customers",
    "flag_customers_to_score",
    "flag_duplicate_lines",
    "flag_transactions",
    "select_clean_customers",
    "select_clean_transactions",
    "select_returned_transactions",
    "standardise_customers",
    "standardise_transactions",
    "summarise_data_quality",
]

logger = logging.getLogger(__name__)

RETURN_RULES = ("cancellation", "non_positive_quantity")
ID_COLUMNS = ("customer_id", "invoice_id", "product_id")


def transaction_sources(
    schema: TransactionsSchema, available: list[str]
) -> dict[str, str | None]:
    """Which raw column feeds each canonical transaction column.

    Args:
        schema: The column mapping.
        available: Columns of the raw table.

    Returns:
        Canonical name -> raw column, or ``None`` when the input has no such
        column (a mapped ``None``, or a name left out and not in the table).

    Raises:
        InputValidationError: If a required column is missing: ``customer_id``,
            ``invoice_date``, the value column (``line_total`` when mapped or
            present, else ``unit_price``) and, with ``unit_price``, ``quantity``.
    """
    mapping = schema.columns
    value = next(
        (name for name in ("line_total", "unit_price") if mapping.get(name)),
        "line_total" if "line_total" in available else "unit_price",
    )
    required = ["customer_id", "invoice_date", value]
    if value == "unit_price":
        required.append("quantity")
    # A required or renamed column must exist; an optional one under its own name
    # may be absent.
    sources = {
        name: mapping.get(name, name)
        if name in required or name in available or mapping.get(name, name) != name
        else None
        for name in TRANSACTION_COLUMNS
    }
    sources[({"unit_price", "line_total"} - {value}).pop()] = None
    absent = [f"{name} (mapped to null)" for name in required if not sources[name]]
    missing = [
        source for source in sources.values() if source and source not in available
    ]
    if absent or missing:
        raise InputValidationError(
            f"{schema.dataset}: required column(s) {absent + missing} missing (rule: "
            f"required columns present); {columns_found(available)}"
        )
    require_one_meaning_per_column(
        schema.dataset, sources, "transactions_schema.columns"
    )
    return sources


def standardise_transactions(
    raw_transactions: ir.Table | pd.DataFrame | None,
    schema: TransactionsSchema,
    input_kind: InputKind,
) -> ir.Table:
    """Reads raw transaction lines by the input contract, under canonical names and types.

    Args:
        raw_transactions: Raw lines from any table dataset (Ibis table or pandas
            frame); ``None`` when the environment declares them absent.
        schema: Column mapping, date format and missing-value tokens.
        input_kind: ``transactions``, ``attributes`` or ``both``; with
            ``attributes`` the raw lines are not read.

    Returns:
        A table with the canonical columns ``customer_id``, ``invoice_id``,
        ``invoice_date``, ``product_id``, ``quantity``, ``unit_price``,
        ``line_total`` (quantity x unit price, or the file's line total) and
        ``country`` (null where the input has no such column), plus
        ``read_problem`` (the first reading rule a line breaks: ``missing_<col>``,
        ``unparseable_<col>``, ``out_of_range_invoice_date``), its raw value
        ``read_problem_value``, and ``id_normalised``. Empty when ``input_kind``
        is ``attributes``.

    Raises:
        InputValidationError: If the input is needed but absent or empty, a
            required column is missing, a number is infinite, an id is a fractional
            number or every customer id is missing.
    """
    if not needs(input_kind, "transactions"):
        logger.info("input_kind=%s: no transactions are read", input_kind)
        return empty_table(TRANSACTION_TYPES)
    if raw_transactions is None:
        raise InputValidationError(
            f"{schema.dataset}: input_kind={input_kind!r} needs transactions but "
            "the catalog declares them absent (rule: input present)"
        )
    dataset, tokens = schema.dataset, schema.missing_values
    table = as_table(raw_transactions, dataset)
    sources = transaction_sources(schema, list(table.columns))
    numbers = ("quantity", "unit_price", "line_total")
    values = ("invoice_date", *numbers, "country")
    table = with_present_values(
        table, [sources[name] for name in values if sources[name]], tokens
    )
    table = with_parsed_values(
        table,
        [sources[name] for name in numbers if sources[name]],
        [sources["invoice_date"]],
        schema.date_format,
    )
    read = read_ids(
        table,
        {name: sources[name] for name in ID_COLUMNS if sources[name]},
        dataset,
        tokens,
    )
    table = read.table
    customer_id = read.ids["customer_id"]
    checks = [
        not_empty_check(table, dataset),
        *read.checks["customer_id"],
        ids_present_check(customer_id, dataset, sources["customer_id"]),
    ]
    problems = ReadProblems(table, dataset, tokens)
    columns: dict[str, ir.Value] = {"customer_id": customer_id}
    for name in ID_COLUMNS[1:]:
        if sources[name] is None:
            columns[name] = ibis.null("string")
            continue
        columns[name] = read.ids[name]
        checks.extend(read.checks[name])
        if name == "invoice_id":
            problems.missing(name, columns[name])
    columns["invoice_date"] = problems.timestamp(
        "invoice_date", sources["invoice_date"], schema.date_format, required=True
    )
    # With line totals the quantity is optional, also line by line.
    for name in numbers:
        required = name != "quantity" or bool(sources["unit_price"])
        columns[name] = (
            problems.number(name, sources[name], required=required)
            if sources[name]
            else ibis.null("float64")
        )
    if sources["unit_price"]:
        columns["line_total"] = columns["quantity"] * columns["unit_price"]
    columns["country"] = (
        problems.present(sources["country"]).cast("string")
        if sources["country"]
        else ibis.null("string")
    )
    # Every named-error rule of the raw lines in one scan, errors in rule order.
    run_checks(table, checks + problems.checks, dataset)
    canonical = {name: columns[name] for name in TRANSACTION_COLUMNS}
    return table.select(
        **canonical, **problems.columns(), id_normalised=read.changed["customer_id"]
    )


def flag_transactions(
    transactions: ir.Table, cleaning_rules: CleaningRules
) -> ir.Table:
    """Marks each transaction line with the first rule it breaks, but the duplicate-line rule.

    The lines are written once, each with its ``line_key``; the copies are found
    from the written lines (:func:`find_repeated_lines`,
    :func:`flag_duplicate_lines`), not by grouping every line before any is
    written.

    Args:
        transactions: Standardised transaction lines.
        cleaning_rules: Which rules apply, with their bounds.

    Returns:
        The same lines with ``drop_reason`` (the rule's name, or null for lines
        that survive those rules), ``drop_value`` (the offending value as text)
        and ``line_key`` (see :func:`.duplicates.line_key`; null for every line
        when duplicate lines are kept).
    """
    flagged = transactions.mutate(
        **first_broken(transaction_cases(transactions, cleaning_rules))
    )
    key = (
        line_key(flagged) if cleaning_rules.drop_duplicate_lines else ibis.null("int64")
    )
    return flagged.mutate(**{LINE_KEY: key})


def find_repeated_lines(
    keyed_transactions: ir.Table, cleaning_rules: CleaningRules
) -> ir.Table:
    """Finds the lines that have copies, and flags the copies ``duplicate_line``.

    A ``duplicate_line`` is a copy of a line that passes every other rule: same
    canonical columns, read the same way. The first of identical lines is kept.

    Args:
        keyed_transactions: Output of :func:`flag_transactions`.
        cleaning_rules: Whether duplicate lines are dropped.

    Returns:
        The lines whose ``line_key`` another line has, flagged (see
        :func:`.duplicates.repeated_lines`); none when duplicate lines are kept.
    """
    if not cleaning_rules.drop_duplicate_lines:
        return keyed_transactions.filter(ibis.literal(False))
    return repeated_lines(keyed_transactions)


def flag_duplicate_lines(
    keyed_transactions: ir.Table,
    repeated_transactions: ir.Table,
    cleaning_rules: CleaningRules,
) -> ir.Table:
    """Every transaction line with the first rule it breaks, duplicate lines included.

    Args:
        keyed_transactions: Output of :func:`flag_transactions`.
        repeated_transactions: Output of :func:`find_repeated_lines`.
        cleaning_rules: Whether duplicate lines are dropped.

    Returns:
        The lines with ``drop_reason`` and ``drop_value``, without ``line_key``:
        the lines of ``keyed_transactions`` whose key does not repeat, and the
        repeated lines (see :func:`.duplicates.with_duplicate_lines`).
    """
    if not cleaning_rules.drop_duplicate_lines:
        return keyed_transactions.drop(LINE_KEY)
    return with_duplicate_lines(keyed_transactions, repeated_transactions)


def select_clean_transactions(flagged_transactions: ir.Table) -> ir.Table:
    """Keeps the lines no rule dropped.

    Args:
        flagged_transactions: Output of :func:`flag_transactions`.

    Returns:
        The surviving lines, with the canonical columns only.
    """
    kept = flagged_transactions.filter(flagged_transactions.drop_reason.isnull())
    return without_flags(kept)


def select_returned_transactions(flagged_transactions: ir.Table) -> ir.Table:
    """Keeps the cancelled and returned lines of identified customers.

    They are dropped from the purchases but still tell how often a customer returns
    goods, which the ``return_rate`` feature needs.

    Args:
        flagged_transactions: Output of :func:`flag_transactions`.

    Returns:
        The cancellation and non-positive-quantity lines, canonical columns only.
    """
    returned = flagged_transactions.filter(
        flagged_transactions.drop_reason.isin(RETURN_RULES)
    )
    return without_flags(returned)
