"""The persisted segmentation model: preprocessing and clusterer in one picklable object."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

# Names of the preprocessing's column transformers that the fitted model is
# read back by (logged_features, category_levels).
LOGGED_STEPS = ("log_scaled", "logged")  # with and without scaling
ONE_HOT_STEP = "one_hot"


def _log1p_non_negative(values: np.ndarray) -> np.ndarray:
    return np.log1p(np.clip(values, 0, None))


def below_log1p_domain(values: pd.Series) -> pd.Series:
    """Where a feature's values are negative, which ``log1p`` would clip to 0.

    Training refuses such a value of a ``log_transform`` feature; scoring
    imputes it and says so.
    """
    return pd.to_numeric(values, errors="coerce") < 0


def build_preprocessor(
    numeric: Sequence[str],
    log_transform: Sequence[str],
    categorical: Sequence[str],
    scale: bool = True,
    pca_components: int | None = None,
) -> ColumnTransformer | Pipeline:
    """Builds the feature preprocessing: log1p for skewed columns, scaling, one-hot.

    Args:
        numeric: Numeric columns; missing values are imputed with the median.
        log_transform: Subset of ``numeric`` to pass through ``log1p`` before
            scaling (a negative value is clipped to 0; training refuses one and
            scoring imputes one, see ``logged_features``).
        categorical: Categorical columns, one-hot encoded (unknown levels ignored).
        scale: Standardise the numeric columns (after ``log1p``); ``False`` keeps
            their (logged) units, as published PCA recipes do.
        pca_components: When set, the preprocessed columns are projected on this
            many principal components as a final step.

    Returns:
        An unfitted ``ColumnTransformer``, or a ``Pipeline`` of it and ``PCA`` when
        ``pca_components`` is set.

    Raises:
        ValueError: If a ``log_transform`` column is not in ``numeric``, or
            ``pca_components`` is below 1.
    """
    if pca_components is not None and pca_components < 1:
        raise ValueError(f"pca_components={pca_components} should be >= 1")
    stray = [column for column in log_transform if column not in numeric]
    if stray:
        raise ValueError(
            f"log_transform column(s) {stray} are not numeric features {list(numeric)}"
        )
    logged = [column for column in numeric if column in log_transform]
    linear = [column for column in numeric if column not in log_transform]
    scaler = [StandardScaler()] if scale else []
    transformers = []
    if logged:
        transformers.append(
            (
                LOGGED_STEPS[0] if scale else LOGGED_STEPS[1],
                make_pipeline(
                    SimpleImputer(strategy="median"),
                    FunctionTransformer(
                        _log1p_non_negative, feature_names_out="one-to-one"
                    ),
                    *scaler,
                ),
                logged,
            )
        )
    if linear:
        transformers.append(
            (
                "scaled" if scale else "imputed",
                make_pipeline(SimpleImputer(strategy="median"), *scaler),
                linear,
            )
        )
    if categorical:
        transformers.append(
            (
                ONE_HOT_STEP,
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="missing"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                list(categorical),
            )
        )
    columns = ColumnTransformer(
        transformers, remainder="drop", verbose_feature_names_out=False
    )
    if pca_components is None:
        return columns
    return Pipeline(
        [
            ("columns", columns),
            ("pca", PCA(n_components=pca_components, svd_solver="full")),
        ]
    )


@dataclass(frozen=True)
class SegmentAssignment:
    """What a fitted model says about each customer.

    Attributes:
        segment_ids: Integer array of shape (n_customers,).
        distances: Distance of each customer to its segment's centre in the
            preprocessed space, shape (n_customers,).
        probabilities: Shape (n_customers, n_segments), column ``j`` for segment
            id ``j``; ``None`` for algorithms that assign hard segments.
    """

    segment_ids: np.ndarray
    distances: np.ndarray
    probabilities: np.ndarray | None


class SegmentationModel(ClusterMixin, BaseEstimator):
    """Preprocessing plus clusterer, with segment ids in a stable, documented order.

    Segment ids run from 0 to k-1 in descending order of the mean of ``order_by``
    in each cluster (ties: larger cluster first), so the same data and parameters
    give the same ids whatever labels the clusterer happened to use. Whatever
    the algorithm (K-means, agglomerative through nearest centroid, Gaussian
    mixture), ``predict`` maps a feature frame to segment ids.

    Args:
        preprocessor: Unfitted transformer from feature frame to numeric matrix.
        clusterer: Unfitted scikit-learn clusterer with ``fit`` and ``predict``.
        order_by: Feature column whose cluster means order the segment ids.
        algorithm: Name of the algorithm, e.g. ``kmeans``,
            ``agglomerative_ward`` or ``gmm_full``; kept as ``algorithm_``.
    """

    def __init__(
        self,
        preprocessor,
        clusterer,
        order_by: str = "monetary",
        algorithm: str = "kmeans",
    ) -> None:
        self.preprocessor = preprocessor
        self.clusterer = clusterer
        self.order_by = order_by
        self.algorithm = algorithm

    def fit(
        self,
        features: pd.DataFrame,
        y=None,
        fitted_clusterer: BaseEstimator | None = None,
    ) -> SegmentationModel:
        """Fits preprocessing and clusterer, then fixes the segment order.

        Args:
            features: Frame of shape (n_customers, n_columns) holding the feature
                columns the preprocessor uses and ``order_by``.
            y: Ignored.
            fitted_clusterer: A clusterer already fitted on the preprocessed
                ``features`` (a model sweep's fit of this candidate); it is used
                as is instead of fitting ``clusterer`` again.

        Returns:
            The fitted model.

        Raises:
            ValueError: If ``order_by`` is not a column of ``features``.
        """
        if self.order_by not in features.columns:
            raise ValueError(
                f"order_by={self.order_by!r} is not a column of the features "
                f"{list(features.columns)}"
            )
        self.algorithm_ = self.algorithm
        preprocess = clone(self.preprocessor)
        # Preprocess once: the clusterer, the segment order and the centres all
        # use the same matrix.
        matrix = preprocess.fit_transform(features)
        cluster = (
            clone(self.clusterer).fit(matrix)
            if fitted_clusterer is None
            else fitted_clusterer
        )
        self.pipeline_ = Pipeline([("preprocess", preprocess), ("cluster", cluster)])
        raw_labels = cluster.predict(matrix)
        summary = (
            pd.DataFrame(
                {"label": raw_labels, "value": features[self.order_by].to_numpy()}
            )
            .groupby("label")
            .agg(mean=("value", "mean"), size=("value", "size"))
            .reset_index()
            .sort_values(["mean", "size", "label"], ascending=[False, False, True])
        )
        self.segment_of_label_ = dict(
            zip(summary["label"].tolist(), range(len(summary)), strict=True)
        )
        self.n_segments_ = len(summary)
        segment_ids = self._segment_ids(raw_labels)
        self.centres_ = np.vstack(
            [
                matrix[segment_ids == segment].mean(axis=0)
                for segment in range(self.n_segments_)
            ]
        )
        self.feature_names_in_ = np.asarray(features.columns, dtype=object)
        return self

    @property
    def logged_features(self) -> list[str]:
        """Numeric columns the fitted preprocessing passes through ``log1p``.

        Their domain starts at 0: ``log1p`` clips a negative value to 0.
        """
        return [
            column
            for name, _, columns in self._column_transformers()
            if name in LOGGED_STEPS
            for column in columns
        ]

    def _column_transformers(self) -> list[tuple[str, Any, list[str]]]:
        preprocess = self.pipeline_.named_steps["preprocess"]
        if isinstance(preprocess, Pipeline):
            preprocess = preprocess.named_steps["columns"]
        return preprocess.transformers_

    @property
    def category_levels(self) -> dict[str, np.ndarray]:
        """Categorical column -> the levels its one-hot encoding was fitted on.

        A value outside them has no column of its own: the encoding gives it
        zeros, as it gives a missing value with no ``missing`` level.
        """
        return {
            column: levels
            for name, steps, columns in self._column_transformers()
            if name == ONE_HOT_STEP
            for column, levels in zip(
                columns, steps.named_steps["onehotencoder"].categories_, strict=True
            )
        }

    @property
    def supports_predict_proba(self) -> bool:
        """Whether ``predict_proba`` is available (Gaussian mixtures only)."""
        return hasattr(self.pipeline_.named_steps["cluster"], "predict_proba")

    def transform(self, features: pd.DataFrame) -> np.ndarray:
        """Applies the fitted preprocessing.

        Args:
            features: Frame with the training feature columns.

        Returns:
            Array of shape (n_customers, n_model_dimensions).
        """
        return self.pipeline_.named_steps["preprocess"].transform(features)

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Assigns each customer its segment id.

        Args:
            features: Frame with the training feature columns.

        Returns:
            Integer array of shape (n_customers,) with ids in ``0..n_segments_-1``.
        """
        if self.supports_predict_proba:
            return self.predict_proba(features).argmax(axis=1)
        return self._segment_ids(self.pipeline_.predict(features))

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """Gives each customer's probability of belonging to each segment.

        Args:
            features: Frame with the training feature columns.

        Returns:
            Float array of shape (n_customers, n_segments_); column ``j`` is
            segment id ``j`` and each row sums to 1.

        Raises:
            AttributeError: If the algorithm assigns hard segments (anything
                but a Gaussian mixture); check ``supports_predict_proba``.
        """
        if not self.supports_predict_proba:
            raise AttributeError(
                f"predict_proba needs a Gaussian mixture; algorithm_={self.algorithm_!r} "
                "assigns hard segments (check supports_predict_proba first)"
            )
        return self._probabilities_by_segment(self.pipeline_.predict_proba(features))

    def assign(self, features: pd.DataFrame) -> SegmentAssignment:
        """Segment ids, distances and (for mixtures) probabilities in one pass.

        Scoring services call this instead of ``predict``, ``transform`` and
        ``predict_proba`` one after the other, which would preprocess the same
        rows three times.

        Args:
            features: Frame with the training feature columns.

        Returns:
            The assignment of every row (see :class:`SegmentAssignment`).
        """
        matrix = self.transform(features)
        cluster = self.pipeline_.named_steps["cluster"]
        segment_ids = self._segment_ids(cluster.predict(matrix))
        probabilities = (
            self._probabilities_by_segment(cluster.predict_proba(matrix))
            if self.supports_predict_proba
            else None
        )
        return SegmentAssignment(
            segment_ids=segment_ids,
            distances=np.linalg.norm(matrix - self.centres_[segment_ids], axis=1),
            probabilities=probabilities,
        )

    def _probabilities_by_segment(self, probabilities: np.ndarray) -> np.ndarray:
        labels_by_segment = sorted(
            self.segment_of_label_, key=self.segment_of_label_.__getitem__
        )
        # Components that won no training customer have no segment id; their
        # (tiny) mass is spread over the others so rows still sum to 1.
        ordered = probabilities[:, labels_by_segment]
        return ordered / ordered.sum(axis=1, keepdims=True)

    def _segment_ids(self, raw_labels: np.ndarray) -> np.ndarray:
        lookup = self.segment_of_label_
        unknown = sorted(set(np.unique(raw_labels).tolist()) - set(lookup))
        if unknown:
            raise ValueError(
                f"clusterer label(s) {unknown} won no training customer "
                "and have no segment id"
            )
        table = np.zeros(max(lookup) + 1, dtype=np.int64)
        table[list(lookup)] = list(lookup.values())
        return table[np.asarray(raw_labels, dtype=np.int64)]
