"""The ``inference`` pipeline: new raw data -> training's processing and features -> segments."""

from kedro.pipeline import Node, Pipeline, pipeline

from customer_segmentation.pipelines import data_processing, feature_engineering
from customer_segmentation.pipelines.customer_value.pipeline import (
    create_scoring_pipeline as create_value_scoring_pipeline,
)

from .hooks import MODEL_DATASET, MODEL_VERSION_DATASET
from .nodes import attach_customer_value, list_known_customers, score_customers

NAMESPACE = "inference"

# Cleaning and feature settings are the training ones, so new customers are
# measured exactly as the model's customers were. Only the reference date of the
# new data and the model-input checks (a batch of new customers may be small or
# alike) are its own: params:inference.feature_settings, .model_input_checks.
SHARED_PARAMETERS = {
    "params:input_kind",
    "params:transactions_schema",
    "params:customers_schema",
    "params:cleaning_rules",
    "params:customer_cleaning_rules",
    "params:model_features",
    "params:customer_value",
}
VALUE_MODELS_DATASET = "customer_value_models"


def create_pipeline(**kwargs) -> Pipeline:
    """Creates the inference pipeline.

    Returns:
        The data processing and feature engineering pipelines under the
        ``inference`` namespace (reading ``inference.raw_transactions`` and
        ``inference.raw_customers``), followed by the scoring nodes that write
        ``scored_customers``: segments and, from the training's
        ``customer_value_models``, the lifetime value.
    """
    scoring = Pipeline(
        [
            Node(
                func=list_known_customers,
                inputs=["flagged_transactions", "validated_customers"],
                outputs="known_customers",
                name="list_known_customers_node",
            ),
            Node(
                func=score_customers,
                inputs={
                    "segmentation_model": MODEL_DATASET,
                    "model_input": "model_input",
                    "customer_features": "customer_features@pandas",
                    "known_customers": "known_customers",
                    "segment_names": "segment_names",
                    "scoring": "params:scoring",
                    "model_version": MODEL_VERSION_DATASET,
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
        data_processing.create_pipeline()
        + feature_engineering.create_pipeline()
        + create_value_scoring_pipeline()
        + scoring,
        namespace=NAMESPACE,
        inputs={
            MODEL_DATASET,
            MODEL_VERSION_DATASET,
            VALUE_MODELS_DATASET,
            "segment_names",
        },
        outputs={"scored_customers"},
        parameters=SHARED_PARAMETERS,
    )
