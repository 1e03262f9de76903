"""The ``feature_engineering`` pipeline: clean tables -> orders and customer features -> model input."""

from kedro.pipeline import Node, Pipeline

from .nodes import compute_customer_features, resolve_reference_date, select_model_input
from .orders import aggregate_customer_orders


def create_pipeline(**kwargs) -> Pipeline:
    """Creates the feature engineering pipeline.

    Returns:
        Nodes from the clean tables to ``customer_orders`` (which the value
        models and the report read too), ``customer_features`` and
        ``model_input``.
    """
    return Pipeline(
        [
            Node(
                func=aggregate_customer_orders,
                inputs="clean_transactions",
                outputs="customer_orders",
                name="aggregate_customer_orders_node",
            ),
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
                    "customer_orders": "customer_orders",
                    "clean_transactions": "clean_transactions",
                    "returned_transactions": "returned_transactions",
                    "flagged_customers": "flagged_customers",
                    "reference_date": "reference_date",
                    "input_kind": "params:input_kind",
                    "derived_features": "params:derived_features",
                    "reading_checks": "params:reading_checks",
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
