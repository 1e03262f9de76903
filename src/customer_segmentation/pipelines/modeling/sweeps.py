"""Nodes that fit and score every candidate of a family, on samples drawn once per run."""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from sklearn.base import BaseEstimator
from sklearn.metrics import pairwise_distances_argmin
from threadpoolctl import threadpool_limits

from .candidates import (
    CANDIDATE_COLUMNS,
    FamilySweep,
    check_enough_customers,
    finish_sweep,
    score_candidates,
)
from .clusterers import (
    SampledAgglomerativeClustering,
    build_linkage_tree,
    centroids_of_cuts,
    sample_rows,
)
from .evaluation import (
    EvaluationSamples,
    measure_stability,
    measure_stability_where_it_counts,
)
from .families import (
    ClustererSpec,
    agglomerative_specs,
    gaussian_mixture_specs,
    kmeans_specs,
)
from .parallel import side_by_side
from .settings import (
    AgglomerativeSettings,
    GaussianMixtureSettings,
    KMeansSettings,
    ModelChoiceSettings,
    ModelSearchSettings,
)

logger = logging.getLogger(__name__)

# Rows scored per block when a mixture labels every customer, to bound memory.
SCORING_BLOCK_ROWS = 250_000


def _mixture_labels_and_criteria(
    clusterer: BaseEstimator, matrix: np.ndarray
) -> tuple[np.ndarray, float, float]:
    # One pass gives the labels (predict) and the log-likelihood (bic, aic),
    # instead of three passes over every customer.
    mixture = clusterer.clusterer_
    labels, log_likelihood = [], 0.0
    for start in range(0, len(matrix), SCORING_BLOCK_ROWS):
        weighted = mixture._estimate_weighted_log_prob(  # noqa: SLF001
            matrix[start : start + SCORING_BLOCK_ROWS]
        )
        labels.append(weighted.argmax(axis=1))
        log_likelihood += float(logsumexp(weighted, axis=1).sum())
    parameters = mixture._n_parameters()  # noqa: SLF001
    bic = -2 * log_likelihood + parameters * np.log(len(matrix))
    aic = -2 * log_likelihood + 2 * parameters
    return np.concatenate(labels), bic, aic


def _sweep_fitted_family(
    specs: list[ClustererSpec],
    model_matrix: np.ndarray,
    samples: EvaluationSamples,
    model_search: ModelSearchSettings,
    model_choice: ModelChoiceSettings,
) -> FamilySweep:
    def fit_and_label(
        spec: ClustererSpec,
    ) -> tuple[BaseEstimator, np.ndarray, dict[str, float]]:
        clusterer = spec.build().fit(model_matrix)
        if spec.family == "gaussian_mixture":
            labels, bic, aic = _mixture_labels_and_criteria(clusterer, model_matrix)
            return clusterer, labels, {"bic": bic, "aic": aic}
        return clusterer, clusterer.predict(model_matrix), {}

    rows, clusterers, seconds = score_candidates(
        specs, fit_and_label, model_matrix, samples, model_search.n_jobs
    )

    def measure(i: int) -> tuple[float, float]:
        started = time.perf_counter()
        spec = specs[i]
        result = measure_stability(
            samples.stability_matrix,
            [spec.k],
            model_search.stability_resamples,
            model_search.random_state,
            lambda train, evaluate: {spec.k: spec.build().fit(train).predict(evaluate)},
            n_jobs=model_search.n_jobs,
        )[spec.k]
        seconds[i] += time.perf_counter() - started
        return result

    measure_stability_where_it_counts(rows, model_choice, measure)
    return finish_sweep(rows, specs, clusterers, seconds)


def _sweep(
    specs: list[ClustererSpec],
    model_matrix: np.ndarray,
    samples: EvaluationSamples,
    model_search: ModelSearchSettings,
    model_choice: ModelChoiceSettings,
) -> FamilySweep:
    if not specs:
        return FamilySweep(pd.DataFrame({column: [] for column in CANDIDATE_COLUMNS}))
    check_enough_customers(len(model_matrix), model_search)
    # Many small fits: extra BLAS/OpenMP threads cost more than they give.
    with threadpool_limits(limits=model_search.n_threads):
        if specs[0].family == "agglomerative":
            return _sweep_trees(
                specs, model_matrix, samples, model_search, model_choice
            )
        return _sweep_fitted_family(
            specs, model_matrix, samples, model_search, model_choice
        )


def sweep_kmeans(
    model_matrix: np.ndarray,
    evaluation_samples: EvaluationSamples,
    model_search: ModelSearchSettings,
    kmeans: KMeansSettings,
    model_choice: ModelChoiceSettings,
) -> FamilySweep:
    """Fits K-means for every k on the fit sample, assigns every customer and scores it.

    Args:
        model_matrix: Output of ``prepare_model_matrix``.
        evaluation_samples: Output of :func:`draw_evaluation_samples`.
        model_search: k range, fit sample size, stability resamples and seed.
        kmeans: Restarts and iterations; ``enabled: false`` skips the family.
        model_choice: The rule; stability is measured only where it can matter.

    Returns:
        The scored and fitted candidates, one per k (none when disabled).

    Raises:
        ValueError: If there are fewer customers than ``k_max`` (or stability
            halves smaller than ``k_max``).
    """
    return _sweep(
        kmeans_specs(model_search, kmeans),
        model_matrix,
        evaluation_samples,
        model_search,
        model_choice,
    )


def sweep_gaussian_mixture(
    model_matrix: np.ndarray,
    evaluation_samples: EvaluationSamples,
    model_search: ModelSearchSettings,
    gaussian_mixture: GaussianMixtureSettings,
    model_choice: ModelChoiceSettings,
) -> FamilySweep:
    """Fits a Gaussian mixture per covariance type and k on the fit sample, and scores it.

    Every customer is assigned its most probable component; BIC and AIC are
    computed on all customers (lower is better) in the same pass.

    Args:
        model_matrix: Output of ``prepare_model_matrix``.
        evaluation_samples: Output of :func:`draw_evaluation_samples`.
        model_search: k range, fit sample size, stability resamples and seed.
        gaussian_mixture: Covariance types, restarts and iterations;
            ``enabled: false`` skips the family.
        model_choice: The rule; stability is measured only where it can matter.

    Returns:
        The scored and fitted candidates, one per (covariance type, k).

    Raises:
        ValueError: If there are fewer customers than ``k_max`` (or stability
            halves smaller than ``k_max``).
    """
    return _sweep(
        gaussian_mixture_specs(model_search, gaussian_mixture),
        model_matrix,
        evaluation_samples,
        model_search,
        model_choice,
    )


def _cut_and_assign(
    tree_matrix: np.ndarray, tree: np.ndarray, k_values: list[int], evaluate: np.ndarray
) -> dict[int, np.ndarray]:
    centroids = centroids_of_cuts(tree_matrix, tree, k_values)
    return {k: pairwise_distances_argmin(evaluate, centroids[k]) for k in k_values}


def _sweep_trees(
    specs: list[ClustererSpec],
    model_matrix: np.ndarray,
    samples: EvaluationSamples,
    model_search: ModelSearchSettings,
    model_choice: ModelChoiceSettings,
) -> FamilySweep:
    seed = model_search.random_state
    k_values = model_search.k_values
    tree_rows = sample_rows(len(model_matrix), specs[0].sample_size, seed)
    tree_matrix = model_matrix[tree_rows]
    # One tree per linkage, built side by side (the builder releases the lock);
    # its time counts in the first candidate cut from it.
    first_of: dict[str, int] = {}
    for i, spec in enumerate(specs):
        first_of.setdefault(spec.variant, i)

    def build(method: str) -> tuple[np.ndarray, float]:
        started = time.perf_counter()
        return build_linkage_tree(tree_matrix, method), time.perf_counter() - started

    built = side_by_side(build, list(first_of), model_search.n_jobs)
    trees = {method: tree for method, (tree, _) in zip(first_of, built, strict=True)}

    def cut_and_label(
        spec: ClustererSpec,
    ) -> tuple[BaseEstimator, np.ndarray, dict[str, float]]:
        clusterer = spec.build().fit_from_tree(
            tree_matrix, tree_rows, trees[spec.variant]
        )
        return clusterer, clusterer.predict(model_matrix), {}

    rows, clusterers, seconds = score_candidates(
        specs, cut_and_label, model_matrix, samples, model_search.n_jobs
    )
    for i, (_, spent) in zip(first_of.values(), built, strict=True):
        seconds[i] += spent
    stability_by_linkage: dict[str, dict[int, tuple[float, float]]] = {}

    def measure(i: int) -> tuple[float, float]:
        # One tree per half serves every k of the linkage.
        method = specs[i].variant
        if method not in stability_by_linkage:
            started = time.perf_counter()
            stability_by_linkage[method] = measure_stability(
                samples.stability_matrix,
                k_values,
                model_search.stability_resamples,
                seed,
                lambda train, evaluate: _cut_and_assign(
                    train, build_linkage_tree(train, method), k_values, evaluate
                ),
                n_jobs=model_search.n_jobs,
            )
            seconds[i] += time.perf_counter() - started
        return stability_by_linkage[method][specs[i].k]

    measure_stability_where_it_counts(rows, model_choice, measure)
    return finish_sweep(rows, specs, clusterers, seconds)


def sweep_agglomerative(
    model_matrix: np.ndarray,
    evaluation_samples: EvaluationSamples,
    model_search: ModelSearchSettings,
    agglomerative: AgglomerativeSettings,
    model_choice: ModelChoiceSettings,
) -> tuple[FamilySweep, np.ndarray]:
    """Builds one merge tree per linkage on a sample, cuts it at every k and scores it.

    The tree (O(n^2)) is built on a seeded sample of ``sample_size``
    customers, once per linkage; each cut gives k centroids and every
    customer goes to the nearest one, exactly as the fitted model predicts.

    Args:
        model_matrix: Output of ``prepare_model_matrix``.
        evaluation_samples: Output of :func:`draw_evaluation_samples`.
        model_search: k range, stability resamples and seed.
        agglomerative: Linkages and tree sample size; ``enabled: false`` skips
            the family.
        model_choice: The rule; stability is measured only where it can matter.

    Returns:
        The scored and fitted candidates (one per (linkage, k)) and the SciPy
        linkage matrix of the first linkage's tree, for the dendrogram (shape
        (0, 4) when the family is disabled).

    Raises:
        ValueError: If there are fewer customers than ``k_max`` (or stability
            halves smaller than ``k_max``).
    """
    sweep = _sweep(
        agglomerative_specs(model_search, agglomerative),
        model_matrix,
        evaluation_samples,
        model_search,
        model_choice,
    )
    first: list[SampledAgglomerativeClustering] = sweep.clusterers[:1]
    return sweep, first[0].linkage_tree_ if first else np.empty((0, 4))
