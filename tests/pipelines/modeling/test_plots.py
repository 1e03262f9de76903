"""The model selection plots: metrics against k, silhouette, dendrogram, stability."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from customer_segmentation.pipelines.modeling.evaluation import (
    draw_evaluation_samples,
)
from customer_segmentation.pipelines.modeling.nodes import prepare_model_matrix
from customer_segmentation.pipelines.modeling.plots import (
    find_elbow,
    plot_dendrogram,
    plot_model_selection_metrics,
    plot_silhouette,
    plot_stability,
)
from customer_segmentation.pipelines.modeling.selection import select_segmentation
from customer_segmentation.pipelines.modeling.settings import (
    AgglomerativeSettings,
    GaussianMixtureSettings,
    KMeansSettings,
    ModelChoiceSettings,
    PreprocessingSettings,
)
from customer_segmentation.pipelines.modeling.sweeps import (
    sweep_agglomerative,
    sweep_gaussian_mixture,
    sweep_kmeans,
)

from .test_nodes import _fit


def _selection(
    three_groups, spend_visits, fast_search
) -> tuple[pd.DataFrame, np.ndarray]:
    matrix = prepare_model_matrix(three_groups, spend_visits, PreprocessingSettings())
    samples = draw_evaluation_samples(matrix, fast_search)
    choice = ModelChoiceSettings()
    agglomerative, tree = sweep_agglomerative(
        matrix, samples, fast_search, AgglomerativeSettings(), choice
    )
    table, _ = select_segmentation(
        sweep_kmeans(matrix, samples, fast_search, KMeansSettings(n_init=2), choice),
        agglomerative,
        sweep_gaussian_mixture(
            matrix, samples, fast_search, GaussianMixtureSettings(), choice
        ),
        choice,
    )
    return table, tree


def test_elbow_is_where_the_curve_bends_most():
    k = np.array([2.0, 3, 4, 5, 6])
    inertia = np.array([100.0, 40, 12, 10, 9])

    assert find_elbow(k, inertia) == 4


def test_flat_curve_has_no_elbow():
    assert find_elbow(np.array([2.0, 3, 4]), np.array([5.0, 5, 5])) is None


def test_metrics_plot_names_the_chosen_candidate(
    three_groups, spend_visits, fast_search
):
    table, _ = _selection(three_groups, spend_visits, fast_search)

    figure = plot_model_selection_metrics(table)

    assert isinstance(figure, Figure)
    assert len(figure.axes) == 6
    assert "k=3" in figure.get_suptitle()


def test_silhouette_plot_shows_the_chosen_model(
    three_groups, spend_visits, fast_search
):
    model = _fit(three_groups, spend_visits, "kmeans")

    figure = plot_silhouette(model, three_groups, fast_search)

    assert figure.axes[0].get_title() == "Silhouette of kmeans with 3 segments"


def test_dendrogram_marks_the_cut_at_the_chosen_k(
    three_groups, spend_visits, fast_search
):
    table, tree = _selection(three_groups, spend_visits, fast_search)

    figure = plot_dendrogram(tree, table)

    assert "cut into k=3" in figure.axes[0].get_title()


def test_dendrogram_says_when_the_family_is_disabled(
    three_groups, spend_visits, fast_search
):
    table, _ = _selection(three_groups, spend_visits, fast_search)

    figure = plot_dendrogram(np.empty((0, 4)), table)

    assert "disabled" in figure.axes[0].texts[0].get_text()


def test_stability_plot_draws_one_series_per_algorithm(
    three_groups, spend_visits, fast_search
):
    table, _ = _selection(three_groups, spend_visits, fast_search)

    figure = plot_stability(table, ModelChoiceSettings())

    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert {"kmeans", "agglomerative_ward", "gmm_full", "threshold 0.75"} <= set(labels)
