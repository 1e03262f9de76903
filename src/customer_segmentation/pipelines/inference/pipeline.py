"""The ``inference`` pipeline: new raw data -> training's processing and features -> segments."""

from kedro.pipeline import Node, Pipeline, pipeline

from customer_segmentation.pipelines import data_processing, feature_engineering
from customer_segmentation.pipelines.customer_value.models import (
    select_bundle_value_models,
)
from customer_segmentation.pipelines.customer_value.pipeline import (
    create_scoring_pipeline as create_value_scoring_pipeline,
)

from .nodes import (
    list_known_customers,
    score_customers,
    score_given_features,
    select_bundle_model_input,
)
from .value import attach_customer_value

NAMESPACE = "inference"
MODEL_BUNDLE = "model_bundle"

# Cleaning settings are the training ones, so new customers are measured exactly
# as the model's customers were; the model features come from the bundle. Only
# the reference date of the new data and the model-input checks (a batch of new
# customers may be small or alike) are its own: params:inference.feature_settings,
# .model_input_checks.
SHARED_PARAMETERS = {
    "params:input_kind",
    "params:transactions_schema",
    "params:customers_schema",
    "params:cleaning_rules",
    "params:customer_cleaning_rules",
    "params:reading_checks",
    "params:derived_features",
    "params:customer_value",
}


def _select_bundle_model_input_node() -> Node:
    return Node(
        func=select_bundle_model_input,
        inputs=[
            "customer_features@pandas",
            MODEL_BUNDLE,
            "params:model_input_checks",
        ],
        outputs="model_input",
        name="select_bundle_model_input_node",
    )


def create_feature_scoring_pipeline() -> Pipeline:
    """Creates the nodes that score customers whose features are given (the API's feature mode).

    Returns:
        From ``inference.customer_features@pandas`` (one row per customer) to
        ``scored_customers``: the bundle's model input, then its segments.
    """
    scoring = Pipeline(
        [
            _select_bundle_model_input_node(),
            Node(
                func=score_given_features,
                inputs=[MODEL_BUNDLE, "model_input", "params:scoring"],
                outputs="scored_customers",
                name="score_given_features_node",
            ),
        ]
    )
    return pipeline(
        scoring,
        namespace=NAMESPACE,
        inputs={MODEL_BUNDLE},
        outputs={"scored_customers"},
    )


def create_pipeline(**kwargs) -> Pipeline:
    """Creates the inference pipeline.

    Returns:
        The data processing and feature engineering pipelines under the
        ``inference`` namespace (reading ``inference.raw_transactions`` and
        ``inference.raw_customers``), the model input chosen by the published
        ``model_bundle``'s feature spec, and the scoring nodes that write
        ``scored_customers``: segments and, from the bundle's value models, the
        lifetime value.
    """
    features = feature_engineering.create_pipeline()
    features = features - features.only_nodes_with_outputs("model_input")
    scoring = Pipeline(
        [
            _select_bundle_model_input_node(),
            Node(
                func=select_bundle_value_models,
                inputs=MODEL_BUNDLE,
                outputs="customer_value_models",
                name="select_bundle_value_models_node",
            ),
            Node(
                func=list_known_customers,
                inputs=["flagged_transactions", "validated_customers"],
                outputs="known_customers",
                name="list_known_customers_node",
            ),
            Node(
                func=score_customers,
                inputs={
                    "model_bundle": MODEL_BUNDLE,
                    "model_input": "model_input",
                    "customer_features": "customer_features@pandas",
                    "known_customers": "known_customers",
                    "scoring": "params:scoring",
                    "input_kind": "params:input_kind",
                    "reference_date": "reference_date",
                    "feature_settings": "params:feature_settings",
                },
                outputs="segment_scores",
                name="score_customers_node",
            ),
            Node(
                func=attach_customer_value,
                inputs=["segment_scores", "customer_value"],
                outputs="scored_customers",
                name="attach_customer_value_node",
            ),
        ]
    )
    return pipeline(
        data_processing.create_pipeline(to_score=True)
        + features
        + create_value_scoring_pipeline()
        + scoring,
        namespace=NAMESPACE,
        inputs={MODEL_BUNDLE},
        outputs={"scored_customers"},
        parameters=SHARED_PARAMETERS,
    )
