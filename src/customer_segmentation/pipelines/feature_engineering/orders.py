"""The customers' orders: clean lines summed per customer, purchase, day and country, once.

The features, the value models' purchase days and the report's monthly revenue
all group the lines by customer and purchase or day (about a quarter as many
orders as lines). They read this table instead of the lines, so the lines are
grouped once for the three of them. An order row is as fine as each of them
needs: a purchase (``purchase_key``: an invoice, or a calendar day without
invoice ids) on one calendar day in one country, so the rows of a purchase day,
a month or a country are whole rows, never parts of one.
"""

from __future__ import annotations

import ibis.expr.types as ir

from customer_segmentation.pipelines.data_processing.ids import purchase_key

ORDER_KEYS = ("customer_id", "purchase", "purchase_day", "country")
ORDER_COLUMNS = (*ORDER_KEYS, "revenue", "lines", "first_line_at", "last_line_at")


def aggregate_customer_orders(clean_transactions: ir.Table) -> ir.Table:
    """Sums the clean lines of each order.

    Args:
        clean_transactions: Clean purchase lines (``customer_id``,
            ``invoice_id``, ``invoice_date``, ``line_total``, ``country``; the
            invoice id and country may be null throughout).

    Returns:
        One row per customer, purchase, calendar day and country with a clean
        line: the keys of ``ORDER_KEYS`` (``purchase`` is the invoice id, or the
        day as text without invoice ids; ``purchase_day`` the day at midnight),
        ``revenue`` (the sum of the line totals), ``lines`` (their count) and
        ``first_line_at`` / ``last_line_at`` (the time of the first and last
        line).
    """
    lines = clean_transactions.mutate(
        purchase_day=clean_transactions.invoice_date.truncate("D")
    )
    # Grouped by the invoice id as read, not by the purchase key: a key computed
    # per line is a new text for every line, which makes the hash table of 28M
    # lines several times larger (DuckDB spills it to disk at 1M customers).
    orders = lines.group_by(
        ["customer_id", "invoice_id", "purchase_day", "country"]
    ).agg(
        revenue=lines.line_total.sum(),
        lines=lines.count(),
        first_line_at=lines.invoice_date.min(),
        last_line_at=lines.invoice_date.max(),
    )
    # The purchase key of the order's lines, which are all on its day.
    dated = orders.mutate(invoice_date=orders.purchase_day)
    return dated.mutate(purchase=purchase_key(dated)).select(*ORDER_COLUMNS)
