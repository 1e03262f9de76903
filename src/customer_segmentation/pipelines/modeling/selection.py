"""The documented rule that picks one (algorithm, k) among every family's candidates."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .candidates import FamilySweep
from .families import ClustererSpec
from .settings import ModelChoiceSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChosenCandidate:
    """The candidate the rule picked, as the final model needs it.

    Attributes:
        spec: Family, variant, k and settings of the chosen clusterer.
        clusterer: The clusterer the sweep fitted for it, so the model is not
            fitted a second time.
        reason: Why it was chosen (also in the model selection table).
    """

    spec: ClustererSpec
    clusterer: BaseEstimator
    reason: str

    @property
    def algorithm(self) -> str:
        """``kmeans``, ``agglomerative_<linkage>`` or ``gmm_<covariance_type>``."""
        return self.spec.algorithm

    @property
    def k(self) -> int:
        """Number of segments."""
        return self.spec.k


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
    skipped = row.get("stability_skipped", False)
    if pd.notna(skipped) and bool(skipped):
        return (
            "cannot win: silhouette more than the tolerance below an eligible "
            "candidate of its family (stability not measured)"
        )
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
    kmeans_sweep: FamilySweep,
    agglomerative_sweep: FamilySweep,
    gaussian_mixture_sweep: FamilySweep,
    model_choice: ModelChoiceSettings,
) -> tuple[pd.DataFrame, ChosenCandidate]:
    """Compares every (algorithm, k) and picks one by the documented rule.

    The rule: a candidate is eligible when its stability is at least
    ``min_stability`` (or was not measured) and every segment holds at least
    ``min_segment_share`` of customers. Among eligible candidates, those
    within ``silhouette_tolerance`` of the best silhouette are tied; the
    smallest k wins, then the higher silhouette, then the family order
    K-means, agglomerative, Gaussian mixture. Pins in ``model_choice``
    restrict the candidates first. When nothing is eligible, the best
    silhouette among the (pinned) candidates is taken and the reason says so.
    Candidates whose stability the sweep skipped (they cannot win) are not
    eligible, and their reason says why.

    Args:
        kmeans_sweep: Output of ``sweep_kmeans``.
        agglomerative_sweep: First output of ``sweep_agglomerative``.
        gaussian_mixture_sweep: Output of ``sweep_gaussian_mixture``.
        model_choice: Thresholds, tolerance and optional pins.

    Returns:
        The model selection table: one row per candidate with every metric,
        ``eligible`` (bool), ``chosen`` (bool, exactly one True) and ``reason``
        (why chosen, or why not eligible); and the chosen candidate with its
        fitted clusterer, which the final model reads so that the saved table
        (07) does not feed the model (06).

    Raises:
        ValueError: If there is no candidate (every family disabled) or a
            pinned algorithm or k is not among the candidates.
    """
    sweeps = [
        sweep
        for sweep in (kmeans_sweep, agglomerative_sweep, gaussian_mixture_sweep)
        if len(sweep.candidates)
    ]
    if not sweeps:
        raise ValueError(
            "model_selection: no candidates; enable at least one of kmeans, "
            "agglomerative, gaussian_mixture"
        )
    candidates = pd.concat(
        [sweep.candidates for sweep in sweeps], ignore_index=True
    ).astype({"k": int})
    specs = [spec for sweep in sweeps for spec in sweep.specs]
    clusterers = [clusterer for sweep in sweeps for clusterer in sweep.clusterers]
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
    position = candidates.index.get_loc(winner)
    return table, ChosenCandidate(specs[position], clusterers[position], reason)
