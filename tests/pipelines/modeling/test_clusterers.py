"""Merge trees are SciPy's, and cutting one for every k at once gives cut_tree's labels."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster.hierarchy import cut_tree, linkage

from customer_segmentation.pipelines.modeling.clusterers import (
    build_linkage_tree,
    cut_linkage_tree,
)


@pytest.mark.parametrize("method", ["ward", "average", "complete", "single"])
def test_cut_matches_scipy_cut_tree(method):
    generator = np.random.default_rng(3)
    matrix = generator.normal(size=(400, 3))
    matrix[200:230] = matrix[0]  # duplicates merge at distance 0
    tree = linkage(matrix, method=method)
    k_values = [1, 2, 3, 7, 10, 399]

    labels = cut_linkage_tree(tree, k_values)

    np.testing.assert_array_equal(labels, cut_tree(tree, n_clusters=k_values))


@pytest.mark.parametrize("method", ["ward", "average", "complete", "single"])
def test_merge_tree_has_scipy_merges(method):
    # Four-decimal values make many equal distances; duplicates merge at 0.
    generator = np.random.default_rng(5)
    matrix = generator.normal(size=(600, 4)).round(4)
    matrix[300:340] = matrix[0]
    matrix[[10, 20, 30]] = matrix[40]

    tree = build_linkage_tree(matrix, method)
    expected = linkage(matrix, method=method)

    k_values = list(range(1, 40))
    np.testing.assert_array_equal(
        cut_linkage_tree(tree, k_values), cut_linkage_tree(expected, k_values)
    )
    # Merge heights agree; ties at height 0 may be merged in another order.
    np.testing.assert_allclose(tree[:, 2], expected[:, 2], rtol=1e-12, atol=1e-12)
