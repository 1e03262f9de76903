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
