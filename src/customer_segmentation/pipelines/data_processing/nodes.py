"""Nodes that read, standardise and clean raw transactions and customer attributes.

One input contract serves training, batch inference and the API: whatever dataset
loaded the input (an Ibis table, or a pandas frame from CSV with any separator,
Excel or parquet), every column goes through the missing-value tokens and typed
"try" casts of :mod:`.reading`, ids through :mod:`.ids`, and every value that
cannot be used is a counted rule (:mod:`.rules`, reported by :mod:`.accounting`)
or a named error. Transaction nodes take and return Ibis tables, so the same code
runs on DuckDB (the default), Spark or a warehouse.
"""

from __future__ import annotations

import logging

import ibis
import ibis.expr.types as ir
import pandas as pd

from .accounting import check_input_kind, needs, summarise_data_quality
from .errors import InputValidationError, examples
from .ids import normalise_ids
from .reading import (
    ReadProblems,
    as_table,
    parse_number,
    parse_timestamp,
    without_missing,
)
from .rules import customer_cases, first_broken, outlier_reason, transaction_cases
from .settings import (
    CUSTOMER_KEY,
    INPUT_KINDS,
    TRANSACTION_COLUMNS,
    TRANSACTION_TYPES,
    CleaningRules,
    CustomerCleaningRules,
    CustomersSchema,
    InputKind,
    OutlierRule,
    TransactionsSchema,
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
    "flag_customers",
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
ROW_NUMBER_ID = None
READ_COLUMNS = ("read_problem", "read_problem_value", "id_normalised")
FLAG_COLUMNS = (*READ_COLUMNS, "drop_reason", "drop_value")
READ_TYPES = {
    "read_problem": "string",
    "read_problem_value": "string",
    "id_normalised": "boolean",
}


def _require_columns(table: ir.Table, dataset: str, columns: list[str]) -> None:
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise InputValidationError(
            f"{dataset}: required column(s) {missing} missing (rule: required "
            f"columns present); columns found: {list(table.columns)}"
        )


def _check_not_empty(table: ir.Table, dataset: str) -> None:
    if int(table.count().execute()) == 0:
        raise InputValidationError(
            f"{dataset}: the input has no rows (rule: not empty); check the file "
            "path and the export"
        )


def _check_ids_present(ids: ir.Column, dataset: str, column: str) -> None:
    if int(ids.count().execute()) == 0:
        raise InputValidationError(
            f"{dataset}: column '{column}' is missing on every row (rule: ids not "
            "all missing); check the column mapping and missing_values"
        )


def _check_finite(
    table: ir.Table, number: ir.Column, dataset: str, column: str
) -> None:
    values = table.select(number=number, raw=table[column].cast("string"))
    infinite = values.filter(values.number.isinf())
    n_infinite = int(infinite.count().execute())
    if n_infinite:
        raise InputValidationError(
            f"{dataset}: column '{column}' has {n_infinite} infinite value(s) "
            f"(rule: finite numbers); examples: {examples(infinite.raw)}"
        )


def _empty_table(schema: dict[str, str]) -> ir.Table:
    schema = schema | READ_TYPES
    return ibis.memtable(pd.DataFrame(columns=list(schema)), schema=ibis.schema(schema))


def attribute_mapping(columns: list[str] | dict[str, str]) -> dict[str, str]:
    """Reads one kind of attribute columns of ``CustomersSchema`` as a mapping.

    Args:
        columns: Raw names (kept as they are) or canonical name -> raw name.

    Returns:
        Canonical name -> raw name.
    """
    if isinstance(columns, dict):
        return dict(columns)
    return {name: name for name in columns}


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
            f"required columns present); columns found: {available}"
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
        return _empty_table(TRANSACTION_TYPES)
    if raw_transactions is None:
        raise InputValidationError(
            f"{schema.dataset}: input_kind={input_kind!r} needs transactions but "
            "the catalog declares them absent (rule: input present)"
        )
    dataset, tokens = schema.dataset, schema.missing_values
    table = as_table(raw_transactions, dataset)
    sources = transaction_sources(schema, list(table.columns))
    _check_not_empty(table, dataset)
    customer_id, id_normalised = normalise_ids(
        table, sources["customer_id"], dataset, tokens
    )
    _check_ids_present(customer_id, dataset, sources["customer_id"])
    problems = ReadProblems()
    columns: dict[str, ir.Value] = {"customer_id": customer_id}
    for name in ("invoice_id", "product_id"):
        if sources[name] is None:
            columns[name] = ibis.null("string")
            continue
        columns[name] = normalise_ids(table, sources[name], dataset, tokens)[0]
        if name == "invoice_id":
            problems.missing(name, columns[name])
    present = without_missing(table[sources["invoice_date"]], tokens)
    parsed = parse_timestamp(present, schema.date_format)
    problems.missing("invoice_date", present)
    problems.unparseable("invoice_date", present, parsed)
    problems.out_of_range("invoice_date", parsed)
    columns["invoice_date"] = parsed
    for name in ("quantity", "unit_price", "line_total"):
        if sources[name] is None:
            columns[name] = ibis.null("float64")
            continue
        present = without_missing(table[sources[name]], tokens)
        number = parse_number(present)
        _check_finite(table, number, dataset, sources[name])
        problems.missing(name, present)
        problems.unparseable(name, present, number)
        columns[name] = number
    if sources["unit_price"]:
        columns["line_total"] = columns["quantity"] * columns["unit_price"]
    columns["country"] = (
        without_missing(table[sources["country"]].cast("string"), tokens)
        if sources["country"]
        else ibis.null("string")
    )
    canonical = {name: columns[name] for name in TRANSACTION_COLUMNS}
    return table.select(**canonical, **problems.columns(), id_normalised=id_normalised)


def _frame_with_row_numbers(frame: pd.DataFrame, dataset: str) -> pd.DataFrame:
    if CUSTOMER_KEY in frame.columns:
        raise InputValidationError(
            f"{dataset}: customers_schema.customer_id is null (rule: number the rows) "
            f"but the file has a '{CUSTOMER_KEY}' column"
        )
    ids = pd.Series(range(len(frame)), index=frame.index).astype("string")
    return frame.assign(**{CUSTOMER_KEY: ids})


def standardise_customers(
    raw_customers: ir.Table | pd.DataFrame | None,
    schema: CustomersSchema,
    input_kind: InputKind,
) -> ir.Table:
    """Reads the customer attribute table by the input contract, keeping the configured columns.

    Args:
        raw_customers: Raw customer attributes, one row per customer, from any
            table dataset; ``None`` when the environment declares them absent.
        schema: Id column, attribute columns by kind, date format and
            missing-value tokens.
        input_kind: ``transactions``, ``attributes`` or ``both``; with
            ``transactions`` an absent table gives an empty one.

    Returns:
        A table with ``customer_id`` (string), the configured attributes under
        their canonical names (numeric as float64, categorical as string, dates
        as timestamps; null where missing or unreadable), ``read_problem`` (first
        ``unparseable_<col>`` / ``out_of_range_<col>`` of the row),
        ``read_problem_value`` and ``id_normalised``.

    Raises:
        InputValidationError: If the table is needed but absent or empty, a
            configured column is missing, a number is infinite, an id is a
            fractional number, every id is missing or an id appears more than once.
    """
    numeric = attribute_mapping(schema.numeric)
    categorical = attribute_mapping(schema.categorical)
    dates = attribute_mapping(schema.dates)
    dataset, tokens = schema.dataset, schema.missing_values
    if raw_customers is None:
        if needs(input_kind, "attributes"):
            raise InputValidationError(
                f"{dataset}: input_kind={input_kind!r} needs customer "
                "attributes but the catalog declares them absent (rule: input present)"
            )
        logger.info("No customer attributes in this environment")
        return _empty_table(
            {CUSTOMER_KEY: "string"}
            | dict.fromkeys(numeric, "float64")
            | dict.fromkeys(categorical, "string")
            | dict.fromkeys(dates, "timestamp")
        )
    if schema.customer_id is ROW_NUMBER_ID:
        if not isinstance(raw_customers, pd.DataFrame):
            raise InputValidationError(
                f"{dataset}: customers_schema.customer_id is null (rule: number "
                "the rows) which needs a pandas dataset that keeps the file order"
            )
        raw_customers = _frame_with_row_numbers(raw_customers, dataset)
    table = as_table(raw_customers, dataset)
    id_source = schema.customer_id or CUSTOMER_KEY
    _require_columns(
        table,
        dataset,
        [id_source, *numeric.values(), *categorical.values(), *dates.values()],
    )
    if needs(input_kind, "attributes"):
        _check_not_empty(table, dataset)
    customer_id, id_normalised = normalise_ids(table, id_source, dataset, tokens)
    problems = ReadProblems()
    columns: dict[str, ir.Value] = {CUSTOMER_KEY: customer_id}
    for name, source in numeric.items():
        present = without_missing(table[source], tokens)
        number = parse_number(present)
        _check_finite(table, number, dataset, source)
        problems.unparseable(name, present, number)
        columns[name] = number
    for name, source in categorical.items():
        columns[name] = without_missing(table[source].cast("string"), tokens)
    for name, source in dates.items():
        present = without_missing(table[source], tokens)
        parsed = parse_timestamp(present, schema.date_format)
        problems.unparseable(name, present, parsed)
        problems.out_of_range(name, parsed)
        columns[name] = parsed
    customers = table.select(
        **columns, **problems.columns(), id_normalised=id_normalised
    )
    if int(customers.count().execute()):
        _check_ids_present(customers[CUSTOMER_KEY], dataset, id_source)
    with_id = customers.filter(customers[CUSTOMER_KEY].notnull())
    repeated = (
        with_id.group_by(CUSTOMER_KEY)
        .agg(n=with_id.count())
        .filter(lambda grouped: grouped.n > 1)
    )
    n_repeated = int(repeated.count().execute())
    if n_repeated:
        raise InputValidationError(
            f"{dataset}: column '{id_source}' has {n_repeated} "
            f"id(s) on more than one row (rule: one row per customer); "
            f"examples: {examples(repeated[CUSTOMER_KEY])}"
        )
    return customers


def flag_transactions(
    transactions: ir.Table, cleaning_rules: CleaningRules
) -> ir.Table:
    """Marks each transaction line with the first rule it breaks.

    Args:
        transactions: Standardised transaction lines.
        cleaning_rules: Which rules apply, with their bounds.

    Returns:
        The same lines with ``drop_reason`` (the rule's name, or null for lines
        that survive cleaning) and ``drop_value`` (the offending value as text).
    """
    cases = transaction_cases(transactions, cleaning_rules)
    return transactions.mutate(**first_broken(cases))


def _without_flags(table: ir.Table) -> ir.Table:
    return table.drop(*[name for name in FLAG_COLUMNS if name in table.columns])


def select_clean_transactions(flagged_transactions: ir.Table) -> ir.Table:
    """Keeps the lines no rule dropped.

    Args:
        flagged_transactions: Output of :func:`flag_transactions`.

    Returns:
        The surviving lines, with the canonical columns only.
    """
    kept = flagged_transactions.filter(flagged_transactions.drop_reason.isnull())
    return _without_flags(kept)


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
    return _without_flags(returned)


def flag_customers(
    customers: ir.Table, customer_cleaning_rules: CustomerCleaningRules
) -> ir.Table:
    """Marks each customer attribute row with the first rule it breaks.

    Args:
        customers: Standardised customer attributes.
        customer_cleaning_rules: Plausibility bounds and the outlier rule.

    Returns:
        The same rows with ``drop_reason`` (``missing_customer_id``, a reading
        rule, ``implausible_<column>``, ``outlier`` or null) and ``drop_value``.

    Raises:
        ValueError: If a bounds or outlier column is not a numeric attribute, or
            has values with no logarithm when ``log_transform`` is on.
    """
    if int(customers.count().execute()) == 0:
        # No attributes read (input_kind transactions): no rule to check them by.
        return customers.mutate(**first_broken([]))
    cases = customer_cases(customers, customer_cleaning_rules)
    flagged = customers.mutate(**first_broken(cases))
    rule = customer_cleaning_rules.outliers
    if rule is None:
        return flagged
    outlier = outlier_reason(flagged, rule)
    return flagged.mutate(
        drop_reason=ibis.coalesce(flagged.drop_reason, outlier),
        drop_value=flagged.drop_value,
    )


def select_clean_customers(flagged_customers: ir.Table) -> ir.Table:
    """Keeps the customer rows no rule dropped.

    Args:
        flagged_customers: Output of :func:`flag_customers`.

    Returns:
        The surviving rows: ``customer_id`` and the attributes.
    """
    kept = flagged_customers.filter(flagged_customers.drop_reason.isnull())
    return _without_flags(kept)
