"""Clusterers that fit on a seeded sample and assign every row, so cost stays linear."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.cluster.hierarchy import cut_tree, linkage
from sklearn.base import BaseEstimator, ClusterMixin, clone
from sklearn.metrics import pairwise_distances_argmin
from sklearn.utils.metaestimators import available_if


def sample_rows(n_rows: int, sample_size: int, random_state: int) -> np.ndarray:
    """Picks a seeded sample of row positions.

    Args:
        n_rows: Number of rows to sample from.
        sample_size: Rows wanted; all rows when ``n_rows <= sample_size``.
        random_state: Seed.

    Returns:
        Sorted integer positions, ``min(n_rows, sample_size)`` of them.
    """
    if n_rows <= sample_size:
        return np.arange(n_rows)
    generator = np.random.default_rng(random_state)
    return np.sort(generator.choice(n_rows, size=sample_size, replace=False))


def build_linkage_tree(matrix: np.ndarray, method: str) -> np.ndarray:
    """Builds the agglomerative merge tree of a (sampled) matrix.

    Args:
        matrix: Array of shape (n_rows, n_dimensions); costs O(n_rows^2).
        method: Linkage criterion: ``ward``, ``average``, ``complete`` or ``single``.

    Returns:
        SciPy linkage matrix of shape (n_rows - 1, 4).
    """
    return linkage(matrix, method=method, metric="euclidean")


def centroids_of_cuts(
    matrix: np.ndarray, linkage_tree: np.ndarray, k_values: Sequence[int]
) -> dict[int, np.ndarray]:
    """Cuts a merge tree into k clusters, for every k, and returns their means.

    Args:
        matrix: The array of shape (n_rows, n_dimensions) the tree was built on.
        linkage_tree: Its SciPy linkage matrix.
        k_values: Numbers of clusters to cut into.

    Returns:
        For every k, an array of shape (k, n_dimensions): the mean of each cluster.
    """
    # One pass over the merges serves every k.
    labels_by_k = cut_tree(linkage_tree, n_clusters=list(k_values))
    centroids = {}
    for column, k in enumerate(k_values):
        labels = labels_by_k[:, column]
        counts = np.bincount(labels, minlength=k)[:, None]
        sums = np.zeros((k, matrix.shape[1]))
        np.add.at(sums, labels, matrix)
        centroids[k] = sums / counts
    return centroids


class SampledClusterer(ClusterMixin, BaseEstimator):
    """Fits a scikit-learn clusterer on a seeded sample; predicts for every row.

    Args:
        clusterer: Unfitted clusterer with ``fit`` and ``predict`` (K-means,
            Gaussian mixture, ...).
        sample_size: Rows the clusterer is fitted on (all when fewer).
        random_state: Seed of the sample.
    """

    def __init__(
        self,
        clusterer: BaseEstimator,
        sample_size: int = 100_000,
        random_state: int = 0,
    ) -> None:
        self.clusterer = clusterer
        self.sample_size = sample_size
        self.random_state = random_state

    def fit(self, matrix: np.ndarray, y: None = None) -> SampledClusterer:
        """Fits the clusterer on a seeded sample of the rows.

        Args:
            matrix: Array of shape (n_rows, n_dimensions).
            y: Ignored.

        Returns:
            The fitted clusterer.
        """
        rows = sample_rows(len(matrix), self.sample_size, self.random_state)
        self.clusterer_ = clone(self.clusterer).fit(matrix[rows])
        return self

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """Assigns every row a cluster label.

        Args:
            matrix: Array of shape (n_rows, n_dimensions).

        Returns:
            Integer labels of shape (n_rows,).
        """
        return self.clusterer_.predict(matrix)

    @available_if(lambda self: hasattr(self.clusterer, "predict_proba"))
    def predict_proba(self, matrix: np.ndarray) -> np.ndarray:
        """Gives each row's membership probabilities (probabilistic clusterers only).

        Args:
            matrix: Array of shape (n_rows, n_dimensions).

        Returns:
            Array of shape (n_rows, n_clusters), rows summing to 1.
        """
        return self.clusterer_.predict_proba(matrix)


class SampledAgglomerativeClustering(ClusterMixin, BaseEstimator):
    """Agglomerative clustering of a seeded sample; every row goes to the nearest centroid.

    The merge tree costs O(n^2), so it is built on at most ``sample_size``
    rows. The tree is cut into ``n_clusters`` clusters, their means become
    centroids, and ``predict`` assigns any row to the nearest centroid
    (Euclidean), which is linear in the number of rows.

    Args:
        n_clusters: Number of clusters.
        linkage: ``ward``, ``average``, ``complete`` or ``single``.
        sample_size: Rows the tree is built on (all when fewer).
        random_state: Seed of the sample.
    """

    def __init__(
        self,
        n_clusters: int = 2,
        linkage: str = "ward",
        sample_size: int = 10_000,
        random_state: int = 0,
    ) -> None:
        self.n_clusters = n_clusters
        self.linkage = linkage
        self.sample_size = sample_size
        self.random_state = random_state

    def fit(self, matrix: np.ndarray, y: None = None) -> SampledAgglomerativeClustering:
        """Builds the tree on a sample, cuts it and keeps the cluster centroids.

        Args:
            matrix: Array of shape (n_rows, n_dimensions).
            y: Ignored.

        Returns:
            The fitted clusterer, with ``cluster_centers_``,
            ``sample_indices_`` and ``linkage_tree_``.

        Raises:
            ValueError: If the sample has fewer rows than ``n_clusters``.
        """
        rows = sample_rows(len(matrix), self.sample_size, self.random_state)
        if len(rows) < self.n_clusters:
            raise ValueError(
                f"n_samples={len(rows)} should be >= n_clusters={self.n_clusters}"
            )
        sample = matrix[rows]
        self.sample_indices_ = rows
        self.linkage_tree_ = build_linkage_tree(sample, self.linkage)
        self.cluster_centers_ = centroids_of_cuts(
            sample, self.linkage_tree_, [self.n_clusters]
        )[self.n_clusters]
        return self

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """Assigns every row to the nearest cluster centroid.

        Args:
            matrix: Array of shape (n_rows, n_dimensions).

        Returns:
            Integer labels of shape (n_rows,).
        """
        return pairwise_distances_argmin(matrix, self.cluster_centers_)
