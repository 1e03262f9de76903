"""Helpers of the modeling tests: the project's parameters and a runner on memory data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Pipeline
from kedro.runner import SequentialRunner

from customer_segmentation.pipelines.modeling.settings import (
    AgglomerativeSettings,
    GaussianMixtureSettings,
    KMeansSettings,
    ModelChoiceSettings,
    ModelFeatures,
    ModelSearchSettings,
    PreprocessingSettings,
)

PROJECT_ROOT = Path(__file__).resolve().parents[3]

PARAMETER_TYPES = {
    "model_preprocessing": PreprocessingSettings,
    "model_search": ModelSearchSettings,
    "kmeans": KMeansSettings,
    "agglomerative": AgglomerativeSettings,
    "gaussian_mixture": GaussianMixtureSettings,
    "model_choice": ModelChoiceSettings,
}


class KeptMemoryDataset(MemoryDataset):
    """A memory dataset the runner cannot release, so tests can read intermediate outputs."""

    def _release(self) -> None:
        pass


def load_modeling_parameters(**overrides: dict[str, Any]) -> dict[str, Any]:
    """Reads conf/base/parameters_modeling.yml, applies overrides, validates each key.

    Args:
        **overrides: Per top-level key, the fields to change.

    Returns:
        ``params:<key>`` -> validated pydantic model, as Kedro would pass them.
    """
    raw = yaml.safe_load(
        (PROJECT_ROOT / "conf/base/parameters_modeling.yml").read_text()
    )
    return {
        f"params:{key}": model.model_validate({**raw[key], **overrides.get(key, {})})
        for key, model in PARAMETER_TYPES.items()
    }


def run_modeling(
    pipeline: Pipeline,
    model_input: pd.DataFrame,
    model_features: ModelFeatures,
    parameters: dict[str, Any],
) -> DataCatalog:
    """Runs a modeling (sub-)pipeline on in-memory data with a Kedro runner.

    Args:
        pipeline: The pipeline or a slice of it.
        model_input: The ``model_input`` frame.
        model_features: The ``params:model_features`` value.
        parameters: Output of :func:`load_modeling_parameters`.

    Returns:
        The catalog after the run; every dataset the pipeline writes stays
        readable in it.
    """
    catalog = DataCatalog()
    catalog["model_input"] = model_input
    catalog["params:model_features"] = model_features
    for name, value in parameters.items():
        catalog[name] = value
    for name in pipeline.datasets() - pipeline.inputs():
        catalog[name] = KeptMemoryDataset()
    SequentialRunner().run(pipeline, catalog)
    return catalog
