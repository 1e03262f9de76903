"""Cleaning rules: which rule, if any, drops each transaction line and customer row.

Each rule is a ``(broken, name, value)`` case; a row gets the first rule it breaks
(``drop_reason``) and the offending value as text (``drop_value``), which the
data-quality report shows as examples.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from .errors import InputValidationError, examples
from .settings import (
    CleaningRules,
    CustomerCleaningRules,
    OutlierRule,
)

Case = tuple[ir.BooleanValue, str, ir.Value]
# The key of a line that may be a copy (see ``duplicates.py``).
LINE_KEY = "line_key"
FLAG_COLUMNS = (
    "read_problem",
    "read_problem_value",
    "id_normalised",
    "drop_reason",
    "drop_value",
    LINE_KEY,
)
NO_VALUE = ibis.null("string")


def _timestamp(moment: object) -> ir.Value:
    return ibis.literal(pd.Timestamp(moment)).cast("timestamp")


def transaction_cases(table: ir.Table, rules: CleaningRules) -> list[Case]:
    """The cleaning rules of transaction lines, in the order they apply.

    The duplicate-line rule, which applies last, needs every line: it is
    :mod:`.duplicates`.

    Args:
        table: Standardised lines (with ``read_problem`` and ``read_problem_value``).
        rules: Which rules apply, with their bounds.

    Returns:
        ``(broken, rule name, offending value as text)`` per rule.
    """
    cases: list[Case] = []
    if rules.drop_missing_customer_id:
        cases.append((table.customer_id.isnull(), "missing_customer_id", NO_VALUE))
    cases.append(
        (table.read_problem.notnull(), table.read_problem, table.read_problem_value)
    )
    if rules.cancellation_prefix:
        cases.append(
            (
                table.invoice_id.startswith(rules.cancellation_prefix),
                "cancellation",
                table.invoice_id,
            )
        )
    if rules.drop_non_positive_quantity:
        cases.append((table.quantity <= 0, "non_positive_quantity", table.quantity))
    if rules.drop_non_positive_price:
        cases.append((table.unit_price <= 0, "non_positive_price", table.unit_price))
        cases.append(
            (
                table.unit_price.isnull() & (table.line_total <= 0),
                "non_positive_line_total",
                table.line_total,
            )
        )
    if rules.max_quantity is not None:
        cases.append(
            (table.quantity > rules.max_quantity, "quantity_above_max", table.quantity)
        )
    if rules.max_line_value is not None:
        cases.append(
            (
                table.line_total > rules.max_line_value,
                "line_value_above_max",
                table.line_total,
            )
        )
    if rules.earliest_valid_date is not None:
        earliest = _timestamp(rules.earliest_valid_date)
        cases.append((table.invoice_date < earliest, "past_dated", table.invoice_date))
    if rules.latest_valid_date is not None:
        latest = _timestamp(rules.latest_valid_date)
        cases.append((table.invoice_date > latest, "future_dated", table.invoice_date))
    return cases


def numeric_attributes(table: ir.Table, columns: list[str], setting: str) -> None:
    """Refuses rule columns that are not numeric attributes of the table.

    Args:
        table: Standardised customer attributes.
        columns: Columns a rule names.
        setting: Parameter the columns come from, for the message.

    Raises:
        ValueError: If a column is not in the table or not numeric.
    """
    wrong = [
        column
        for column in columns
        if column not in table.columns or not table[column].type().is_numeric()
    ]
    if wrong:
        raise ValueError(
            f"{setting}: {wrong} are not numeric attribute columns of "
            f"validated_customers {list(table.columns)}"
        )


def _bounded_columns(table: ir.Table, rules: CustomerCleaningRules) -> None:
    # Numbers bound numeric attributes, dates bound date attributes.
    wrong = [
        column
        for column, bounds in rules.bounds.items()
        if column not in table.columns
        or column == "customer_id"
        or not (
            table[column].type().is_timestamp()
            if bounds.dates
            else table[column].type().is_numeric()
        )
    ]
    if wrong:
        raise ValueError(
            f"customer_cleaning_rules.bounds: {wrong} are not attribute columns of "
            "their bounds' kind (numbers bound a numeric attribute, dates a date "
            f"one) of validated_customers {list(table.columns)}"
        )


def customer_cases(table: ir.Table, rules: CustomerCleaningRules) -> list[Case]:
    """The cleaning rules of customer attribute rows before the outlier rule.

    Args:
        table: Standardised customer attributes (with ``read_problem``).
        rules: Plausibility bounds.

    Returns:
        ``(broken, rule name, offending value as text)`` per rule: missing id,
        reading problems, then ``implausible_<column>``.

    Raises:
        ValueError: If a bounds column is not an attribute of the bounds' kind.
    """
    cases: list[Case] = [
        (table.customer_id.isnull(), "missing_customer_id", NO_VALUE),
        (table.read_problem.notnull(), table.read_problem, table.read_problem_value),
    ]
    _bounded_columns(table, rules)
    # Every numeric attribute (max_abs_value), and the date attributes with bounds.
    checked = [
        column
        for column in table.columns
        if column != "customer_id"
        and (table[column].type().is_floating() or column in rules.bounds)
    ]
    for column in checked:
        value = table[column]
        broken = ibis.literal(False)
        if rules.max_abs_value is not None and value.type().is_floating():
            broken = broken | (value.abs() > rules.max_abs_value)
        bounds = rules.bounds.get(column)
        if bounds is not None and bounds.min is not None:
            broken = broken | (value < bounds.min)
        if bounds is not None and bounds.max is not None:
            broken = broken | (value > bounds.max)
        cases.append((broken, f"implausible_{column}", value))
    return cases


def first_broken(cases: list[Case]) -> dict[str, ir.Value]:
    """The ``drop_reason`` and ``drop_value`` columns from rule cases.

    Args:
        cases: Output of :func:`transaction_cases` or :func:`customer_cases`.

    Returns:
        The first rule broken (null when none) and its value as text.
    """
    if not cases:
        return {"drop_reason": NO_VALUE, "drop_value": NO_VALUE}
    return {
        "drop_reason": ibis.cases(
            *[(broken.fill_null(False), name) for broken, name, _ in cases],
            else_=NO_VALUE,
        ),
        "drop_value": ibis.cases(
            *[
                (broken.fill_null(False), value.cast("string"))
                for broken, _, value in cases
            ],
            else_=NO_VALUE,
        ),
    }


def outlier_reason(table: ir.Table, rule: OutlierRule) -> ir.Value:
    """Tukey's fences on the rows no earlier rule dropped.

    Args:
        table: Customer rows with a provisional ``drop_reason``.
        rule: The outlier rule.

    Returns:
        ``outlier`` or null per row (rows already dropped are measured, not flagged).

    Raises:
        ValueError: If a column is not a numeric attribute, or has values with no
            logarithm when ``log_transform`` is on.
    """
    numeric_attributes(table, rule.columns, "customer_cleaning_rules.outliers.columns")
    kept = table.filter(table.drop_reason.isnull())
    if rule.log_transform:
        for column in rule.columns:
            non_positive = kept.filter(kept[column] <= 0)
            n_bad = int(non_positive.count().execute())
            if n_bad:
                raise InputValidationError(
                    f"validated_customers: column '{column}' has {n_bad} value(s) "
                    "<= 0, which have no logarithm (rule: outliers.log_transform); "
                    f"examples: {examples(non_positive[column])}"
                )

    def measured(frame: ir.Table, column: str) -> ir.Value:
        if not rule.log_transform:
            return frame[column]
        # Rows dropped earlier may hold values with no logarithm.
        return ibis.ifelse(frame[column] > 0, frame[column].ln(), ibis.null("float64"))

    quartiles = kept.aggregate(
        **{
            f"{column}__{name}": measured(kept, column).quantile(share)
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
        value = measured(table, column)
        outside = (value < q1 - step) | (value > q3 + step)
        n_outlying = n_outlying + outside.fill_null(False).cast("int64")
    return ibis.ifelse(
        n_outlying >= rule.min_outlying_columns, "outlier", ibis.null("string")
    )


def without_flags(table: ir.Table) -> ir.Table:
    """The table without the reading and cleaning columns: canonical columns only."""
    return table.drop(*[name for name in FLAG_COLUMNS if name in table.columns])
