"""The modeling pipeline as a whole: family namespaces and a run on a tiny frame."""

from __future__ import annotations

from customer_segmentation.pipelines.modeling import create_pipeline

from .support import load_modeling_parameters, run_modeling


def test_each_algorithm_family_is_its_own_namespace():
    names = {node.name for node in create_pipeline().nodes}

    assert {
        "kmeans.sweep_kmeans_node",
        "agglomerative.sweep_agglomerative_node",
        "gaussian_mixture.sweep_gaussian_mixture_node",
    } <= names


def test_pipeline_turns_model_input_into_segments_and_plots(three_groups, spend_visits):
    parameters = load_modeling_parameters(
        model_preprocessing={"log_transform": []},
        model_search={"k_max": 4, "stability_resamples": 2},
    )

    catalog = run_modeling(create_pipeline(), three_groups, spend_visits, parameters)

    selection = catalog["model_selection"].load()
    assert selection["chosen"].sum() == 1
    assert selection.loc[selection["chosen"], "k"].tolist() == [3]
    segments = catalog["customer_segments"].load()
    assert segments["segment_id"].tolist() == [2] * 4 + [1] * 4 + [0] * 4
    for plot in ("model_selection_metrics_plot", "silhouette_plot", "dendrogram_plot"):
        assert catalog[plot].load().axes
