"""Nodes that sweep three algorithm families over k, choose one, fit it and assign segments."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances_argmin
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from customer_segmentation.pipelines.feature_engineering.nodes import ModelFeatures

from .clusterers import (
    SampledAgglomerativeClustering,
    SampledClusterer,
    build_linkage_tree,
    centroids_of_cuts,
    sample_rows,
)
from .estimator import SegmentationModel, build_preprocessor
from .evaluation import measure_stability, score_partition, silhouette_distances
from .settings import (
    AgglomerativeSettings,
    GaussianMixtureSettings,
    KMeansSettings,
    ModelChoiceSettings,
    ModelSearchSettings,
    PreprocessingSettings,
)

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
    "fit_seconds",
]


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
    """
    features = _features_of(model_input)
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


def _check_enough_customers(n_customers: int, search: ModelSearchSettings) -> None:
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


def make_clusterer(
    algorithm: str,
    k: int,
    *,
    model_search: ModelSearchSettings,
    kmeans: KMeansSettings,
    agglomerative: AgglomerativeSettings,
    gaussian_mixture: GaussianMixtureSettings,
) -> BaseEstimator:
    """Builds the unfitted clusterer of one candidate.

    Args:
        algorithm: ``kmeans``, ``agglomerative_<linkage>`` or ``gmm_<covariance>``.
        k: Number of segments.
        model_search: Fit sample size and seed.
        kmeans: K-means restarts and iterations.
        agglomerative: Sample size of the merge tree.
        gaussian_mixture: Restarts and iterations.

    Returns:
        A clusterer with ``fit`` and ``predict`` that fits on a seeded sample.

    Raises:
        ValueError: If ``algorithm`` is not one of the families.
    """
    seed = model_search.random_state
    if algorithm == "kmeans":
        inner = KMeans(
            n_clusters=k,
            n_init=kmeans.n_init,
            max_iter=kmeans.max_iter,
            random_state=seed,
        )
        return SampledClusterer(inner, model_search.fit_sample_size, seed)
    if algorithm.startswith("agglomerative_"):
        return SampledAgglomerativeClustering(
            n_clusters=k,
            linkage=algorithm.removeprefix("agglomerative_"),
            sample_size=agglomerative.sample_size,
            random_state=seed,
        )
    if algorithm.startswith("gmm_"):
        inner = GaussianMixture(
            n_components=k,
            covariance_type=algorithm.removeprefix("gmm_"),
            n_init=gaussian_mixture.n_init,
            max_iter=gaussian_mixture.max_iter,
            random_state=seed,
        )
        return SampledClusterer(inner, model_search.fit_sample_size, seed)
    raise ValueError(
        f"algorithm={algorithm!r} is not 'kmeans', 'agglomerative_<linkage>' or "
        "'gmm_<covariance_type>'"
    )


def _empty_candidates() -> pd.DataFrame:
    return pd.DataFrame({column: [] for column in CANDIDATE_COLUMNS})


def _candidate_row(
    family: str,
    algorithm: str,
    k: int,
    *,
    scores: dict[str, float],
    stability: tuple[float, float],
    started: float,
) -> dict[str, object]:
    seconds = time.perf_counter() - started
    logger.info(
        "%s k=%d: silhouette=%.4f stability=%.3f+-%.3f (%.2f s)",
        algorithm,
        k,
        scores["silhouette"],
        stability[0],
        stability[1],
        seconds,
    )
    return {
        "family": family,
        "algorithm": algorithm,
        "k": k,
        "bic": np.nan,
        "aic": np.nan,
        **scores,
        "stability": stability[0],
        "stability_std": stability[1],
        "fit_seconds": seconds,
    }


def _sweep_estimator_family(
    family: str,
    algorithm: str,
    model_matrix: np.ndarray,
    model_search: ModelSearchSettings,
    make: Callable[[int], BaseEstimator],
) -> list[dict[str, object]]:
    # Many small fits: extra BLAS/OpenMP threads cost more than they give.
    with threadpool_limits(limits=model_search.n_threads):
        seed = model_search.random_state
        silhouette_rows = sample_rows(
            len(model_matrix), model_search.silhouette_sample_size, seed
        )
        distances = silhouette_distances(model_matrix, silhouette_rows)
        stability_matrix = model_matrix[
            sample_rows(len(model_matrix), model_search.stability_sample_size, seed)
        ]
        rows = []
        for k in model_search.k_values:
            started = time.perf_counter()
            clusterer = make(k).fit(model_matrix)
            labels = clusterer.predict(model_matrix)
            scores = score_partition(
                model_matrix, labels, k, silhouette_rows, distances
            )
            if hasattr(clusterer, "clusterer_") and hasattr(
                clusterer.clusterer_, "bic"
            ):
                scores["bic"] = float(clusterer.clusterer_.bic(model_matrix))
                scores["aic"] = float(clusterer.clusterer_.aic(model_matrix))
            stability = measure_stability(
                stability_matrix,
                [k],
                model_search.stability_resamples,
                seed,
                lambda train, evaluate, k=k: {
                    k: clone(make(k)).fit(train).predict(evaluate)
                },
            )[k]
            rows.append(
                _candidate_row(
                    family,
                    algorithm,
                    k,
                    scores=scores,
                    stability=stability,
                    started=started,
                )
            )
    return rows


def sweep_kmeans(
    model_matrix: np.ndarray,
    model_search: ModelSearchSettings,
    kmeans: KMeansSettings,
) -> pd.DataFrame:
    """Fits K-means for every k and scores each fit.

    K-means is fitted on a seeded sample of ``fit_sample_size`` customers
    (all of them when fewer) and then assigns every customer.

    Args:
        model_matrix: Output of :func:`prepare_model_matrix`.
        model_search: k range, sample sizes, stability resamples and seed.
        kmeans: Restarts and iterations; ``enabled: false`` skips the family.

    Returns:
        One row per k with the columns of ``CANDIDATE_COLUMNS`` (``bic`` and
        ``aic`` missing); an empty table when the family is disabled.

    Raises:
        ValueError: If there are fewer customers than ``k_max`` (or stability
            halves smaller than ``k_max``).
    """
    if not kmeans.enabled:
        return _empty_candidates()
    _check_enough_customers(len(model_matrix), model_search)
    rows = _sweep_estimator_family(
        "kmeans",
        "kmeans",
        model_matrix,
        model_search,
        lambda k: make_clusterer(
            "kmeans",
            k,
            model_search=model_search,
            kmeans=kmeans,
            agglomerative=AgglomerativeSettings(),
            gaussian_mixture=GaussianMixtureSettings(),
        ),
    )
    return pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)


def sweep_gaussian_mixture(
    model_matrix: np.ndarray,
    model_search: ModelSearchSettings,
    gaussian_mixture: GaussianMixtureSettings,
) -> pd.DataFrame:
    """Fits a Gaussian mixture per covariance type and k, and scores each fit.

    Mixtures are fitted on a seeded sample of ``fit_sample_size`` customers;
    every customer is assigned its most probable component; BIC and AIC are
    computed on all customers (lower is better).

    Args:
        model_matrix: Output of :func:`prepare_model_matrix`.
        model_search: k range, sample sizes, stability resamples and seed.
        gaussian_mixture: Covariance types, restarts and iterations;
            ``enabled: false`` skips the family.

    Returns:
        One row per (covariance type, k) with the columns of
        ``CANDIDATE_COLUMNS``; an empty table when the family is disabled.

    Raises:
        ValueError: If there are fewer customers than ``k_max`` (or stability
            halves smaller than ``k_max``).
    """
    if not gaussian_mixture.enabled:
        return _empty_candidates()
    _check_enough_customers(len(model_matrix), model_search)
    rows = []
    for covariance_type in gaussian_mixture.covariance_types:
        algorithm = f"gmm_{covariance_type}"
        rows += _sweep_estimator_family(
            "gaussian_mixture",
            algorithm,
            model_matrix,
            model_search,
            lambda k, algorithm=algorithm: make_clusterer(
                algorithm,
                k,
                model_search=model_search,
                kmeans=KMeansSettings(),
                agglomerative=AgglomerativeSettings(),
                gaussian_mixture=gaussian_mixture,
            ),
        )
    return pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)


def _cut_and_assign(
    tree_matrix: np.ndarray,
    tree: np.ndarray,
    k_values: list[int],
    evaluate: np.ndarray,
) -> dict[int, np.ndarray]:
    centroids = centroids_of_cuts(tree_matrix, tree, k_values)
    return {k: pairwise_distances_argmin(evaluate, centroids[k]) for k in k_values}


def sweep_agglomerative(
    model_matrix: np.ndarray,
    model_search: ModelSearchSettings,
    agglomerative: AgglomerativeSettings,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Builds one merge tree per linkage on a sample, cuts it at every k and scores it.

    The tree (O(n^2)) is built on a seeded sample of ``sample_size``
    customers, once per linkage; each cut gives k centroids and every
    customer goes to the nearest one, exactly as the fitted model predicts.

    Args:
        model_matrix: Output of :func:`prepare_model_matrix`.
        model_search: k range, sample sizes, stability resamples and seed.
        agglomerative: Linkages and tree sample size; ``enabled: false`` skips
            the family.

    Returns:
        The candidate table (one row per (linkage, k), columns of
        ``CANDIDATE_COLUMNS``, ``bic``/``aic`` missing) and the SciPy linkage
        matrix of the first linkage's tree, for the dendrogram (shape (0, 4)
        when the family is disabled).

    Raises:
        ValueError: If there are fewer customers than ``k_max`` (or stability
            halves smaller than ``k_max``).
    """
    if not agglomerative.enabled:
        return _empty_candidates(), np.empty((0, 4))
    _check_enough_customers(len(model_matrix), model_search)
    with threadpool_limits(limits=model_search.n_threads):
        seed = model_search.random_state
        k_values = model_search.k_values
        tree_matrix = model_matrix[
            sample_rows(len(model_matrix), agglomerative.sample_size, seed)
        ]
        silhouette_rows = sample_rows(
            len(model_matrix), model_search.silhouette_sample_size, seed
        )
        distances = silhouette_distances(model_matrix, silhouette_rows)
        stability_matrix = model_matrix[
            sample_rows(len(model_matrix), model_search.stability_sample_size, seed)
        ]
        rows = []
        first_tree = None
        for method in agglomerative.linkages:
            algorithm = f"agglomerative_{method}"
            started = time.perf_counter()
            tree = build_linkage_tree(tree_matrix, method)
            first_tree = tree if first_tree is None else first_tree
            stability = measure_stability(
                stability_matrix,
                k_values,
                model_search.stability_resamples,
                seed,
                lambda train, evaluate, method=method: _cut_and_assign(
                    train, build_linkage_tree(train, method), k_values, evaluate
                ),
            )
            labels_by_k = _cut_and_assign(tree_matrix, tree, k_values, model_matrix)
            shared_seconds = time.perf_counter() - started
            logger.info(
                "%s: trees on %d customers and stability halves (%.2f s)",
                algorithm,
                len(tree_matrix),
                shared_seconds,
            )
            for k in k_values:
                # Each k carries its share of the tree and stability time.
                started = time.perf_counter() - shared_seconds / len(k_values)
                scores = score_partition(
                    model_matrix, labels_by_k[k], k, silhouette_rows, distances
                )
                rows.append(
                    _candidate_row(
                        "agglomerative",
                        algorithm,
                        k,
                        scores=scores,
                        stability=stability[k],
                        started=started,
                    )
                )
    return pd.DataFrame(rows, columns=CANDIDATE_COLUMNS), first_tree


def _rejection(row: pd.Series, choice: ModelChoiceSettings) -> str:
    if pd.isna(row["silhouette"]):
        return "silhouette undefined (fewer than two segments)"
    if row["smallest_segment_share"] < choice.min_segment_share:
        return (
            f"smallest segment {row['smallest_segment_share']:.1%} < "
            f"{choice.min_segment_share:.0%}"
        )
    if pd.notna(row["stability"]) and row["stability"] < choice.min_stability:
        return f"stability {row['stability']:.3f} < {choice.min_stability}"
    return ""


def _apply_pins(candidates: pd.DataFrame, choice: ModelChoiceSettings) -> pd.Series:
    pinned = pd.Series(True, index=candidates.index)
    if choice.algorithm is not None:
        known = sorted(candidates["algorithm"].unique())
        if choice.algorithm not in known:
            raise ValueError(
                f"model_choice.algorithm={choice.algorithm!r} is not among the "
                f"candidates {known}"
            )
        pinned &= candidates["algorithm"] == choice.algorithm
    if choice.k is not None:
        known_k = sorted(candidates["k"].unique().tolist())
        if choice.k not in known_k:
            raise ValueError(
                f"model_choice.k={choice.k} is not in the swept k range {known_k}"
            )
        pinned &= candidates["k"] == choice.k
    return pinned


def select_segmentation(
    kmeans_candidates: pd.DataFrame,
    agglomerative_candidates: pd.DataFrame,
    gaussian_mixture_candidates: pd.DataFrame,
    model_choice: ModelChoiceSettings,
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Compares every (algorithm, k) and picks one by the documented rule.

    The rule: a candidate is eligible when its stability is at least
    ``min_stability`` (or was not measured) and every segment holds at least
    ``min_segment_share`` of customers. Among eligible candidates, those
    within ``silhouette_tolerance`` of the best silhouette are tied; the
    smallest k wins, then the higher silhouette, then the family order
    K-means, agglomerative, Gaussian mixture. Pins in ``model_choice``
    restrict the candidates first. When nothing is eligible, the best
    silhouette among the (pinned) candidates is taken and the reason says so.

    Args:
        kmeans_candidates: Output of :func:`sweep_kmeans`.
        agglomerative_candidates: First output of :func:`sweep_agglomerative`.
        gaussian_mixture_candidates: Output of :func:`sweep_gaussian_mixture`.
        model_choice: Thresholds, tolerance and optional pins.

    Returns:
        The model selection table: one row per candidate with every metric,
        ``eligible`` (bool), ``chosen`` (bool, exactly one True) and ``reason``
        (why chosen, or why not eligible); and the chosen candidate as
        ``{"algorithm": ..., "k": ...}``, which the final fit reads so that the
        saved table (07) does not feed the model (06).

    Raises:
        ValueError: If there is no candidate (every family disabled) or a
            pinned algorithm or k is not among the candidates.
    """
    tables = [
        table
        for table in (
            kmeans_candidates,
            agglomerative_candidates,
            gaussian_mixture_candidates,
        )
        if len(table)
    ]
    if not tables:
        raise ValueError(
            "model_selection: no candidates; enable at least one of kmeans, "
            "agglomerative, gaussian_mixture"
        )
    candidates = pd.concat(tables, ignore_index=True).astype({"k": int})
    pinned = _apply_pins(candidates, choice=model_choice)
    rejections = candidates.apply(_rejection, axis=1, choice=model_choice)
    eligible = pinned & (rejections == "")
    pool = candidates[eligible] if eligible.any() else candidates[pinned]
    pool = (
        pool[pool["silhouette"].notna()] if pool["silhouette"].notna().any() else pool
    )
    best = pool["silhouette"].max()
    tied = pool[pool["silhouette"] >= best - model_choice.silhouette_tolerance]
    winner = tied.sort_values(
        ["k", "silhouette"], ascending=[True, False], kind="stable"
    ).index[0]
    row = candidates.loc[winner]
    pins = ", ".join(
        f"{name}={value!r}"
        for name, value in (
            ("algorithm", model_choice.algorithm),
            ("k", model_choice.k),
        )
        if value is not None
    )
    reason = (
        f"best silhouette {row['silhouette']:.4f} (ties within "
        f"{model_choice.silhouette_tolerance} go to the smaller k) among "
        f"{int(eligible.sum())} of {len(candidates)} candidates with stability >= "
        f"{model_choice.min_stability} and no segment under "
        f"{model_choice.min_segment_share:.0%}"
    )
    if not eligible.any():
        reason = (
            f"no candidate met stability >= {model_choice.min_stability} and no "
            f"segment under {model_choice.min_segment_share:.0%}; took the best "
            f"silhouette {row['silhouette']:.4f}"
        )
    if pins:
        reason = f"pinned {pins}; {reason}"
    not_chosen = np.where(
        ~pinned, "not pinned", np.where(rejections != "", rejections, "not best")
    )
    table = candidates.assign(
        eligible=eligible,
        chosen=candidates.index == winner,
        reason=not_chosen,
    )
    table.loc[winner, "reason"] = reason
    logger.info("Chosen %s with k=%d: %s", row["algorithm"], row["k"], reason)
    return table, {"algorithm": str(row["algorithm"]), "k": int(row["k"])}


def fit_segmentation_model(
    *,
    model_input: pd.DataFrame,
    chosen_candidate: dict[str, object],
    model_features: ModelFeatures,
    model_preprocessing: PreprocessingSettings,
    model_search: ModelSearchSettings,
    kmeans: KMeansSettings,
    agglomerative: AgglomerativeSettings,
    gaussian_mixture: GaussianMixtureSettings,
) -> SegmentationModel:
    """Fits the chosen (algorithm, k) as one model: preprocessing plus clusterer.

    Args:
        model_input: ``customer_id`` and the model feature columns.
        chosen_candidate: ``{"algorithm": ..., "k": ...}`` from
            :func:`select_segmentation`.
        model_features: Which columns are numeric and categorical.
        model_preprocessing: Log transform and scaling.
        model_search: Fit sample size and seed.
        kmeans: K-means restarts and iterations.
        agglomerative: Tree sample size.
        gaussian_mixture: Restarts and iterations.

    Returns:
        The fitted :class:`SegmentationModel` (``algorithm_`` names the winner).

    Raises:
        ValueError: If ``chosen_candidate`` lacks ``algorithm`` or ``k``, or
            names an unknown algorithm.
    """
    missing = sorted({"algorithm", "k"} - set(chosen_candidate))
    if missing:
        raise ValueError(
            f"chosen_candidate: key(s) {missing} missing from {chosen_candidate}"
        )
    algorithm = str(chosen_candidate["algorithm"])
    k = int(chosen_candidate["k"])
    logger.info("Fitting the segmentation model: %s with k=%d", algorithm, k)
    clusterer = make_clusterer(
        algorithm,
        k,
        model_search=model_search,
        kmeans=kmeans,
        agglomerative=agglomerative,
        gaussian_mixture=gaussian_mixture,
    )
    model = SegmentationModel(
        _build_preprocessor(model_features, model_preprocessing),
        clusterer,
        order_by=model_features.order_segments_by,
        algorithm=algorithm,
    )
    with threadpool_limits(limits=model_search.n_threads):
        return model.fit(_features_of(model_input))


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
