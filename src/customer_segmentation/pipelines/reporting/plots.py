"""Nodes that draw the segment plots (matplotlib figures, saved by the catalog)."""

from __future__ import annotations

import logging
import textwrap

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from .nodes import SEGMENT_COLUMN, join_segments, numeric_feature_columns
from .settings import ProjectionSettings, RfmSettings

logger = logging.getLogger(__name__)

TAB10_SIZE = 10
DARK_CELL_Z = 1.2
LABEL_WIDTH = 34
MIN_PROJECTION_FEATURES = 2


def _compact_number(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1e6:  # noqa: PLR2004
        return f"{value / 1e6:.1f}M"
    if magnitude >= 1e4:  # noqa: PLR2004
        return f"{value / 1e3:.0f}k"
    if magnitude >= 1e3:  # noqa: PLR2004
        return f"{value / 1e3:.1f}k"
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


def segment_labels(
    segment_names: pd.DataFrame, width: int = LABEL_WIDTH
) -> dict[int, str]:
    """Builds the label of each segment used in axes and legends.

    Args:
        segment_names: ``segment_id`` and ``segment_name``.
        width: Characters per line before the label wraps.

    Returns:
        ``{segment_id: "<id> · <name>"}``, wrapped to ``width`` characters.
    """
    return {
        int(row.segment_id): textwrap.fill(
            f"{row.segment_id} · {row.segment_name}", width
        )
        for row in segment_names.itertuples()
    }


def _colour_table(
    segment_ids: list[int],
) -> dict[int, tuple[float, float, float, float]]:
    colours = segment_colours(max(segment_ids, default=0) + 1)
    return {segment: colours[segment] for segment in segment_ids}


def message_figure(title: str, message: str) -> Figure:
    """Draws a figure that says why a plot is empty.

    Args:
        title: Title of the plot that could not be drawn.
        message: Why, in a sentence.

    Returns:
        A small figure with the title and the message.
    """
    figure = Figure(figsize=(8, 2.5), layout="constrained")
    axes = figure.subplots()
    axes.set_axis_off()
    axes.set_title(title)
    axes.text(0.5, 0.5, message, ha="center", va="center", wrap=True, fontsize=11)
    return figure


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
    colours = _colour_table(segments)
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
    """Draws a heatmap of each segment's feature means against the population.

    The colour is the ``<feature>_z`` of the profile (segment mean minus population
    mean, in population standard deviations: red above, blue below); the cell text
    is the segment mean in the feature's own units.

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
    means = profiles[[f"{feature}_mean" for feature in features]].to_numpy(dtype=float)
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
                else _compact_number(means[row, column]),
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
        "Feature means by segment\n(cell: mean in the feature's units; "
        "colour: distance from all customers)"
    )
    figure.colorbar(
        image, ax=axes, label="segment mean vs all customers (standard deviations)"
    )
    return figure


def plot_segment_projection(
    customer_features: pd.DataFrame,
    customer_segments: pd.DataFrame,
    segment_names: pd.DataFrame,
    projection: ProjectionSettings,
) -> Figure:
    """Draws customers on the first two principal components, coloured by segment.

    Numeric features are median-imputed, ``log1p``-compressed when listed in
    ``projection.log_transform``, standardised and projected with PCA; a seeded
    sample of at most ``projection.max_points`` customers is drawn.

    Args:
        customer_features: One row per customer, with ``customer_id``.
        customer_segments: ``customer_id`` and ``segment_id``.
        segment_names: Output of ``name_segments``.
        projection: Log-transformed features, sample size and seed.

    Returns:
        A scatter plot; a message figure when fewer than two numeric features exist.
    """
    merged = join_segments(customer_features, customer_segments)
    numeric = numeric_feature_columns(customer_features)
    if len(numeric) < MIN_PROJECTION_FEATURES or len(merged) < MIN_PROJECTION_FEATURES:
        return message_figure(
            "Customers projected on two axes",
            "A 2-D projection needs at least two numeric features and two customers.",
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
    colours = _colour_table(sorted({int(segment) for segment in segments}))
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
        f"Customers on the two main axes of their {len(numeric)} standardised "
        f"features ({len(points):,} drawn)"
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
) -> Figure:
    """Draws the recency, frequency and monetary distributions of every segment.

    Args:
        customer_features: One row per customer, with the RFM columns.
        customer_segments: ``customer_id`` and ``segment_id``.
        segment_names: Output of ``name_segments``.
        rfm: Names of the recency, frequency and monetary columns.

    Returns:
        Three panels of box plots (boxes: quartiles, whiskers: 1.5 IQR, outliers
        hidden); a message figure when an RFM column is missing.
    """
    panels = [
        (rfm.recency_column, "recency (days since last purchase)", "linear"),
        (rfm.frequency_column, "frequency (orders, log scale)", "log"),
        (rfm.monetary_column, "monetary (revenue, currency units, log scale)", "log"),
    ]
    missing = [column for column, _, _ in panels if column not in customer_features]
    if missing:
        return message_figure(
            "RFM distributions by segment",
            f"No RFM plot: customer_features has no {', '.join(missing)} column.",
        )
    merged = join_segments(customer_features, customer_segments)
    segments = sorted(int(segment) for segment in merged[SEGMENT_COLUMN].unique())
    colours = _colour_table(segments)
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


def plot_recency_monetary(
    customer_features: pd.DataFrame,
    customer_segments: pd.DataFrame,
    segment_names: pd.DataFrame,
    rfm: RfmSettings,
    projection: ProjectionSettings,
) -> Figure:
    """Draws customers' recency against revenue, coloured by segment.

    Args:
        customer_features: With ``customer_id`` and the recency and monetary columns.
        customer_segments: ``customer_id`` and ``segment_id``.
        segment_names: Output of ``name_segments``.
        rfm: Names of the recency and monetary columns.
        projection: ``max_points`` and ``random_state`` of the seeded sample drawn
            (legend counts are over all customers).

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
    colours = _colour_table(segments)
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
    axes.set_ylabel("revenue per customer (currency units, log scale)")
    axes.set_title(
        f"Recency vs revenue by segment ({len(sample):,} of {len(merged):,} drawn)",
        loc="left",
    )
    axes.legend(markerscale=3, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return figure


def _migration_label(segment: object, name: object, width: int) -> str:
    label = str(name) if pd.isna(segment) else f"{int(segment)} · {name}"
    return textwrap.fill(label, width)


def plot_segment_migration(segment_migration: pd.DataFrame) -> Figure:
    """Draws the from/to matrix of customers between the previous and this run.

    Args:
        segment_migration: Output of ``compare_segment_assignments``.

    Returns:
        A matrix with previous segments as rows and current ones as columns, cells
        annotated with customer counts; a message figure without a previous run.
    """
    if segment_migration.empty:
        return message_figure(
            "Segment migration since the previous run",
            "No previous version of the segment assignments yet: "
            "the next run will show how customers moved.",
        )
    moves = segment_migration.assign(
        previous_label=[
            _migration_label(segment, name, LABEL_WIDTH)
            for segment, name in zip(
                segment_migration["previous_segment_id"],
                segment_migration["previous_segment_name"],
                strict=True,
            )
        ],
        current_label=[
            _migration_label(segment, name, 22)
            for segment, name in zip(
                segment_migration[SEGMENT_COLUMN],
                segment_migration["segment_name"],
                strict=True,
            )
        ],
        previous_order=segment_migration["previous_segment_id"]
        .astype("Float64")
        .fillna(np.inf),
        current_order=segment_migration[SEGMENT_COLUMN]
        .astype("Float64")
        .fillna(np.inf),
    )
    rows = moves.drop_duplicates("previous_label").sort_values("previous_order")[
        "previous_label"
    ]
    columns = moves.drop_duplicates("current_label").sort_values("current_order")[
        "current_label"
    ]
    matrix = (
        moves.pivot_table(
            index="previous_label",
            columns="current_label",
            values="n_customers",
            aggfunc="sum",
            fill_value=0,
        )
        .reindex(index=rows, columns=columns, fill_value=0)
        .to_numpy()
    )
    figure = Figure(
        figsize=(1.6 * len(columns) + 5, 0.75 * len(rows) + 3), layout="constrained"
    )
    axes = figure.subplots()
    image = axes.imshow(matrix, cmap="Blues", aspect="auto")
    threshold = matrix.max() / 2
    for row in range(matrix.shape[0]):
        for column in range(matrix.shape[1]):
            axes.text(
                column,
                row,
                f"{matrix[row, column]:,}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if matrix[row, column] > threshold else "black",
            )
    axes.set_xticks(range(len(columns)), columns, rotation=30, ha="right", fontsize=8)
    axes.set_yticks(range(len(rows)), rows, fontsize=8)
    axes.set_xlabel("segment in this run")
    axes.set_ylabel("segment in the previous run")
    axes.set_title("Customers moving between segments since the previous run")
    figure.colorbar(image, ax=axes, label="customers")
    return figure
