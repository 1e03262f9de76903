"""Scores one partition (internal metrics) and measures how stable a clustering is."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)

# Fits on a training matrix and labels an evaluation matrix, once per k.
FitPredict = Callable[[np.ndarray, np.ndarray], dict[int, np.ndarray]]


def score_partition(
    matrix: np.ndarray, labels: np.ndarray, k: int, silhouette_rows: np.ndarray
) -> dict[str, float]:
    """Computes the internal metrics of one partition.

    Args:
        matrix: Array of shape (n_rows, n_dimensions) the clusters live in.
        labels: Integer labels of shape (n_rows,) in ``0..k-1``.
        k: Number of clusters asked for (empty clusters count as share 0).
        silhouette_rows: Row positions the silhouette is computed on (O(n^2)).

    Returns:
        ``silhouette`` (on ``silhouette_rows``), ``calinski_harabasz``,
        ``davies_bouldin``, ``inertia`` (sum of squared distances to the
        cluster means) and ``smallest_segment_share``, all on every row except
        the silhouette; metrics that need two clusters are NaN when there is one.
    """
    counts = np.bincount(labels, minlength=k)
    means = np.zeros((len(counts), matrix.shape[1]))
    np.add.at(means, labels, matrix)
    present = counts > 0
    means[present] /= counts[present, None]
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
        scores["silhouette"] = float(
            silhouette_score(matrix[silhouette_rows], sample_labels)
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
