"""A family's candidates: their score table, fitting and scoring them side by side."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .evaluation import EvaluationSamples, score_partition
from .families import ClustererSpec
from .parallel import side_by_side
from .settings import ModelSearchSettings

logger = logging.getLogger(__name__)

CANDIDATE_COLUMNS = [
    "family",
    "algorithm",
    "k",
    "silhouette",
    "calinski_harabasz",
    "davies_bouldin",
    "inertia",
    "bic",
    "aic",
    "smallest_segment_share",
    "stability",
    "stability_std",
    "stability_skipped",
    "fit_seconds",
]


@dataclass(frozen=True)
class FamilySweep:
    """What a family sweep hands to the choice: the scores and the fitted candidates.

    Attributes:
        candidates: One row per candidate, columns ``CANDIDATE_COLUMNS``.
        specs: The spec of each row, in row order.
        clusterers: The fitted clusterer of each row, in row order; the chosen
            one becomes the model without being fitted again.
    """

    candidates: pd.DataFrame
    specs: list[ClustererSpec] = field(default_factory=list)
    clusterers: list[BaseEstimator] = field(default_factory=list)


def check_enough_customers(n_customers: int, search: ModelSearchSettings) -> None:
    """Refuses a sweep with fewer customers (or stability halves) than ``k_max``.

    Args:
        n_customers: Rows of the model matrix.
        search: k range, stability sample size and resamples.

    Raises:
        ValueError: Naming the dataset, the sizes and the settings to change.
    """
    if n_customers < search.k_max:
        raise ValueError(
            f"model_input: n_customers={n_customers} should be >= k_max={search.k_max}; "
            "lower model_search.k_max or provide more customers"
        )
    halves = min(n_customers, search.stability_sample_size) // 2
    if search.stability_resamples and halves < search.k_max:
        raise ValueError(
            f"model_input: stability half-samples of {halves} customers should be "
            f">= k_max={search.k_max}; lower model_search.k_max, set "
            "model_search.stability_resamples to 0 or provide more customers"
        )


def _row(spec: ClustererSpec, scores: dict[str, float]) -> dict[str, object]:
    return {
        "family": spec.family,
        "algorithm": spec.algorithm,
        "k": spec.k,
        "bic": np.nan,
        "aic": np.nan,
        **scores,
        "stability": np.nan,
        "stability_std": np.nan,
        "stability_skipped": False,
    }


def score_candidates(
    specs: list[ClustererSpec],
    fit_and_label: Callable[
        [ClustererSpec], tuple[BaseEstimator, np.ndarray, dict[str, float]]
    ],
    model_matrix: np.ndarray,
    samples: EvaluationSamples,
    n_jobs: int | None,
) -> tuple[list[dict[str, object]], list[BaseEstimator], list[float]]:
    """Rows, fitted clusterers and seconds of every candidate (``n_jobs`` at a time).

    ``fit_and_label`` gives a spec's fitted clusterer, every customer's label and
    the family's own criteria (``bic`` and ``aic``, or none); the labels are
    scored on the shared silhouette sample.
    """

    def fit_and_score(
        spec: ClustererSpec,
    ) -> tuple[dict[str, object], BaseEstimator, float]:
        started = time.perf_counter()
        clusterer, labels, criteria = fit_and_label(spec)
        scores = score_partition(
            model_matrix,
            labels,
            spec.k,
            samples.silhouette_rows,
            samples.silhouette_distances,
        )
        row = {**_row(spec, scores), **criteria}
        return row, clusterer, time.perf_counter() - started

    rows, clusterers, seconds = zip(
        *side_by_side(fit_and_score, specs, n_jobs), strict=True
    )
    return list(rows), list(clusterers), list(seconds)


def finish_sweep(
    rows: list[dict[str, object]],
    specs: list[ClustererSpec],
    clusterers: list[BaseEstimator],
    seconds: list[float],
) -> FamilySweep:
    """Logs every candidate with its time and gathers the family's sweep.

    Args:
        rows: Scored rows, stability filled in where it was measured.
        specs: The spec of each row.
        clusterers: The fitted clusterer of each row.
        seconds: Each candidate's seconds (fit, scoring and its share of trees
            and stability).

    Returns:
        The candidates table (``CANDIDATE_COLUMNS``) with specs and clusterers.
    """
    for row, spec, spent in zip(rows, specs, seconds, strict=True):
        row["fit_seconds"] = spent
        logger.info(
            "%s k=%d: silhouette=%.4f stability=%s (%.2f s)",
            spec.algorithm,
            spec.k,
            row["silhouette"],
            "skipped" if row["stability_skipped"] else f"{row['stability']:.3f}",
            spent,
        )
    return FamilySweep(pd.DataFrame(rows, columns=CANDIDATE_COLUMNS), specs, clusterers)
