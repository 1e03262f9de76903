"""The ``modeling`` pipeline: model input -> k sweep -> fitted model -> customer segments."""

from kedro.pipeline import Node, Pipeline

from .nodes import assign_segments, fit_segmentation_model, sweep_number_of_segments


def create_pipeline(**kwargs) -> Pipeline:
    """Creates the modeling pipeline.

    Returns:
        Nodes from ``model_input`` to ``model_selection``, ``segmentation_model``
        and ``customer_segments``.
    """
    return Pipeline(
        [
            Node(
                func=sweep_number_of_segments,
                inputs=["model_input", "params:model_features", "params:clustering"],
                outputs="model_selection",
                name="sweep_number_of_segments_node",
            ),
            Node(
                func=fit_segmentation_model,
                inputs=[
                    "model_input",
                    "model_selection",
                    "params:model_features",
                    "params:clustering",
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
