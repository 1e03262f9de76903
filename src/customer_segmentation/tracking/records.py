"""What a training run records in MLflow besides its parameters: candidates, choice, files."""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from kedro.pipeline import Pipeline
from mlflow.entities import Metric

from customer_segmentation.bundle import ModelBundleDataset

from .model import log_bundle_model

logger = logging.getLogger(__name__)

# Columns of the model selection table that name a candidate or flag the choice.
_CANDIDATE_KEYS = ("family", "algorithm", "k", "chosen")
# Datasets the records are read from (README.md, "Experiment tracking").
CANDIDATE_TABLE = "model_selection"
MODEL_INPUT = "model_input"
REPORTING_LAYER = "reporting"
# Report and plots; per-customer tables stay in the output root.
ARTEFACT_SUFFIXES = (".html", ".png", ".json")


def _metric_columns(model_selection: pd.DataFrame) -> list[str]:
    return [
        column
        for column in model_selection.columns
        if column not in _CANDIDATE_KEYS
        and pd.api.types.is_numeric_dtype(model_selection[column])
    ]


def _finite(value: object) -> bool:
    return value is not None and not pd.isna(value) and math.isfinite(float(value))


def log_candidates(model_selection: pd.DataFrame) -> None:
    """Logs every candidate's metrics, the chosen candidate's, and the table.

    Each metric of each algorithm is one metric history over k
    (``candidates.<algorithm>.<metric>``, step = k), so MLflow draws it as a
    curve; the chosen candidate's metrics are ``chosen.<metric>``, and its
    algorithm and k are tags. Metrics a family does not have (NaN) are skipped.

    Args:
        model_selection: One row per candidate with ``algorithm``, ``k``,
            ``chosen`` and numeric metric columns.

    Raises:
        ValueError: If the table has no chosen row, or more than one.
    """
    chosen = model_selection[model_selection["chosen"].astype(bool)]
    if len(chosen) != 1:
        raise ValueError(
            f"model_selection: expected exactly one row with chosen=True, "
            f"found {len(chosen)}"
        )
    metrics = _metric_columns(model_selection)
    timestamp = int(time.time() * 1000)
    # One batch (MLflow splits it into requests of its maximum size), not a
    # store transaction per value.
    mlflow.MlflowClient().log_batch(
        mlflow.active_run().info.run_id,
        metrics=[
            Metric(
                f"candidates.{values['algorithm']}.{metric}",
                float(values[metric]),
                timestamp,
                int(values["k"]),
            )
            for values in (
                row._asdict() for row in model_selection.itertuples(index=False)
            )
            for metric in metrics
            if _finite(values[metric])
        ],
    )
    best = chosen.iloc[0]
    mlflow.log_metrics(
        {
            f"chosen.{metric}": float(best[metric])
            for metric in metrics
            if _finite(best[metric])
        }
    )
    mlflow.set_tags({"chosen.algorithm": best["algorithm"], "chosen.k": int(best["k"])})
    mlflow.log_table(model_selection, artifact_file="model_selection/candidates.json")


def log_report_files(paths: list[Path]) -> list[Path]:
    """Logs the report and plot files that exist under ``reporting/``.

    Args:
        paths: Files the run wrote (a folder or a missing file is skipped).

    Returns:
        The files logged.
    """
    logged = [
        path for path in paths if path.suffix in ARTEFACT_SUFFIXES and path.is_file()
    ]
    for path in logged:
        mlflow.log_artifact(str(path), artifact_path="reporting")
    return logged


def _layer(dataset: Any) -> str | None:
    metadata = getattr(dataset, "metadata", None) or {}
    return (metadata.get("kedro-viz") or {}).get("layer")


def report_files(pipeline: Pipeline, catalog: Any) -> list[Path]:
    """Files of the reporting layer that the pipeline writes.

    Args:
        pipeline: The pipeline that ran.
        catalog: Its ``DataCatalog``.

    Returns:
        The local path of every file-backed reporting output, sorted.
    """
    paths = []
    for name in sorted(pipeline.all_outputs()):
        dataset = catalog.get(name)
        # Kedro's file datasets keep their path in _filepath; there is no public one.
        filepath = getattr(dataset, "_filepath", None)
        if filepath is not None and _layer(dataset) == REPORTING_LAYER:
            paths.append(Path(str(filepath)))
    return paths


def record_training(pipeline: Pipeline, catalog: Any) -> None:
    """Logs what a finished run trained to the active MLflow run.

    The candidates' metrics and the chosen one's (when the run chose a model),
    each published bundle as an MLflow model, and the report and plot files.

    Args:
        pipeline: The pipeline that ran.
        catalog: Its ``DataCatalog``.
    """
    outputs = pipeline.all_outputs()
    if CANDIDATE_TABLE in outputs:
        log_candidates(catalog.load(CANDIDATE_TABLE))
    for name in sorted(outputs):
        if isinstance(catalog.get(name), ModelBundleDataset):
            uri = log_bundle_model(catalog.load(name), catalog.load(MODEL_INPUT))
            logger.info("Logged model bundle %s as MLflow model %s", name, uri)
    log_report_files(report_files(pipeline, catalog))
