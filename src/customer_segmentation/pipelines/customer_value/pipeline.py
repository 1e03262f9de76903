"""The ``customer_value`` pipeline: orders -> BG/NBD + Gamma-Gamma -> value per customer and segment."""

from kedro.pipeline import Node, Pipeline

from .models import predict_customer_value
from .nodes import (
    aggregate_customer_purchases,
    check_purchase_model_calibration,
    fit_customer_value_models,
    record_value_model_selection,
    resolve_calibration_end,
    summarise_calibration_purchases,
    summarise_customer_purchases,
    summarise_purchase_history,
)
from .plots import plot_segment_value, plot_value_calibration
from .report import render_customer_value_section
from .segment_value import summarise_segment_value


def _predict_customer_value_node() -> Node:
    return Node(
        func=predict_customer_value,
        inputs=[
            "customer_value_models",
            "customer_purchase_summary@pandas",
            "params:customer_value",
        ],
        outputs="customer_value",
        name="predict_customer_value_node",
    )


def create_scoring_pipeline() -> Pipeline:
    """Creates the nodes that value customers with fitted models.

    The batch ``inference`` pipeline uses them under its namespace: purchases
    summarised from the orders at the reference date, then the one scoring
    function, which training calls too.

    Returns:
        Nodes from ``customer_orders``, ``customer_features@ibis``,
        ``reference_date`` and ``customer_value_models`` to
        ``customer_purchase_summary`` and ``customer_value``.
    """
    return Pipeline(
        [
            Node(
                func=summarise_customer_purchases,
                inputs=[
                    "customer_orders",
                    "customer_features@ibis",
                    "reference_date",
                    "params:customer_value",
                    "params:input_kind",
                ],
                outputs="customer_purchase_summary@ibis",
                name="summarise_customer_purchases_node",
            ),
            _predict_customer_value_node(),
        ]
    )


def create_pipeline(**kwargs) -> Pipeline:
    """Creates the customer value pipeline.

    The orders are read once, into ``customer_purchase_history``; the
    purchase summary of the whole period and the calibration / holdout split
    are both derived from it.

    Returns:
        Nodes from ``customer_orders``, ``customer_features`` and
        ``reference_date`` to ``customer_value_models``, ``customer_value``, the
        model-selection record and holdout check, and (with the segments)
        ``segment_value``, its plots and the report section.
    """
    return Pipeline(
        [
            Node(
                func=resolve_calibration_end,
                inputs=[
                    "reference_date",
                    "params:customer_value_calibration",
                    "params:input_kind",
                ],
                outputs="customer_value_calibration_end",
                name="resolve_calibration_end_node",
            ),
            Node(
                func=aggregate_customer_purchases,
                inputs=[
                    "customer_orders",
                    "customer_features@ibis",
                    "reference_date",
                    "customer_value_calibration_end",
                    "params:input_kind",
                ],
                outputs="customer_purchase_history@ibis",
                name="aggregate_customer_purchases_node",
            ),
            Node(
                func=summarise_purchase_history,
                inputs=[
                    "customer_purchase_history@ibis",
                    "reference_date",
                    "params:customer_value",
                ],
                outputs="customer_purchase_summary@ibis",
                name="summarise_customer_purchases_node",
            ),
            Node(
                func=summarise_calibration_purchases,
                inputs=[
                    "customer_purchase_history@ibis",
                    "reference_date",
                    "customer_value_calibration_end",
                    "params:customer_value",
                ],
                outputs="customer_value_calibration_summary@ibis",
                name="summarise_calibration_purchases_node",
            ),
            _predict_customer_value_node(),
            Node(
                func=fit_customer_value_models,
                inputs=[
                    "customer_purchase_summary@pandas",
                    "reference_date",
                    "params:customer_value",
                ],
                outputs="customer_value_models",
                name="fit_customer_value_models_node",
            ),
            Node(
                func=check_purchase_model_calibration,
                inputs=[
                    "customer_value_calibration_summary@pandas",
                    "params:customer_value",
                    "params:customer_value_calibration",
                ],
                outputs=["customer_value_calibration", "customer_value_holdout_check"],
                name="check_purchase_model_calibration_node",
            ),
            Node(
                func=record_value_model_selection,
                inputs=[
                    "customer_value_models",
                    "customer_value_holdout_check",
                    "customer_value_calibration_end",
                ],
                outputs="customer_value_model_selection",
                name="record_value_model_selection_node",
            ),
            Node(
                func=summarise_segment_value,
                inputs=[
                    "customer_value",
                    "customer_segments",
                    "customer_features@pandas",
                    "segment_names",
                    "params:customer_value",
                ],
                outputs="segment_value",
                name="summarise_segment_value_node",
            ),
            Node(
                func=plot_segment_value,
                inputs=["segment_value", "params:segmentation_report.currency"],
                outputs="segment_value_plot",
                name="plot_segment_value_node",
            ),
            Node(
                func=plot_value_calibration,
                inputs="customer_value_calibration",
                outputs="customer_value_calibration_plot",
                name="plot_value_calibration_node",
            ),
            Node(
                func=render_customer_value_section,
                inputs=[
                    "segment_value",
                    "customer_value_model_selection",
                    "customer_value_calibration",
                    "params:customer_value",
                    "params:segmentation_report",
                    # The PNG files the two plot nodes saved.
                    "segment_value_plot",
                    "customer_value_calibration_plot",
                ],
                outputs="customer_value_section",
                name="render_customer_value_section_node",
            ),
        ]
    )
