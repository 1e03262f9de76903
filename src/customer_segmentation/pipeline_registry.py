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
    pipelines["__default__"] = sum(
        (pipeline for name, pipeline in pipelines.items() if name != "inference"),
        start=Pipeline([]),
    )
    return pipelines
