"""Nodes of the customer attribute table: read by the input contract, flag, keep the clean rows."""

from __future__ import annotations

import logging

import ibis
import ibis.expr.types as ir
import pandas as pd

from .accounting import needs
from .errors import (
    InputValidationError,
    examples,
    ids_present_check,
    not_empty_check,
    require_columns,
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
    without_missing,
)
from .rules import customer_cases, first_broken, outlier_reason, without_flags
from .settings import (
    CUSTOMER_KEY,
    CustomerCleaningRules,
    CustomersSchema,
    InputKind,
    attribute_mapping,
)

logger = logging.getLogger(__name__)

ROW_NUMBER_ID = None


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
        return empty_table(
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
    require_one_meaning_per_column(
        dataset,
        {CUSTOMER_KEY: id_source, **numeric, **categorical, **dates},
        "customers_schema",
    )
    require_columns(
        table,
        dataset,
        [id_source, *numeric.values(), *categorical.values(), *dates.values()],
    )
    table = with_present_values(table, [*numeric.values(), *dates.values()], tokens)
    table = with_parsed_values(
        table, list(numeric.values()), list(dates.values()), schema.date_format
    )
    read = read_ids(table, {CUSTOMER_KEY: id_source}, dataset, tokens)
    table = read.table
    checks = (
        [not_empty_check(table, dataset)] if needs(input_kind, "attributes") else []
    )
    problems = ReadProblems(table, dataset, tokens)
    columns: dict[str, ir.Value] = {CUSTOMER_KEY: read.ids[CUSTOMER_KEY]}
    for name, source in numeric.items():
        columns[name] = problems.number(name, source, required=False)
    for name, source in categorical.items():
        columns[name] = without_missing(table[source].cast("string"), tokens)
    for name, source in dates.items():
        columns[name] = problems.timestamp(
            name, source, schema.date_format, required=False
        )
    # Named-error rules of the raw rows in one scan, errors in rule order.
    run_checks(table, checks + read.checks[CUSTOMER_KEY] + problems.checks, dataset)
    customers = table.select(
        **columns, **problems.columns(), id_normalised=read.changed[CUSTOMER_KEY]
    )
    if int(customers.count().execute()):
        run_checks(
            customers,
            [ids_present_check(customers[CUSTOMER_KEY], dataset, id_source)],
            dataset,
        )
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


def flag_customers_to_score(
    customers: ir.Table, customer_cleaning_rules: CustomerCleaningRules
) -> ir.Table:
    """Marks customer rows to score: :func:`flag_customers` without the outlier rule.

    The outlier rule keeps extreme customers out of the model's fit; their rows
    are not wrong. Measured again on the rows being scored, its fences would
    move with whoever else is in the batch, so one customer could be scored in
    one batch and dropped in another. Scoring gives every customer with
    plausible attributes a segment from the fitted model, extreme ones
    included, as resampling steps act only when a model is fitted.

    Args:
        customers: Standardised customer attributes.
        customer_cleaning_rules: The training's rules; their bounds apply.

    Returns:
        The rows of :func:`flag_customers`; none is dropped as ``outlier``.
    """
    return flag_customers(
        customers, customer_cleaning_rules.model_copy(update={"outliers": None})
    )


def select_clean_customers(flagged_customers: ir.Table) -> ir.Table:
    """Keeps the customer rows no rule dropped.

    Args:
        flagged_customers: Output of :func:`flag_customers`.

    Returns:
        The surviving rows: ``customer_id`` and the attributes.
    """
    kept = flagged_customers.filter(flagged_customers.drop_reason.isnull())
    return without_flags(kept)
