"""Per-customer purchase summaries the value models need, built in Ibis from clean lines.

A purchase occasion is a calendar day with at least one clean line, as in the
BG/NBD paper: several invoices on one day count once, and the day's spend is the
sum of its line revenues (``with_line_revenue``: the line totals).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from customer_segmentation.pipelines.feature_engineering.nodes import (
    days_between,
    with_line_revenue,
)

from .settings import DAYS_PER_UNIT, TimeUnit

SUMMARY_COLUMNS = ("customer_id", "frequency", "recency", "T", "monetary_value")


def _day(moment: pd.Timestamp) -> ir.Value:
    return ibis.literal(pd.Timestamp(moment).normalize()).cast("timestamp")


def _purchase_days(
    clean_transactions: ir.Table,
    customers: ir.Table,
    after: pd.Timestamp | None,
    until: pd.Timestamp,
) -> ir.Table:
    # Lines of the given customers dated on the days (after, until], one row per
    # customer and purchase day with the day's spend.
    lines = clean_transactions.semi_join(customers.select("customer_id"), "customer_id")
    lines = lines.filter(lines.invoice_date < _day(until) + ibis.interval(days=1))
    if after is not None:
        lines = lines.filter(lines.invoice_date >= _day(after) + ibis.interval(days=1))
    lines = with_line_revenue(lines)
    lines = lines.mutate(purchase_day=lines.invoice_date.truncate("D"))
    return lines.group_by(["customer_id", "purchase_day"]).agg(
        spend=lines.revenue.sum()
    )


def in_units(days: ir.Value, time_unit: TimeUnit) -> ir.FloatingValue:
    """Whole days in the model's time unit, as a float column on every engine.

    The days are cast before dividing: a float literal is a decimal in Spark SQL, so
    ``days / 7.0`` would come back as decimals that pandas holds as objects.
    """
    return days.cast("float64") / DAYS_PER_UNIT[time_unit]


def summarise_purchases(
    clean_transactions: ir.Table,
    customers: ir.Table,
    observation_end: pd.Timestamp,
    time_unit: TimeUnit,
) -> ir.Table:
    """Summarises each customer's purchases up to a date, as BG/NBD and Gamma-Gamma need.

    Args:
        clean_transactions: Clean purchase lines (``customer_id``,
            ``invoice_id``, ``invoice_date``, ``line_total``).
        customers: Table whose ``customer_id`` column lists the customers to
            summarise (e.g. ``customer_features``).
        observation_end: Last day of the observation period; lines dated later
            are left out.
        time_unit: Unit of ``recency`` and ``T``.

    Returns:
        One row per listed customer with a purchase on or before
        ``observation_end``, ordered by ``customer_id``: ``frequency`` (purchase
        days after the first one), ``recency`` (first to last purchase day),
        ``T`` (first purchase day to ``observation_end``) and ``monetary_value``
        (mean spend of the repeat purchase days; 0 without one).
    """
    days = _purchase_days(clean_transactions, customers, None, observation_end)
    # One aggregate, no window: the repeat spend is all spend but the first day's.
    per_customer = days.group_by("customer_id").agg(
        first_day=days.purchase_day.min(),
        last_day=days.purchase_day.max(),
        n_days=days.count(),
        total_spend=days.spend.sum(),
        first_spend=days.spend.argmin(days.purchase_day),
    )
    frequency = per_customer.n_days - 1
    return per_customer.select(
        "customer_id",
        frequency=frequency.cast("int64"),
        recency=in_units(
            days_between(per_customer.last_day, per_customer.first_day), time_unit
        ),
        T=in_units(
            days_between(_day(observation_end), per_customer.first_day), time_unit
        ),
        monetary_value=ibis.ifelse(
            frequency > 0,
            (per_customer.total_spend - per_customer.first_spend) / frequency,
            0.0,
        ).cast("float64"),
    ).order_by("customer_id")


def count_holdout_purchases(
    clean_transactions: ir.Table,
    customers: ir.Table,
    calibration_end: pd.Timestamp,
    observation_end: pd.Timestamp,
) -> ir.Table:
    """Counts each customer's purchase days after the calibration period.

    Args:
        clean_transactions: Clean purchase lines.
        customers: Table whose ``customer_id`` column lists the customers.
        calibration_end: Last day of the calibration period.
        observation_end: Last day of the holdout period.

    Returns:
        ``customer_id`` and ``holdout_purchases`` for the customers with a
        purchase day in (``calibration_end``, ``observation_end``].
    """
    days = _purchase_days(
        clean_transactions, customers, calibration_end, observation_end
    )
    return days.group_by("customer_id").agg(holdout_purchases=days.count())
