"""Node that sums customer lifetime value per segment, next to past revenue, with a verdict."""

from __future__ import annotations

import pandas as pd

from customer_segmentation.pipelines.reporting.profiles import (
    ID_COLUMN,
    REVENUE_COLUMN,
    SEGMENT_COLUMN,
)

from .settings import CustomerValueSettings

SEGMENT_VALUE_COLUMNS = (
    SEGMENT_COLUMN,
    "segment_name",
    "n_customers",
    "one_time_share",
    "total_clv",
    "mean_clv",
    "future_value_share",
    "past_revenue_share",
    "mean_probability_alive",
    "expected_purchases",
    "value_verdict",
)


# (high value, state of the repeat buyers) -> verdict; "once": no repeat buyer.
VERDICTS = {
    (True, "active"): "high value, active: keep and reward",
    (True, "alive"): "high value, still alive: win back",
    (True, "lapsed"): "high value, likely lapsed: last-chance win back",
    (True, "once"): "high value, bought once (alive unknown): invite a second purchase",
    (False, "active"): "low value, still alive: grow at low cost",
    (False, "alive"): "low value, still alive: grow at low cost",
    (False, "lapsed"): "low value, likely lapsed: spend little",
    (
        False,
        "once",
    ): "low value, bought once (alive unknown): spend little until they return",
}


def _share(values: pd.Series) -> pd.Series:
    total = values.sum()
    return values / total if total else values * 0.0


def value_verdict(
    segment: pd.Series, overall_mean_clv: float, settings: CustomerValueSettings
) -> str | None:
    """Says what a segment is worth and what that asks for, in a few words.

    Args:
        segment: ``mean_clv`` and ``mean_probability_alive`` (of its repeat
            buyers) of the segment.
        overall_mean_clv: Mean lifetime value per customer of all segments.
        settings: The probabilities alive that make a segment active (at least
            ``active_threshold``) or likely lapsed (below ``alive_threshold``).

    Returns:
        High or low value (mean CLV against the overall mean), then active,
        still alive (in between) or likely lapsed, and the action; e.g. a
        high-value segment that is still alive but no longer active reads
        ``"high value, still alive: win back"``. A segment of one-time buyers
        only has no probability alive, and says so. ``None`` without a value.
    """
    if pd.isna(segment["mean_clv"]):
        return None
    alive = segment["mean_probability_alive"]
    if pd.isna(alive):
        state = "once"
    elif alive >= settings.active_threshold:
        state = "active"
    else:
        state = "alive" if alive >= settings.alive_threshold else "lapsed"
    return VERDICTS[segment["mean_clv"] >= overall_mean_clv, state]


def summarise_segment_value(
    customer_value: pd.DataFrame,
    customer_segments: pd.DataFrame,
    customer_features: pd.DataFrame,
    segment_names: pd.DataFrame,
    settings: CustomerValueSettings,
) -> pd.DataFrame:
    """Says what each segment is worth in the future against what it spent so far.

    Args:
        customer_value: Output of ``predict_customer_value`` (``customer_id``,
            ``frequency``, ``clv``, ``probability_alive``, ``expected_purchases``).
        customer_segments: ``customer_id`` and ``segment_id``.
        customer_features: ``customer_id`` and ``monetary`` (past net revenue),
            when the data has transactions.
        segment_names: ``segment_id`` and ``segment_name``.
        settings: The probability alive thresholds of the verdict.

    Returns:
        One row per segment, ordered by id: ``n_customers``,
        ``one_time_share`` (of its customers with a value, those without a
        repeat purchase), ``total_clv``, ``mean_clv``, ``future_value_share``
        (of all customers' lifetime value), ``past_revenue_share``,
        ``mean_probability_alive`` (of its repeat buyers; null without any) and
        ``expected_purchases`` (total over the horizon) and ``value_verdict``
        (:func:`value_verdict`). Value columns are null when no value was
        predicted; no rows without a value model input.
    """
    if customer_value.empty:
        return pd.DataFrame(columns=list(SEGMENT_VALUE_COLUMNS))
    value_columns = ["frequency", "clv", "probability_alive", "expected_purchases"]
    merged = customer_segments[[ID_COLUMN, SEGMENT_COLUMN]].merge(
        # Without a fitted value model customer_value has no value columns.
        customer_value.reindex(columns=[ID_COLUMN, *value_columns]).astype(
            dict.fromkeys(value_columns, "float64")
        ),
        on=ID_COLUMN,
        how="left",
        validate="one_to_one",
    )
    # BG/NBD lets a customer drop out only after a repeat purchase, so it gives
    # every one-time buyer a probability alive of 1 however long ago they
    # bought: averaged in, they make a segment of lapsed one-time buyers look
    # alive. The segment's probability alive is its repeat buyers'.
    valued = merged["clv"].notna()
    one_time = valued & (merged["frequency"] == 0)
    merged["one_time"] = one_time.astype("float64").where(valued)
    merged["probability_alive"] = merged["probability_alive"].mask(one_time)
    if REVENUE_COLUMN in customer_features:
        merged = merged.merge(
            customer_features[[ID_COLUMN, REVENUE_COLUMN]], on=ID_COLUMN, how="left"
        )
    else:
        merged[REVENUE_COLUMN] = float("nan")
    grouped = merged.groupby(SEGMENT_COLUMN)
    # min_count=1 keeps a segment without any predicted value null, not 0.
    table = pd.DataFrame(
        {
            "n_customers": grouped.size(),
            "one_time_share": grouped["one_time"].mean(),
            "total_clv": grouped["clv"].sum(min_count=1),
            "mean_clv": grouped["clv"].mean(),
            "past_revenue": grouped[REVENUE_COLUMN].sum(min_count=1),
            "mean_probability_alive": grouped["probability_alive"].mean(),
            "expected_purchases": grouped["expected_purchases"].sum(min_count=1),
        }
    )
    table["future_value_share"] = _share(table["total_clv"])
    table["past_revenue_share"] = _share(table["past_revenue"])
    overall_mean_clv = merged["clv"].mean()
    table["value_verdict"] = [
        value_verdict(segment, overall_mean_clv, settings)
        for _, segment in table.iterrows()
    ]
    names = segment_names.set_index(SEGMENT_COLUMN)["segment_name"]
    table["segment_name"] = table.index.map(names)
    return table.reset_index()[list(SEGMENT_VALUE_COLUMNS)]
