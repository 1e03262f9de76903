"""Dates of one history: a stretch of years without any value between two that have one.

A system's placeholder date (1970-01-01, 1900-01-01) or a year typed wrong reads
as a real date, years away from the rest of the export. The clean lines' days
come from the data-quality summary's query (``accounting._clean_line_figures``);
examples are queried only when a check fails.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir

from .errors import InputValidationError, example_rows
from .settings import CUSTOMER_KEY, ReadingChecks


def distinct_values(values: ir.Column, min_values: int) -> ir.ArrayScalar:
    """The distinct values of a column (its days, its years): an aggregate of its scan.

    Below ``min_values`` values the gap is not checked, and the answer is null:
    the same answer for every small table (an API request), whose dates differ
    each time, so that what reads it can be reused (see ``api/memo.py``).

    Args:
        values: A column (the clean lines' days, a date attribute's days, the
            years of a ``years_since`` feature).
        min_values: Fewer non-null values give null.

    Returns:
        Its distinct values, as a list (not in order), or null.
    """
    listed = values.collect(distinct=True)
    return ibis.ifelse(values.count() >= min_values, listed, ibis.null(listed.type()))


def widest_gap(values: list[Any] | None) -> tuple[Any, Any] | None:
    """The two consecutive values furthest apart (the earliest such pair).

    Args:
        values: Distinct values, in any order (``None``: none).

    Returns:
        The pair, or ``None`` with fewer than two values.
    """
    ordered = sorted(values or [])
    pairs = list(zip(ordered, ordered[1:], strict=False))
    return max(pairs, key=lambda pair: pair[1] - pair[0]) if pairs else None


def _too_long_gap(
    days: list[dt.date] | None, limit: float
) -> tuple[dt.date, dt.date, int] | None:
    # The widest gap between two days with a value when it is longer than the
    # limit: its first and last day and its length in days.
    gap = widest_gap(days)
    if gap is None or (gap[1] - gap[0]).days <= limit:
        return None
    return gap[0], gap[1], (gap[1] - gap[0]).days


def smaller_side(
    table: ir.Table, first: ir.BooleanValue, total: int
) -> tuple[ir.BooleanValue, int, bool]:
    """The smaller side of a gap: the rows where ``first`` holds, or the others.

    Args:
        table: The rows, ``total`` of them with a value.
        first: The rows on one side of the gap (null for rows without a value).
        total: Rows with a value.

    Returns:
        The side's rows, how many, and whether it is ``first`` (so on a tie).
    """
    count = int(table.filter(first).count().execute())
    if count <= total - count:
        return first, count, True
    return ~first, total - count, False


def check_date_gap(
    clean_transactions: ir.Table, figures: dict[str, Any], checks: ReadingChecks
) -> None:
    """A named error when the clean lines' dates stop for longer than a business does.

    A system's placeholder date (1970-01-01, 1900-01-01) or a year typed wrong
    reads as a real purchase, years away from the rest of the export: it makes
    customers decades old and buying in a year with no other sale, and nothing
    else says so. Such lines lie across a long stretch of days without any line.

    Args:
        clean_transactions: Clean transaction lines.
        figures: ``lines`` and ``days`` (of :func:`distinct_values`) of the
            clean lines.
        checks: ``max_date_gap_days`` (``None`` turns the check off) and
            ``min_rows`` (fewer clean lines are not checked).

    Raises:
        InputValidationError: If the longest gap exceeds ``max_date_gap_days``,
            with the gap, the lines on its smaller side and the way out.
    """
    limit, lines = checks.max_date_gap_days, figures["lines"]
    if limit is None or lines < checks.min_rows:
        return
    gap = _too_long_gap(figures["days"], limit)
    if gap is None:
        return
    start, end, gap_days = gap
    side, count, before = smaller_side(
        clean_transactions, clean_transactions.invoice_date.date() < end, lines
    )
    next_day = start + dt.timedelta(days=1)
    rule = (
        f"earliest_valid_date to {end:%Y-%m-%d}"
        if before
        else f"latest_valid_date to {next_day:%Y-%m-%d}"
    )
    rows = example_rows(
        clean_transactions.filter(side),
        "invoice_date",
        "invoice_id",
        CUSTOMER_KEY,
        distinct=True,
    )
    shown = [
        f"invoice {row['invoice_id']} of customer {row[CUSTOMER_KEY]} on "
        f"{row['invoice_date']:%Y-%m-%d}"
        for row in rows
    ]
    raise InputValidationError(
        f"transactions: column 'invoice_date' has no clean line for {gap_days:,.0f} "
        f"days, from {start:%Y-%m-%d} to {end:%Y-%m-%d} (rule: no gap longer than "
        f"{limit:g} days between two days with clean lines, "
        f"reading_checks.max_date_gap_days); {count} of {lines} clean lines lie "
        f"{'before' if before else 'after'} it, e.g. {shown}; a system's "
        "placeholder date (1970-01-01, 1900-01-01) or a year typed wrong reads as "
        f"a real purchase: set cleaning_rules.{rule} to drop and count them, or "
        "raise max_date_gap_days (null: not checked) if the history really stops "
        "that long"
    )


def check_attribute_date_gaps(clean_customers: ir.Table, checks: ReadingChecks) -> None:
    """A named error when a date attribute's values stop for decades, as a placeholder's do.

    A sign-up date of 1900-01-01 or 1970-01-01 among sign-ups of the last few
    years reads as a customer of a hundred years: a derived ``years_since``
    feature (tenure, age) takes it as it is, and nothing else says so.

    Args:
        clean_customers: Kept customer attribute rows; their timestamp columns
            are the date attributes.
        checks: ``max_attribute_date_gap_days`` (``None`` turns the check off)
            and ``min_rows`` (columns with fewer values are not checked).

    Raises:
        InputValidationError: If a column's longest gap exceeds
            ``max_attribute_date_gap_days``, with the gap, the values on its
            smaller side and the way out.
    """
    limit = checks.max_attribute_date_gap_days
    columns = [
        column
        for column in clean_customers.columns
        if clean_customers[column].type().is_timestamp()
    ]
    if limit is None or not columns:
        return
    days = clean_customers.aggregate(
        **{
            column: distinct_values(clean_customers[column].date(), checks.min_rows)
            for column in columns
        },
        values=ibis.struct(
            {column: clean_customers[column].count() for column in columns}
        ),
    ).to_pyarrow()
    figures = days.to_pylist()[0]
    for column in columns:
        gap = _too_long_gap(figures[column], limit)
        if gap is None:
            continue
        start, end, gap_days = gap
        total = figures["values"][column]
        side, count, before = smaller_side(
            clean_customers, clean_customers[column].date() < end, total
        )
        bound = (
            f"min: {end:%Y-%m-%d}"
            if before
            else f"max: {start + dt.timedelta(days=1):%Y-%m-%d}"
        )
        rows = example_rows(clean_customers.filter(side), column, CUSTOMER_KEY)
        shown = [
            f"customer {row[CUSTOMER_KEY]} on {row[column]:%Y-%m-%d}" for row in rows
        ]
        raise InputValidationError(
            f"customers: column '{column}' has no value for {gap_days:,.0f} days, "
            f"from {start:%Y-%m-%d} to {end:%Y-%m-%d} (rule: no gap longer than "
            f"{limit:g} days between two days with a value, "
            f"reading_checks.max_attribute_date_gap_days); {count} of {total} "
            f"values lie {'before' if before else 'after'} it, e.g. {shown}; a "
            "system's placeholder date (1970-01-01, 1900-01-01) or a year typed "
            f"wrong reads as a real date: set customer_cleaning_rules.bounds."
            f"{column}.{bound} to drop and count them, or raise "
            "max_attribute_date_gap_days (null: not checked) if the dates really "
            "stop that long"
        )
