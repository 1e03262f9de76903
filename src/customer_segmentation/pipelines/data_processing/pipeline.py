"""The ``data_processing`` pipeline: raw inputs -> validated, standardised, clean tables."""

from kedro.pipeline import Node, Pipeline

from .nodes import (
    find_repeated_lines,
    flag_customers,
    flag_customers_to_score,
    flag_duplicate_lines,
    flag_transactions,
    select_clean_customers,
    select_clean_transactions,
    select_returned_transactions,
    standardise_customers,
    standardise_transactions,
    summarise_data_quality,
)


def create_pipeline(*, to_score: bool = False, **kwargs) -> Pipeline:
    """Creates the data processing pipeline.

    Args:
        to_score: The rows are scored by a fitted model, not fitted on: the
            outlier rule, which only keeps extreme customers out of a fit, does
            not apply (:func:`.customers.flag_customers_to_score`).
        **kwargs: Ignored (the pipeline registry's convention).

    Returns:
        Nodes from ``raw_transactions`` and ``raw_customers`` to
        ``clean_transactions``, ``returned_transactions``, ``clean_customers``
        and the ``data_quality_report``. ``params:input_kind`` says which raw
        inputs are read.
    """
    return Pipeline(
        [
            Node(
                func=standardise_transactions,
                inputs=[
                    "raw_transactions",
                    "params:transactions_schema",
                    "params:input_kind",
                ],
                outputs="validated_transactions",
                name="standardise_transactions_node",
            ),
            Node(
                func=standardise_customers,
                inputs=[
                    "raw_customers",
                    "params:customers_schema",
                    "params:input_kind",
                ],
                outputs="validated_customers",
                name="standardise_customers_node",
            ),
            Node(
                func=flag_transactions,
                inputs=["validated_transactions", "params:cleaning_rules"],
                outputs="keyed_transactions",
                name="flag_transactions_node",
            ),
            Node(
                func=find_repeated_lines,
                inputs=["keyed_transactions", "params:cleaning_rules"],
                outputs="repeated_transactions",
                name="find_repeated_lines_node",
            ),
            Node(
                func=flag_duplicate_lines,
                inputs=[
                    "keyed_transactions",
                    "repeated_transactions",
                    "params:cleaning_rules",
                ],
                outputs="flagged_transactions",
                name="flag_duplicate_lines_node",
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
                func=flag_customers_to_score if to_score else flag_customers,
                inputs=["validated_customers", "params:customer_cleaning_rules"],
                outputs="flagged_customers",
                name="flag_customers_node",
            ),
            Node(
                func=select_clean_customers,
                inputs="flagged_customers",
                outputs="clean_customers",
                name="select_clean_customers_node",
            ),
            Node(
                func=summarise_data_quality,
                inputs={
                    "flagged_transactions": "flagged_transactions",
                    "clean_transactions": "clean_transactions",
                    "flagged_customers": "flagged_customers",
                    "clean_customers": "clean_customers",
                    "input_kind": "params:input_kind",
                    "reading_checks": "params:reading_checks",
                },
                outputs="data_quality_report",
                name="summarise_data_quality_node",
            ),
        ]
    )
