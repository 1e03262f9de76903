"""The family sweeps: shared samples, scores of every candidate, stability only where it counts."""

from __future__ import annotations

import numpy as np
import pytest

from customer_segmentation.pipelines.modeling.candidates import CANDIDATE_COLUMNS
from customer_segmentation.pipelines.modeling.evaluation import (
    draw_evaluation_samples,
    measure_stability_where_it_counts,
)
from customer_segmentation.pipelines.modeling.nodes import prepare_model_matrix
from customer_segmentation.pipelines.modeling.settings import (
    AgglomerativeSettings,
    GaussianMixtureSettings,
    KMeansSettings,
    ModelChoiceSettings,
    ModelSearchSettings,
    PreprocessingSettings,
)
from customer_segmentation.pipelines.modeling.sweeps import (
    sweep_agglomerative,
    sweep_gaussian_mixture,
    sweep_kmeans,
)

UNITS = PreprocessingSettings(log_transform=[], scale=False)
CHOICE = ModelChoiceSettings()


def _kmeans(matrix, search, settings):
    samples = draw_evaluation_samples(matrix, search)
    return sweep_kmeans(matrix, samples, search, settings, CHOICE).candidates


def test_kmeans_sweep_scores_every_k(three_groups, spend_visits, fast_search):
    matrix = prepare_model_matrix(three_groups, spend_visits, UNITS)

    table = _kmeans(matrix, fast_search, KMeansSettings(n_init=2))

    assert table["k"].tolist() == [2, 3, 4]
    assert table["k"][table["silhouette"].idxmax()] == 3
    assert table.loc[table["k"] == 3, "stability"].iloc[0] == 1.0


def test_kmeans_sweep_needs_at_least_k_max_customers(three_groups, spend_visits):
    matrix = prepare_model_matrix(three_groups.head(3), spend_visits, UNITS)
    search = ModelSearchSettings(k_min=2, k_max=5, stability_resamples=0)

    with pytest.raises(ValueError, match="n_customers=3 should be >= k_max=5"):
        _kmeans(matrix, search, KMeansSettings())


def test_stability_needs_halves_of_at_least_k_max_customers(three_groups, spend_visits):
    matrix = prepare_model_matrix(three_groups, spend_visits, UNITS)
    search = ModelSearchSettings(k_min=2, k_max=8, stability_resamples=2)

    with pytest.raises(
        ValueError, match="half-samples of 6 customers should be >= k_max=8"
    ):
        _kmeans(matrix, search, KMeansSettings())


def test_constant_feature_is_scaled_to_zero_and_the_sweep_still_scores(
    three_groups, spend_visits, fast_search
):
    constant_visits = three_groups.assign(visits=7.0)
    matrix = prepare_model_matrix(
        constant_visits, spend_visits, PreprocessingSettings()
    )

    table = _kmeans(matrix, fast_search, KMeansSettings(n_init=2))

    np.testing.assert_array_equal(matrix[:, 1], 0.0)
    assert table["silhouette"].notna().all()


def test_disabled_family_gives_an_empty_table(three_groups, spend_visits, fast_search):
    matrix = prepare_model_matrix(three_groups, spend_visits, UNITS)

    table = _kmeans(matrix, fast_search, KMeansSettings(enabled=False))

    assert table.empty
    assert list(table.columns) == CANDIDATE_COLUMNS


def test_agglomerative_sweep_cuts_one_tree_per_linkage(
    three_groups, spend_visits, fast_search
):
    matrix = prepare_model_matrix(three_groups, spend_visits, UNITS)

    sweep, tree = sweep_agglomerative(
        matrix,
        draw_evaluation_samples(matrix, fast_search),
        fast_search,
        AgglomerativeSettings(linkages=["ward", "complete"]),
        CHOICE,
    )
    table = sweep.candidates

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
        matrix,
        draw_evaluation_samples(matrix, fast_search),
        fast_search,
        GaussianMixtureSettings(covariance_types=["diag"]),
        CHOICE,
    ).candidates

    assert table["algorithm"].unique().tolist() == ["gmm_diag"]
    assert table["bic"].notna().all()
    assert table["aic"].notna().all()


def test_sweep_keeps_a_fitted_clusterer_per_candidate(
    three_groups, spend_visits, fast_search
):
    matrix = prepare_model_matrix(three_groups, spend_visits, UNITS)
    samples = draw_evaluation_samples(matrix, fast_search)

    sweep = sweep_kmeans(matrix, samples, fast_search, KMeansSettings(n_init=2), CHOICE)

    assert [spec.k for spec in sweep.specs] == sweep.candidates["k"].tolist()
    labels = sweep.clusterers[1].predict(matrix)
    assert len(np.unique(labels)) == 3


def _rows(*silhouettes_and_shares):
    return [
        {
            "algorithm": "kmeans",
            "k": k,
            "silhouette": silhouette,
            "smallest_segment_share": share,
        }
        for k, (silhouette, share) in enumerate(silhouettes_and_shares, start=2)
    ]


def test_stability_is_skipped_for_candidates_that_cannot_win():
    rows = _rows((0.50, 0.3), (0.70, 0.3), (0.60, 0.3), (0.699, 0.3), (0.9, 0.01))
    stabilities = {0: 0.9, 1: 0.9, 2: 0.9, 3: 0.9, 4: 0.9}
    measured = []

    def measure(i):
        measured.append(i)
        return stabilities[i], 0.0

    measure_stability_where_it_counts(rows, CHOICE, measure)

    # k=3 is eligible with 0.70: k=5 (0.699) may still tie; k=4 and k=2 cannot
    # win, nor k=6, whose smallest segment is under the minimum share.
    assert measured == [1, 3]
    assert [row["stability_skipped"] for row in rows] == [
        True,
        False,
        True,
        False,
        True,
    ]


def test_stability_is_measured_down_the_ranking_until_one_is_eligible():
    rows = _rows((0.50, 0.3), (0.70, 0.3), (0.60, 0.3))
    stabilities = {1: 0.2, 2: 0.9, 0: 0.9}
    measured = []

    def measure(i):
        measured.append(i)
        return stabilities[i], 0.0

    measure_stability_where_it_counts(rows, CHOICE, measure)

    assert measured == [1, 2]
    assert rows[0]["stability_skipped"]


def test_skipping_stability_keeps_the_choice_of_a_full_measurement(
    three_groups, spend_visits, fast_search
):
    matrix = prepare_model_matrix(three_groups, spend_visits, UNITS)
    samples = draw_evaluation_samples(matrix, fast_search)
    sweep = sweep_kmeans(matrix, samples, fast_search, KMeansSettings(n_init=2), CHOICE)
    table = sweep.candidates

    assert table["stability_skipped"].any()
    best = table.loc[table["silhouette"].idxmax()]
    assert best["k"] == 3
    assert best["stability"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("sweep", "settings"),
    [
        (sweep_kmeans, KMeansSettings(n_init=2)),
        (sweep_gaussian_mixture, GaussianMixtureSettings(covariance_types=["full"])),
        (sweep_agglomerative, AgglomerativeSettings(linkages=["ward", "average"])),
    ],
    ids=["kmeans", "gaussian_mixture", "agglomerative"],
)
def test_candidates_fitted_side_by_side_equal_those_fitted_one_by_one(sweep, settings):
    generator = np.random.default_rng(3)
    centres = np.array([[0.0, 0.0], [3.0, 0.5], [1.0, 4.0]])
    matrix = np.vstack([centre + generator.normal(size=(80, 2)) for centre in centres])
    results = {}
    for n_jobs in (1, 3):
        search = ModelSearchSettings(
            k_min=2,
            k_max=5,
            random_state=0,
            silhouette_sample_size=200,
            stability_sample_size=200,
            stability_resamples=2,
            n_jobs=n_jobs,
        )
        found = sweep(
            matrix, draw_evaluation_samples(matrix, search), search, settings, CHOICE
        )
        results[n_jobs] = found[0] if isinstance(found, tuple) else found

    one_by_one, threaded = results[1], results[3]
    without_time = [column for column in CANDIDATE_COLUMNS if column != "fit_seconds"]
    assert threaded.candidates[without_time].equals(one_by_one.candidates[without_time])
    assert len(threaded.candidates) == len(one_by_one.candidates) > 3
    for first, second in zip(one_by_one.clusterers, threaded.clusterers, strict=True):
        assert np.array_equal(first.predict(matrix), second.predict(matrix))
