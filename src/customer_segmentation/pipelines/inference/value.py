"""Each scored customer's lifetime value, added to its segment."""

from __future__ import annotations

import pandas as pd

from .nodes import CUSTOMER_VALUE_COLUMNS, SCORED_WITH_VALUE_COLUMNS


def attach_customer_value(
    segment_scores: pd.DataFrame, customer_value: pd.DataFrame
) -> pd.DataFrame:
    """Adds each scored customer's lifetime value to its segment.

    Args:
        segment_scores: Output of :func:`score_customers`.
        customer_value: ``customer_id`` and the ``CUSTOMER_VALUE_COLUMNS`` (output
            of ``predict_customer_value``).

    Returns:
        ``segment_scores`` with the columns of ``SCORED_WITH_VALUE_COLUMNS``; the
        value is null for customers without one (no clean purchase). Without a
        fitted value model (``customer_value`` has no value columns),
        ``segment_scores`` unchanged.

    Raises:
        ValueError: If a customer has two rows in either frame.
    """
    if not set(CUSTOMER_VALUE_COLUMNS) <= set(customer_value.columns):
        return segment_scores
    _check_one_row_per_customer("segment_scores", segment_scores)
    _check_one_row_per_customer("customer_value", customer_value)
    # Each customer's value looked up by id: what a left join gives, without
    # a join's fixed cost (several milliseconds on a small request's rows).
    values = (
        customer_value.set_index(customer_value["customer_id"].astype(str))[
            list(CUSTOMER_VALUE_COLUMNS)
        ]
        .astype("Float64")
        .reindex(segment_scores["customer_id"])
    )
    return segment_scores.assign(
        **{column: values[column].array for column in CUSTOMER_VALUE_COLUMNS}
    )[list(SCORED_WITH_VALUE_COLUMNS)]


def _check_one_row_per_customer(dataset: str, frame: pd.DataFrame) -> None:
    repeated = frame["customer_id"].astype(str)
    repeated = repeated[repeated.duplicated()]
    if len(repeated):
        raise ValueError(
            f"{dataset}: column 'customer_id' repeats {repeated.head(3).tolist()} "
            "(rule: one row per customer)"
        )
