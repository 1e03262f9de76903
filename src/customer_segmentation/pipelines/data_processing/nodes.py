"""Nodes that validate, standardise and clean raw transactions and customer attributes.

Transaction nodes take and return Ibis tables, so the same code runs on DuckDB (the
default), Spark or a warehouse, depending on the connection the catalog gives the
datasets. The customer attribute table may also arrive as a pandas frame (small
files read with ``pandas.CSVDataset``, where encoding and separator are load
arguments); it is turned into an Ibis table on entry.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

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
TRANSACTION_TYPES = {
    "customer_id": "string",
    "invoice_id": "string",
    "invoice_date": "timestamp",
    "product_id": "string",
    "quantity": "float64",
    "unit_price": "float64",
    "country": "string",
}
CUSTOMER_KEY = "customer_id"
RETURN_RULES = ("cancellation", "non_positive_quantity")
ROW_NUMBER_ID = None
N_EXAMPLES = 3
N_REPORTED_IDS = 20
BYTE_ORDER_MARK = "\ufeff"

InputKind = Literal["transactions", "attributes", "both"]
INPUT_KINDS = ("transactions", "attributes", "both")


class InputValidationError(ValueError):
    """Raised when a raw input breaks a rule; the message names dataset, column and rule."""


class TransactionsSchema(BaseModel):
    """How the raw transactions map onto the canonical columns.

    Attributes:
        dataset: Name of the raw dataset, used in error messages.
        columns: Canonical column name -> column name in the raw file.
            ``country`` may be left out.
        date_format: ``strptime`` format of ``invoice_date`` when it is text;
            ``None`` lets the engine parse ISO-8601 text.
    """

    model_config = ConfigDict(extra="forbid")

    dataset: str = "raw_transactions"
    columns: dict[str, str] = Field(
        default_factory=lambda: {name: name for name in TRANSACTION_COLUMNS}
    )
    date_format: str | None = None

    @field_validator("columns")
    @classmethod
    def _known_canonical_names(cls, columns: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(columns) - set(TRANSACTION_COLUMNS))
        if unknown:
            raise ValueError(
                f"transactions_schema.columns: unknown canonical name(s) {unknown}; "
                f"expected some of {list(TRANSACTION_COLUMNS)}"
            )
        return columns


class CustomersSchema(BaseModel):
    """How the raw customer attributes map onto canonical columns.

    Attribute columns are given per kind, either as a list of raw names (kept as
    they are) or as a mapping canonical name -> raw name (renamed).

    Attributes:
        dataset: Name of the raw dataset, used in error messages.
        customer_id: Name of the customer id column in the raw file; ``None``
            numbers the rows from 0 in file order (files without an id column;
            needs a pandas dataset, which keeps the file order).
        numeric: Numeric attribute columns, cast to float64.
        categorical: Categorical attribute columns, cast to text.
        dates: Date columns, parsed to timestamps.
        date_format: ``strptime`` format of the date columns when they are text;
            ``None`` lets the engine parse ISO-8601 text.
    """

    model_config = ConfigDict(extra="forbid")

    dataset: str = "raw_customers"
    customer_id: str | None = CUSTOMER_KEY
    numeric: list[str] | dict[str, str] = Field(default_factory=list)
    categorical: list[str] | dict[str, str] = Field(default_factory=list)
    dates: list[str] | dict[str, str] = Field(default_factory=list)
    date_format: str | None = None


class CleaningRules(BaseModel):
    """Which transaction lines the cleaning drops; each rule can be switched off.

    Rules are applied in the order of the fields; a line broken by several rules is
    counted once, under the first.

    Attributes:
        drop_missing_customer_id: Drop lines without a customer id (guest orders).
        cancellation_prefix: Invoice ids starting with this mark cancellations;
            ``None`` switches the rule off.
        drop_non_positive_quantity: Drop returns and adjustments (quantity <= 0).
        drop_non_positive_price: Drop free or negative-priced lines.
        latest_valid_date: Lines dated after this moment are dropped as
            ``future_dated``; ``None`` switches the rule off (nodes do not read the
            clock, so give the export date here).
        drop_duplicate_lines: Drop exact repeats of a line, keeping the first.
    """

    model_config = ConfigDict(extra="forbid")

    drop_missing_customer_id: bool = True
    cancellation_prefix: str | None = "C"
    drop_non_positive_quantity: bool = True
    drop_non_positive_price: bool = True
    latest_valid_date: dt.datetime | None = None
    drop_duplicate_lines: bool = True


class OutlierRule(BaseModel):
    """Tukey's fences on numeric attributes.

    A value is an outlier in a column when it lies more than ``iqr_multiplier``
    inter-quartile ranges below the first or above the third quartile (quartiles
    interpolated linearly, as ``numpy.percentile``). A customer is dropped when at
    least ``min_outlying_columns`` of its columns are outliers.

    Attributes:
        columns: Canonical numeric attribute columns to check.
        log_transform: Measure the fences on the natural log of the values
            (values must then be positive).
        iqr_multiplier: Width of the fences in inter-quartile ranges.
        min_outlying_columns: Outlying columns needed to drop a customer.
    """

    model_config = ConfigDict(extra="forbid")

    columns: list[str] = Field(min_length=1)
    log_transform: bool = False
    iqr_multiplier: float = Field(default=1.5, gt=0)
    min_outlying_columns: int = Field(default=1, ge=1)


class CustomerCleaningRules(BaseModel):
    """Which customer attribute rows the cleaning drops.

    Attributes:
        outliers: Outlier rule; ``None`` keeps every customer.
    """

    model_config = ConfigDict(extra="forbid")

    outliers: OutlierRule | None = None


# --------------------------------------------------------------------- helpers


def _strip_byte_order_mark(table: ir.Table) -> ir.Table:
    # A UTF-8 BOM read as text glues itself to the first column name.
    renames = {
        column.lstrip(BYTE_ORDER_MARK).strip(): column
        for column in table.columns
        if column != column.lstrip(BYTE_ORDER_MARK).strip()
    }
    return table.rename(renames) if renames else table


def _require_columns(table: ir.Table, dataset: str, columns: list[str]) -> None:
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise InputValidationError(
            f"{dataset}: required column(s) {missing} missing (rule: required "
            f"columns present); columns found: {list(table.columns)}"
        )


def _examples(values: ir.Column) -> list[Any]:
    return values.cast("string").to_pyarrow(limit=N_EXAMPLES).to_pylist()


def _as_text_id(column: ir.Column) -> ir.Column:
    # Ids exported from spreadsheets often arrive as floats (17850.0), or as text
    # mixing "17850" and "17850.0": both become "17850".
    if column.type().is_floating():
        column = column.cast("int64")
    text = column.cast("string").strip()
    return text.re_replace(r"^(-?\d+)\.0+$", r"\1")


def _as_timestamp(column: ir.Column, date_format: str | None) -> ir.Column:
    if column.type().is_timestamp():
        return column
    if column.type().is_date():
        return column.cast("timestamp")
    if date_format:
        # DuckDB's strptime gives a naive timestamp; Ibis only labels it UTC.
        return column.cast("string").as_timestamp(date_format).cast("timestamp")
    return column.cast("string").try_cast("timestamp")


def _check_parsed(
    table: ir.Table, column: str, parsed: ir.Column, dataset: str, rule: str
) -> None:
    checked = table.select(original=table[column], parsed=parsed)
    failures = checked.filter(checked.original.notnull() & checked.parsed.isnull())
    n_failed = failures.count().execute()
    if n_failed:
        raise InputValidationError(
            f"{dataset}: column '{column}' has {n_failed} value(s) that break the "
            f"rule: {rule}; examples: {_examples(failures.original)}"
        )


def _as_number(table: ir.Table, column: str, dataset: str) -> ir.Column:
    raw = table[column]
    number = raw if raw.type().is_numeric() else raw.cast("string").try_cast("float64")
    number = number.cast("float64")
    _check_parsed(table, column, number, dataset, "types coercible (a number)")
    infinite = table.filter(number.isinf())
    n_infinite = infinite.count().execute()
    if n_infinite:
        raise InputValidationError(
            f"{dataset}: column '{column}' has {n_infinite} infinite value(s) "
            f"(rule: finite numbers); examples: {_examples(infinite[column])}"
        )
    return number


def _check_not_empty(table: ir.Table, dataset: str) -> int:
    n_rows = int(table.count().execute())
    if n_rows == 0:
        raise InputValidationError(
            f"{dataset}: the input has no rows (rule: not empty); check the file "
            "path and the export"
        )
    return n_rows


def _check_ids_present(ids: ir.Column, dataset: str, column: str) -> None:
    n_present = int(ids.count().execute())
    if n_present == 0:
        raise InputValidationError(
            f"{dataset}: column '{column}' is missing on every row (rule: ids not "
            "all missing); check the column mapping"
        )


def check_input_kind(input_kind: str) -> None:
    """Refuses an unknown ``input_kind`` parameter.

    Args:
        input_kind: The ``input_kind`` parameter.

    Raises:
        ValueError: If it is not ``transactions``, ``attributes`` or ``both``.
    """
    if input_kind not in INPUT_KINDS:
        raise ValueError(
            f"input_kind={input_kind!r} should be one of {list(INPUT_KINDS)}"
        )


def _needs(input_kind: InputKind, table: str) -> bool:
    check_input_kind(input_kind)
    return input_kind in ("both", table)


def _empty_table(schema: dict[str, str]) -> ir.Table:
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


def _text_ids_in_frame(ids: pd.Series) -> pd.Series:
    # Mixed-type id columns (17850, 17850.0, "A12") become comparable text.
    def as_text(value: Any) -> Any:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    return ids.map(as_text).astype("string")


def _frame_to_table(frame: pd.DataFrame, schema: CustomersSchema) -> ir.Table:
    frame = frame.rename(columns=lambda name: str(name).lstrip(BYTE_ORDER_MARK).strip())
    if schema.customer_id is ROW_NUMBER_ID:
        if CUSTOMER_KEY in frame.columns:
            raise InputValidationError(
                f"{schema.dataset}: customers_schema.customer_id is null (rule: "
                f"number the rows) but the file has a '{CUSTOMER_KEY}' column"
            )
        ids = pd.Series(range(len(frame)), index=frame.index).astype(str)
        frame = frame.assign(**{CUSTOMER_KEY: ids.astype("string")})
    elif schema.customer_id in frame.columns:
        frame = frame.assign(
            **{schema.customer_id: _text_ids_in_frame(frame[schema.customer_id])}
        )
    # Object columns mixing types cannot become Arrow columns; text can.
    mixed = [
        name
        for name in frame.columns
        if frame[name].dtype == object and name != CUSTOMER_KEY
    ]
    frame = frame.astype({name: "string" for name in mixed})
    return ibis.memtable(frame.reset_index(drop=True))


# --------------------------------------------------------------------- nodes


def standardise_transactions(
    raw_transactions: ir.Table | None,
    schema: TransactionsSchema,
    input_kind: InputKind,
) -> ir.Table:
    """Validates raw transaction lines, renames them to canonical names and types them.

    Args:
        raw_transactions: Raw transaction lines as exported; ``None`` when the
            environment declares them absent.
        schema: Column mapping and date format.
        input_kind: ``transactions``, ``attributes`` or ``both``; with
            ``attributes`` the raw lines are not read.

    Returns:
        A table with exactly the canonical columns ``customer_id`` (string),
        ``invoice_id`` (string), ``invoice_date`` (timestamp), ``product_id``
        (string), ``quantity`` (float64), ``unit_price`` (float64) and ``country``
        (string; null when the raw file has no such column). Empty when
        ``input_kind`` is ``attributes``.

    Raises:
        InputValidationError: If the input is needed but absent or empty, a mapped
            column is missing, numbers or dates do not parse, a number is infinite
            or every customer id is missing.
    """
    if not _needs(input_kind, "transactions"):
        logger.info("input_kind=%s: no transactions are read", input_kind)
        return _empty_table(TRANSACTION_TYPES)
    if raw_transactions is None:
        raise InputValidationError(
            f"{schema.dataset}: input_kind={input_kind!r} needs transactions but "
            "the catalog declares them absent (rule: input present)"
        )
    table = _strip_byte_order_mark(raw_transactions)
    mapping = dict(schema.columns)
    required = [
        mapping.get(name, name) for name in TRANSACTION_COLUMNS if name != "country"
    ]
    _require_columns(table, schema.dataset, required)
    _check_not_empty(table, schema.dataset)
    country_source = mapping.get("country", "country")
    country = (
        table[country_source].cast("string")
        if country_source in table.columns
        else ibis.null("string")
    )
    date_source = mapping.get("invoice_date", "invoice_date")
    invoice_date = _as_timestamp(table[date_source], schema.date_format)
    _check_parsed(table, date_source, invoice_date, schema.dataset, "dates parseable")
    customer_source = mapping.get("customer_id", "customer_id")
    customer_id = _as_text_id(table[customer_source])
    _check_ids_present(customer_id, schema.dataset, customer_source)
    quantity_source = mapping.get("quantity", "quantity")
    price_source = mapping.get("unit_price", "unit_price")
    return table.select(
        customer_id=customer_id,
        invoice_id=_as_text_id(table[mapping.get("invoice_id", "invoice_id")]),
        invoice_date=invoice_date,
        product_id=_as_text_id(table[mapping.get("product_id", "product_id")]),
        quantity=_as_number(table, quantity_source, schema.dataset),
        unit_price=_as_number(table, price_source, schema.dataset),
        country=country,
    )


def standardise_customers(
    raw_customers: ir.Table | pd.DataFrame | None,
    schema: CustomersSchema,
    input_kind: InputKind,
) -> ir.Table:
    """Validates the customer attribute table and keeps the configured columns, typed.

    Args:
        raw_customers: Raw customer attributes, one row per customer, as an Ibis
            table or a pandas frame; ``None`` when the environment declares them
            absent.
        schema: Id column and attribute columns by kind.
        input_kind: ``transactions``, ``attributes`` or ``both``; with
            ``transactions`` an absent table gives an empty one.

    Returns:
        A table with ``customer_id`` (string) and the configured attributes under
        their canonical names: numeric as float64, categorical as string, dates as
        timestamps.

    Raises:
        InputValidationError: If the table is needed but absent or empty, a
            configured column is missing, numbers or dates do not parse, a number
            is infinite, every id is missing or an id appears more than once.
    """
    numeric = attribute_mapping(schema.numeric)
    categorical = attribute_mapping(schema.categorical)
    dates = attribute_mapping(schema.dates)
    if raw_customers is None:
        if _needs(input_kind, "attributes"):
            raise InputValidationError(
                f"{schema.dataset}: input_kind={input_kind!r} needs customer "
                "attributes but the catalog declares them absent (rule: input present)"
            )
        logger.info("No customer attributes in this environment")
        return _empty_table(
            {CUSTOMER_KEY: "string"}
            | dict.fromkeys(numeric, "float64")
            | dict.fromkeys(categorical, "string")
            | dict.fromkeys(dates, "timestamp")
        )
    if isinstance(raw_customers, pd.DataFrame):
        table = _frame_to_table(raw_customers, schema)
    elif schema.customer_id is ROW_NUMBER_ID:
        raise InputValidationError(
            f"{schema.dataset}: customers_schema.customer_id is null (rule: number "
            "the rows) which needs a pandas dataset that keeps the file order"
        )
    else:
        table = _strip_byte_order_mark(raw_customers)
    id_source = schema.customer_id or CUSTOMER_KEY
    _require_columns(
        table,
        schema.dataset,
        [id_source, *numeric.values(), *categorical.values(), *dates.values()],
    )
    if _needs(input_kind, "attributes"):
        _check_not_empty(table, schema.dataset)
    customer_id = _as_text_id(table[id_source])
    columns: dict[str, ir.Value] = {CUSTOMER_KEY: customer_id}
    columns |= {
        name: _as_number(table, source, schema.dataset)
        for name, source in numeric.items()
    }
    columns |= {
        name: table[source].cast("string") for name, source in categorical.items()
    }
    for name, source in dates.items():
        parsed = _as_timestamp(table[source], schema.date_format)
        _check_parsed(table, source, parsed, schema.dataset, "dates parseable")
        columns[name] = parsed
    customers = table.select(**columns)
    if int(customers.count().execute()):
        _check_ids_present(customers[CUSTOMER_KEY], schema.dataset, id_source)
    repeated = (
        customers.group_by(CUSTOMER_KEY)
        .agg(n=customers.count())
        .filter(lambda grouped: grouped.n > 1)
    )
    n_repeated = repeated.count().execute()
    if n_repeated:
        raise InputValidationError(
            f"{schema.dataset}: column '{id_source}' has {n_repeated} "
            f"id(s) on more than one row (rule: one row per customer); "
            f"examples: {_examples(repeated[CUSTOMER_KEY])}"
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
    if rules.latest_valid_date is not None:
        latest = ibis.literal(pd.Timestamp(rules.latest_valid_date)).cast("timestamp")
        cases.append((table.invoice_date > latest, "future_dated"))
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


def _outlier_reason(table: ir.Table, rule: OutlierRule) -> ir.Value:
    missing = [column for column in rule.columns if column not in table.columns]
    if missing:
        raise ValueError(
            f"customer_cleaning_rules.outliers.columns: {missing} are not attribute "
            f"columns of validated_customers {list(table.columns)}"
        )
    values = {
        column: table[column].ln() if rule.log_transform else table[column]
        for column in rule.columns
    }
    if rule.log_transform:
        for column in rule.columns:
            non_positive = table.filter(table[column] <= 0)
            n_bad = int(non_positive.count().execute())
            if n_bad:
                raise ValueError(
                    f"validated_customers: column '{column}' has {n_bad} value(s) "
                    "<= 0, which have no logarithm (rule: outliers.log_transform); "
                    f"examples: {_examples(non_positive[column])}"
                )
    quartiles = table.aggregate(
        **{
            f"{column}__{name}": values[column].quantile(share)
            for column in rule.columns
            for name, share in (("q1", 0.25), ("q3", 0.75))
        }
    ).to_pyarrow()
    bounds = quartiles.to_pylist()[0]
    n_outlying: ir.IntegerValue = ibis.literal(0)
    for column in rule.columns:
        q1, q3 = bounds[f"{column}__q1"], bounds[f"{column}__q3"]
        if q1 is None or q3 is None:
            continue
        step = rule.iqr_multiplier * (q3 - q1)
        outside = (values[column] < q1 - step) | (values[column] > q3 + step)
        n_outlying = n_outlying + outside.fill_null(False).cast("int64")
    return ibis.ifelse(
        n_outlying >= rule.min_outlying_columns, "outlier", ibis.null("string")
    )


def flag_customers(
    customers: ir.Table, customer_cleaning_rules: CustomerCleaningRules
) -> ir.Table:
    """Marks each customer attribute row with the cleaning rule that drops it.

    Args:
        customers: Standardised customer attributes.
        customer_cleaning_rules: Which rules apply.

    Returns:
        The same rows with a ``drop_reason`` column: ``outlier`` or null.

    Raises:
        ValueError: If an outlier column is not an attribute, or has values with no
            logarithm when ``log_transform`` is on.
    """
    rule = customer_cleaning_rules.outliers
    if rule is None or int(customers.count().execute()) == 0:
        return customers.mutate(drop_reason=ibis.null("string"))
    return customers.mutate(drop_reason=_outlier_reason(customers, rule))


def select_clean_customers(flagged_customers: ir.Table) -> ir.Table:
    """Keeps the customer rows no cleaning rule dropped.

    Args:
        flagged_customers: Output of :func:`flag_customers`.

    Returns:
        The surviving rows, without ``drop_reason``.
    """
    kept = flagged_customers.filter(flagged_customers.drop_reason.isnull())
    return kept.drop("drop_reason")


def _account_for_rows(
    flagged: ir.Table, clean: ir.Table, table_name: str
) -> dict[str, Any]:
    counts = (
        flagged.group_by("drop_reason").agg(rows=flagged.count()).to_pyarrow()
    ).to_pylist()
    dropped = {
        row["drop_reason"]: int(row["rows"])
        for row in sorted(counts, key=lambda row: str(row["drop_reason"]))
        if row["drop_reason"] is not None
    }
    rows_in = int(flagged.count().execute())
    rows_out = int(clean.count().execute())
    if rows_in != sum(dropped.values()) + rows_out:
        raise ValueError(
            f"{table_name}: data quality accounting broken: rows_in={rows_in} != "
            f"dropped={sum(dropped.values())} + rows_out={rows_out}"
        )
    return {"rows_in": rows_in, "rows_dropped": dropped, "rows_out": rows_out}


def summarise_data_quality(
    flagged_transactions: ir.Table,
    clean_transactions: ir.Table,
    flagged_customers: ir.Table,
    clean_customers: ir.Table,
    input_kind: InputKind,
) -> dict[str, Any]:
    """Accounts for every input row of every table: in, dropped per rule, out.

    The invariant ``rows_in == sum(rows_dropped) + rows_out`` is checked for each
    table. The top-level ``rows_in``, ``rows_dropped`` and ``rows_out`` repeat the
    section of the main table (transactions, or customers for attribute-only
    input).

    Args:
        flagged_transactions: Output of :func:`flag_transactions`.
        clean_transactions: Output of :func:`select_clean_transactions`.
        flagged_customers: Output of :func:`flag_customers`.
        clean_customers: Output of :func:`select_clean_customers`.
        input_kind: ``transactions``, ``attributes`` or ``both``.

    Returns:
        A JSON-ready report with ``input_kind``, ``invariant``, one section per
        table under ``tables`` (``rows_in``, ``rows_dropped``, ``rows_out`` and,
        for customers, ``dropped_customer_ids`` up to 20 per rule and, for
        ``both``, ``customers_without_clean_purchase``: kept attribute rows that
        get no feature row), and ``customers_out`` and ``invoices_out``.

    Raises:
        ValueError: If rows in differs from rows dropped plus rows out, or if
            cleaning leaves no row of a table the input kind needs.
    """
    transactions = _account_for_rows(
        flagged_transactions, clean_transactions, "transactions"
    )
    customers = _account_for_rows(flagged_customers, clean_customers, "customers")
    dropped_ids = flagged_customers.filter(flagged_customers.drop_reason.notnull())
    customers["dropped_customer_ids"] = {
        reason: sorted(
            dropped_ids.filter(dropped_ids.drop_reason == reason)
            .customer_id.to_pyarrow()
            .to_pylist(),
            key=lambda value: (len(value), value),
        )[:N_REPORTED_IDS]
        for reason in customers["rows_dropped"]
    }
    if input_kind == "both":
        # Kept attribute rows without a clean purchase get no feature row.
        customers["customers_without_clean_purchase"] = int(
            clean_customers.anti_join(clean_transactions, CUSTOMER_KEY)
            .count()
            .execute()
        )
    sections = {"transactions": transactions, "customers": customers}
    needed = {
        "transactions": _needs(input_kind, "transactions"),
        "customers": _needs(input_kind, "attributes"),
    }
    for table_name, section in sections.items():
        if needed[table_name] and section["rows_out"] == 0:
            raise ValueError(
                f"{table_name}: cleaning dropped every one of {section['rows_in']} "
                f"row(s) (rule: rows left after cleaning); dropped by rule: "
                f"{section['rows_dropped']}; review cleaning_rules"
            )
    main = customers if input_kind == "attributes" else transactions
    if input_kind == "attributes":
        customers_out = customers["rows_out"]
        invoices_out = 0
    else:
        customers_out = int(clean_transactions.customer_id.nunique().execute())
        invoices_out = int(clean_transactions.invoice_id.nunique().execute())
    report = {
        "dataset": "customers" if input_kind == "attributes" else "transactions",
        "input_kind": input_kind,
        "invariant": "rows_in == sum(rows_dropped) + rows_out, checked per table",
        "rows_in": main["rows_in"],
        "rows_dropped": main["rows_dropped"],
        "rows_out": main["rows_out"],
        "customers_out": customers_out,
        "invoices_out": invoices_out,
        "tables": sections,
    }
    logger.info(
        "Cleaning kept %d of %d %s rows; dropped %s",
        main["rows_out"],
        main["rows_in"],
        report["dataset"],
        main["rows_dropped"],
    )
    return report
