"""Scores one partition (internal metrics) and measures how stable a clustering is."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    euclidean_distances,
)

# Fits on a training matrix and labels an evaluation matrix, once per k.
FitPredict = Callable[[np.ndarray, np.ndarray], dict[int, np.ndarray]]


def silhouette_from_distances(distances: np.ndarray, labels: np.ndarray) -> float:
    """Computes the mean silhouette from a precomputed distance matrix.

    The same distances serve every k of a sweep, so each k only costs one
    matrix product instead of a new O(n^2) distance computation. Customers
    alone in their cluster score 0, as in scikit-learn.

    Args:
        distances: Euclidean distances of shape (n_rows, n_rows).
        labels: Integer labels of shape (n_rows,), at least two distinct values.

    Returns:
        The mean silhouette coefficient, in -1..1.
    """
    _, codes = np.unique(labels, return_inverse=True)
    members = np.eye(codes.max() + 1)[codes]
    sizes = members.sum(axis=0)
    totals = distances @ members
    own_size = sizes[codes]
    rows = np.arange(len(codes))
    within = totals[rows, codes] / np.maximum(own_size - 1, 1)
    others = totals / sizes
    others[rows, codes] = np.inf
    nearest = others.min(axis=1)
    widths = np.where(
        own_size > 1, (nearest - within) / np.maximum(within, nearest), 0.0
    )
    return float(widths.mean())


def silhouette_distances(matrix: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Computes the distances the sampled silhouette needs, once per sweep.

    Args:
        matrix: Array of shape (n_rows, n_dimensions).
        rows: Sampled row positions.

    Returns:
        Euclidean distances between the sampled rows, shape (len(rows), len(rows)).
    """
    sample = matrix[rows]
    return euclidean_distances(sample, sample)


def score_partition(
    matrix: np.ndarray,
    labels: np.ndarray,
    k: int,
    silhouette_rows: np.ndarray,
    sample_distances: np.ndarray,
) -> dict[str, float]:
    """Computes the internal metrics of one partition.

    Args:
        matrix: Array of shape (n_rows, n_dimensions) the clusters live in.
        labels: Integer labels of shape (n_rows,) in ``0..k-1``.
        k: Number of clusters asked for (empty clusters count as share 0).
        silhouette_rows: Row positions the silhouette is computed on (O(n^2)).
        sample_distances: Output of :func:`silhouette_distances` for those rows.

    Returns:
        ``silhouette`` (on ``silhouette_rows``), ``calinski_harabasz``,
        ``davies_bouldin``, ``inertia`` (sum of squared distances to the
        cluster means) and ``smallest_segment_share``, all on every row except
        the silhouette; metrics that need two clusters are NaN when there is one.
    """
    counts = np.bincount(labels, minlength=k)
    sums = np.column_stack(
        [
            np.bincount(labels, weights=matrix[:, column], minlength=len(counts))
            for column in range(matrix.shape[1])
        ]
    )
    present = counts > 0
    means = np.zeros_like(sums)
    means[present] = sums[present] / counts[present, None]
    inertia = float(((matrix - means[labels]) ** 2).sum())
    scores = {
        "silhouette": np.nan,
        "calinski_harabasz": np.nan,
        "davies_bouldin": np.nan,
        "inertia": inertia,
        "smallest_segment_share": float(counts.min() / len(labels)),
    }
    if present.sum() < 2:  # noqa: PLR2004 - the metrics compare two clusters or more
        return scores
    scores["calinski_harabasz"] = float(calinski_harabasz_score(matrix, labels))
    scores["davies_bouldin"] = float(davies_bouldin_score(matrix, labels))
    sample_labels = labels[silhouette_rows]
    if 2 <= len(np.unique(sample_labels)) < len(silhouette_rows):  # noqa: PLR2004
        scores["silhouette"] = silhouette_from_distances(
            sample_distances, sample_labels
        )
    return scores


def measure_stability(
    matrix: np.ndarray,
    k_values: Sequence[int],
    resamples: int,
    random_state: int,
    fit_predict: FitPredict,
) -> dict[int, tuple[float, float]]:
    """Measures stability as agreement between fits on two halves of the data.

    Each resample splits the rows at random into two disjoint halves, fits the
    clustering on each half, labels every row of ``matrix`` with both fits and
    compares the two labelings with the adjusted Rand index (1 = identical
    partitions, about 0 = chance).

    Args:
        matrix: Array of shape (n_rows, n_dimensions), e.g. a seeded sample.
        k_values: Numbers of clusters to measure.
        resamples: Random splits; 0 gives NaN.
        random_state: Seed of the splits.
        fit_predict: Fits on its first argument and returns, for every k in
            ``k_values``, the labels of its second argument.

    Returns:
        For every k, the mean and standard deviation of the adjusted Rand index
        over the resamples.
    """
    if resamples == 0:
        return {k: (np.nan, np.nan) for k in k_values}
    generator = np.random.default_rng(random_state)
    scores: dict[int, list[float]] = {k: [] for k in k_values}
    half = len(matrix) // 2
    for _ in range(resamples):
        order = generator.permutation(len(matrix))
        first = fit_predict(matrix[order[:half]], matrix)
        second = fit_predict(matrix[order[half : 2 * half]], matrix)
        for k in k_values:
            scores[k].append(adjusted_rand_score(first[k], second[k]))
    return {k: (float(np.mean(v)), float(np.std(v))) for k, v in scores.items()}
