"""The ``data_processing`` pipeline: raw inputs -> validated, standardised, clean tables."""

from kedro.pipeline import Node, Pipeline

from .nodes import (
    flag_transactions,
    select_clean_transactions,
    select_returned_transactions,
    standardise_customers,
    standardise_transactions,
    summarise_data_quality,
)


def create_pipeline(**kwargs) -> Pipeline:
    """Creates the data processing pipeline.

    Returns:
        Nodes from ``raw_transactions`` and ``raw_customers`` to
        ``clean_transactions``, ``returned_transactions``, ``validated_customers``
        and the ``data_quality_report``.
    """
    return Pipeline(
        [
            Node(
                func=standardise_transactions,
                inputs=["raw_transactions", "params:transactions_schema"],
                outputs="validated_transactions",
                name="standardise_transactions_node",
            ),
            Node(
                func=standardise_customers,
                inputs=["raw_customers", "params:customers_schema"],
                outputs="validated_customers",
                name="standardise_customers_node",
            ),
            Node(
                func=flag_transactions,
                inputs=["validated_transactions", "params:cleaning_rules"],
                outputs="flagged_transactions",
                name="flag_transactions_node",
            ),
            Node(
                func=select_clean_transactions,
                inputs="flagged_transactions",
                outputs="clean_transactions",
                name="select_clean_transactions_node",
            ),
            Node(
                func=select_returned_transactions,
                inputs="flagged_transactions",
                outputs="returned_transactions",
                name="select_returned_transactions_node",
            ),
            Node(
                func=summarise_data_quality,
                inputs=["flagged_transactions", "clean_transactions"],
                outputs="data_quality_report",
                name="summarise_data_quality_node",
            ),
        ]
    )
