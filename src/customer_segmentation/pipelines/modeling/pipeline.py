"""The ``modeling`` pipeline: model input -> three family sweeps -> choice -> model -> segments."""

from kedro.pipeline import Node, Pipeline

from .nodes import (
    assign_segments,
    fit_segmentation_model,
    prepare_model_matrix,
    select_segmentation,
    sweep_agglomerative,
    sweep_gaussian_mixture,
    sweep_kmeans,
)
from .plots import (
    plot_dendrogram,
    plot_model_selection_metrics,
    plot_silhouette,
    plot_stability,
)

SHARED_PARAMETERS = {"params:model_search"}


def create_kmeans_pipeline() -> Pipeline:
    """Creates the K-means family, namespace ``kmeans``.

    Returns:
        ``model_matrix`` -> ``kmeans_candidates`` (node ``kmeans.sweep_kmeans_node``).
    """
    return Pipeline(
        [
            Node(
                func=sweep_kmeans,
                inputs=["model_matrix", "params:model_search", "params:kmeans"],
                outputs="candidates",
                name="sweep_kmeans_node",
            )
        ],
        namespace="kmeans",
        inputs={"model_matrix"},
        outputs={"candidates": "kmeans_candidates"},
        parameters=SHARED_PARAMETERS | {"params:kmeans"},
    )


def create_agglomerative_pipeline() -> Pipeline:
    """Creates the hierarchical family, namespace ``agglomerative``.

    Returns:
        ``model_matrix`` -> ``agglomerative_candidates`` and ``dendrogram_tree``
        (node ``agglomerative.sweep_agglomerative_node``).
    """
    return Pipeline(
        [
            Node(
                func=sweep_agglomerative,
                inputs=["model_matrix", "params:model_search", "params:agglomerative"],
                outputs=["candidates", "dendrogram_tree"],
                name="sweep_agglomerative_node",
            )
        ],
        namespace="agglomerative",
        inputs={"model_matrix"},
        outputs={
            "candidates": "agglomerative_candidates",
            "dendrogram_tree": "dendrogram_tree",
        },
        parameters=SHARED_PARAMETERS | {"params:agglomerative"},
    )


def create_gaussian_mixture_pipeline() -> Pipeline:
    """Creates the Gaussian mixture family, namespace ``gaussian_mixture``.

    Returns:
        ``model_matrix`` -> ``gaussian_mixture_candidates`` (node
        ``gaussian_mixture.sweep_gaussian_mixture_node``).
    """
    return Pipeline(
        [
            Node(
                func=sweep_gaussian_mixture,
                inputs=[
                    "model_matrix",
                    "params:model_search",
                    "params:gaussian_mixture",
                ],
                outputs="candidates",
                name="sweep_gaussian_mixture_node",
            )
        ],
        namespace="gaussian_mixture",
        inputs={"model_matrix"},
        outputs={"candidates": "gaussian_mixture_candidates"},
        parameters=SHARED_PARAMETERS | {"params:gaussian_mixture"},
    )


def create_pipeline(**kwargs) -> Pipeline:
    """Creates the modeling pipeline.

    Returns:
        Nodes from ``model_input`` to ``model_selection``, ``segmentation_model``,
        ``customer_segments`` and the four model selection plots.
    """
    preparation = Pipeline(
        [
            Node(
                func=prepare_model_matrix,
                inputs=[
                    "model_input",
                    "params:model_features",
                    "params:model_preprocessing",
                ],
                outputs="model_matrix",
                name="prepare_model_matrix_node",
            )
        ]
    )
    choice = Pipeline(
        [
            Node(
                func=select_segmentation,
                inputs=[
                    "kmeans_candidates",
                    "agglomerative_candidates",
                    "gaussian_mixture_candidates",
                    "params:model_choice",
                ],
                outputs=["model_selection", "chosen_candidate"],
                name="select_segmentation_node",
            ),
            Node(
                func=fit_segmentation_model,
                inputs={
                    "model_input": "model_input",
                    "chosen_candidate": "chosen_candidate",
                    "model_features": "params:model_features",
                    "model_preprocessing": "params:model_preprocessing",
                    "model_search": "params:model_search",
                    "kmeans": "params:kmeans",
                    "agglomerative": "params:agglomerative",
                    "gaussian_mixture": "params:gaussian_mixture",
                },
                outputs="segmentation_model",
                name="fit_segmentation_model_node",
            ),
            Node(
                func=assign_segments,
                inputs=["segmentation_model", "model_input"],
                outputs="customer_segments",
                name="assign_segments_node",
            ),
        ]
    )
    plots = Pipeline(
        [
            Node(
                func=plot_model_selection_metrics,
                inputs="model_selection",
                outputs="model_selection_metrics_plot",
                name="plot_model_selection_metrics_node",
            ),
            Node(
                func=plot_silhouette,
                inputs=["segmentation_model", "model_input", "params:model_search"],
                outputs="silhouette_plot",
                name="plot_silhouette_node",
            ),
            Node(
                func=plot_dendrogram,
                inputs=["dendrogram_tree", "model_selection"],
                outputs="dendrogram_plot",
                name="plot_dendrogram_node",
            ),
            Node(
                func=plot_stability,
                inputs=["model_selection", "params:model_choice"],
                outputs="stability_plot",
                name="plot_stability_node",
            ),
        ]
    )
    return (
        preparation
        + create_kmeans_pipeline()
        + create_agglomerative_pipeline()
        + create_gaussian_mixture_pipeline()
        + choice
        + plots
    )
