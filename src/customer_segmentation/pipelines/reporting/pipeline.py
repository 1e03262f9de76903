"""The ``reporting`` pipeline: segments and features -> profiles, names, rules, plots, report."""

from kedro.pipeline import Node, Pipeline

from .nodes import (
    compare_segment_assignments,
    derive_segment_rules,
    name_segments,
    profile_segments,
    score_rfm,
    snapshot_segment_assignments,
)
from .plots import (
    plot_recency_monetary,
    plot_rfm_distributions,
    plot_segment_migration,
    plot_segment_profiles,
    plot_segment_projection,
    plot_segment_sizes,
)
from .report import render_segmentation_report

FEATURES = "customer_features@pandas"


def create_pipeline(**kwargs) -> Pipeline:
    """Creates the reporting pipeline.

    Returns:
        Nodes from ``customer_features``, ``customer_segments``, ``model_selection``
        and ``data_quality_report`` to ``segment_profiles``,
        ``customer_rfm_scores``, ``segment_names``, ``segment_rules``,
        ``segment_migration``, the plots, ``segmentation_report`` and this run's
        ``segment_assignment_history`` version.
    """
    return Pipeline(
        [
            Node(
                func=profile_segments,
                inputs=[FEATURES, "customer_segments"],
                outputs="segment_profiles",
                name="profile_segments_node",
            ),
            Node(
                func=score_rfm,
                inputs=[FEATURES, "params:rfm"],
                outputs="customer_rfm_scores",
                name="score_rfm_node",
            ),
            Node(
                func=name_segments,
                inputs=[
                    "segment_profiles",
                    "customer_segments",
                    "customer_rfm_scores",
                    FEATURES,
                    "params:segment_naming",
                ],
                outputs="segment_names",
                name="name_segments_node",
            ),
            Node(
                func=derive_segment_rules,
                inputs=[
                    FEATURES,
                    "customer_segments",
                    "segment_names",
                    "params:segment_rules",
                ],
                outputs=["segment_rules", "segment_rules_summary"],
                name="derive_segment_rules_node",
            ),
            Node(
                func=compare_segment_assignments,
                inputs=[
                    "previous_segment_assignments",
                    "customer_segments",
                    "segment_names",
                ],
                outputs="segment_migration",
                name="compare_segment_assignments_node",
            ),
            Node(
                func=snapshot_segment_assignments,
                inputs=["customer_segments", "segment_names", "segment_migration"],
                outputs="segment_assignment_history",
                name="snapshot_segment_assignments_node",
            ),
            Node(
                func=plot_segment_sizes,
                inputs=["segment_profiles", "segment_names"],
                outputs="segment_sizes_plot",
                name="plot_segment_sizes_node",
            ),
            Node(
                func=plot_segment_profiles,
                inputs=["segment_profiles", "segment_names"],
                outputs="segment_profiles_plot",
                name="plot_segment_profiles_node",
            ),
            Node(
                func=plot_segment_projection,
                inputs=[
                    FEATURES,
                    "customer_segments",
                    "segment_names",
                    "params:segment_projection",
                ],
                outputs="segment_projection_plot",
                name="plot_segment_projection_node",
            ),
            Node(
                func=plot_rfm_distributions,
                inputs=[FEATURES, "customer_segments", "segment_names", "params:rfm"],
                outputs="rfm_distributions_plot",
                name="plot_rfm_distributions_node",
            ),
            Node(
                func=plot_recency_monetary,
                inputs=[
                    FEATURES,
                    "customer_segments",
                    "segment_names",
                    "params:rfm",
                    "params:segment_projection",
                ],
                outputs="recency_monetary_plot",
                name="plot_recency_monetary_node",
            ),
            Node(
                func=plot_segment_migration,
                inputs="segment_migration",
                outputs="segment_migration_plot",
                name="plot_segment_migration_node",
            ),
            Node(
                func=render_segmentation_report,
                inputs=[
                    "data_quality_report",
                    "model_selection",
                    "segment_profiles",
                    "segment_names",
                    "segment_rules",
                    "segment_rules_summary",
                    "segment_migration",
                    FEATURES,
                    "customer_segments",
                    "params:rfm",
                    "params:segment_projection",
                    "params:segmentation_report",
                    "customer_value_section",
                ],
                outputs="segmentation_report",
                name="render_segmentation_report_node",
            ),
        ]
    )
