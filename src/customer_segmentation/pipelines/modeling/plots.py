"""Nodes that draw the model selection: metrics against k, silhouette, dendrogram, stability."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from scipy.cluster.hierarchy import dendrogram
from sklearn.metrics import silhouette_samples

from .clusterers import sample_rows
from .estimator import SegmentationModel
from .settings import ModelChoiceSettings, ModelSearchSettings

METRIC_PANELS = [
    ("silhouette", "Silhouette (higher is better)"),
    ("calinski_harabasz", "Calinski-Harabasz (higher is better)"),
    ("davies_bouldin", "Davies-Bouldin (lower is better)"),
    ("inertia", "Within-segment sum of squares (elbow marked)"),
    ("bic", "BIC of Gaussian mixtures (lower is better)"),
    ("smallest_segment_share", "Smallest segment share"),
]


def find_elbow(k_values: np.ndarray, values: np.ndarray) -> int | None:
    """Finds the elbow (knee) of a decreasing curve.

    The elbow is the k whose point lies furthest from the straight line
    between the first and last points, once both axes are scaled to 0..1.

    Args:
        k_values: Ascending numbers of segments.
        values: The curve at each k, e.g. the inertia.

    Returns:
        The k at the elbow, or ``None`` with fewer than three points or a flat
        curve.
    """
    if len(k_values) < 3:  # noqa: PLR2004 - an elbow needs two sides
        return None
    x = (k_values - k_values[0]) / (k_values[-1] - k_values[0])
    span = values.max() - values.min()
    if span == 0:
        return None
    y = (values - values.min()) / span
    # Distance to the chord from the first to the last point.
    chord = np.array([x[-1] - x[0], y[-1] - y[0]])
    distance = np.abs(chord[0] * (y[0] - y) - chord[1] * (x[0] - x)) / np.linalg.norm(
        chord
    )
    return int(k_values[int(np.argmax(distance))])


def _algorithm_colours(model_selection: pd.DataFrame) -> dict[str, tuple]:
    palette = colormaps["tab10"]
    algorithms = model_selection["algorithm"].unique()
    return {algorithm: palette(i % 10) for i, algorithm in enumerate(algorithms)}


def _chosen(model_selection: pd.DataFrame) -> pd.Series:
    return model_selection[model_selection["chosen"].astype(bool)].iloc[0]


def plot_model_selection_metrics(model_selection: pd.DataFrame) -> Figure:
    """Draws every metric against k, one line per algorithm.

    Args:
        model_selection: Output of ``select_segmentation``.

    Returns:
        A figure of six panels; the chosen candidate is a black star and the
        elbow of each within-segment sum of squares curve a hollow circle.
    """
    chosen = _chosen(model_selection)
    colours = _algorithm_colours(model_selection)
    figure = Figure(figsize=(14, 8.5), layout="constrained")
    axes = figure.subplots(2, 3)
    for axis, (metric, title) in zip(axes.ravel(), METRIC_PANELS, strict=True):
        for algorithm, group in model_selection.groupby("algorithm", sort=False):
            rows = group.sort_values("k")
            if rows[metric].isna().all():
                continue
            (line,) = axis.plot(
                rows["k"],
                rows[metric],
                marker=".",
                label=algorithm,
                color=colours[algorithm],
            )
            if metric == "inertia":
                elbow = find_elbow(
                    rows["k"].to_numpy(dtype=float), rows[metric].to_numpy(dtype=float)
                )
                if elbow is not None:
                    value = rows.loc[rows["k"] == elbow, metric].iloc[0]
                    axis.plot(
                        elbow,
                        value,
                        "o",
                        markersize=12,
                        fillstyle="none",
                        color=line.get_color(),
                    )
        if pd.notna(chosen[metric]):
            axis.plot(chosen["k"], chosen[metric], "k*", markersize=14, zorder=5)
        axis.set_title(title, fontsize=10)
        axis.set_xlabel("number of segments k")
        axis.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8)
    figure.suptitle(
        f"Model selection: chosen {chosen['algorithm']} with k={int(chosen['k'])} (star)"
    )
    return figure


def plot_silhouette(
    segmentation_model: SegmentationModel,
    model_input: pd.DataFrame,
    model_search: ModelSearchSettings,
) -> Figure:
    """Draws the silhouette plot of the chosen model on the silhouette sample.

    Args:
        segmentation_model: The fitted model.
        model_input: ``customer_id`` and the model feature columns.
        model_search: Silhouette sample size and seed.

    Returns:
        A figure with one horizontal band per segment (customers sorted by
        silhouette) and the mean silhouette as a dashed line.
    """
    rows = sample_rows(
        len(model_input), model_search.silhouette_sample_size, model_search.random_state
    )
    features = model_input.drop(columns="customer_id").iloc[rows]
    matrix = segmentation_model.transform(features)
    segments = segmentation_model.predict(features)
    figure = Figure(figsize=(8, 6), layout="constrained")
    axis = figure.subplots()
    if len(np.unique(segments)) < 2:  # noqa: PLR2004 - silhouette needs two segments
        axis.text(0.5, 0.5, "one segment only: no silhouette", ha="center")
        return figure
    values = silhouette_samples(matrix, segments)
    palette = colormaps["tab10"]
    bottom = 0
    for segment in range(segmentation_model.n_segments_):
        band = np.sort(values[segments == segment])
        axis.fill_betweenx(
            np.arange(bottom, bottom + len(band)),
            0,
            band,
            color=palette(segment % 10),
            alpha=0.8,
        )
        axis.text(-0.05, bottom + len(band) / 2, str(segment), ha="right", va="center")
        bottom += len(band) + 10
    axis.axvline(values.mean(), color="black", linestyle="--")
    axis.set_xlabel(f"silhouette (mean {values.mean():.3f} on {len(rows)} customers)")
    axis.set_ylabel("customers by segment id")
    axis.set_yticks([])
    axis.set_title(
        f"Silhouette of {segmentation_model.algorithm_} with "
        f"{segmentation_model.n_segments_} segments"
    )
    return figure


def plot_dendrogram(
    dendrogram_tree: np.ndarray, model_selection: pd.DataFrame
) -> Figure:
    """Draws the top of the agglomerative tree of the sample.

    Args:
        dendrogram_tree: SciPy linkage matrix from ``sweep_agglomerative``
            (shape (0, 4) when the family is disabled).
        model_selection: Output of ``select_segmentation``; its chosen k is
            drawn as a cut.

    Returns:
        A figure with the last 30 merges and a dashed line where the tree
        splits into the chosen number of segments.
    """
    figure = Figure(figsize=(10, 5.5), layout="constrained")
    axis = figure.subplots()
    if len(dendrogram_tree) == 0:
        axis.text(0.5, 0.5, "agglomerative family disabled: no tree", ha="center")
        axis.set_axis_off()
        return figure
    k = int(_chosen(model_selection)["k"])
    heights = dendrogram_tree[:, 2]
    cut = (heights[-k] + heights[-k + 1]) / 2 if k > 1 else heights[-1]
    dendrogram(
        dendrogram_tree,
        truncate_mode="lastp",
        p=30,
        ax=axis,
        color_threshold=cut,
        above_threshold_color="grey",
        leaf_font_size=8,
    )
    axis.axhline(cut, color="black", linestyle="--", linewidth=1)
    axis.set_title(
        f"Agglomerative tree of {len(dendrogram_tree) + 1} sampled customers "
        f"(last 30 merges; dashed: cut into k={k})"
    )
    axis.set_xlabel("cluster (customers in brackets)")
    axis.set_ylabel("merge distance")
    return figure


def plot_stability(
    model_selection: pd.DataFrame, model_choice: ModelChoiceSettings
) -> Figure:
    """Draws stability against k for the candidates it was measured on, with its spread.

    The sweeps measure stability only where it can change the choice (see
    ``measure_stability_where_it_counts``); the candidates skipped are counted
    in the title and each one's reason is in the model selection table.

    Args:
        model_selection: Output of ``select_segmentation``.
        model_choice: The stability threshold of the rule.

    Returns:
        A figure with the mean adjusted Rand index between half-sample fits
        (error bars: one standard deviation), the threshold and the chosen
        candidate, over the whole swept k range.
    """
    chosen = _chosen(model_selection)
    colours = _algorithm_colours(model_selection)
    figure = Figure(figsize=(8, 5), layout="constrained")
    axis = figure.subplots()
    algorithms = list(dict.fromkeys(model_selection["algorithm"]))
    # Side by side within a k, so candidates with the same stability stay visible.
    offsets = np.linspace(-0.15, 0.15, len(algorithms)) if len(algorithms) > 1 else [0]
    for offset, algorithm in zip(offsets, algorithms, strict=True):
        rows = model_selection[
            (model_selection["algorithm"] == algorithm)
            & model_selection["stability"].notna()
        ].sort_values("k")
        if rows.empty:
            continue
        axis.errorbar(
            rows["k"] + offset,
            rows["stability"],
            yerr=rows["stability_std"],
            marker="o",
            linestyle="none",
            capsize=3,
            label=algorithm,
            color=colours[algorithm],
        )
        if algorithm == chosen["algorithm"] and pd.notna(chosen["stability"]):
            axis.plot(
                chosen["k"] + offset,
                chosen["stability"],
                "k*",
                markersize=14,
                label="chosen",
            )
    axis.axhline(
        model_choice.min_stability,
        color="grey",
        linestyle="--",
        label=f"threshold {model_choice.min_stability}",
    )
    k_values = sorted(model_selection["k"].unique())
    axis.set_xticks(k_values)
    axis.set_xlim(min(k_values) - 0.5, max(k_values) + 0.5)
    lowest = model_selection["stability"].min()
    axis.set_ylim(min(0.0, lowest - 0.05) if pd.notna(lowest) else 0.0, 1.05)
    axis.set_xlabel("number of segments k")
    axis.set_ylabel("stability (mean adjusted Rand index)")
    measured = int(model_selection["stability"].notna().sum())
    axis.set_title(
        "Stability: agreement of fits on two halves of the customers\n"
        f"measured for {measured} of {len(model_selection)} candidates; the others "
        "could not be chosen (reasons in model_selection.csv)",
        fontsize=10,
    )
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8, loc="lower left")
    return figure
