"""The modeling nodes around the sweeps: model matrix, the chosen model, segments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from customer_segmentation.pipelines.modeling.evaluation import (
    draw_evaluation_samples,
)
from customer_segmentation.pipelines.modeling.families import ClustererSpec
from customer_segmentation.pipelines.modeling.nodes import (
    assign_segments,
    fit_segmentation_model,
    prepare_model_matrix,
)
from customer_segmentation.pipelines.modeling.selection import ChosenCandidate
from customer_segmentation.pipelines.modeling.settings import (
    ModelSearchSettings,
    PreprocessingSettings,
)

UNITS = PreprocessingSettings(log_transform=[], scale=False)


# prepare_model_matrix


def test_model_matrix_is_the_standardised_features(three_groups, spend_visits):
    matrix = prepare_model_matrix(three_groups, spend_visits, PreprocessingSettings())

    assert matrix.shape == (12, 2)
    np.testing.assert_allclose(matrix.mean(axis=0), 0.0, atol=1e-12)


def test_model_matrix_refuses_identical_customers(spend_visits):
    identical = pd.DataFrame(
        {"customer_id": ["a", "b", "c"], "spend": [5.0] * 3, "visits": [1.0] * 3}
    )

    with pytest.raises(ValueError, match="all n_customers=3 have identical values"):
        prepare_model_matrix(identical, spend_visits, PreprocessingSettings())


def test_model_matrix_needs_customer_id(three_groups, spend_visits):
    with pytest.raises(ValueError, match="column 'customer_id' is missing"):
        prepare_model_matrix(
            three_groups.drop(columns="customer_id"), spend_visits, UNITS
        )


def test_k_range_must_not_be_reversed():
    with pytest.raises(ValidationError, match="k_min=5 should be <= k_max=3"):
        ModelSearchSettings(k_min=5, k_max=3)


# fit_segmentation_model and assign_segments

SPECS = {
    "kmeans": ClustererSpec("kmeans", 3, n_init=2, sample_size=100),
    "agglomerative_average": ClustererSpec(
        "agglomerative", 3, "average", sample_size=100
    ),
    "gmm_full": ClustererSpec("gaussian_mixture", 3, "full", sample_size=100),
}


def _fit(three_groups, spend_visits, algorithm: str):
    spec = SPECS[algorithm]
    matrix = prepare_model_matrix(three_groups, spend_visits, UNITS)
    chosen = ChosenCandidate(spec, spec.build().fit(matrix), reason="test")
    return fit_segmentation_model(three_groups, chosen, spend_visits, UNITS)


@pytest.mark.parametrize("algorithm", ["kmeans", "agglomerative_average", "gmm_full"])
def test_final_model_is_the_chosen_algorithm(three_groups, spend_visits, algorithm):
    model = _fit(three_groups, spend_visits, algorithm)

    segments = assign_segments(model, three_groups)

    assert model.algorithm_ == algorithm
    assert segments["segment_id"].tolist() == [2] * 4 + [1] * 4 + [0] * 4
    assert segments["customer_id"].tolist() == three_groups["customer_id"].tolist()


def test_final_model_reuses_the_sweep_fit_instead_of_fitting_again(
    three_groups, spend_visits
):
    spec = SPECS["kmeans"]
    matrix = prepare_model_matrix(three_groups, spend_visits, UNITS)
    fitted = spec.build().fit(matrix)
    chosen = ChosenCandidate(spec, fitted, reason="test")

    model = fit_segmentation_model(three_groups, chosen, spend_visits, UNITS)

    assert model.pipeline_.named_steps["cluster"] is fitted


def test_final_model_equals_a_fresh_fit_of_the_spec(three_groups, spend_visits):
    spec = SPECS["gmm_full"]
    reused = _fit(three_groups, spend_visits, "gmm_full")
    fresh = ChosenCandidate(spec, None, reason="test")
    refitted = fit_segmentation_model(three_groups, fresh, spend_visits, UNITS)

    assert (reused.predict(three_groups) == refitted.predict(three_groups)).all()


def test_same_input_and_parameters_give_the_same_segments(three_groups, spend_visits):
    shuffled = three_groups.sample(frac=1.0, random_state=3)
    first = _fit(three_groups, spend_visits, "gmm_full")
    second = _fit(three_groups, spend_visits, "gmm_full")

    assert (first.predict(shuffled) == second.predict(shuffled)).all()


def test_evaluation_samples_are_drawn_once_with_the_seed(three_groups, spend_visits):
    matrix = prepare_model_matrix(three_groups, spend_visits, UNITS)
    search = ModelSearchSettings(k_max=3, silhouette_sample_size=100)

    samples = draw_evaluation_samples(matrix, search)

    assert samples.silhouette_distances.shape == (12, 12)
    np.testing.assert_array_equal(samples.stability_matrix, matrix)
