"""One persisted model for every algorithm: stable segment ids, predict, predict_proba."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

from customer_segmentation.pipelines.modeling.clusterers import (
    SampledAgglomerativeClustering,
    SampledClusterer,
)
from customer_segmentation.pipelines.modeling.estimator import (
    SegmentationModel,
    build_preprocessor,
)


def _model(clusterer, algorithm: str) -> SegmentationModel:
    return SegmentationModel(
        build_preprocessor(["spend", "visits"], [], []),
        clusterer,
        order_by="spend",
        algorithm=algorithm,
    )


def _features(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns="customer_id")


def test_segment_ids_run_from_highest_to_lowest_mean_spend(three_groups):
    model = _model(KMeans(3, n_init=3, random_state=0), "kmeans")

    segments = model.fit(_features(three_groups)).predict(_features(three_groups))

    assert segments.tolist() == [2] * 4 + [1] * 4 + [0] * 4


def test_fitted_model_records_its_algorithm(three_groups):
    model = _model(KMeans(3, n_init=3, random_state=0), "kmeans")

    model.fit(_features(three_groups))

    assert model.algorithm_ == "kmeans"
    assert model.n_segments_ == 3


def test_agglomerative_model_assigns_new_customers_to_the_nearest_centroid(
    three_groups,
):
    clusterer = SampledAgglomerativeClustering(n_clusters=3, linkage="ward")
    model = _model(clusterer, "agglomerative_ward").fit(_features(three_groups))
    new_customers = pd.DataFrame({"spend": [99.0, 12.0], "visits": [19.0, 1.0]})

    assert model.predict(new_customers).tolist() == [0, 2]


def test_gaussian_mixture_model_gives_one_probability_per_segment(three_groups):
    mixture = SampledClusterer(GaussianMixture(3, random_state=0), 100, 0)
    model = _model(mixture, "gmm_full").fit(_features(three_groups))

    probabilities = model.predict_proba(_features(three_groups))

    assert model.supports_predict_proba
    assert probabilities.shape == (12, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert (
        probabilities.argmax(axis=1).tolist()
        == model.predict(_features(three_groups)).tolist()
    )


def test_assign_matches_predict_distance_and_probabilities(three_groups):
    mixture = SampledClusterer(GaussianMixture(3, random_state=0), 100, 0)
    model = _model(mixture, "gmm_full").fit(_features(three_groups))
    features = _features(three_groups)

    assignment = model.assign(features)

    assert assignment.segment_ids.tolist() == model.predict(features).tolist()
    np.testing.assert_allclose(assignment.probabilities, model.predict_proba(features))
    centres = model.centres_[assignment.segment_ids]
    np.testing.assert_allclose(
        assignment.distances,
        np.linalg.norm(model.transform(features) - centres, axis=1),
    )


def test_assign_of_kmeans_has_no_probabilities(three_groups):
    model = _model(KMeans(3, n_init=3, random_state=0), "kmeans")

    assignment = model.fit(_features(three_groups)).assign(_features(three_groups))

    assert assignment.probabilities is None
    assert (assignment.distances >= 0).all()


def test_predict_proba_of_kmeans_raises_and_says_why(three_groups):
    model = _model(KMeans(3, n_init=3, random_state=0), "kmeans")
    model.fit(_features(three_groups))

    assert not model.supports_predict_proba
    with pytest.raises(AttributeError, match="algorithm_='kmeans' assigns hard"):
        model.predict_proba(_features(three_groups))


def test_preprocessor_without_scaling_keeps_the_units(three_groups):
    preprocessor = build_preprocessor(["spend", "visits"], [], [], scale=False)

    matrix = preprocessor.fit_transform(_features(three_groups))

    np.testing.assert_array_equal(matrix[:, 0], three_groups["spend"].to_numpy())


def test_agglomerative_needs_at_least_k_rows():
    clusterer = SampledAgglomerativeClustering(n_clusters=5)

    with pytest.raises(ValueError, match="n_samples=3 should be >= n_clusters=5"):
        clusterer.fit(np.arange(6.0).reshape(3, 2))
