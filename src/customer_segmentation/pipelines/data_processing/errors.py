"""The project's named input error, the checks that raise it (run together in one query) and its messages."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

N_EXAMPLES = 3
INFINITY = ibis.literal("Infinity").cast("float64")
# Longest part of a raw line quoted in an error.
LINE_PREFIX = 120
# How the engines report a line whose number of fields differs from the header's
# when they read text strictly (DuckDB by default, Spark with mode FAILFAST).
_DUCKDB_MALFORMED = re.compile(
    r"CSV Error on Line: (?P<number>\d+).*?Original Line: (?P<line>[^\n]*)\n"
    r"Expected Number of Columns: (?P<expected>\d+) Found: (?P<found>\d+)",
    re.DOTALL,
)
_SPARK_MALFORMED = re.compile(
    r"Malformed CSV record: (?P<line>[^\n]*?)(?: SQLSTATE|\n|$)"
)
_SEPARATORS = (",", ";", "\t", "|")


class InputValidationError(ValueError):
    """Raised when an input breaks a rule; the message names dataset, column and rule."""


def examples(values: ir.Column) -> list[Any]:
    """Up to ``N_EXAMPLES`` distinct values of a column, as text, sorted.

    Args:
        values: The offending values.

    Returns:
        Their text, distinct and sorted (so messages do not depend on row order);
        numbers smallest first, written as Python writes them (engines write
        floats differently: ``1e+20`` in DuckDB, ``1.0E20`` in Spark).
    """
    if values.type().is_floating():
        distinct = values.as_table().distinct().order_by(values.get_name())
        numbers = distinct.to_pyarrow(limit=N_EXAMPLES).column(0).to_pylist()
        return [None if number is None else repr(number) for number in numbers]
    text = values.cast("string")
    distinct = text.as_table().distinct().order_by(text.get_name())
    return distinct.to_pyarrow(limit=N_EXAMPLES).column(0).to_pylist()


def example_rows(
    table: ir.Table, *columns: str, distinct: bool = False
) -> list[dict[str, Any]]:
    """Up to ``N_EXAMPLES`` rows of some columns, sorted by them.

    Args:
        table: The offending rows.
        *columns: Columns to show, in the order they sort by (so messages do not
            depend on row order).
        distinct: Each combination of values once.

    Returns:
        The rows, as mappings of column to value.
    """
    rows = table.select(*columns)
    if distinct:
        rows = rows.distinct()
    return rows.order_by(*columns).to_pyarrow(limit=N_EXAMPLES).to_pylist()


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


@dataclass(frozen=True)
class Check:
    """A rule checked by one aggregate value; :func:`run_checks` runs many in one query.

    Attributes:
        value: An aggregate of the table (a count).
        fails: Whether that value breaks the rule.
        error: Builds the error from the value (may query examples).
    """

    value: ir.Scalar
    fails: Callable[[int], bool]
    error: Callable[[int], InputValidationError]


def run_checks(table: ir.Table, checks: list[Check], dataset: str) -> None:
    """Computes every check in one aggregate query; raises the first that fails.

    The query is the first to read every raw line, so a line the engine cannot
    split into the header's fields stops it: that becomes a named error too
    (see :func:`malformed_line_error`).

    Args:
        table: The table the checks aggregate.
        checks: In the order their errors take precedence.
        dataset: Name of the dataset, for the malformed-line error.

    Raises:
        InputValidationError: The error of the first failing check.
    """
    if not checks:
        return
    query = table.aggregate(
        **{f"check_{i}": check.value for i, check in enumerate(checks)}
    )
    try:
        values = query.to_pyarrow().to_pylist()[0]
    except Exception as error:  # each engine raises its own type
        named = malformed_line_error(dataset, error)
        if named is None:
            raise
        raise named from error
    for i, check in enumerate(checks):
        value = int(values[f"check_{i}"] or 0)
        if check.fails(value):
            raise check.error(value)


def _count(broken: ir.BooleanValue) -> ir.IntegerScalar:
    return broken.fill_null(False).cast("int64").sum().fill_null(0)


def rule_check(
    table: ir.Table, broken: ir.BooleanValue, dataset: str, column: str, rule: str
) -> Check:
    """A named error when any row of a table breaks a rule.

    Args:
        table: The rows.
        broken: True where a row breaks the rule.
        dataset: Name of the dataset.
        column: Column of ``table`` holding the values (for the examples).
        rule: What the values should be.

    Returns:
        The check; it fails when ``broken`` is true on any row.
    """
    return Check(
        _count(broken),
        lambda count: count > 0,
        lambda count: rule_error(
            dataset, column, rule, count, examples(table.filter(broken)[column])
        ),
    )


def malformed_line_error(dataset: str, error: Exception) -> InputValidationError | None:
    """The named error for an engine's report of a line with too many or too few fields.

    A stray separator or quote in one line shifts its values into the wrong
    columns. DuckDB refuses such a line by default; Spark does with the
    catalog's ``mode: FAILFAST`` (it would otherwise cut or pad the line
    without a word).

    Args:
        dataset: Name of the dataset.
        error: What the engine raised while reading it.

    Returns:
        The error naming the dataset, the rule and the line (its start), or
        ``None`` when ``error`` is not about a malformed line.
    """
    text = str(error)
    duckdb_match = _DUCKDB_MALFORMED.search(text)
    match = duckdb_match or _SPARK_MALFORMED.search(text)
    if match is None:
        return None
    line = match["line"]
    quoted = line if len(line) <= LINE_PREFIX else line[:LINE_PREFIX] + "..."
    where = (
        f"line {duckdb_match['number']} has {duckdb_match['found']} fields where "
        f"the header has {duckdb_match['expected']}"
        if duckdb_match
        else "a line does not have as many fields as the header"
    )
    return InputValidationError(
        f"{dataset}: {where} (rule: one value per column on every line); "
        f"line: {quoted!r}; check the export's separator and quoting"
    )


def columns_found(columns: list[str]) -> str:
    """The columns a table has, for a missing-column error.

    A file read as one column whose name holds a separator is a file whose
    separator the engine did not recognise, most often because its first lines
    do not all have the same number of fields: the message says so.
    """
    found = f"columns found: {columns}"
    if len(columns) == 1 and any(sep in columns[0] for sep in _SEPARATORS):
        found += (
            "; the file was read as a single column, so its separator was not "
            "recognised: check that every line has the header's number of fields, "
            "or give the separator in the catalog entry's load_args"
        )
    return found


def require_columns(table: ir.Table, dataset: str, columns: list[str]) -> None:
    """Raises a named error listing the columns a table lacks (rule: required columns present)."""
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise InputValidationError(
            f"{dataset}: required column(s) {missing} missing (rule: required "
            f"columns present); {columns_found(list(table.columns))}"
        )


def require_one_meaning_per_column(
    dataset: str, sources: dict[str, str | None], setting: str
) -> None:
    """A named error when one raw column is read as two canonical columns.

    A mapping typed wrong reads a column twice without a word: ``customer_id:
    InvoiceNo`` makes every invoice a customer of one purchase, a customer id
    listed as a numeric attribute becomes a segmentation feature, one column
    under two attribute names counts twice in every distance.

    Args:
        dataset: Name of the raw dataset, for the message.
        sources: Canonical name -> raw column it is read from (``None``: not read).
        setting: The setting that maps them, for the message.

    Raises:
        InputValidationError: If a raw column feeds more than one name.
    """
    readers: dict[str, list[str]] = {}
    for name, source in sources.items():
        if source:
            readers.setdefault(source, []).append(name)
    for source, names in readers.items():
        if len(names) > 1:
            raise InputValidationError(
                f"{dataset}: column '{source}' is read as {names} (rule: each raw "
                f"column is one canonical column, {setting}); a name left out of "
                "the mapping is read under its own name: map each name to a "
                "column of its own"
            )


def not_empty_check(table: ir.Table, dataset: str) -> Check:
    """A named error for a table without rows (rule: not empty)."""
    return Check(
        table.count(),
        lambda count: count == 0,
        lambda _: InputValidationError(
            f"{dataset}: the input has no rows (rule: not empty); check the file "
            "path and the export"
        ),
    )


def ids_present_check(ids: ir.Column, dataset: str, column: str) -> Check:
    """A named error when every id is missing (rule: ids not all missing)."""
    return Check(
        ids.count(),
        lambda count: count == 0,
        lambda _: InputValidationError(
            f"{dataset}: column '{column}' is missing on every row (rule: ids not "
            "all missing); check the column mapping and missing_values"
        ),
    )


def finite_check(
    table: ir.Table, number: ir.Column, dataset: str, column: str
) -> Check:
    """A named error for infinite numbers in a column (rule: finite numbers)."""
    # Not isinf(): Ibis 12 compiles it to FALSE on Spark. An infinity literal
    # compares equal on every engine, and NaN (already null here) never does.
    infinite = number.abs() == INFINITY

    def error(count: int) -> InputValidationError:
        raw = table.filter(infinite.fill_null(False))[column]
        return InputValidationError(
            f"{dataset}: column '{column}' has {count} infinite value(s) "
            f"(rule: finite numbers); examples: {examples(raw)}"
        )

    return Check(_count(infinite), lambda count: count > 0, error)
