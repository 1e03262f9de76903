"""What makes the clean lines purchases of customers: one invoice id per purchase, dates of one history, the two inputs' ids alike.

The checks read figures the data-quality summary's query already computes
(``accounting._clean_line_figures``) and query examples only when they fail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir

from .errors import N_EXAMPLES, InputValidationError
from .settings import CUSTOMER_KEY, ReadingChecks

SECONDS_PER_DAY = 86_400


def _long_invoices(
    clean_transactions: ir.Table, max_invoice_span_days: float
) -> tuple[ir.Table, ir.BooleanColumn]:
    # Each invoice id's first and last clean line, and whether they lie too far apart.
    dated = clean_transactions.filter(clean_transactions.invoice_id.notnull())
    spans = dated.group_by("invoice_id").agg(
        first=dated.invoice_date.min(), last=dated.invoice_date.max()
    )
    longest = ibis.interval(seconds=round(max_invoice_span_days * SECONDS_PER_DAY))
    return spans, spans["last"] > spans["first"] + longest


def invoice_spans(
    clean_transactions: ir.Table, max_invoice_span_days: float | None
) -> ir.Table:
    """The invoice ids grouped once: their count, and how many span too long.

    Args:
        clean_transactions: Clean transaction lines.
        max_invoice_span_days: See ``ReadingChecks``; ``None``: not counted.

    Returns:
        One row: ``invoices`` (distinct invoice ids) and ``long_invoices``.
    """
    if max_invoice_span_days is None:
        return clean_transactions.aggregate(
            invoices=clean_transactions.invoice_id.nunique(),
            long_invoices=ibis.literal(0, "int64"),
        )
    spans, long = _long_invoices(clean_transactions, max_invoice_span_days)
    return spans.aggregate(
        invoices=spans.count(), long_invoices=long.cast("int64").sum().fill_null(0)
    )


def check_invoice_spans(
    clean_transactions: ir.Table, long_invoices: int, checks: ReadingChecks
) -> None:
    """A named error when an invoice id's clean lines lie too far apart.

    Args:
        clean_transactions: Clean transaction lines.
        long_invoices: Their count, from :func:`invoice_spans`.
        checks: ``max_invoice_span_days``.

    Raises:
        InputValidationError: If ``long_invoices`` is not 0, with examples.
    """
    if not long_invoices:
        return
    spans, long = _long_invoices(clean_transactions, checks.max_invoice_span_days)
    examples = (
        spans.filter(long)
        .order_by("invoice_id")
        .select("invoice_id", "first", "last")
        .to_pyarrow(limit=N_EXAMPLES)
        .to_pylist()
    )
    shown = [
        f"{row['invoice_id']} ({row['first']:%Y-%m-%d} to {row['last']:%Y-%m-%d})"
        for row in examples
    ]
    raise InputValidationError(
        f"transactions: column 'invoice_id' has {long_invoices} id(s) whose clean "
        f"lines lie more than {checks.max_invoice_span_days:g} day(s) apart (rule: "
        "one invoice id is one purchase, reading_checks.max_invoice_span_days); "
        f"examples: {shown}; the ids repeat across purchases (numbering that "
        "restarts by day, till or store), so a customer's purchases would be "
        "counted as one: map transactions_schema.columns.invoice_id to null to "
        "count a customer's purchases by day, or raise the span"
    )


def days_with_values(dates: ir.TimestampColumn, min_values: int) -> ir.ArrayScalar:
    """The days with a value of a date column, each once: an aggregate of its scan.

    Below ``min_values`` values the gap is not checked, and the answer is null:
    the same answer for every small table (an API request), whose dates differ
    each time, so that what reads it can be reused (see ``api/memo.py``).

    Args:
        dates: A date column (the clean lines' ``invoice_date``, a date attribute).
        min_values: Fewer non-null values give null.

    Returns:
        Its distinct days, as a list (not in order), or null.
    """
    days = dates.date().collect(distinct=True)
    return ibis.ifelse(dates.count() >= min_values, days, ibis.null(days.type()))


def _too_long_gap(
    days: list[dt.date] | None, limit: float
) -> tuple[dt.date, dt.date, int] | None:
    # The longest stretch between two consecutive days (the earliest such), when
    # it is longer than the limit: its first and last day and its length.
    ordered = sorted(days or [])
    pairs = list(zip(ordered, ordered[1:], strict=False))
    if not pairs:
        return None
    start, end = max(pairs, key=lambda pair: pair[1] - pair[0])
    return (start, end, (end - start).days) if (end - start).days > limit else None


def _side_of_gap(
    table: ir.Table, dates: ir.DateValue, end: dt.date, total: int
) -> tuple[ir.BooleanValue, int, bool]:
    # The smaller side of a gap ending on ``end``: its rows, how many, and whether
    # it lies before the gap (else after).
    earlier = dates < end
    before = int(table.filter(earlier).count().execute())
    if before <= total - before:
        return earlier, before, True
    return dates >= end, total - before, False


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
        figures: ``lines`` and ``days`` (of :func:`days_with_values`) of the
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
    side, count, before = _side_of_gap(
        clean_transactions, clean_transactions.invoice_date.date(), end, lines
    )
    next_day = start + dt.timedelta(days=1)
    rule = (
        f"earliest_valid_date to {end:%Y-%m-%d}"
        if before
        else f"latest_valid_date to {next_day:%Y-%m-%d}"
    )
    rows = (
        clean_transactions.filter(side)
        .select("invoice_date", "invoice_id", CUSTOMER_KEY)
        .distinct()
        .order_by("invoice_date", "invoice_id", CUSTOMER_KEY)
        .to_pyarrow(limit=N_EXAMPLES)
        .to_pylist()
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
            column: days_with_values(clean_customers[column], checks.min_rows)
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
        side, count, before = _side_of_gap(
            clean_customers, clean_customers[column].date(), end, total
        )
        bound = (
            f"min: {end:%Y-%m-%d}"
            if before
            else f"max: {start + dt.timedelta(days=1):%Y-%m-%d}"
        )
        rows = (
            clean_customers.filter(side)
            .select(CUSTOMER_KEY, column)
            .order_by(column, CUSTOMER_KEY)
            .to_pyarrow(limit=N_EXAMPLES)
            .to_pylist()
        )
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


def check_attribute_match(
    clean_transactions: ir.Table,
    clean_customers: ir.Table,
    figures: dict[str, Any],
    checks: ReadingChecks,
) -> None:
    """A named error when too few customers of the lines have an attribute row.

    Two exports that write the same customer's id differently (leading zeros,
    a prefix, another id altogether) match only in part: the customers of the
    lines without a match get no attributes, and the attribute rows without a
    match are left out, without an error anywhere.

    Args:
        clean_transactions: Clean transaction lines.
        clean_customers: Kept attribute rows.
        figures: ``customers`` and ``without_attributes`` of the clean lines.
        checks: ``min_attribute_match``; ``None`` turns the check off.

    Raises:
        InputValidationError: If the share of the lines' customers with an
            attribute row is below ``checks.min_attribute_match``.
    """
    customers, least = figures["customers"], checks.min_attribute_match
    if least is None or not customers:
        return
    matched = customers - figures["without_attributes"]
    share = matched / customers
    if share >= least:
        return
    line_ids = clean_transactions.select(CUSTOMER_KEY).distinct()
    # Under the lines' id type, as the summary's customer query compares them.
    row_ids = clean_customers.select(
        clean_customers[CUSTOMER_KEY]
        .cast(line_ids[CUSTOMER_KEY].type())
        .name(CUSTOMER_KEY)
    ).distinct()

    def only_in(first: ir.Table, second: ir.Table) -> list[str]:
        ids = first.anti_join(second, CUSTOMER_KEY).order_by(CUSTOMER_KEY)
        return ids.to_pyarrow(limit=N_EXAMPLES).column(0).to_pylist()

    raise InputValidationError(
        f"customers: {matched} of {customers} customers with clean "
        f"purchases ({share:.1%}) have an attribute row (rule: at least "
        f"{least:.0%}, reading_checks.min_attribute_match); ids on one side only, "
        f"e.g. transactions: {only_in(line_ids, row_ids)}, attributes: "
        f"{only_in(row_ids, line_ids)}; the two exports may write ids differently "
        "(leading zeros, a prefix, another id): make them alike, or lower the share"
    )
