"""Per-customer purchase summaries the value models need, built in Ibis from the orders.

A purchase occasion is a calendar day with at least one clean line, as in the
BG/NBD paper: several invoices on one day count once, and the day's spend is the
sum of its line totals, read as the sum of its orders' revenue
(``aggregate_customer_orders``: the lines summed per order and day).

Every summary is a projection of one grouped aggregate of the purchase days
(:func:`aggregate_purchases`): the whole-period summary and the calibration /
holdout split read the orders once, together.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from customer_segmentation.pipelines.feature_engineering.nodes import days_between

from .settings import DAYS_PER_UNIT, TimeUnit

SUMMARY_COLUMNS = ("customer_id", "frequency", "recency", "T", "monetary_value")
# Columns of aggregate_purchases: per customer, over the purchase days up to the
# observation end, and (with a calibration end) over those up to it.
PURCHASE_HISTORY_TYPES = {
    "customer_id": "string",
    "first_day": "timestamp",
    "last_day": "timestamp",
    "purchase_days": "int64",
    "total_spend": "float64",
    "first_spend": "float64",
}
CALIBRATION_HISTORY_TYPES = {
    "calibration_last_day": "timestamp",
    "calibration_purchase_days": "int64",
    "calibration_spend": "float64",
}


def _day(moment: pd.Timestamp) -> ir.Value:
    return ibis.literal(pd.Timestamp(moment).normalize()).cast("timestamp")


def _purchase_days(
    customer_orders: ir.Table, customers: ir.Table, until: pd.Timestamp
) -> ir.Table:
    # Orders of the given customers on or before the day `until`, one row per
    # customer and purchase day with the day's spend.
    orders = customer_orders.semi_join(customers.select("customer_id"), "customer_id")
    orders = orders.filter(orders.purchase_day <= _day(until))
    return orders.group_by(["customer_id", "purchase_day"]).agg(
        spend=orders.revenue.sum()
    )


def in_units(days: ir.Value, time_unit: TimeUnit) -> ir.FloatingValue:
    """Whole days in the model's time unit, as a float column on every engine.

    The days are cast before dividing: a float literal is a decimal in Spark SQL, so
    ``days / 7.0`` would come back as decimals that pandas holds as objects.
    """
    return days.cast("float64") / DAYS_PER_UNIT[time_unit]


def aggregate_purchases(
    customer_orders: ir.Table,
    customers: ir.Table,
    observation_end: pd.Timestamp,
    calibration_end: pd.Timestamp | None = None,
) -> ir.Table:
    """Aggregates each customer's purchase days up to a date, in one grouped pass.

    Args:
        customer_orders: Output of ``aggregate_customer_orders`` (``customer_id``,
            ``purchase_day``, ``revenue``).
        customers: Table whose ``customer_id`` column lists the customers to
            aggregate (e.g. ``customer_features``).
        observation_end: Last day of the observation period; orders dated later
            are left out.
        calibration_end: Last day of a calibration period inside it, or ``None``.

    Returns:
        One row per listed customer with a purchase day on or before
        ``observation_end``: the columns of ``PURCHASE_HISTORY_TYPES``
        (``first_day``, ``last_day``, ``purchase_days``, ``total_spend`` and
        ``first_spend``, the first day's spend) and, with a ``calibration_end``,
        those of ``CALIBRATION_HISTORY_TYPES`` over the days up to it (null last
        day, 0 days and spend for a customer who first bought after it).
    """
    days = _purchase_days(customer_orders, customers, observation_end)
    # One aggregate, no window: a summary's repeat spend is all spend but the
    # first day's.
    aggregates = {
        "first_day": days.purchase_day.min(),
        "last_day": days.purchase_day.max(),
        "purchase_days": days.count().cast("int64"),
        "total_spend": days.spend.sum().cast("float64"),
        "first_spend": days.spend.argmin(days.purchase_day).cast("float64"),
    }
    if calibration_end is not None:
        calibration = days.purchase_day <= _day(calibration_end)
        aggregates |= {
            "calibration_last_day": days.purchase_day.max(where=calibration),
            "calibration_purchase_days": days.count(where=calibration).cast("int64"),
            "calibration_spend": days.spend.sum(where=calibration)
            .fill_null(0.0)
            .cast("float64"),
        }
    return days.group_by("customer_id").agg(**aggregates)


def _summary(  # noqa: PLR0913 - the aggregates of one period, its end and the unit
    history: ir.Table,
    last_day: ir.Value,
    purchase_days: ir.IntegerValue,
    spend: ir.FloatingValue,
    *,
    observation_end: pd.Timestamp,
    time_unit: TimeUnit,
) -> dict[str, ir.Value]:
    frequency = purchase_days - 1
    return {
        "frequency": frequency.cast("int64"),
        "recency": in_units(days_between(last_day, history.first_day), time_unit),
        "T": in_units(
            days_between(_day(observation_end), history.first_day), time_unit
        ),
        "monetary_value": ibis.ifelse(
            frequency > 0, (spend - history.first_spend) / frequency, 0.0
        ).cast("float64"),
    }


def summarise_history(
    history: ir.Table, observation_end: pd.Timestamp, time_unit: TimeUnit
) -> ir.Table:
    """Summarises each customer's purchases as BG/NBD and Gamma-Gamma need.

    Args:
        history: Output of :func:`aggregate_purchases` at ``observation_end``.
        observation_end: Last day of the observation period.
        time_unit: Unit of ``recency`` and ``T``.

    Returns:
        One row per customer of ``history``, ordered by ``customer_id``:
        ``frequency`` (purchase days after the first one), ``recency`` (first to
        last purchase day), ``T`` (first purchase day to ``observation_end``)
        and ``monetary_value`` (mean spend of the repeat purchase days; 0
        without one).
    """
    return history.select(
        "customer_id",
        **_summary(
            history,
            history.last_day,
            history.purchase_days,
            history.total_spend,
            observation_end=observation_end,
            time_unit=time_unit,
        ),
    ).order_by("customer_id")


def summarise_purchases(
    customer_orders: ir.Table,
    customers: ir.Table,
    observation_end: pd.Timestamp,
    time_unit: TimeUnit,
) -> ir.Table:
    """Summarises each customer's purchases up to a date, from the orders.

    Args:
        customer_orders: Output of ``aggregate_customer_orders``.
        customers: Table whose ``customer_id`` column lists the customers.
        observation_end: Last day of the observation period; orders dated later
            are left out.
        time_unit: Unit of ``recency`` and ``T``.

    Returns:
        The summary of :func:`summarise_history` for every listed customer with
        a purchase on or before ``observation_end``.
    """
    history = aggregate_purchases(customer_orders, customers, observation_end)
    return summarise_history(history, observation_end, time_unit)


def split_history(
    history: ir.Table,
    calibration_end: pd.Timestamp,
    observation_end: pd.Timestamp,
    time_unit: TimeUnit,
) -> ir.Table:
    """Summarises the calibration period and counts the purchases of the holdout.

    Args:
        history: Output of :func:`aggregate_purchases` at ``observation_end``
            with this ``calibration_end``.
        calibration_end: Last day of the calibration period.
        observation_end: Last day of the holdout period.
        time_unit: Unit of ``recency``, ``T`` and ``holdout_length``.

    Returns:
        For every customer whose first purchase day is on or before
        ``calibration_end``, ordered by ``customer_id``: the summary columns of
        the calibration period, ``holdout_purchases`` (purchase days after it)
        and ``holdout_length`` (calibration end to observation end).
    """
    calibrated = history.filter(history.calibration_purchase_days > 0)
    # Computed by the engine like T, so that it is stored as a float column.
    length = in_units(
        days_between(_day(observation_end), _day(calibration_end)), time_unit
    )
    return calibrated.select(
        "customer_id",
        **_summary(
            calibrated,
            calibrated.calibration_last_day,
            calibrated.calibration_purchase_days,
            calibrated.calibration_spend,
            observation_end=calibration_end,
            time_unit=time_unit,
        ),
        holdout_purchases=(
            calibrated.purchase_days - calibrated.calibration_purchase_days
        ).cast("int64"),
        holdout_length=length.cast("float64"),
    ).order_by("customer_id")
