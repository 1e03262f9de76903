"""Nodes around the sweeps: the model matrix, the chosen model and the segment assignment."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from customer_segmentation.pipelines.data_processing.errors import (
    InputValidationError,
)

from .estimator import SegmentationModel, below_log1p_domain, build_preprocessor
from .selection import ChosenCandidate
from .settings import ModelFeatures, PreprocessingSettings

logger = logging.getLogger(__name__)


def _features_of(model_input: pd.DataFrame) -> pd.DataFrame:
    if "customer_id" not in model_input.columns:
        raise ValueError(
            f"model_input: column 'customer_id' is missing; columns are "
            f"{list(model_input.columns)}"
        )
    return model_input.drop(columns="customer_id")


def _build_preprocessor(
    model_features: ModelFeatures, preprocessing: PreprocessingSettings
) -> BaseEstimator:
    return build_preprocessor(
        model_features.numeric,
        preprocessing.log_transform,
        model_features.categorical,
        scale=preprocessing.scale,
        pca_components=preprocessing.pca_components,
    )


def _check_no_negative_logged(features: pd.DataFrame, logged: list[str]) -> None:
    # A negative value has no log1p: the transform would clip it to 0, and a
    # customer with a negative income would be segmented as one with none.
    for column in logged:
        values = features[column]
        negative = values[below_log1p_domain(values)]
        if len(negative):
            raise InputValidationError(
                f"model_input: column '{column}' has {len(negative)} value(s) below 0 "
                "(rule: model_preprocessing.log_transform features are >= 0); "
                f"examples: {sorted(negative.unique().tolist())[:3]}; to drop and "
                f"count such customers, set customer_cleaning_rules.bounds.{column}"
                ".min: 0 (or its source columns' bounds for a derived feature)"
            )


def prepare_model_matrix(
    model_input: pd.DataFrame,
    model_features: ModelFeatures,
    model_preprocessing: PreprocessingSettings,
) -> np.ndarray:
    """Turns the model input into the numeric matrix every family clusters.

    The final :class:`SegmentationModel` applies the very same preprocessing,
    so the sweep scores exactly the space the model segments in.

    Args:
        model_input: ``customer_id``, the feature columns and the
            ``order_segments_by`` column.
        model_features: Which columns are numeric and categorical.
        model_preprocessing: Log transform and scaling.

    Returns:
        Float array of shape (n_customers, n_model_dimensions).

    Raises:
        ValueError: If ``customer_id`` is missing or every customer has the
            same feature values (nothing to segment).
        InputValidationError: If a ``log_transform`` feature has a negative
            value (``log1p`` would clip it to 0).
    """
    features = _features_of(model_input)
    _check_no_negative_logged(features, model_preprocessing.log_transform)
    matrix = np.asarray(
        _build_preprocessor(model_features, model_preprocessing).fit_transform(
            features
        ),
        dtype=float,
    )
    if len(matrix) > 1 and np.all(np.ptp(matrix, axis=0) == 0):
        columns = [*model_features.numeric, *model_features.categorical]
        raise ValueError(
            f"model_input: all n_customers={len(matrix)} have identical values in "
            f"the feature columns {columns}; there is nothing to segment"
        )
    logger.info(
        "Model matrix: %d customers x %d dimensions", matrix.shape[0], matrix.shape[1]
    )
    return matrix


def fit_segmentation_model(
    model_input: pd.DataFrame,
    chosen_candidate: ChosenCandidate,
    model_features: ModelFeatures,
    model_preprocessing: PreprocessingSettings,
) -> SegmentationModel:
    """Makes the chosen candidate one model: preprocessing plus clusterer.

    The clusterer is the one the sweep fitted on this very model matrix, so it
    is not fitted again; the preprocessing is fitted on ``model_input`` as in
    :func:`prepare_model_matrix`, which gives the same matrix.

    Args:
        model_input: ``customer_id`` and the model feature columns.
        chosen_candidate: Output of ``select_segmentation``.
        model_features: Which columns are numeric and categorical.
        model_preprocessing: Log transform and scaling.

    Returns:
        The fitted :class:`SegmentationModel` (``algorithm_`` names the winner).
    """
    logger.info(
        "Segmentation model: %s with k=%d",
        chosen_candidate.algorithm,
        chosen_candidate.k,
    )
    model = SegmentationModel(
        _build_preprocessor(model_features, model_preprocessing),
        chosen_candidate.spec.build(),
        order_by=model_features.order_segments_by,
        algorithm=chosen_candidate.algorithm,
    )
    return model.fit(
        _features_of(model_input), fitted_clusterer=chosen_candidate.clusterer
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
    segment_ids = segmentation_model.predict(_features_of(model_input))
    return pd.DataFrame(
        {
            "customer_id": model_input["customer_id"].to_numpy(),
            "segment_id": segment_ids,
        }
    )
