"""Internal metrics of one partition, and stability between half-sample fits."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import (
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)

from customer_segmentation.pipelines.modeling.clusterers import sample_rows
from customer_segmentation.pipelines.modeling.evaluation import (
    measure_stability,
    score_partition,
    silhouette_distances,
    silhouette_from_distances,
)

MATRIX = np.array([[0.0, 0.0], [0.0, 2.0], [10.0, 0.0], [10.0, 2.0]])
ROWS = np.arange(4)
DISTANCES = silhouette_distances(MATRIX, ROWS)


def test_inertia_is_the_sum_of_squared_distances_to_segment_means():
    scores = score_partition(MATRIX, np.array([0, 0, 1, 1]), 2, ROWS, DISTANCES)

    # Every point is 1 away from its segment mean: 4 x 1^2.
    assert scores["inertia"] == pytest.approx(4.0)
    assert scores["smallest_segment_share"] == 0.5
    assert scores["silhouette"] > 0.8


def test_calinski_harabasz_and_davies_bouldin_match_scikit_learn():
    generator = np.random.default_rng(0)
    matrix = generator.normal(size=(300, 3))
    labels = generator.integers(0, 5, 300)
    labels[labels == 3] = 4  # an empty cluster counts for neither metric
    rows = np.arange(300)

    scores = score_partition(
        matrix, labels, 5, rows, silhouette_distances(matrix, rows)
    )

    assert scores["calinski_harabasz"] == pytest.approx(
        calinski_harabasz_score(matrix, labels), rel=1e-10
    )
    assert scores["davies_bouldin"] == pytest.approx(
        davies_bouldin_score(matrix, labels), rel=1e-10
    )


def test_metrics_needing_two_segments_are_missing_for_one():
    scores = score_partition(MATRIX, np.zeros(4, dtype=int), 2, ROWS, DISTANCES)

    assert np.isnan(scores["silhouette"])
    assert np.isnan(scores["calinski_harabasz"])
    assert scores["smallest_segment_share"] == 0.0


def test_fits_that_always_agree_have_stability_one():
    def split_left_right(train, evaluate):
        return {2: (evaluate[:, 0] > 5).astype(int)}

    stability = measure_stability(MATRIX, [2], 3, 0, split_left_right)

    assert stability[2] == (1.0, 0.0)


def test_no_resamples_means_stability_not_measured():
    stability = measure_stability(MATRIX, [2, 3], 0, 0, lambda train, evaluate: {})

    assert np.isnan(stability[3][0])


def test_sample_rows_takes_every_row_when_there_are_fewer():
    assert sample_rows(5, 10, 0).tolist() == [0, 1, 2, 3, 4]


def test_sample_rows_is_seeded():
    assert sample_rows(1000, 10, 7).tolist() == sample_rows(1000, 10, 7).tolist()


def test_silhouette_from_shared_distances_matches_scikit_learn():
    matrix = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0], [6.0, 5.0], [9.0, 0.0]])
    labels = np.array([0, 0, 1, 1, 2])

    silhouette = silhouette_from_distances(
        silhouette_distances(matrix, np.arange(5)), labels
    )

    assert silhouette == pytest.approx(silhouette_score(matrix, labels))
