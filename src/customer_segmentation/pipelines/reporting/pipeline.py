"""The ``reporting`` pipeline: segments and features -> profiles and plots."""

from kedro.pipeline import Node, Pipeline

from .nodes import (
    plot_recency_monetary,
    plot_segment_profiles,
    plot_segment_sizes,
    profile_segments,
)


def create_pipeline(**kwargs) -> Pipeline:
    """Creates the reporting pipeline.

    Returns:
        Nodes from ``customer_features`` and ``customer_segments`` to
        ``segment_profiles`` and the segment plots.
    """
    return Pipeline(
        [
            Node(
                func=profile_segments,
                inputs=["customer_features@pandas", "customer_segments"],
                outputs="segment_profiles",
                name="profile_segments_node",
            ),
            Node(
                func=plot_segment_sizes,
                inputs="segment_profiles",
                outputs="segment_sizes_plot",
                name="plot_segment_sizes_node",
            ),
            Node(
                func=plot_segment_profiles,
                inputs="segment_profiles",
                outputs="segment_profiles_plot",
                name="plot_segment_profiles_node",
            ),
            Node(
                func=plot_recency_monetary,
                inputs=["customer_features@pandas", "customer_segments"],
                outputs="recency_monetary_plot",
                name="plot_recency_monetary_node",
            ),
        ]
    )
