"""What makes the lines purchases of customers: a date on each, one invoice id per purchase and one customer per invoice, the two inputs' ids alike.

The checks read figures the data-quality summary's queries already compute
(``accounting._clean_line_figures``, and the lines without a date in
``accounting._rows_by_rule``) and query examples only when they fail.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from .errors import N_EXAMPLES, InputValidationError, example_rows
from .reading import UNPARSEABLE
from .settings import CUSTOMER_KEY, ReadingChecks

SECONDS_PER_DAY = 86_400


def _too_long(
    first: ir.TimestampValue, last: ir.TimestampValue, max_invoice_span_days: float
) -> ir.BooleanValue:
    longest = ibis.interval(seconds=round(max_invoice_span_days * SECONDS_PER_DAY))
    return last > first + longest


def _long_invoices(
    clean_transactions: ir.Table, max_invoice_span_days: float
) -> tuple[ir.Table, ir.BooleanColumn]:
    # Each invoice id's first and last clean line, and whether they lie too far apart.
    dated = clean_transactions.filter(clean_transactions.invoice_id.notnull())
    spans = dated.group_by("invoice_id").agg(
        first=dated.invoice_date.min(), last=dated.invoice_date.max()
    )
    return spans, _too_long(spans["first"], spans["last"], max_invoice_span_days)


def invoice_spans(
    clean_transactions: ir.Table,
    max_invoice_span_days: float | None,
    guests: ir.Table | None = None,
) -> ir.Table:
    """The invoice ids grouped once: their count, how many span too long, and guests' lines.

    Args:
        clean_transactions: Clean transaction lines.
        max_invoice_span_days: See ``ReadingChecks``; ``None``: not counted.
        guests: Lines dropped as ``missing_customer_id`` (their ``invoice_id``),
            grouped with the clean lines to count those that share an invoice
            with one; ``None``: not counted.

    Returns:
        One row: ``invoices`` (distinct invoice ids of the clean lines),
        ``long_invoices``, ``guest_lines`` and ``guest_invoices`` (guests' lines
        whose invoice id a clean line has, and those invoices).
    """
    if max_invoice_span_days is None and guests is None:
        return clean_transactions.aggregate(
            invoices=clean_transactions.invoice_id.nunique(),
            long_invoices=ibis.literal(0, "int64"),
            guest_lines=ibis.literal(0, "int64"),
            guest_invoices=ibis.literal(0, "int64"),
        )
    lines = clean_transactions.select(
        "invoice_id", "invoice_date", named=ibis.literal(1, "int64")
    )
    if guests is not None:
        lines = lines.union(
            guests.select(
                "invoice_id",
                invoice_date=ibis.null(clean_transactions.invoice_date.type()),
                named=ibis.literal(0, "int64"),
            ),
            distinct=False,
        )
    lines = lines.filter(lines.invoice_id.notnull())
    # Each invoice id's first and last clean line (a guest's has no date here),
    # its clean lines and all its lines.
    spans = lines.group_by("invoice_id").agg(
        first=lines.invoice_date.min(),
        last=lines.invoice_date.max(),
        named=lines.named.sum(),
        total=lines.count(),
    )
    named = spans.named > 0
    long = (
        ibis.literal(False)
        if max_invoice_span_days is None
        else _too_long(spans["first"], spans["last"], max_invoice_span_days)
    )
    shared = named & (spans.total > spans.named)
    return spans.aggregate(
        invoices=named.cast("int64").sum().fill_null(0),
        long_invoices=(named & long).cast("int64").sum().fill_null(0),
        guest_lines=ibis.ifelse(shared, spans.total - spans.named, 0)
        .sum()
        .fill_null(0),
        guest_invoices=shared.cast("int64").sum().fill_null(0),
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


def check_customer_on_every_line(
    clean_transactions: ir.Table, guests: ir.Table, figures: dict[str, Any]
) -> None:
    """A named error when lines without a customer id belong to invoices of a customer.

    An export that writes an order's customer on its first line only (a
    flattened order with its items) leaves the other lines without a customer
    id: they are dropped as guest purchases (``missing_customer_id``), and the
    customers' spend, order values and product counts come out short, while
    the report reads as a share of guest orders. In UCI Online Retail and
    Online Retail II an invoice's lines all have a customer id or none has.

    Args:
        clean_transactions: Clean transaction lines.
        guests: Lines dropped as ``missing_customer_id``.
        figures: ``guest_lines`` and ``guest_invoices`` of :func:`invoice_spans`
            (0 when ``reading_checks.customer_on_every_line`` is off, as the
            guests' lines are then not counted).

    Raises:
        InputValidationError: If such lines share an invoice id with a clean
            line, with how many, examples and the way out.
    """
    lines = figures["guest_lines"]
    if not lines:
        return
    named = clean_transactions.semi_join(guests.select("invoice_id"), "invoice_id")
    rows = example_rows(named, "invoice_id", CUSTOMER_KEY, distinct=True)
    shown = [
        f"invoice {row['invoice_id']} of customer {row[CUSTOMER_KEY]}" for row in rows
    ]
    raise InputValidationError(
        f"transactions: column 'customer_id' is missing on {lines} line(s) of "
        f"{figures['guest_invoices']} invoice(s) whose other lines name a customer, "
        f"e.g. {shown} (rule: an invoice's lines all have a customer id or none "
        "has, reading_checks.customer_on_every_line); an export that writes an "
        "order's customer on its first line only would have the other lines "
        "dropped as guest purchases and those customers' spend counted short: "
        "write the customer id on every line, or set customer_on_every_line to "
        "false if these lines really are guests'"
    )


def undated(flagged_transactions: ir.Table) -> ir.BooleanValue:
    """Whether a line has no date: null or a missing-value token.

    A date that is present but does not parse, or that pandas cannot hold, has
    rules of its own (``unparseable_invoice_date``, ``out_of_range_invoice_date``).
    """
    reason = flagged_transactions.drop_reason.fill_null("")
    return flagged_transactions.invoice_date.isnull() & ~reason.isin(
        [f"{UNPARSEABLE}invoice_date", "out_of_range_invoice_date"]
    )


def check_undated_share(
    flagged_transactions: ir.Table,
    undated_lines: int,
    rows_in: int,
    checks: ReadingChecks,
) -> None:
    """A named error when more lines than ``max_undated_share`` have no date.

    A purchase needs its date. An export that writes an order's date, with its
    customer and invoice id, on its first line only (a flattened order with its
    items) leaves the order's other lines without: they would be dropped (as
    guests' lines or lines without a date) and the customers' spend, order
    values and product counts come out short. UCI Online Retail and Online
    Retail II have a date on every line.

    Args:
        flagged_transactions: Output of ``flag_transactions``.
        undated_lines: Lines without a date (:func:`undated`), counted in the
            report's scan of the lines.
        rows_in: All the lines.
        checks: ``max_undated_share`` and ``min_rows``.

    Raises:
        InputValidationError: If the share is above the limit, with examples.
    """
    limit = checks.max_undated_share
    if limit is None or rows_in < checks.min_rows or undated_lines <= limit * rows_in:
        return
    lines = flagged_transactions.filter(undated(flagged_transactions))
    rows = example_rows(lines, "invoice_id", CUSTOMER_KEY, "product_id", distinct=True)
    shown = [
        f"product {row['product_id'] or 'none'} (invoice {row['invoice_id'] or 'none'}"
        f", customer {row[CUSTOMER_KEY] or 'none'})"
        for row in rows
    ]
    raise InputValidationError(
        f"transactions: column 'invoice_date' is missing on {undated_lines} of "
        f"{rows_in} lines ({undated_lines / rows_in:.1%}), e.g. {shown} (rule: at "
        f"most {limit:.1%} of the lines without a date, "
        "reading_checks.max_undated_share); a purchase needs its date, and an "
        "export that writes an order's date (with its customer and invoice id) on "
        "its first line only would have the order's other lines dropped and those "
        "customers' spend counted short: fill the order's fields down to its other "
        "lines, or raise max_undated_share (null: not checked) if these lines "
        "really have no date"
    )


def guest_lines(flagged_transactions: ir.Table) -> ir.Table:
    """The lines dropped as ``missing_customer_id`` (guest purchases).

    Args:
        flagged_transactions: Output of ``flag_transactions``.

    Returns:
        Those lines.
    """
    return flagged_transactions.filter(
        flagged_transactions.drop_reason == "missing_customer_id"
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
