"""Segment profiles: sizes, shares and robust contrasts of each segment with the rest."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .order_statistics import FeatureOrder, RankedValues
from .settings import CustomerSampleSettings

REVENUE_COLUMN = "monetary"
ID_COLUMN = "customer_id"
SEGMENT_COLUMN = "segment_id"
# The interquartile range of a normal distribution is 1.349 standard deviations.
IQR_PER_SD = 1.349
MAD_PER_SD = 0.6745


def numeric_feature_columns(customer_features: pd.DataFrame) -> list[str]:
    """Lists the numeric feature columns (booleans and ``customer_id`` excluded).

    Args:
        customer_features: One row per customer.

    Returns:
        Column names in frame order.
    """
    return [
        column
        for column in customer_features.select_dtypes("number").columns
        if column not in (ID_COLUMN, SEGMENT_COLUMN)
    ]


def categorical_feature_columns(customer_features: pd.DataFrame) -> list[str]:
    """Lists the text or categorical feature columns (dates excluded).

    Args:
        customer_features: One row per customer.

    Returns:
        Column names in frame order.
    """
    return [
        column
        for column in customer_features.columns
        if column not in (ID_COLUMN, SEGMENT_COLUMN)
        and not pd.api.types.is_numeric_dtype(customer_features[column])
        and not pd.api.types.is_bool_dtype(customer_features[column])
        and not pd.api.types.is_datetime64_any_dtype(customer_features[column])
    ]


def rows_line_up(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    """Tells whether two customer tables hold the same unique ids in the same order.

    Segments and scores are computed from the feature rows in their order, so
    this is the usual case: their rows can then be put side by side instead of
    matched by a hash join of every id.

    Args:
        left: A table with ``customer_id``.
        right: Another table with ``customer_id``.

    Returns:
        ``True`` when row ``i`` of both is the same customer, for every ``i``,
        and no id repeats.
    """
    ids = left[ID_COLUMN].reset_index(drop=True)
    return ids.equals(right[ID_COLUMN].reset_index(drop=True)) and ids.is_unique


def join_segments(
    customer_features: pd.DataFrame, customer_segments: pd.DataFrame
) -> pd.DataFrame:
    """Joins every segmented customer to its feature row.

    Args:
        customer_features: One row per customer, with ``customer_id``.
        customer_segments: ``customer_id`` and ``segment_id``.

    Returns:
        ``customer_segments`` with the feature columns added.

    Raises:
        ValueError: If a segmented customer has no feature row.
    """
    segments = customer_segments[[ID_COLUMN, SEGMENT_COLUMN]]
    if SEGMENT_COLUMN not in customer_features and rows_line_up(
        segments, customer_features
    ):
        return pd.concat(
            [
                segments.reset_index(drop=True),
                customer_features.drop(columns=ID_COLUMN).reset_index(drop=True),
            ],
            axis=1,
        )
    merged = segments.merge(
        customer_features,
        on=ID_COLUMN,
        how="left",
        validate="one_to_one",
        indicator=True,
    )
    orphans = merged.loc[merged["_merge"] == "left_only", ID_COLUMN]
    if len(orphans):
        raise ValueError(
            f"customer_segments: {len(orphans)} customer(s) have no row in "
            f"customer_features; examples: {orphans.head(3).tolist()}"
        )
    return merged.drop(columns="_merge")


def draw_customer_sample(
    customer_features: pd.DataFrame,
    customer_segments: pd.DataFrame,
    customer_sample: CustomerSampleSettings,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draws the seeded sample of segmented customers the distribution plots read.

    Args:
        customer_features: One row per customer, with ``customer_id``.
        customer_segments: ``customer_id`` and ``segment_id``.
        customer_sample: Sample size and seed.

    Returns:
        The sampled customers' feature rows and their segments, both in the
        order of ``customer_segments``; every customer when there are no more
        than ``customer_sample.size``.

    Raises:
        ValueError: If a segmented customer has no feature row.
    """
    merged = join_segments(customer_features, customer_segments)
    if len(merged) > customer_sample.size:
        generator = np.random.default_rng(customer_sample.random_state)
        rows = np.sort(
            generator.choice(len(merged), customer_sample.size, replace=False)
        )
        merged = merged.iloc[rows].reset_index(drop=True)
    return (
        merged.drop(columns=SEGMENT_COLUMN),
        merged[[ID_COLUMN, SEGMENT_COLUMN]],
    )


def robust_scale(values: pd.Series) -> float:
    """Measures the spread of values in standard-deviation units, robust to outliers.

    Args:
        values: Numbers; missing values are ignored.

    Returns:
        The interquartile range over 1.349; when that is 0 (e.g. most customers
        bought once), the median absolute deviation over 0.6745; then the standard
        deviation; ``nan`` when all are 0 or there are fewer than two values.
    """
    present = values.dropna().astype("float64")
    if len(present) < 2:  # noqa: PLR2004 - a spread needs two values
        return float("nan")
    quartiles = present.quantile([0.25, 0.75])
    median = present.median()
    for scale in (
        (quartiles.iloc[1] - quartiles.iloc[0]) / IQR_PER_SD,
        (present - median).abs().median() / MAD_PER_SD,
        present.std(ddof=0),
    ):
        if scale > 0:
            return float(scale)
    return float("nan")


def _rest_scale(rest: Callable[[], pd.Series], ranked: RankedValues) -> float:
    # robust_scale(rest()), its usual first step read from the ranked values.
    if ranked.count < 2:  # noqa: PLR2004 - a spread needs two values
        return float("nan")
    scale = (ranked.quantile(0.75) - ranked.quantile(0.25)) / IQR_PER_SD
    return float(scale) if scale > 0 else robust_scale(rest())


def _contrast(
    members: pd.Series, rest: Callable[[], pd.Series], ranked: RankedValues
) -> tuple[float, float, float]:
    # Robust z: segment median minus the rest's median, in the rest's robust spread
    # (all customers' spread when the rest has none).
    # Side share: members on the segment median's side of the rest's median, over
    # all members (a missing value is on no side).
    # rest: the other customers' values, made only when needed; ranked: their
    # present values in order.
    coverage = float(members.notna().mean()) if len(members) else 0.0
    segment_median = members.median()
    rest_median = ranked.median()
    scale = _rest_scale(rest, ranked)
    if not np.isfinite(scale):
        scale = robust_scale(pd.concat([members, rest()]))
    if pd.isna(segment_median) or pd.isna(rest_median) or not np.isfinite(scale):
        return 0.0, coverage, 0.0
    z = float((segment_median - rest_median) / scale)
    if z > 0:
        side = float((members > rest_median).mean())
    elif z < 0:
        side = float((members < rest_median).mean())
    else:
        side = 0.0
    return z, coverage, side


def _categorical_modes(merged: pd.DataFrame, column: str) -> pd.DataFrame:
    shares = (
        merged.dropna(subset=[column])
        .groupby(SEGMENT_COLUMN)[column]
        .value_counts(normalize=True, sort=False)
        .rename("share")
        .reset_index()
        .sort_values([SEGMENT_COLUMN, "share", column], ascending=[True, False, True])
        .drop_duplicates(SEGMENT_COLUMN)
        .set_index(SEGMENT_COLUMN)
    )
    return pd.DataFrame(
        {f"{column}_mode": shares[column], f"{column}_mode_share": shares["share"]}
    )


def profile_segments(
    customer_features: pd.DataFrame, customer_segments: pd.DataFrame
) -> pd.DataFrame:
    """Summarises each segment and contrasts it with the rest of the customers.

    Args:
        customer_features: One row per customer, with ``customer_id``.
        customer_segments: ``customer_id`` and ``segment_id``.

    Returns:
        One row per segment id: ``n_customers``, ``customer_share``,
        ``revenue_share`` (when ``monetary`` exists); for every numeric feature
        ``<feature>_mean``, ``<feature>_median``, ``<feature>_z`` (the segment
        median minus the median of the other customers, in their robust spread, see
        :func:`robust_scale`, or all customers' spread when theirs is 0; 0 when
        undefined), ``<feature>_coverage`` (share of
        the segment with a value) and ``<feature>_side_share`` (share of the
        segment on the same side of the others' median as the segment median); for
        every categorical feature ``<feature>_mode`` (most common known level,
        missing when the segment has none) and ``<feature>_mode_share``.

    Raises:
        ValueError: If a segmented customer has no feature row, or there are no
            segmented customers.
    """
    if customer_segments.empty:
        raise ValueError("customer_segments: no rows, so there is nothing to profile")
    merged = join_segments(customer_features, customer_segments)
    numeric = numeric_feature_columns(customer_features)
    grouped = merged.groupby(SEGMENT_COLUMN)
    profile = pd.DataFrame({"n_customers": grouped.size()})
    profile["customer_share"] = profile["n_customers"] / profile["n_customers"].sum()
    if REVENUE_COLUMN in numeric:
        revenue = grouped[REVENUE_COLUMN].sum()
        total = revenue.sum()
        profile["revenue_share"] = revenue / total if total else 0.0
    contrasts: dict[str, dict[int, float]] = {}
    values = {column: merged[column].astype("float64") for column in numeric}
    # Each feature is sorted once; the rest of the customers' median and
    # quartiles are then read at their ranks for every segment.
    orders = {
        column: FeatureOrder(
            values[column].to_numpy(), merged[SEGMENT_COLUMN].to_numpy()
        )
        for column in numeric
    }
    for segment in profile.index:
        inside = (merged[SEGMENT_COLUMN] == segment).to_numpy()
        for column in numeric:
            column_values = values[column]
            z, coverage, side = _contrast(
                column_values[inside],
                lambda values=column_values, outside=~inside: values[outside],
                orders[column].without(segment),
            )
            contrasts.setdefault(f"{column}_z", {})[segment] = z
            contrasts.setdefault(f"{column}_coverage", {})[segment] = coverage
            contrasts.setdefault(f"{column}_side_share", {})[segment] = side
    pieces = [
        profile,
        grouped[numeric].mean().add_suffix("_mean"),
        grouped[numeric].median().add_suffix("_median"),
        pd.DataFrame(contrasts, index=profile.index),
    ]
    pieces += [
        _categorical_modes(merged, column)
        for column in categorical_feature_columns(customer_features)
    ]
    return pd.concat(pieces, axis=1).rename_axis(SEGMENT_COLUMN).reset_index()
