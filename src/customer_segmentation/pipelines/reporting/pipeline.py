"""The ``reporting`` pipeline: segments and features -> names, rules, audiences, plots, report."""

from kedro.pipeline import Node, Pipeline

from .audiences import build_segment_audiences, split_segment_audiences
from .business import summarise_transactions
from .business_plots import (
    plot_monthly_revenue,
    plot_rfm_grid,
    plot_segment_breakdowns,
    plot_segment_migration,
)
from .migration import compare_segment_assignments, snapshot_segment_assignments
from .naming import name_segments
from .plots import (
    plot_recency_monetary,
    plot_rfm_distributions,
    plot_segment_profiles,
    plot_segment_projection,
    plot_segment_sizes,
)
from .profiles import draw_customer_sample, profile_segments
from .report import REPORT_PLOTS, render_segmentation_report
from .rfm import score_rfm
from .rules import derive_segment_rules

FEATURES = "customer_features@pandas"
# The distribution and breakdown plots and the rules read a seeded sample of
# customers drawn once per run (all of them when there are fewer).
SAMPLE = ["sampled_customer_features", "sampled_customer_segments"]


def _segment_nodes() -> list[Node]:
    return [
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
                FEATURES,
                "params:rfm",
                "params:segment_naming",
            ],
            outputs="segment_names",
            name="name_segments_node",
        ),
        Node(
            func=derive_segment_rules,
            inputs=[
                *SAMPLE,
                "segment_names",
                "params:segment_rules",
            ],
            outputs=["segment_rules", "segment_rules_summary"],
            name="derive_segment_rules_node",
        ),
        Node(
            func=build_segment_audiences,
            inputs=[
                FEATURES,
                "customer_segments",
                "segment_names",
                "segment_rules",
                "params:model_features",
            ],
            outputs="segment_audiences",
            name="build_segment_audiences_node",
        ),
        Node(
            func=split_segment_audiences,
            inputs="segment_audiences",
            outputs="segment_audience_files",
            name="split_segment_audiences_node",
        ),
        Node(
            func=summarise_transactions,
            inputs=[
                "customer_orders",
                "customer_segments",
                "params:feature_settings",
                "params:input_kind",
            ],
            outputs=["business_period", "monthly_segment_revenue"],
            name="summarise_transactions_node",
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
    ]


def _plot_nodes() -> list[Node]:
    return [
        Node(
            func=draw_customer_sample,
            inputs=[FEATURES, "customer_segments", "params:customer_sample"],
            outputs=SAMPLE,
            name="draw_customer_sample_node",
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
                *SAMPLE,
                "segment_names",
                "params:model_features",
                "params:segment_projection",
            ],
            outputs="segment_projection_plot",
            name="plot_segment_projection_node",
        ),
        Node(
            func=plot_rfm_distributions,
            inputs=[
                *SAMPLE,
                "segment_names",
                "params:rfm",
                "params:segmentation_report.currency",
            ],
            outputs="rfm_distributions_plot",
            name="plot_rfm_distributions_node",
        ),
        Node(
            func=plot_recency_monetary,
            inputs=[
                *SAMPLE,
                "segment_names",
                "params:rfm",
                "params:segment_projection",
                "params:segmentation_report.currency",
            ],
            outputs="recency_monetary_plot",
            name="plot_recency_monetary_node",
        ),
        Node(
            func=plot_rfm_grid,
            inputs=[
                "customer_rfm_scores",
                FEATURES,
                "params:rfm",
                "params:segmentation_report",
            ],
            outputs="rfm_grid_plot",
            name="plot_rfm_grid_node",
        ),
        Node(
            func=plot_monthly_revenue,
            inputs=[
                "monthly_segment_revenue",
                "segment_names",
                "params:segmentation_report",
            ],
            outputs="monthly_revenue_plot",
            name="plot_monthly_revenue_node",
        ),
        Node(
            func=plot_segment_breakdowns,
            inputs=[
                *SAMPLE,
                "segment_names",
                "params:segmentation_report",
            ],
            outputs="segment_breakdown_plot",
            name="plot_segment_breakdowns_node",
        ),
        Node(
            func=plot_segment_migration,
            inputs="segment_migration",
            outputs="segment_migration_plot",
            name="plot_segment_migration_node",
        ),
    ]


def create_pipeline(**kwargs) -> Pipeline:
    """Creates the reporting pipeline.

    Returns:
        Nodes from ``customer_features``, ``customer_segments``, ``customer_orders``,
        the modeling outputs, ``data_quality_report`` and the ``customer_value``
        pipeline's ``customer_value_section`` to ``segment_profiles``,
        ``customer_rfm_scores``, ``segment_names``, ``segment_rules``,
        ``segment_audiences`` (and one file per segment), ``segment_migration``, the
        plots, ``segmentation_report`` (which embeds the saved plot files) and
        this run's
        ``segment_assignment_history`` version.
    """
    report = Node(
        func=render_segmentation_report,
        inputs={
            "data_quality_report": "data_quality_report",
            "model_selection": "model_selection",
            "segment_profiles": "segment_profiles",
            "segment_names": "segment_names",
            "segment_rules": "segment_rules",
            "segment_rules_summary": "segment_rules_summary",
            "segment_migration": "segment_migration",
            "customer_features": FEATURES,
            "sampled_customer_segments": "sampled_customer_segments",
            "business_period": "business_period",
            "model_bundle": "model_bundle",
            "rfm": "params:rfm",
            "report": "params:segmentation_report",
            "customer_value_section": "customer_value_section",
            # The PNG files the plot nodes saved.
            **{name: name for name in REPORT_PLOTS},
        },
        outputs="segmentation_report",
        name="render_segmentation_report_node",
    )
    return Pipeline([*_segment_nodes(), *_plot_nodes(), report])
