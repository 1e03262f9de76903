"""Scores one partition (internal metrics) and measures how stable a clustering is, on shared samples."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, euclidean_distances

from .clusterers import sample_rows
from .parallel import side_by_side
from .settings import ModelChoiceSettings, ModelSearchSettings

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


def _cluster_means(matrix: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
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
    return means


def _calinski_harabasz(
    matrix: np.ndarray, counts: np.ndarray, means: np.ndarray, inertia: float
) -> float:
    # The formula of sklearn.metrics.calinski_harabasz_score, from the cluster
    # means already at hand instead of a second pass with a label encoder.
    n_clusters = len(counts)
    between = float((counts * ((means - matrix.mean(axis=0)) ** 2).sum(axis=1)).sum())
    if inertia == 0:
        return 1.0
    return between * (len(matrix) - n_clusters) / (inertia * (n_clusters - 1))


def _davies_bouldin(spread: np.ndarray, means: np.ndarray) -> float:
    # The formula of sklearn.metrics.davies_bouldin_score: spread is each
    # cluster's mean distance to its centre.
    between = euclidean_distances(means)
    if np.allclose(spread, 0) or np.allclose(between, 0):
        return 0.0
    between[between == 0] = np.inf
    return float(((spread[:, None] + spread) / between).max(axis=1).mean())


def score_partition(
    matrix: np.ndarray,
    labels: np.ndarray,
    k: int,
    silhouette_rows: np.ndarray,
    sample_distances: np.ndarray,
) -> dict[str, float]:
    """Computes the internal metrics of one partition in one pass over the rows.

    Args:
        matrix: Array of shape (n_rows, n_dimensions) the clusters live in.
        labels: Integer labels of shape (n_rows,) in ``0..k-1``.
        k: Number of clusters asked for (empty clusters count as share 0).
        silhouette_rows: Row positions the silhouette is computed on (O(n^2)).
        sample_distances: Output of :func:`silhouette_distances` for those rows.

    Returns:
        ``silhouette`` (on ``silhouette_rows``), ``calinski_harabasz``,
        ``davies_bouldin`` (the scikit-learn definitions, over the non-empty
        clusters), ``inertia`` (sum of squared distances to the cluster means)
        and ``smallest_segment_share``, all on every row except the
        silhouette; metrics that need two clusters are NaN when there is one.
    """
    counts = np.bincount(labels, minlength=k)
    means = _cluster_means(matrix, labels, k)
    squared = ((matrix - means[labels]) ** 2).sum(axis=1)
    inertia = float(squared.sum())
    scores = {
        "silhouette": np.nan,
        "calinski_harabasz": np.nan,
        "davies_bouldin": np.nan,
        "inertia": inertia,
        "smallest_segment_share": float(counts.min() / len(labels)),
    }
    present = counts > 0
    if present.sum() < 2:  # noqa: PLR2004 - the metrics compare two clusters or more
        return scores
    spread = np.bincount(labels, weights=np.sqrt(squared), minlength=len(counts))
    scores["calinski_harabasz"] = _calinski_harabasz(
        matrix, counts[present], means[present], inertia
    )
    scores["davies_bouldin"] = _davies_bouldin(
        spread[present] / counts[present], means[present]
    )
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
    *,
    n_jobs: int | None = 1,
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
        n_jobs: Halves fitted at once (threads; for fits that release the
            interpreter lock); ``None`` is one per core. The splits are drawn
            before any fit, so the result does not depend on it.

    Returns:
        For every k, the mean and standard deviation of the adjusted Rand index
        over the resamples.
    """
    if resamples == 0:
        return {k: (np.nan, np.nan) for k in k_values}
    generator = np.random.default_rng(random_state)
    half = len(matrix) // 2
    halves = []
    for _ in range(resamples):
        order = generator.permutation(len(matrix))
        halves += [order[:half], order[half : 2 * half]]
    labels = side_by_side(
        lambda rows: fit_predict(matrix[rows], matrix), halves, n_jobs
    )
    scores: dict[int, list[float]] = {k: [] for k in k_values}
    for first, second in zip(labels[::2], labels[1::2], strict=True):
        for k in k_values:
            scores[k].append(adjusted_rand_score(first[k], second[k]))
    return {k: (float(np.mean(v)), float(np.std(v))) for k, v in scores.items()}


@dataclass(frozen=True)
class EvaluationSamples:
    """The customers every candidate is evaluated on, drawn once per run.

    Attributes:
        silhouette_rows: Positions of the silhouette sample.
        silhouette_distances: Their pairwise distances, shape (n, n).
        stability_matrix: The stability sample's rows of the model matrix.
    """

    silhouette_rows: np.ndarray
    silhouette_distances: np.ndarray
    stability_matrix: np.ndarray


def draw_evaluation_samples(
    model_matrix: np.ndarray, model_search: ModelSearchSettings
) -> EvaluationSamples:
    """Draws the silhouette and stability samples every candidate shares.

    Args:
        model_matrix: Output of ``prepare_model_matrix``.
        model_search: Sample sizes and seed.

    Returns:
        The samples, with the silhouette distances computed once.
    """
    seed = model_search.random_state
    silhouette_rows = sample_rows(
        len(model_matrix), model_search.silhouette_sample_size, seed
    )
    stability_rows = sample_rows(
        len(model_matrix), model_search.stability_sample_size, seed
    )
    return EvaluationSamples(
        silhouette_rows=silhouette_rows,
        silhouette_distances=silhouette_distances(model_matrix, silhouette_rows),
        stability_matrix=model_matrix[stability_rows],
    )


def _could_win(row: dict[str, object], choice: ModelChoiceSettings) -> bool:
    return (
        choice.algorithm in (None, row["algorithm"])
        and choice.k in (None, row["k"])
        and pd.notna(row["silhouette"])
        and row["smallest_segment_share"] >= choice.min_segment_share
    )


def measure_stability_where_it_counts(
    rows: list[dict[str, object]],
    choice: ModelChoiceSettings,
    measure: Callable[[int], tuple[float, float]],
) -> None:
    """Fills in the stability of the rows that can still win, best silhouette first.

    Stability only decides eligibility. Once a row of this family is eligible
    with silhouette s, the chosen candidate has a silhouette of at least s, so
    rows below ``s - silhouette_tolerance`` cannot be chosen whatever their
    stability, nor can rows that are unpinned, have no silhouette or have a
    segment under ``min_segment_share``. Their half-sample refits are skipped
    and ``stability_skipped`` says so.

    Args:
        rows: Candidate rows of one family (changed in place).
        choice: The rule's thresholds and pins.
        measure: Measures the stability (mean, std) of row ``i``.
    """
    order = sorted(
        (i for i, row in enumerate(rows) if _could_win(row, choice)),
        key=lambda i: -rows[i]["silhouette"],
    )
    bar = None
    measured = set()
    for i in order:
        if (
            bar is not None
            and rows[i]["silhouette"] < bar - choice.silhouette_tolerance
        ):
            break
        rows[i]["stability"], rows[i]["stability_std"] = measure(i)
        measured.add(i)
        if bar is None and not rows[i]["stability"] < choice.min_stability:
            bar = rows[i]["silhouette"]
    for i, row in enumerate(rows):
        row["stability_skipped"] = i not in measured
