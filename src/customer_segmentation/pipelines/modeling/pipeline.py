"""The ``modeling`` pipeline: model input -> three family sweeps -> choice -> model -> segments."""

from kedro.pipeline import Node, Pipeline

from .evaluation import draw_evaluation_samples
from .nodes import assign_segments, fit_segmentation_model, prepare_model_matrix
from .plots import (
    plot_dendrogram,
    plot_model_selection_metrics,
    plot_silhouette,
    plot_stability,
)
from .selection import select_segmentation
from .sweeps import sweep_agglomerative, sweep_gaussian_mixture, sweep_kmeans

SHARED_PARAMETERS = {"params:model_search", "params:model_choice"}
SHARED_INPUTS = {"model_matrix", "evaluation_samples"}


def create_kmeans_pipeline() -> Pipeline:
    """Creates the K-means family, namespace ``kmeans``.

    Returns:
        ``model_matrix`` -> ``kmeans_sweep`` (node ``kmeans.sweep_kmeans_node``).
    """
    return Pipeline(
        [
            Node(
                func=sweep_kmeans,
                inputs=[
                    "model_matrix",
                    "evaluation_samples",
                    "params:model_search",
                    "params:kmeans",
                    "params:model_choice",
                ],
                outputs="sweep",
                name="sweep_kmeans_node",
            )
        ],
        namespace="kmeans",
        inputs=SHARED_INPUTS,
        outputs={"sweep": "kmeans_sweep"},
        parameters=SHARED_PARAMETERS | {"params:kmeans"},
    )


def create_agglomerative_pipeline() -> Pipeline:
    """Creates the hierarchical family, namespace ``agglomerative``.

    Returns:
        ``model_matrix`` -> ``agglomerative_sweep`` and ``dendrogram_tree``
        (node ``agglomerative.sweep_agglomerative_node``).
    """
    return Pipeline(
        [
            Node(
                func=sweep_agglomerative,
                inputs=[
                    "model_matrix",
                    "evaluation_samples",
                    "params:model_search",
                    "params:agglomerative",
                    "params:model_choice",
                ],
                outputs=["sweep", "dendrogram_tree"],
                name="sweep_agglomerative_node",
            )
        ],
        namespace="agglomerative",
        inputs=SHARED_INPUTS,
        outputs={
            "sweep": "agglomerative_sweep",
            "dendrogram_tree": "dendrogram_tree",
        },
        parameters=SHARED_PARAMETERS | {"params:agglomerative"},
    )


def create_gaussian_mixture_pipeline() -> Pipeline:
    """Creates the Gaussian mixture family, namespace ``gaussian_mixture``.

    Returns:
        ``model_matrix`` -> ``gaussian_mixture_sweep`` (node
        ``gaussian_mixture.sweep_gaussian_mixture_node``).
    """
    return Pipeline(
        [
            Node(
                func=sweep_gaussian_mixture,
                inputs=[
                    "model_matrix",
                    "evaluation_samples",
                    "params:model_search",
                    "params:gaussian_mixture",
                    "params:model_choice",
                ],
                outputs="sweep",
                name="sweep_gaussian_mixture_node",
            )
        ],
        namespace="gaussian_mixture",
        inputs=SHARED_INPUTS,
        outputs={"sweep": "gaussian_mixture_sweep"},
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
            ),
            Node(
                func=draw_evaluation_samples,
                inputs=["model_matrix", "params:model_search"],
                outputs="evaluation_samples",
                name="draw_evaluation_samples_node",
            ),
        ]
    )
    choice = Pipeline(
        [
            Node(
                func=select_segmentation,
                inputs=[
                    "kmeans_sweep",
                    "agglomerative_sweep",
                    "gaussian_mixture_sweep",
                    "params:model_choice",
                ],
                outputs=["model_selection", "chosen_candidate"],
                name="select_segmentation_node",
            ),
            Node(
                func=fit_segmentation_model,
                inputs=[
                    "model_input",
                    "chosen_candidate",
                    "params:model_features",
                    "params:model_preprocessing",
                ],
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
