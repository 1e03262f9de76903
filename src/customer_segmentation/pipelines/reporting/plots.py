"""Nodes that draw the segment plots (matplotlib figures, saved by the catalog)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from customer_segmentation.pipelines.modeling.settings import ModelFeatures

from .plot_style import colour_table, compact_number, message_figure, segment_labels
from .profiles import SEGMENT_COLUMN, join_segments
from .settings import ProjectionSettings, RfmSettings

logger = logging.getLogger(__name__)

DARK_CELL_Z = 1.2
MIN_PROJECTION_FEATURES = 2


def plot_segment_sizes(
    segment_profiles: pd.DataFrame, segment_names: pd.DataFrame
) -> Figure:
    """Draws each segment's share of customers next to its share of revenue.

    Args:
        segment_profiles: Output of ``profile_segments``.
        segment_names: Output of ``name_segments``.

    Returns:
        A horizontal bar chart, one pair of bars per segment.
    """
    profiles = segment_profiles.sort_values(SEGMENT_COLUMN)
    segments = profiles[SEGMENT_COLUMN].astype(int).tolist()
    labels = segment_labels(segment_names)
    colours = colour_table(segments)
    figure = Figure(figsize=(10, 0.75 * len(segments) + 2), layout="constrained")
    axes = figure.subplots()
    positions = np.arange(len(segments))
    height = 0.38
    customer_share = 100 * profiles["customer_share"].to_numpy()
    axes.barh(
        positions - height / 2,
        customer_share,
        height,
        color=[colours[segment] for segment in segments],
        label="share of customers",
    )
    for position, share, count in zip(
        positions, customer_share, profiles["n_customers"], strict=True
    ):
        axes.annotate(
            f" {share:.1f}% ({count:,} customers)",
            (share, position - height / 2),
            va="center",
            fontsize=8,
        )
    if "revenue_share" in profiles:
        revenue_share = 100 * profiles["revenue_share"].to_numpy()
        axes.barh(
            positions + height / 2,
            revenue_share,
            height,
            color=[colours[segment] for segment in segments],
            hatch="//",
            edgecolor="white",
            label="share of revenue (hatched)",
        )
        for position, share in zip(positions, revenue_share, strict=True):
            axes.annotate(
                f" {share:.1f}% of revenue",
                (share, position + height / 2),
                va="center",
                fontsize=8,
            )
    axes.set_yticks(
        positions, [labels.get(segment, str(segment)) for segment in segments]
    )
    axes.invert_yaxis()
    axes.set_xlabel("share (%)")
    axes.set_xlim(0, max(100 * profiles["customer_share"].max(), 1) * 1.45)
    if "revenue_share" in profiles:
        axes.set_xlim(
            0, max(axes.get_xlim()[1], 100 * profiles["revenue_share"].max() * 1.45)
        )
    axes.set_title(
        "Segment sizes: share of customers (plain) and of revenue (hatched)"
        if "revenue_share" in profiles
        else "Segment sizes: share of customers"
    )
    axes.legend(loc="lower right", fontsize=8)
    return figure


def plot_segment_profiles(
    segment_profiles: pd.DataFrame, segment_names: pd.DataFrame
) -> Figure:
    """Draws a heatmap of each segment's features against the other customers.

    The colour is the ``<feature>_z`` of the profile (segment median minus the
    others' median, in their robust spread: red above, blue below); the cell text
    is the segment median in the feature's own units.

    Args:
        segment_profiles: Output of ``profile_segments``.
        segment_names: Output of ``name_segments``.

    Returns:
        A heatmap with segments as rows and numeric features as columns.
    """
    profiles = segment_profiles.sort_values(SEGMENT_COLUMN)
    features = [
        column.removesuffix("_z")
        for column in profiles.columns
        if column.endswith("_z")
    ]
    z_scores = profiles[[f"{feature}_z" for feature in features]].to_numpy(dtype=float)
    means = profiles[[f"{feature}_median" for feature in features]].to_numpy(
        dtype=float
    )
    labels = segment_labels(segment_names)
    figure = Figure(
        figsize=(max(1.2 * len(features) + 4.5, 9), 0.7 * len(profiles) + 3),
        layout="constrained",
    )
    axes = figure.subplots()
    image = axes.imshow(z_scores, cmap="RdBu_r", vmin=-2, vmax=2, aspect="auto")
    for row in range(means.shape[0]):
        for column in range(means.shape[1]):
            dark_cell = abs(z_scores[row, column]) > DARK_CELL_Z
            axes.text(
                column,
                row,
                "n/a"
                if np.isnan(means[row, column])
                else compact_number(means[row, column]),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark_cell else "black",
            )
    axes.set_xticks(range(len(features)), features, rotation=30, ha="right")
    axes.set_yticks(
        range(len(profiles)),
        [
            labels.get(int(segment), str(segment))
            for segment in profiles[SEGMENT_COLUMN]
        ],
    )
    axes.set_title(
        "Features by segment\n(cell: median in the feature's units; "
        "colour: distance from the other customers)"
    )
    figure.colorbar(
        image,
        ax=axes,
        label="segment median vs the others (robust standard deviations)",
    )
    return figure


def plot_segment_projection(
    customer_features: pd.DataFrame,
    customer_segments: pd.DataFrame,
    segment_names: pd.DataFrame,
    model_features: ModelFeatures,
    projection: ProjectionSettings,
) -> Figure:
    """Draws customers on the first two principal components, coloured by segment.

    The model's numeric features are median-imputed, ``log1p``-compressed when listed in
    ``projection.log_transform``, standardised and projected with PCA; a seeded
    sample of at most ``projection.max_points`` customers is drawn.

    Args:
        customer_features: One row per customer, with ``customer_id``.
        customer_segments: ``customer_id`` and ``segment_id``.
        segment_names: Output of ``name_segments``.
        model_features: The features the model was fitted on; the numeric ones
            are projected.
        projection: Log-transformed features, sample size and seed.

    Returns:
        A scatter plot; a message figure when fewer than two numeric features exist.
    """
    merged = join_segments(customer_features, customer_segments)
    numeric = [column for column in model_features.numeric if column in merged]
    if len(numeric) < MIN_PROJECTION_FEATURES or len(merged) < MIN_PROJECTION_FEATURES:
        return message_figure(
            "Customers projected on two axes",
            "A 2-D projection needs at least two numeric model features and two "
            "customers.",
        )
    values = merged[numeric].astype("float64")
    values = values.fillna(values.median()).fillna(0.0)
    for column in projection.log_transform:
        if column in values:
            values[column] = np.log1p(values[column].clip(lower=0))
    scaled = StandardScaler().fit_transform(values.to_numpy())
    pca = PCA(n_components=2, random_state=projection.random_state)
    points = pca.fit_transform(scaled)
    sample = np.random.default_rng(projection.random_state).permutation(len(points))[
        : projection.max_points
    ]
    segments = merged[SEGMENT_COLUMN].to_numpy()[sample]
    points = points[sample]
    labels = segment_labels(segment_names, width=60)
    colours = colour_table(sorted({int(segment) for segment in segments}))
    figure = Figure(figsize=(10, 6.5), layout="constrained")
    axes = figure.subplots()
    for segment in sorted(colours):
        chosen = segments == segment
        axes.scatter(
            points[chosen, 0],
            points[chosen, 1],
            s=7,
            alpha=0.55,
            color=colours[segment],
            label=labels.get(segment, str(segment)),
        )
    explained = 100 * pca.explained_variance_ratio_
    axes.set_xlabel(
        f"principal component 1 ({explained[0]:.0f}% of variance, unitless)"
    )
    axes.set_ylabel(
        f"principal component 2 ({explained[1]:.0f}% of variance, unitless)"
    )
    axes.set_title(
        f"Customers on the two main axes of the model's {len(numeric)} numeric "
        f"features\n(standardised; {len(points):,} drawn)",
        loc="left",
    )
    axes.legend(markerscale=3, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return figure


def _boxplot_by_segment(
    axes: Axes,
    merged: pd.DataFrame,
    column: str,
    segments: list[int],
    colours: dict[int, tuple[float, float, float, float]],
) -> None:
    data = [
        merged.loc[merged[SEGMENT_COLUMN] == segment, column] for segment in segments
    ]
    boxes = axes.boxplot(
        data,
        orientation="horizontal",
        patch_artist=True,
        showfliers=False,
        widths=0.6,
    )
    for patch, segment in zip(boxes["boxes"], segments, strict=True):
        patch.set_facecolor(colours[segment])
        patch.set_alpha(0.8)
    for median in boxes["medians"]:
        median.set_color("black")


def plot_rfm_distributions(
    customer_features: pd.DataFrame,
    customer_segments: pd.DataFrame,
    segment_names: pd.DataFrame,
    rfm: RfmSettings,
    currency: str = "currency units",
) -> Figure:
    """Draws the recency, frequency and monetary distributions of every segment.

    Args:
        customer_features: One row per customer, with the RFM columns.
        customer_segments: ``customer_id`` and ``segment_id``.
        segment_names: Output of ``name_segments``.
        rfm: Names of the recency, frequency and monetary columns.
        currency: Currency of the revenue.

    Returns:
        Three panels of box plots (boxes: quartiles, whiskers: 1.5 IQR, outliers
        hidden); a message figure when an RFM column is missing.
    """
    panels = [
        (rfm.recency_column, "recency (days since last purchase)", "linear"),
        (rfm.frequency_column, "frequency (orders, log scale)", "log"),
        (rfm.monetary_column, f"monetary (revenue, {currency}, log scale)", "log"),
    ]
    missing = [column for column, _, _ in panels if column not in customer_features]
    if missing:
        return message_figure(
            "RFM distributions by segment",
            f"No RFM plot: customer_features has no {', '.join(missing)} column.",
        )
    merged = join_segments(customer_features, customer_segments)
    segments = sorted(int(segment) for segment in merged[SEGMENT_COLUMN].unique())
    colours = colour_table(segments)
    labels = segment_labels(segment_names)
    figure = Figure(figsize=(13, 0.55 * len(segments) + 2.4), layout="constrained")
    axes_row = figure.subplots(1, 3, sharey=True)
    for axes, (column, label, scale) in zip(axes_row, panels, strict=True):
        values = merged[[SEGMENT_COLUMN, column]]
        if scale == "log":
            values = values.assign(**{column: values[column].clip(lower=0.5)})
        _boxplot_by_segment(axes, values, column, segments, colours)
        axes.set_xscale(scale)
        axes.set_xlabel(label)
        axes.grid(axis="x", alpha=0.3)
    axes_row[0].set_yticks(
        range(1, len(segments) + 1),
        [labels.get(segment, str(segment)) for segment in segments],
    )
    axes_row[0].invert_yaxis()
    figure.suptitle("Recency, frequency and monetary value by segment (box: quartiles)")
    return figure


def plot_recency_monetary(  # noqa: PLR0917 - Kedro passes node inputs by position
    customer_features: pd.DataFrame,
    customer_segments: pd.DataFrame,
    segment_names: pd.DataFrame,
    rfm: RfmSettings,
    projection: ProjectionSettings,
    currency: str = "currency units",
) -> Figure:
    """Draws customers' recency against revenue, coloured by segment.

    Args:
        customer_features: With ``customer_id`` and the recency and monetary columns.
        customer_segments: ``customer_id`` and ``segment_id``.
        segment_names: Output of ``name_segments``.
        rfm: Names of the recency and monetary columns.
        projection: ``max_points`` and ``random_state`` of the seeded sample drawn
            (legend counts are over every customer passed in: all of them, or
            the run's customer sample).
        currency: Currency of the revenue.

    Returns:
        A scatter plot with a log revenue axis; a message figure when a column is
        missing.
    """
    missing = [
        column
        for column in (rfm.recency_column, rfm.monetary_column)
        if column not in customer_features
    ]
    if missing:
        return message_figure(
            "Customers by recency and revenue",
            f"No recency-revenue plot: customer_features has no {', '.join(missing)} column.",
        )
    merged = join_segments(customer_features, customer_segments)
    counts = merged[SEGMENT_COLUMN].value_counts()
    sample = merged.iloc[
        np.random.default_rng(projection.random_state).permutation(len(merged))[
            : projection.max_points
        ]
    ]
    segments = sorted(int(segment) for segment in counts.index)
    colours = colour_table(segments)
    labels = segment_labels(segment_names, width=60)
    figure = Figure(figsize=(10, 6), layout="constrained")
    axes = figure.subplots()
    for segment in segments:
        members = sample[sample[SEGMENT_COLUMN] == segment]
        axes.scatter(
            members[rfm.recency_column],
            members[rfm.monetary_column].clip(lower=0.01),
            s=6,
            alpha=0.5,
            color=colours[segment],
            label=f"{labels.get(segment, str(segment))} ({counts[segment]:,})",
        )
    axes.set_yscale("log")
    axes.set_xlabel("recency (days since last purchase)")
    axes.set_ylabel(f"revenue per customer ({currency}, log scale)")
    axes.set_title(
        f"Recency vs revenue by segment ({len(sample):,} of {len(merged):,} drawn)",
        loc="left",
    )
    axes.legend(markerscale=3, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return figure
