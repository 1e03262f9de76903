"""Project pipelines."""

from __future__ import annotations

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline


def register_pipelines() -> dict[str, Pipeline]:
    """Register the project's pipelines.

    Returns:
        A mapping from pipeline names to ``Pipeline`` objects.
    """
    pipelines = find_pipelines(raise_errors=True)
    # Scoring needs a saved model and new data, so it runs on its own
    # (kedro run --pipelines=inference) instead of with every training run.
    # In __default__ each pipeline's nodes are under its name as a namespace
    # (datasets and parameters keep theirs), so kedro-viz opens on one box per
    # pipeline and the datasets between them; there a node is named
    # <pipeline>.<node>, e.g. data_processing.flag_transactions_node.
    pipelines["__default__"] = sum(
        (
            Pipeline(pipeline, namespace=name, prefix_datasets_with_namespace=False)
            for name, pipeline in pipelines.items()
            if name != "inference"
        ),
        start=Pipeline([]),
    )
    return pipelines
