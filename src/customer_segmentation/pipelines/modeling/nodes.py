"""Nodes that choose the number of segments, fit the segmentation model and assign segments."""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from customer_segmentation.pipelines.feature_engineering.nodes import ModelFeatures

from .estimator import SegmentationModel, build_preprocessor

logger = logging.getLogger(__name__)


class ClusteringSettings(BaseModel):
    """How the K-means sweep runs and picks k.

    Attributes:
        k_min: Smallest number of segments tried.
        k_max: Largest number of segments tried.
        n_init: K-means restarts per k (best inertia kept).
        silhouette_sample_size: Customers sampled (seeded) for the silhouette,
            which costs O(n^2) on all rows.
        random_state: Seed for K-means and the silhouette sample.
        log_transform: Numeric features passed through ``log1p`` before scaling.
    """

    model_config = ConfigDict(extra="forbid")

    k_min: int = Field(default=2, ge=2)
    k_max: int = Field(default=10, ge=2)
    n_init: int = Field(default=10, ge=1)
    silhouette_sample_size: int = Field(default=5_000, ge=100)
    random_state: int = 42
    log_transform: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_k_range(self) -> ClusteringSettings:
        if self.k_min > self.k_max:
            raise ValueError(f"k_min={self.k_min} should be <= k_max={self.k_max}")
        return self


def _make_model(
    model_features: ModelFeatures, settings: ClusteringSettings, k: int
) -> SegmentationModel:
    preprocessor = build_preprocessor(
        model_features.numeric, settings.log_transform, model_features.categorical
    )
    clusterer = KMeans(
        n_clusters=k, n_init=settings.n_init, random_state=settings.random_state
    )
    return SegmentationModel(
        preprocessor, clusterer, order_by=model_features.order_segments_by
    )


def _check_enough_customers(
    model_input: pd.DataFrame, settings: ClusteringSettings
) -> None:
    n_customers = len(model_input)
    if n_customers <= settings.k_max:
        raise ValueError(
            f"model_input: n_customers={n_customers} should be > k_max={settings.k_max}; "
            "lower clustering.k_max or provide more customers"
        )


def sweep_number_of_segments(
    model_input: pd.DataFrame,
    model_features: ModelFeatures,
    clustering: ClusteringSettings,
) -> pd.DataFrame:
    """Fits K-means for every k in the range and scores each fit.

    Args:
        model_input: ``customer_id`` and the model feature columns.
        model_features: Which columns are numeric and categorical.
        clustering: k range, restarts, silhouette sample size and seed.

    Returns:
        One row per k: ``algorithm``, ``k``, ``silhouette`` (on a seeded sample),
        ``inertia``, ``smallest_segment_share``, ``fit_seconds`` and ``chosen``
        (True on the k with the best silhouette; ties go to the smaller k).

    Raises:
        ValueError: If there are not more customers than ``k_max``.
    """
    _check_enough_customers(model_input, clustering)
    features = model_input.drop(columns="customer_id")
    rows = []
    for k in range(clustering.k_min, clustering.k_max + 1):
        started = time.perf_counter()
        model = _make_model(model_features, clustering, k).fit(features)
        labels = model.predict(features)
        matrix = model.transform(features)
        silhouette = silhouette_score(
            matrix,
            labels,
            sample_size=min(clustering.silhouette_sample_size, len(features)),
            random_state=clustering.random_state,
        )
        seconds = time.perf_counter() - started
        logger.info("kmeans k=%d silhouette=%.4f (%.2fs)", k, silhouette, seconds)
        rows.append(
            {
                "algorithm": "kmeans",
                "k": k,
                "silhouette": float(silhouette),
                "inertia": float(model.pipeline_.named_steps["cluster"].inertia_),
                "smallest_segment_share": float(
                    np.bincount(labels).min() / len(labels)
                ),
                "fit_seconds": seconds,
            }
        )
    table = pd.DataFrame(rows)
    best = table["silhouette"].round(4).idxmax()
    return table.assign(chosen=table.index == best)


def fit_segmentation_model(
    model_input: pd.DataFrame,
    model_selection: pd.DataFrame,
    model_features: ModelFeatures,
    clustering: ClusteringSettings,
) -> SegmentationModel:
    """Fits the final model at the chosen k.

    Args:
        model_input: ``customer_id`` and the model feature columns.
        model_selection: Output of :func:`sweep_number_of_segments`.
        model_features: Which columns are numeric and categorical.
        clustering: Restarts and seed.

    Returns:
        The fitted :class:`SegmentationModel`.

    Raises:
        ValueError: If ``model_selection`` does not have exactly one chosen row.
    """
    chosen = model_selection[model_selection["chosen"]]
    if len(chosen) != 1:
        raise ValueError(
            f"model_selection: expected one chosen row, found {len(chosen)}"
        )
    k = int(chosen["k"].iloc[0])
    logger.info("Fitting the segmentation model with k=%d", k)
    return _make_model(model_features, clustering, k).fit(
        model_input.drop(columns="customer_id")
    )


def assign_segments(
    segmentation_model: SegmentationModel, model_input: pd.DataFrame
) -> pd.DataFrame:
    """Assigns every customer its segment.

    Args:
        segmentation_model: Fitted model.
        model_input: ``customer_id`` and the model feature columns.

    Returns:
        Columns ``customer_id`` and ``segment_id``, one row per customer.
    """
    segment_ids = segmentation_model.predict(model_input.drop(columns="customer_id"))
    return pd.DataFrame(
        {
            "customer_id": model_input["customer_id"].to_numpy(),
            "segment_id": segment_ids,
        }
    )
