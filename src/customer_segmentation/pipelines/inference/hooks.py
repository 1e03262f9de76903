"""Hook that tells the inference pipeline which version of the model the catalog loads."""

from __future__ import annotations

import logging
from typing import Any

from kedro.framework.hooks import hook_impl
from kedro.io import AbstractVersionedDataset, DatasetError
from kedro.pipeline import Pipeline

logger = logging.getLogger(__name__)

MODEL_DATASET = "segmentation_model"
MODEL_VERSION_DATASET = "segmentation_model_version"


def resolve_model_version(catalog: Any, model_dataset: str = MODEL_DATASET) -> str:
    """Names the version folder the catalog loads the model from.

    Args:
        catalog: The run's ``DataCatalog``; ``--load-versions`` already pinned the
            model dataset's load version when it was given.
        model_dataset: Name of the versioned model dataset.

    Returns:
        The version string (the folder name), e.g. ``2026-11-27T07.25.04.658Z``;
        ``unversioned`` when the dataset is not versioned.

    Raises:
        DatasetError: If the dataset is missing or has no saved version.
    """
    dataset = catalog.get(model_dataset)
    if dataset is None:
        raise DatasetError(f"{model_dataset}: not in the catalog")
    if not isinstance(dataset, AbstractVersionedDataset):
        return "unversioned"
    return str(dataset.resolve_load_version())


class ModelVersionHooks:
    """Registers ``segmentation_model_version`` for runs that need it.

    A node cannot see which version folder the catalog resolved, so the hook puts
    that version into the catalog as a plain value before the pipeline starts;
    runs that do not read it (training, reporting) are left alone.
    """

    @hook_impl
    def before_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: Any
    ) -> None:
        """Adds the resolved model version when the pipeline reads it.

        Args:
            run_params: Parameters of the run (unused).
            pipeline: The pipeline about to run.
            catalog: The run's ``DataCatalog``.
        """
        if MODEL_VERSION_DATASET not in pipeline.inputs():
            return
        version = resolve_model_version(catalog)
        logger.info("Scoring with %s version %s", MODEL_DATASET, version)
        catalog[MODEL_VERSION_DATASET] = version
