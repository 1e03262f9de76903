"""The modeling nodes: model matrix, the three family sweeps, the choice, the final fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from customer_segmentation.pipelines.modeling.nodes import (
    CANDIDATE_COLUMNS,
    assign_segments,
    fit_segmentation_model,
    make_clusterer,
    prepare_model_matrix,
    select_segmentation,
    sweep_agglomerative,
    sweep_gaussian_mixture,
    sweep_kmeans,
)
from customer_segmentation.pipelines.modeling.settings import (
    AgglomerativeSettings,
    GaussianMixtureSettings,
    KMeansSettings,
    ModelChoiceSettings,
    ModelSearchSettings,
    PreprocessingSettings,
)

UNITS = PreprocessingSettings(log_transform=[], scale=False)


def _candidates(algorithm: str, rows: list[tuple]) -> pd.DataFrame:
    """(k, silhouette, stability, smallest_segment_share) rows of one algorithm."""
    table = pd.DataFrame(
        rows, columns=["k", "silhouette", "stability", "smallest_segment_share"]
    )
    return table.assign(family=algorithm, algorithm=algorithm)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({column: [] for column in CANDIDATE_COLUMNS})


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


# sweeps


def test_kmeans_sweep_scores_every_k(three_groups, spend_visits, fast_search):
    matrix = prepare_model_matrix(three_groups, spend_visits, UNITS)

    table = sweep_kmeans(matrix, fast_search, KMeansSettings(n_init=2))

    assert table["k"].tolist() == [2, 3, 4]
    assert table["k"][table["silhouette"].idxmax()] == 3
    assert table.loc[table["k"] == 3, "stability"].iloc[0] == 1.0


def test_kmeans_sweep_needs_at_least_k_max_customers(three_groups, spend_visits):
    matrix = prepare_model_matrix(three_groups.head(3), spend_visits, UNITS)
    search = ModelSearchSettings(k_min=2, k_max=5, stability_resamples=0)

    with pytest.raises(ValueError, match="n_customers=3 should be >= k_max=5"):
        sweep_kmeans(matrix, search, KMeansSettings())


def test_stability_needs_halves_of_at_least_k_max_customers(three_groups, spend_visits):
    matrix = prepare_model_matrix(three_groups, spend_visits, UNITS)
    search = ModelSearchSettings(k_min=2, k_max=8, stability_resamples=2)

    with pytest.raises(
        ValueError, match="half-samples of 6 customers should be >= k_max=8"
    ):
        sweep_kmeans(matrix, search, KMeansSettings())


def test_k_range_must_not_be_reversed():
    with pytest.raises(ValidationError, match="k_min=5 should be <= k_max=3"):
        ModelSearchSettings(k_min=5, k_max=3)


def test_constant_feature_is_scaled_to_zero_and_the_sweep_still_scores(
    three_groups, spend_visits, fast_search
):
    constant_visits = three_groups.assign(visits=7.0)
    matrix = prepare_model_matrix(
        constant_visits, spend_visits, PreprocessingSettings()
    )

    table = sweep_kmeans(matrix, fast_search, KMeansSettings(n_init=2))

    np.testing.assert_array_equal(matrix[:, 1], 0.0)
    assert table["silhouette"].notna().all()


def test_disabled_family_gives_an_empty_table(three_groups, spend_visits, fast_search):
    matrix = prepare_model_matrix(three_groups, spend_visits, UNITS)

    table = sweep_kmeans(matrix, fast_search, KMeansSettings(enabled=False))

    assert table.empty
    assert list(table.columns) == CANDIDATE_COLUMNS


def test_agglomerative_sweep_cuts_one_tree_per_linkage(
    three_groups, spend_visits, fast_search
):
    matrix = prepare_model_matrix(three_groups, spend_visits, UNITS)

    table, tree = sweep_agglomerative(
        matrix, fast_search, AgglomerativeSettings(linkages=["ward", "complete"])
    )

    assert table["algorithm"].unique().tolist() == [
        "agglomerative_ward",
        "agglomerative_complete",
    ]
    assert len(table) == 2 * 3
    assert tree.shape == (11, 4)


def test_gaussian_mixture_sweep_reports_bic_and_aic(
    three_groups, spend_visits, fast_search
):
    matrix = prepare_model_matrix(three_groups, spend_visits, UNITS)

    table = sweep_gaussian_mixture(
        matrix, fast_search, GaussianMixtureSettings(covariance_types=["diag"])
    )

    assert table["algorithm"].unique().tolist() == ["gmm_diag"]
    assert table["bic"].notna().all()
    assert table["aic"].notna().all()


# select_segmentation


def test_rule_takes_the_best_silhouette_among_stable_candidates():
    kmeans = _candidates("kmeans", [(2, 0.50, 0.90, 0.3), (3, 0.70, 0.60, 0.3)])
    mixture = _candidates("gmm_full", [(3, 0.60, 0.95, 0.3)])

    table, _ = select_segmentation(kmeans, _empty(), mixture, ModelChoiceSettings())

    chosen = table[table["chosen"]].iloc[0]
    assert (chosen["algorithm"], chosen["k"]) == ("gmm_full", 3)
    assert table.loc[1, "reason"] == "stability 0.600 < 0.75"


def test_rule_breaks_silhouette_ties_towards_the_smaller_k():
    kmeans = _candidates("kmeans", [(4, 0.601, 0.9, 0.2), (3, 0.600, 0.9, 0.2)])

    table, _ = select_segmentation(kmeans, _empty(), _empty(), ModelChoiceSettings())

    assert table.loc[table["chosen"], "k"].tolist() == [3]


def test_rule_rejects_segments_under_the_minimum_share():
    kmeans = _candidates("kmeans", [(2, 0.5, 0.9, 0.3), (3, 0.9, 0.9, 0.01)])

    table, _ = select_segmentation(kmeans, _empty(), _empty(), ModelChoiceSettings())

    assert table.loc[table["chosen"], "k"].tolist() == [2]
    assert table.loc[1, "reason"] == "smallest segment 1.0% < 2%"


def test_pinned_algorithm_and_k_win_whatever_the_scores():
    kmeans = _candidates("kmeans", [(2, 0.9, 0.9, 0.3), (3, 0.5, 0.9, 0.3)])
    choice = ModelChoiceSettings(algorithm="kmeans", k=3)

    table, chosen = select_segmentation(kmeans, _empty(), _empty(), choice)

    assert chosen == {"algorithm": "kmeans", "k": 3}
    assert (
        table.loc[table["chosen"], "reason"]
        .iloc[0]
        .startswith("pinned algorithm='kmeans', k=3")
    )


def test_pinning_an_unknown_algorithm_is_an_error():
    kmeans = _candidates("kmeans", [(2, 0.9, 0.9, 0.3)])

    with pytest.raises(ValueError, match="algorithm='gmm_full' is not among"):
        select_segmentation(
            kmeans, _empty(), _empty(), ModelChoiceSettings(algorithm="gmm_full")
        )


def test_when_nothing_is_eligible_the_reason_says_so():
    kmeans = _candidates("kmeans", [(2, 0.5, 0.2, 0.3), (3, 0.6, 0.1, 0.3)])

    table, _ = select_segmentation(kmeans, _empty(), _empty(), ModelChoiceSettings())

    assert table["chosen"].sum() == 1
    assert table.loc[table["chosen"], "reason"].iloc[0].startswith("no candidate met")


def test_choice_needs_at_least_one_family():
    with pytest.raises(ValueError, match="no candidates; enable at least one"):
        select_segmentation(_empty(), _empty(), _empty(), ModelChoiceSettings())


# fit_segmentation_model and assign_segments


def _fit(three_groups, spend_visits, fast_search, algorithm: str, k: int):
    return fit_segmentation_model(
        model_input=three_groups,
        chosen_candidate={"algorithm": algorithm, "k": k},
        model_features=spend_visits,
        model_preprocessing=UNITS,
        model_search=fast_search,
        kmeans=KMeansSettings(n_init=2),
        agglomerative=AgglomerativeSettings(),
        gaussian_mixture=GaussianMixtureSettings(),
    )


@pytest.mark.parametrize("algorithm", ["kmeans", "agglomerative_average", "gmm_full"])
def test_final_model_is_fitted_with_the_chosen_algorithm(
    three_groups, spend_visits, fast_search, algorithm
):
    model = _fit(three_groups, spend_visits, fast_search, algorithm, 3)

    segments = assign_segments(model, three_groups)

    assert model.algorithm_ == algorithm
    assert segments["segment_id"].tolist() == [2] * 4 + [1] * 4 + [0] * 4
    assert segments["customer_id"].tolist() == three_groups["customer_id"].tolist()


def test_final_fit_needs_the_algorithm_and_k(three_groups, spend_visits, fast_search):
    with pytest.raises(ValueError, match=r"key\(s\) \['k'\] missing"):
        fit_segmentation_model(
            model_input=three_groups,
            chosen_candidate={"algorithm": "kmeans"},
            model_features=spend_visits,
            model_preprocessing=UNITS,
            model_search=fast_search,
            kmeans=KMeansSettings(),
            agglomerative=AgglomerativeSettings(),
            gaussian_mixture=GaussianMixtureSettings(),
        )


def test_unknown_algorithm_name_is_an_error(fast_search):
    with pytest.raises(ValueError, match="algorithm='dbscan' is not 'kmeans'"):
        make_clusterer(
            "dbscan",
            3,
            model_search=fast_search,
            kmeans=KMeansSettings(),
            agglomerative=AgglomerativeSettings(),
            gaussian_mixture=GaussianMixtureSettings(),
        )


def test_same_input_and_parameters_give_the_same_segments(
    three_groups, spend_visits, fast_search
):
    shuffled = three_groups.sample(frac=1.0, random_state=3)
    first = _fit(three_groups, spend_visits, fast_search, "gmm_full", 3)
    second = _fit(three_groups, spend_visits, fast_search, "gmm_full", 3)

    assert (first.predict(shuffled) == second.predict(shuffled)).all()
