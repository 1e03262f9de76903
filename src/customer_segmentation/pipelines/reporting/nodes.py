"""Nodes that profile segments and draw the segment plots."""

from __future__ import annotations

import logging

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

REVENUE_COLUMN = "monetary"
TAB10_SIZE = 10
DARK_CELL_Z = 1.2


def _compact_number(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1e6:  # noqa: PLR2004
        return f"{value / 1e6:.1f}M"
    if magnitude >= 1e4:  # noqa: PLR2004
        return f"{value / 1e3:.0f}k"
    return f"{value:,.3g}"


def segment_colours(n_segments: int) -> list[tuple[float, float, float, float]]:
    """Gives each segment id the same colour in every plot.

    Args:
        n_segments: Number of segments.

    Returns:
        One RGBA colour per segment id, from the ``tab10`` palette (``tab20`` above 10).
    """
    palette = mpl.colormaps["tab10" if n_segments <= TAB10_SIZE else "tab20"]
    return [palette(index % palette.N) for index in range(n_segments)]


def profile_segments(
    customer_features: pd.DataFrame, customer_segments: pd.DataFrame
) -> pd.DataFrame:
    """Summarises each segment: size, shares and the mean and median of each feature.

    Args:
        customer_features: One row per customer, with ``customer_id``.
        customer_segments: ``customer_id`` and ``segment_id``.

    Returns:
        One row per segment id: ``n_customers``, ``customer_share``,
        ``revenue_share`` (when ``monetary`` exists), then ``<feature>_mean`` and
        ``<feature>_median`` for every numeric feature.

    Raises:
        ValueError: If a segmented customer has no feature row.
    """
    merged = customer_segments.merge(
        customer_features,
        on="customer_id",
        how="left",
        validate="one_to_one",
        indicator=True,
    )
    orphans = merged.loc[merged["_merge"] == "left_only", "customer_id"]
    if len(orphans):
        raise ValueError(
            f"customer_segments: {len(orphans)} customer(s) have no row in "
            f"customer_features; examples: {orphans.head(3).tolist()}"
        )
    numeric = [
        column
        for column in customer_features.select_dtypes("number").columns
        if column != "customer_id"
    ]
    grouped = merged.groupby("segment_id")
    profile = pd.DataFrame({"n_customers": grouped.size()})
    profile["customer_share"] = profile["n_customers"] / profile["n_customers"].sum()
    if REVENUE_COLUMN in merged.columns:
        revenue = grouped[REVENUE_COLUMN].sum()
        profile["revenue_share"] = revenue / revenue.sum()
    means = grouped[numeric].mean().add_suffix("_mean")
    medians = grouped[numeric].median().add_suffix("_median")
    return profile.join(means).join(medians).reset_index()


def _mean_columns(segment_profiles: pd.DataFrame) -> list[str]:
    return [column for column in segment_profiles.columns if column.endswith("_mean")]


def plot_segment_sizes(segment_profiles: pd.DataFrame) -> Figure:
    """Draws each segment's share of customers next to its share of revenue.

    Args:
        segment_profiles: Output of :func:`profile_segments`.

    Returns:
        A bar chart, one pair of bars per segment.
    """
    figure = Figure(figsize=(9, 5), layout="constrained")
    axes = figure.subplots()
    segments = segment_profiles["segment_id"].to_numpy()
    positions = np.arange(len(segments))
    colours = segment_colours(len(segments))
    width = 0.4
    axes.bar(
        positions - width / 2,
        100 * segment_profiles["customer_share"],
        width,
        color=colours,
        label="share of customers",
    )
    if "revenue_share" in segment_profiles:
        axes.bar(
            positions + width / 2,
            100 * segment_profiles["revenue_share"],
            width,
            color=colours,
            hatch="//",
            edgecolor="white",
            label="share of revenue (hatched)",
        )
    for position, count in zip(positions, segment_profiles["n_customers"], strict=True):
        axes.annotate(
            f"{count:,}",
            (
                position - width / 2,
                100 * segment_profiles["customer_share"].iloc[position],
            ),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    axes.set_xticks(positions, [f"segment {segment}" for segment in segments])
    axes.set_ylabel("share (%)")
    axes.set_title("Segment sizes: customers (plain) and revenue (hatched)")
    axes.legend(loc="upper right")
    return figure


def plot_segment_profiles(segment_profiles: pd.DataFrame) -> Figure:
    """Draws a heatmap of each segment's feature means as z-scores across segments.

    Colours compare segments with each other (red above the average of the segment
    means, blue below); the cell text gives the mean in the feature's own units.

    Args:
        segment_profiles: Output of :func:`profile_segments`.

    Returns:
        A heatmap with segments as rows and features as columns.
    """
    columns = _mean_columns(segment_profiles)
    means = segment_profiles[columns]
    spread = means.std(ddof=0).replace(0, 1)
    z_scores = ((means - means.mean()) / spread).fillna(0)
    figure = Figure(
        figsize=(1.3 * len(columns) + 3, 0.6 * len(means) + 2.5), layout="constrained"
    )
    axes = figure.subplots()
    image = axes.imshow(
        z_scores.to_numpy(), cmap="RdBu_r", vmin=-2, vmax=2, aspect="auto"
    )
    for row in range(means.shape[0]):
        for column in range(means.shape[1]):
            dark_cell = abs(z_scores.iloc[row, column]) > DARK_CELL_Z
            axes.text(
                column,
                row,
                _compact_number(means.iloc[row, column]),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark_cell else "black",
            )
    axes.set_xticks(
        range(len(columns)),
        [column.removesuffix("_mean") for column in columns],
        rotation=30,
        ha="right",
    )
    axes.set_yticks(
        range(len(means)),
        [f"segment {segment}" for segment in segment_profiles["segment_id"]],
    )
    axes.set_title(
        "Feature means by segment (cell: mean; colour: z-score across segments)"
    )
    figure.colorbar(image, ax=axes, label="z-score of the segment mean")
    return figure


def plot_recency_monetary(
    customer_features: pd.DataFrame, customer_segments: pd.DataFrame
) -> Figure:
    """Draws every customer's recency against revenue, coloured by segment.

    Args:
        customer_features: With ``customer_id``, ``recency_days`` and ``monetary``.
        customer_segments: ``customer_id`` and ``segment_id``.

    Returns:
        A scatter plot with a log revenue axis.
    """
    merged = customer_segments.merge(customer_features, on="customer_id")
    segments = sorted(merged["segment_id"].unique())
    colours = segment_colours(len(segments))
    figure = Figure(figsize=(9, 6), layout="constrained")
    axes = figure.subplots()
    for segment in segments:
        members = merged[merged["segment_id"] == segment]
        axes.scatter(
            members["recency_days"],
            members[REVENUE_COLUMN].clip(lower=0.01),
            s=6,
            alpha=0.5,
            color=colours[segment],
            label=f"segment {segment} ({len(members):,})",
        )
    axes.set_yscale("log")
    axes.set_xlabel("recency (days since last purchase)")
    axes.set_ylabel("revenue per customer (currency units, log scale)")
    axes.set_title("Customers by recency and revenue, coloured by segment")
    axes.legend(markerscale=3, loc="lower left", fontsize=8)
    return figure
