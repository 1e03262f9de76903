"""Cutting a merge tree for every k at once gives scipy's cut_tree partitions and labels."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster.hierarchy import cut_tree, linkage

from customer_segmentation.pipelines.modeling.clusterers import cut_linkage_tree


@pytest.mark.parametrize("method", ["ward", "average", "complete", "single"])
def test_cut_matches_scipy_cut_tree(method):
    generator = np.random.default_rng(3)
    matrix = generator.normal(size=(400, 3))
    matrix[200:230] = matrix[0]  # duplicates merge at distance 0
    tree = linkage(matrix, method=method)
    k_values = [1, 2, 3, 7, 10, 399]

    labels = cut_linkage_tree(tree, k_values)

    np.testing.assert_array_equal(labels, cut_tree(tree, n_clusters=k_values))
