"""Project pipelines."""

from __future__ import annotations

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline

BOXED_PIPELINES = ("data_processing", "feature_engineering", "modeling")


def register_pipelines() -> dict[str, Pipeline]:
    """Register the project's pipelines.

    Returns:
        A mapping from pipeline names to ``Pipeline`` objects.
    """
    pipelines = find_pipelines(raise_errors=True)
    # Scoring needs a saved model and new data, so it runs on its own
    # (kedro run --pipelines=inference) instead of with every training run.
    # In __default__ the nodes of the upstream pipelines are under the
    # pipeline's name as a namespace (datasets and parameters keep theirs), so
    # kedro-viz opens on a box per pipeline; there a node is named
    # <pipeline>.<node>, e.g. data_processing.flag_transactions_node.
    # customer_value, reporting and publication interleave (the report shows
    # the bundle, the bundle holds the segment names), which Kedro refuses as
    # namespaces, so their nodes stay at the top level.
    pipelines["__default__"] = sum(
        (
            Pipeline(pipeline, namespace=name, prefix_datasets_with_namespace=False)
            if name in BOXED_PIPELINES
            else pipeline
            for name, pipeline in pipelines.items()
            if name != "inference"
        ),
        start=Pipeline([]),
    )
    return pipelines
