"""The project's named input error and the helpers that build its message."""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir

N_EXAMPLES = 3


class InputValidationError(ValueError):
    """Raised when an input breaks a rule; the message names dataset, column and rule."""


def examples(values: ir.Column) -> list[Any]:
    """Up to ``N_EXAMPLES`` distinct values of a column, as text, sorted.

    Args:
        values: The offending values.

    Returns:
        Their text, distinct and sorted (so messages do not depend on row order).
    """
    text = values.cast("string")
    distinct = text.as_table().distinct().order_by(text.get_name())
    return distinct.to_pyarrow(limit=N_EXAMPLES).column(0).to_pylist()


def rule_error(
    dataset: str, column: str, rule: str, count: int, example_values: list[Any]
) -> InputValidationError:
    """Builds the error for values that break a rule.

    Args:
        dataset: Name of the dataset (as in the parameters).
        column: Column holding the values.
        rule: What the values should be.
        count: How many values break the rule.
        example_values: A few of them.

    Returns:
        The error, ready to raise; its message reads
        ``<dataset>: column '<column>' has <count> value(s) that break the rule:
        <rule>; examples: [...]``.
    """
    return InputValidationError(
        f"{dataset}: column '{column}' has {count} value(s) that break the rule: "
        f"{rule}; examples: {example_values}"
    )


def check_rule(
    table: ir.Table, broken: ir.BooleanValue, dataset: str, column: str, rule: str
) -> None:
    """Raises a named error when any row of a table breaks a rule.

    Args:
        table: The rows.
        broken: True where a row breaks the rule.
        dataset: Name of the dataset.
        column: Column of ``table`` holding the values (for the examples).
        rule: What the values should be.

    Raises:
        InputValidationError: If ``broken`` is true on any row.
    """
    failures = table.filter(broken)
    count = int(failures.count().execute())
    if count:
        raise rule_error(dataset, column, rule, count, examples(failures[column]))


def require_columns(table: ir.Table, dataset: str, columns: list[str]) -> None:
    """Raises a named error listing the columns a table lacks (rule: required columns present)."""
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise InputValidationError(
            f"{dataset}: required column(s) {missing} missing (rule: required "
            f"columns present); columns found: {list(table.columns)}"
        )


def check_not_empty(table: ir.Table, dataset: str) -> None:
    """Raises a named error for a table without rows (rule: not empty)."""
    if int(table.count().execute()) == 0:
        raise InputValidationError(
            f"{dataset}: the input has no rows (rule: not empty); check the file "
            "path and the export"
        )


def check_ids_present(ids: ir.Column, dataset: str, column: str) -> None:
    """Raises a named error when every id is missing (rule: ids not all missing)."""
    if int(ids.count().execute()) == 0:
        raise InputValidationError(
            f"{dataset}: column '{column}' is missing on every row (rule: ids not "
            "all missing); check the column mapping and missing_values"
        )


def check_finite(table: ir.Table, number: ir.Column, dataset: str, column: str) -> None:
    """Raises a named error for infinite numbers in a column (rule: finite numbers)."""
    values = table.select(number=number, raw=table[column].cast("string"))
    infinite = values.filter(values.number.isinf())
    n_infinite = int(infinite.count().execute())
    if n_infinite:
        raise InputValidationError(
            f"{dataset}: column '{column}' has {n_infinite} infinite value(s) "
            f"(rule: finite numbers); examples: {examples(infinite.raw)}"
        )
