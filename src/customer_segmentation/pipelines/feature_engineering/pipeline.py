"""The ``feature_engineering`` pipeline: clean tables -> customer features -> model input."""

from kedro.pipeline import Node, Pipeline

from .nodes import compute_customer_features, resolve_reference_date, select_model_input


def create_pipeline(**kwargs) -> Pipeline:
    """Creates the feature engineering pipeline.

    Returns:
        Nodes from the clean tables to ``customer_features`` and ``model_input``.
    """
    return Pipeline(
        [
            Node(
                func=resolve_reference_date,
                inputs=[
                    "clean_transactions",
                    "params:feature_settings",
                    "params:input_kind",
                ],
                outputs="reference_date",
                name="resolve_reference_date_node",
            ),
            Node(
                func=compute_customer_features,
                inputs={
                    "clean_transactions": "clean_transactions",
                    "returned_transactions": "returned_transactions",
                    "flagged_customers": "flagged_customers",
                    "reference_date": "reference_date",
                    "input_kind": "params:input_kind",
                    "derived_features": "params:derived_features",
                },
                outputs="customer_features@ibis",
                name="compute_customer_features_node",
            ),
            Node(
                func=select_model_input,
                inputs=[
                    "customer_features@pandas",
                    "params:model_features",
                    "params:model_input_checks",
                ],
                outputs="model_input",
                name="select_model_input_node",
            ),
        ]
    )
