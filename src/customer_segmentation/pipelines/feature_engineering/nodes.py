"""Nodes that aggregate clean transactions into one feature row per customer."""

from __future__ import annotations

import datetime as dt
import logging

import ibis
import ibis.expr.types as ir
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

logger = logging.getLogger(__name__)

SECONDS_PER_DAY = 86_400


class FeatureSettings(BaseModel):
    """Settings of the per-customer features.

    Attributes:
        reference_date: Date the recency and tenure are measured at (ISO text);
            ``None`` uses one day after the last clean transaction.
    """

    model_config = ConfigDict(extra="forbid")

    reference_date: dt.datetime | None = None


class ModelFeatures(BaseModel):
    """Which customer features feed the model.

    Attributes:
        numeric: Numeric feature columns.
        categorical: Categorical feature columns (one-hot encoded by the model).
        order_segments_by: Column whose per-segment mean orders the segment ids
            (descending); carried in the model input even when not a feature.
    """

    model_config = ConfigDict(extra="forbid")

    numeric: list[str] = Field(default_factory=list)
    categorical: list[str] = Field(default_factory=list)
    order_segments_by: str = "monetary"


def _days_between(later: ir.Value, earlier: ir.Value) -> ir.Value:
    seconds = later.epoch_seconds() - earlier.epoch_seconds()
    return (seconds / SECONDS_PER_DAY).floor()


def resolve_reference_date(
    clean_transactions: ir.Table, settings: FeatureSettings
) -> dt.datetime:
    """Picks the date recency and tenure are measured at.

    Args:
        clean_transactions: Clean transaction lines.
        settings: Feature settings; a set ``reference_date`` wins.

    Returns:
        ``settings.reference_date`` when set, else the last transaction time plus
        one day.

    Raises:
        ValueError: If no reference date is set and there are no transactions.
    """
    if settings.reference_date is not None:
        return settings.reference_date
    last = clean_transactions.invoice_date.max().execute()
    if last is None or pd.isna(last):
        raise ValueError(
            "clean_transactions: no rows left after cleaning, so no reference date "
            "can be derived; check the data quality report"
        )
    reference = pd.Timestamp(last).to_pydatetime() + dt.timedelta(days=1)
    logger.info("Reference date for recency and tenure: %s", reference)
    return reference


def compute_customer_features(
    clean_transactions: ir.Table,
    returned_transactions: ir.Table,
    validated_customers: ir.Table,
    reference_date: dt.datetime,
) -> ir.Table:
    """Aggregates transactions into RFM and behaviour features, joined with attributes.

    Args:
        clean_transactions: Clean purchase lines.
        returned_transactions: Cancelled and returned lines of identified customers.
        validated_customers: Customer attributes, one row per customer.
        reference_date: Date recency and tenure are measured at.

    Returns:
        One row per customer with a clean purchase: ``customer_id``,
        ``recency_days``, ``frequency`` (distinct invoices), ``monetary`` (net
        revenue), ``average_order_value``, ``tenure_days``,
        ``mean_days_between_purchases`` (null for one-invoice customers),
        ``distinct_products``, ``return_rate`` (returned lines over all lines),
        ``country`` (the most frequent), and the attribute columns.
    """
    reference = ibis.literal(pd.Timestamp(reference_date)).cast("timestamp")
    lines = clean_transactions.mutate(
        revenue=clean_transactions.quantity * clean_transactions.unit_price
    )
    purchases = lines.group_by("customer_id").agg(
        first_purchase=lines.invoice_date.min(),
        last_purchase=lines.invoice_date.max(),
        frequency=lines.invoice_id.nunique(),
        monetary=lines.revenue.sum(),
        distinct_products=lines.product_id.nunique(),
        purchase_lines=lines.count(),
        country=lines.country.mode(),
    )
    returns = returned_transactions.group_by("customer_id").agg(
        returned_lines=returned_transactions.count()
    )
    joined = purchases.left_join(returns, "customer_id").drop("customer_id_right")
    returned_lines = joined.returned_lines.fill_null(0)
    span_days = _days_between(joined.last_purchase, joined.first_purchase)
    features = joined.select(
        "customer_id",
        recency_days=_days_between(reference, joined.last_purchase),
        frequency=joined.frequency,
        monetary=joined.monetary,
        average_order_value=joined.monetary / joined.frequency,
        tenure_days=_days_between(reference, joined.first_purchase),
        mean_days_between_purchases=ibis.ifelse(
            joined.frequency > 1, span_days / (joined.frequency - 1), ibis.null()
        ),
        distinct_products=joined.distinct_products,
        return_rate=returned_lines / (joined.purchase_lines + returned_lines),
        country=joined.country,
    )
    with_attributes = features.left_join(validated_customers, "customer_id")
    return with_attributes.drop("customer_id_right").order_by("customer_id")


def select_model_input(
    customer_features: pd.DataFrame, model_features: ModelFeatures
) -> pd.DataFrame:
    """Picks the columns that feed the model.

    Args:
        customer_features: One row per customer.
        model_features: Numeric and categorical feature columns.

    Returns:
        ``customer_id``, the chosen columns in the configured order, and the
        ``order_segments_by`` column.

    Raises:
        ValueError: If no feature is chosen or a chosen column does not exist.
    """
    chosen = [*model_features.numeric, *model_features.categorical]
    if not chosen:
        raise ValueError(
            "model_features: choose at least one numeric or categorical column"
        )
    wanted = [*chosen, model_features.order_segments_by]
    missing = [column for column in wanted if column not in customer_features.columns]
    if missing:
        raise ValueError(
            f"model_features: column(s) {missing} not in customer_features; "
            f"available: {list(customer_features.columns)}"
        )
    columns = ["customer_id", *dict.fromkeys(wanted)]
    return customer_features[columns].copy()
