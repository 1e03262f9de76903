"""Business figures of the report: period, key figures, monthly revenue, R x F grid, breakdowns."""

from __future__ import annotations

import logging
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from customer_segmentation.pipelines.data_processing.nodes import (
    InputKind,
    check_input_kind,
)
from customer_segmentation.pipelines.feature_engineering.nodes import (
    reference_date_after,
)
from customer_segmentation.pipelines.feature_engineering.settings import FeatureSettings

from .profiles import ID_COLUMN, SEGMENT_COLUMN, join_segments, rows_line_up
from .rfm import has_rfm_columns
from .settings import RfmSettings

logger = logging.getLogger(__name__)

MONTHLY_COLUMNS = (SEGMENT_COLUMN, "month", "revenue", "n_orders", "n_customers")


def _date_text(value: Any) -> str | None:
    return (
        None
        if value is None or pd.isna(value)
        else pd.Timestamp(value).date().isoformat()
    )


def summarise_transactions(
    customer_orders: ir.Table,
    customer_segments: pd.DataFrame,
    feature_settings: FeatureSettings,
    input_kind: InputKind,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Measures the period the data covers and each segment's revenue per month.

    Args:
        customer_orders: Output of ``aggregate_customer_orders``: the clean
            lines summed per order.
        customer_segments: ``customer_id`` and ``segment_id``.
        feature_settings: Where the reference date comes from (the same rule as
            the features').
        input_kind: ``transactions``, ``attributes`` or ``both``.

    Returns:
        The period (``first_transaction``, ``last_transaction``,
        ``reference_date`` as ISO dates, ``n_months``; all empty for
        attribute-only data) and one row per segment and calendar month with
        ``segment_id``, ``month`` (first day), ``revenue``, ``n_orders`` and
        ``n_customers`` (no rows for attribute-only data).

    Raises:
        ValueError: If ``input_kind`` is unknown.
    """
    check_input_kind(input_kind)
    empty = pd.DataFrame(columns=list(MONTHLY_COLUMNS))
    if input_kind == "attributes":
        period = {
            "first_transaction": None,
            "last_transaction": None,
            "reference_date": None,
            "n_months": 0,
        }
        return period, empty
    segments = ibis.memtable(
        customer_segments[[ID_COLUMN, SEGMENT_COLUMN]].astype({ID_COLUMN: str})
    )
    orders = customer_orders.mutate(month=customer_orders.purchase_day.truncate("M"))
    # Orders are summed per purchase and month (a purchase may have order rows on
    # several days), then per customer and month, so only that aggregate meets
    # the segments, and every step is a plain grouped sum or count (no distinct
    # count): a customer is in one segment, so summing its orders and counting
    # its rows per segment and month count each once.
    purchases = orders.group_by([ID_COLUMN, "month", "purchase"]).agg(
        revenue=orders.revenue.sum()
    )
    per_customer = purchases.group_by([ID_COLUMN, "month"]).agg(
        revenue=purchases.revenue.sum(), n_orders=purchases.purchase.count()
    )
    joined = per_customer.join(segments, ID_COLUMN)
    monthly = (
        joined.group_by([SEGMENT_COLUMN, "month"])
        .agg(
            revenue=joined.revenue.sum(),
            n_orders=joined.n_orders.sum(),
            n_customers=joined.count(),
        )
        .order_by([SEGMENT_COLUMN, "month"])
        .to_pandas()
    )
    bounds = customer_orders.aggregate(
        first=customer_orders.first_line_at.min(),
        last=customer_orders.last_line_at.max(),
    ).to_pandas()
    last = bounds["last"].iloc[0]
    period = {
        "first_transaction": _date_text(bounds["first"].iloc[0]),
        "last_transaction": _date_text(last),
        # The features' rule, on the last line already read: no second scan.
        "reference_date": _date_text(reference_date_after(last, feature_settings)),
        "n_months": int(monthly["month"].nunique()),
    }
    logger.info(
        "Data period %s to %s, reference date %s",
        period["first_transaction"],
        period["last_transaction"],
        period["reference_date"],
    )
    return period, monthly[list(MONTHLY_COLUMNS)]


def key_figures(customer_features: pd.DataFrame, rfm: RfmSettings) -> dict[str, Any]:
    """Computes the figures the report opens with.

    Args:
        customer_features: One row per customer.
        rfm: Names of the frequency (orders) and monetary (revenue) columns.

    Returns:
        ``n_customers``; with transaction features also ``revenue``, ``n_orders``,
        ``average_order_value`` (revenue per order) and ``repeat_rate`` (share of
        customers with two orders or more).
    """
    figures: dict[str, Any] = {"n_customers": len(customer_features)}
    if not has_rfm_columns(customer_features, rfm) or customer_features.empty:
        return figures
    revenue = float(customer_features[rfm.monetary_column].sum())
    orders = float(customer_features[rfm.frequency_column].sum())
    return {
        **figures,
        "revenue": revenue,
        "n_orders": int(orders),
        "average_order_value": revenue / orders if orders else None,
        "repeat_rate": float((customer_features[rfm.frequency_column] >= 2).mean()),  # noqa: PLR2004
    }


def rfm_grid(
    customer_rfm_scores: pd.DataFrame,
    customer_features: pd.DataFrame,
    rfm: RfmSettings,
) -> pd.DataFrame:
    """Counts customers and revenue in every cell of the recency x frequency grid.

    Args:
        customer_rfm_scores: Output of :func:`~.rfm.score_rfm`.
        customer_features: One row per customer, with the monetary column.
        rfm: Score levels and the monetary column.

    Returns:
        One row per (``recency_score``, ``frequency_score``) of ``1..n_bins``
        each, with ``n_customers`` and ``revenue`` (0 for an empty cell); no rows
        without RFM scores.
    """
    scored = (
        customer_rfm_scores[["recency_score", "frequency_score"]].notna().all(axis=1)
    )
    if not scored.any() or rfm.monetary_column not in customer_features:
        return pd.DataFrame(
            columns=["recency_score", "frequency_score", "n_customers", "revenue"]
        )
    if rows_line_up(customer_rfm_scores, customer_features):
        joined = customer_rfm_scores.assign(
            **{rfm.monetary_column: customer_features[rfm.monetary_column].to_numpy()}
        )[scored.to_numpy()]
    else:
        joined = customer_rfm_scores[scored].merge(
            customer_features[[ID_COLUMN, rfm.monetary_column]],
            on=ID_COLUMN,
            how="left",
        )
    cells = joined.groupby(["recency_score", "frequency_score"]).agg(
        n_customers=(ID_COLUMN, "size"), revenue=(rfm.monetary_column, "sum")
    )
    levels = range(1, rfm.n_bins + 1)
    full = pd.MultiIndex.from_product(
        [levels, levels], names=["recency_score", "frequency_score"]
    )
    return cells.reindex(full, fill_value=0).reset_index()


def segment_breakdown(
    customer_features: pd.DataFrame,
    customer_segments: pd.DataFrame,
    column: str,
    max_levels: int,
) -> pd.DataFrame:
    """Shares of each segment's customers by the levels of one categorical column.

    Args:
        customer_features: One row per customer, with ``column``.
        customer_segments: ``customer_id`` and ``segment_id``.
        column: Categorical column, e.g. ``country`` or ``channel``.
        max_levels: Most common levels kept; the rest are ``other``, missing
            values ``unknown``.

    Returns:
        Segment ids as rows, levels as columns, shares of the row's customers.
    """
    merged = join_segments(customer_features[[ID_COLUMN, column]], customer_segments)
    values = merged[column].astype("string").fillna("unknown")
    top = values.value_counts().index[:max_levels]
    merged = merged.assign(**{column: values.where(values.isin(top), "other")})
    return pd.crosstab(merged[SEGMENT_COLUMN], merged[column], normalize="index")[
        [level for level in [*top, "other"] if level in set(merged[column])]
    ]
