"""What a training run records in MLflow besides its parameters: candidates, choice, files."""

from __future__ import annotations

import math
import time
from pathlib import Path

import mlflow
import pandas as pd
from mlflow.entities import Metric

# Columns of the model selection table that name a candidate or flag the choice.
_CANDIDATE_KEYS = ("family", "algorithm", "k", "chosen")
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
