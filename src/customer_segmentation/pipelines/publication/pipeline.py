"""The ``publication`` pipeline: model, names, rules, run facts and value models -> ``model_bundle``."""

from kedro.pipeline import Node, Pipeline

from .nodes import (
    assemble_model_bundle,
    describe_features,
    fingerprint_training_run,
    summarise_purchase_dates,
)


def create_pipeline(**kwargs) -> Pipeline:
    """Creates the publication pipeline.

    Saving ``model_bundle`` only stages it; the project hooks publish it once the
    whole run has succeeded (see ``customer_segmentation.hooks``).

    Returns:
        Nodes from the modeling, reporting and customer value outputs to
        ``model_bundle``.
    """
    return Pipeline(
        [
            Node(
                func=describe_features,
                inputs=[
                    "params:model_features",
                    "params:model_preprocessing",
                    "params:customer_cleaning_rules",
                    "model_input",
                ],
                outputs="feature_spec",
                name="describe_features_node",
            ),
            Node(
                func=summarise_purchase_dates,
                inputs="customer_orders",
                outputs="purchase_dates",
                name="summarise_purchase_dates_node",
            ),
            Node(
                func=fingerprint_training_run,
                inputs=[
                    "data_quality_report",
                    "model_input",
                    "purchase_dates",
                    "reference_date",
                    "model_selection",
                    "parameters",
                    "params:publication",
                ],
                outputs="training_fingerprint",
                name="fingerprint_training_run_node",
            ),
            Node(
                func=assemble_model_bundle,
                inputs=[
                    "segmentation_model",
                    "feature_spec",
                    "segment_names",
                    "segment_rules",
                    "segment_rules_summary",
                    "training_fingerprint",
                    "customer_value_models",
                ],
                outputs="model_bundle",
                name="assemble_model_bundle_node",
            ),
        ]
    )
