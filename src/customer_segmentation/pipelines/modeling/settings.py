"""Typed parameters of the modeling pipeline (one pydantic model per top-level key)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ModelFeatures(BaseModel):
    """Which customer features feed the model.

    ``feature_engineering`` selects these columns into ``model_input``; the model,
    the reports and the scoring services read them from the published bundle.

    Attributes:
        numeric: Numeric feature columns.
        categorical: Categorical feature columns (one-hot encoded by the model).
        order_segments_by: Column whose per-segment mean orders the segment ids
            (descending); carried in the model input even when not a feature.
    """

    model_config = ConfigDict(extra="forbid")

    numeric: list[str] = Field(default_factory=list)
    categorical: list[str] = Field(default_factory=list)
    order_segments_by: str = "monetary"


class PreprocessingSettings(BaseModel):
    """How the model features are turned into the matrix the clusterers see.

    Attributes:
        log_transform: Numeric features passed through ``log1p`` before
            scaling; use it for skewed money and counts. Their values must be
            >= 0: training refuses a negative one, scoring imputes it.
        scale: Standardise every numeric feature (zero mean, unit variance).
            Turn off when the features already share one unit.
        pca_components: Project the preprocessed features on this many principal
            components before clustering; ``None`` keeps every column.
    """

    model_config = ConfigDict(extra="forbid")

    log_transform: list[str] = Field(default_factory=list)
    scale: bool = True
    pca_components: int | None = Field(default=None, ge=1)


class ModelSearchSettings(BaseModel):
    """The k range and the sampling shared by every algorithm family.

    How the sizes were chosen (docs/modeling.md, "Cost at scale"): the fit
    sample of 100,000 customers caps the cost of a K-means or mixture fit
    whatever the number of customers, which are then all assigned. The
    silhouette sample of 5,000 gives a 5,000 x 5,000 distance matrix
    (200 MB) computed once per run and shared by every candidate; the standard
    error of a mean silhouette over 5,000 customers is about 0.003, close to
    ``silhouette_tolerance``. The stability sample is drawn once and shared too:
    its 2,500-customer halves still hold k_max=10 segments of a few percent each.

    Attributes:
        k_min: Smallest number of segments tried.
        k_max: Largest number of segments tried.
        random_state: Seed of every sample and every clusterer.
        fit_sample_size: Customers (seeded sample) K-means and Gaussian
            mixtures are fitted on; all customers are then assigned.
        silhouette_sample_size: Customers (seeded sample) the silhouette is
            computed on, as it costs O(n^2).
        stability_sample_size: Customers (seeded sample) the stability is
            measured on.
        stability_resamples: Random splits of the stability sample into two
            halves; each half is fitted and the two partitions they induce
            on the whole stability sample are compared (adjusted Rand index).
            0 skips the stability (reported as missing).
        n_threads: CPU threads (BLAS/OpenMP) each fit may use. The sweep is
            many small fits, for which one thread is fastest.
        n_jobs: Candidates of a family fitted and scored at once, each in its
            own thread (the fits release the interpreter lock); ``None`` is
            one per core. Every candidate is seeded on its own, so the
            results do not depend on it.
    """

    model_config = ConfigDict(extra="forbid")

    k_min: int = Field(default=2, ge=2)
    k_max: int = Field(default=10, ge=2)
    random_state: int = 42
    fit_sample_size: int = Field(default=100_000, ge=100)
    silhouette_sample_size: int = Field(default=5_000, ge=100)
    stability_sample_size: int = Field(default=5_000, ge=100)
    stability_resamples: int = Field(default=5, ge=0)
    n_threads: int = Field(default=1, ge=1)
    n_jobs: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _check_k_range(self) -> ModelSearchSettings:
        if self.k_min > self.k_max:
            raise ValueError(f"k_min={self.k_min} should be <= k_max={self.k_max}")
        return self

    @property
    def k_values(self) -> list[int]:
        """Every k of the sweep, ascending."""
        return list(range(self.k_min, self.k_max + 1))


class KMeansSettings(BaseModel):
    """The K-means family.

    ``n_init`` stays at 10: on the built-in sample, one restart lands in a
    worse local optimum at k=3 and k=8..10 and moves those silhouettes by up to
    0.094, three restarts still move k=8 by 0.004, both above
    ``silhouette_tolerance``; the choice happens to be the same (kmeans, k=6),
    but only 10 restarts give silhouettes the rule can compare at its
    tolerance. The Gaussian mixture keeps ``n_init=1``: it starts from a
    K-means solution, which removes most of the dependence on the start.

    Attributes:
        enabled: Include K-means in the comparison.
        n_init: Restarts per fit (the best inertia is kept).
        max_iter: Iteration cap per restart.
    """

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    n_init: int = Field(default=10, ge=1)
    max_iter: int = Field(default=300, ge=1)


class AgglomerativeSettings(BaseModel):
    """The hierarchical (agglomerative) family.

    Attributes:
        enabled: Include agglomerative clustering in the comparison.
        linkages: Linkage criteria, one candidate algorithm each
            (``agglomerative_<linkage>``).
        sample_size: Customers (seeded sample) the tree is built on; it costs
            O(n^2) memory and time, so keep it at 10,000 or less. Every other
            customer goes to the nearest segment centroid.
    """

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    linkages: list[Literal["ward", "average", "complete", "single"]] = Field(
        default_factory=lambda: ["ward", "average"], min_length=1
    )
    sample_size: int = Field(default=10_000, ge=10, le=20_000)


class GaussianMixtureSettings(BaseModel):
    """The Gaussian mixture family.

    Attributes:
        enabled: Include Gaussian mixtures in the comparison.
        covariance_types: Covariance structures, one candidate algorithm each
            (``gmm_<type>``).
        n_init: Restarts per fit (the best likelihood is kept).
        max_iter: EM iteration cap per restart.
    """

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    covariance_types: list[Literal["full", "tied", "diag", "spherical"]] = Field(
        default_factory=lambda: ["full"], min_length=1
    )
    n_init: int = Field(default=1, ge=1)
    max_iter: int = Field(default=200, ge=1)


class ModelChoiceSettings(BaseModel):
    """The rule that picks one (algorithm, k), or the user's pin.

    Attributes:
        min_stability: Candidates need at least this mean stability.
        min_segment_share: Candidates need every segment to hold at least this
            share of customers.
        silhouette_tolerance: Eligible candidates within this distance of the
            best silhouette count as tied; the smaller k wins a tie.
        algorithm: Pin the algorithm (e.g. ``kmeans``, ``agglomerative_ward``,
            ``gmm_full``); ``None`` lets the rule choose.
        k: Pin the number of segments; ``None`` lets the rule choose.
    """

    model_config = ConfigDict(extra="forbid")

    min_stability: float = Field(default=0.75, ge=0, le=1)
    min_segment_share: float = Field(default=0.02, ge=0, lt=1)
    silhouette_tolerance: float = Field(default=0.002, ge=0)
    algorithm: str | None = None
    k: int | None = Field(default=None, ge=2)
