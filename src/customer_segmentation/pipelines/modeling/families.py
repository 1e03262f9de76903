"""The algorithm families as one spec: which candidates to try and how to build each clusterer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

from .clusterers import SampledAgglomerativeClustering, SampledClusterer
from .settings import (
    AgglomerativeSettings,
    GaussianMixtureSettings,
    KMeansSettings,
    ModelSearchSettings,
)

Family = Literal["kmeans", "agglomerative", "gaussian_mixture"]
# The order ties are broken in, and the order of the model selection table.
FAMILY_ORDER: tuple[Family, ...] = ("kmeans", "agglomerative", "gaussian_mixture")


@dataclass(frozen=True)
class ClustererSpec:
    """Everything needed to build one candidate's clusterer: family, variant, k and settings.

    Attributes:
        family: ``kmeans``, ``agglomerative`` or ``gaussian_mixture``.
        k: Number of segments.
        variant: The linkage (agglomerative) or covariance type (mixture);
            empty for K-means.
        n_init: Restarts per fit (K-means, mixtures).
        max_iter: Iteration cap per restart (K-means, mixtures).
        sample_size: Customers the clusterer is fitted on (the fit sample for
            K-means and mixtures, the tree sample for agglomerative).
        random_state: Seed of the sample and the clusterer.
    """

    family: Family
    k: int
    variant: str = ""
    n_init: int = 1
    max_iter: int = 300
    sample_size: int = 100_000
    random_state: int = 0

    @property
    def algorithm(self) -> str:
        """The candidate's algorithm name: ``kmeans``, ``agglomerative_ward``, ``gmm_full``..."""
        if self.family == "kmeans":
            return "kmeans"
        prefix = "agglomerative" if self.family == "agglomerative" else "gmm"
        return f"{prefix}_{self.variant}"

    def build(self) -> BaseEstimator:
        """Builds the unfitted clusterer.

        Returns:
            A clusterer with ``fit`` and ``predict`` that fits on a seeded sample
            of at most ``sample_size`` rows and assigns every row.
        """
        if self.family == "agglomerative":
            return SampledAgglomerativeClustering(
                n_clusters=self.k,
                linkage=self.variant,
                sample_size=self.sample_size,
                random_state=self.random_state,
            )
        if self.family == "kmeans":
            inner = KMeans(
                n_clusters=self.k,
                n_init=self.n_init,
                max_iter=self.max_iter,
                random_state=self.random_state,
            )
        else:
            inner = GaussianMixture(
                n_components=self.k,
                covariance_type=self.variant,
                n_init=self.n_init,
                max_iter=self.max_iter,
                random_state=self.random_state,
            )
        return SampledClusterer(inner, self.sample_size, self.random_state)


def kmeans_specs(
    search: ModelSearchSettings, kmeans: KMeansSettings
) -> list[ClustererSpec]:
    """The K-means candidates, one per k (none when the family is disabled)."""
    if not kmeans.enabled:
        return []
    return [
        ClustererSpec(
            "kmeans",
            k,
            n_init=kmeans.n_init,
            max_iter=kmeans.max_iter,
            sample_size=search.fit_sample_size,
            random_state=search.random_state,
        )
        for k in search.k_values
    ]


def agglomerative_specs(
    search: ModelSearchSettings, agglomerative: AgglomerativeSettings
) -> list[ClustererSpec]:
    """The agglomerative candidates, one per (linkage, k), linkage-major."""
    if not agglomerative.enabled:
        return []
    return [
        ClustererSpec(
            "agglomerative",
            k,
            variant=method,
            sample_size=agglomerative.sample_size,
            random_state=search.random_state,
        )
        for method in agglomerative.linkages
        for k in search.k_values
    ]


def gaussian_mixture_specs(
    search: ModelSearchSettings, gaussian_mixture: GaussianMixtureSettings
) -> list[ClustererSpec]:
    """The Gaussian mixture candidates, one per (covariance type, k), type-major."""
    if not gaussian_mixture.enabled:
        return []
    return [
        ClustererSpec(
            "gaussian_mixture",
            k,
            variant=covariance_type,
            n_init=gaussian_mixture.n_init,
            max_iter=gaussian_mixture.max_iter,
            sample_size=search.fit_sample_size,
            random_state=search.random_state,
        )
        for covariance_type in gaussian_mixture.covariance_types
        for k in search.k_values
    ]
