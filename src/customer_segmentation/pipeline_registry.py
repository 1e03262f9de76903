"""Project pipelines."""

from __future__ import annotations

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline

# The training run's three stages, each a namespace holding its training
# pipelines' namespaces in ``__default__``, in the order their data flows.
# kedro-viz opens on one box per stage, between the datasets they pass on; a
# box per pipeline needs about a third more height on screen, so every label
# is smaller.
TRAINING_STAGES = {
    "preparation": ("data_processing", "feature_engineering"),
    "segmentation": ("modeling", "customer_value"),
    "delivery": ("publication", "reporting"),
}
TRAINING_PIPELINES = tuple(
    name for pipelines in TRAINING_STAGES.values() for name in pipelines
)
STAGE_OF = {
    name: stage for stage, pipelines in TRAINING_STAGES.items() for name in pipelines
}
# Plots of ``modeling`` and ``customer_value`` that the report embeds and nothing
# else reads: drawn in the ``reporting`` step, so no plot file passes between
# the stages (kedro-viz's first view is then a third larger).
REPORT_PLOT_NODES = (
    "plot_model_selection_metrics_node",
    "plot_stability_node",
    "plot_silhouette_node",
    "plot_dendrogram_node",
    "plot_value_calibration_node",
)


def training_steps(pipelines: dict[str, Pipeline]) -> dict[str, Pipeline]:
    """Groups the training nodes into one step per training pipeline, in data order.

    Each step is its pipeline's nodes, with three moves (when ``reporting``,
    ``customer_value`` and ``publication`` are all loaded) that keep every step
    reading only the steps before it:

    - ``publication`` also derives what the bundle publishes from the reporting
      side: the segment profiles, names and rules (``reporting`` nodes);
    - ``reporting`` also values the segments: the ``customer_value`` nodes that
      read the segment names, and the report section they make;
    - ``reporting`` also draws the plots of ``REPORT_PLOT_NODES`` (of
      ``modeling`` and ``customer_value``), which only the report reads.

    Args:
        pipelines: The registered pipelines, by name.

    Returns:
        One ``Pipeline`` per name of ``TRAINING_PIPELINES`` found, in that order.

    Raises:
        ValueError: When a pipeline is neither a training pipeline nor ``inference``.
    """
    unlisted = set(pipelines) - {*TRAINING_PIPELINES, "inference", "__default__"}
    if unlisted:
        raise ValueError(
            f"pipelines {sorted(unlisted)} are neither training pipelines nor "
            "'inference': add them to TRAINING_PIPELINES in pipeline_registry.py"
        )
    steps = {name: pipelines[name] for name in TRAINING_PIPELINES if name in pipelines}
    if not {"reporting", "publication", "customer_value"} <= steps.keys():
        return steps
    reporting, value = steps["reporting"], steps["customer_value"]
    bundle_parts = reporting.to_outputs(
        *(steps["publication"].inputs() & reporting.all_outputs())
    )
    segment_value = value.from_inputs(*(value.inputs() & reporting.all_outputs()))
    steps["publication"] += bundle_parts
    steps["reporting"] = reporting - bundle_parts + segment_value
    steps["customer_value"] = value - segment_value
    for name in ("modeling", "customer_value"):
        if name not in steps:
            continue
        plots = steps[name].only_nodes(
            *(node.name for node in steps[name].nodes if node.name in REPORT_PLOT_NODES)
        )
        steps[name] -= plots
        steps["reporting"] += plots
    return steps


def register_pipelines() -> dict[str, Pipeline]:
    """Register the project's pipelines.

    ``__default__`` is the training run: every pipeline but ``inference``, each
    step of ``training_steps`` under the namespace ``<stage>.<step>`` of
    ``TRAINING_STAGES``. Datasets and parameters keep their names; a node is
    named ``<stage>.<step>.<node>`` there (for example
    ``preparation.data_processing.flag_transactions_node``) and just ``<node>``
    in its own pipeline (``kedro run --pipelines=data_processing``). kedro-viz
    opens on one box per stage and the datasets passed between them; a box
    opens on its pipelines' boxes.

    Returns:
        A mapping from pipeline names to ``Pipeline`` objects.
    """
    # `kedro run --pipelines=<names>` loads only the pipelines it runs, and then
    # __default__ holds those of them that are training pipelines.
    pipelines = find_pipelines(raise_errors=True)
    # Scoring needs a saved model and new data, so it runs on its own
    # (kedro run --pipelines=inference) instead of with every training run.
    pipelines["__default__"] = sum(
        (
            _namespaced(_namespaced(steps, name), STAGE_OF[name])
            for name, steps in training_steps(pipelines).items()
        ),
        start=Pipeline([]),
    )
    return pipelines


def _namespaced(pipeline: Pipeline, namespace: str) -> Pipeline:
    """Puts a pipeline's nodes under ``namespace``; datasets keep their names."""
    return Pipeline(pipeline, namespace=namespace, prefix_datasets_with_namespace=False)
