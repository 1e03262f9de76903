"""The rule that picks one (algorithm, k) among the candidates of every family."""

from __future__ import annotations

import pandas as pd
import pytest

from customer_segmentation.pipelines.modeling.candidates import (
    CANDIDATE_COLUMNS,
    FamilySweep,
)
from customer_segmentation.pipelines.modeling.families import ClustererSpec
from customer_segmentation.pipelines.modeling.selection import select_segmentation
from customer_segmentation.pipelines.modeling.settings import ModelChoiceSettings


def _candidates(algorithm: str, rows: list[tuple]) -> FamilySweep:
    """(k, silhouette, stability, smallest_segment_share) rows of one algorithm."""
    table = pd.DataFrame(
        rows, columns=["k", "silhouette", "stability", "smallest_segment_share"]
    ).assign(family=algorithm, algorithm=algorithm)
    family = "kmeans" if algorithm == "kmeans" else "gaussian_mixture"
    variant = algorithm.removeprefix("gmm_") if family != "kmeans" else ""
    specs = [ClustererSpec(family, int(k), variant) for k in table["k"]]
    return FamilySweep(table, specs, [f"fitted {algorithm} k={k}" for k in table["k"]])


def _empty() -> FamilySweep:
    return FamilySweep(pd.DataFrame({column: [] for column in CANDIDATE_COLUMNS}))


def test_rule_takes_the_best_silhouette_among_stable_candidates():
    kmeans = _candidates("kmeans", [(2, 0.50, 0.90, 0.3), (3, 0.70, 0.60, 0.3)])
    mixture = _candidates("gmm_full", [(3, 0.60, 0.95, 0.3)])

    table, _ = select_segmentation(kmeans, _empty(), mixture, ModelChoiceSettings())

    chosen = table[table["chosen"]].iloc[0]
    assert (chosen["algorithm"], chosen["k"]) == ("gmm_full", 3)
    assert table.loc[1, "reason"] == "stability 0.600 < 0.75"


def test_rule_breaks_silhouette_ties_towards_the_smaller_k():
    kmeans = _candidates("kmeans", [(4, 0.601, 0.9, 0.2), (3, 0.600, 0.9, 0.2)])

    table, _ = select_segmentation(kmeans, _empty(), _empty(), ModelChoiceSettings())

    assert table.loc[table["chosen"], "k"].tolist() == [3]


def test_rule_rejects_segments_under_the_minimum_share():
    kmeans = _candidates("kmeans", [(2, 0.5, 0.9, 0.3), (3, 0.9, 0.9, 0.01)])

    table, _ = select_segmentation(kmeans, _empty(), _empty(), ModelChoiceSettings())

    assert table.loc[table["chosen"], "k"].tolist() == [2]
    assert table.loc[1, "reason"] == "smallest segment 1.0% < 2%"


def test_pinned_algorithm_and_k_win_whatever_the_scores():
    kmeans = _candidates("kmeans", [(2, 0.9, 0.9, 0.3), (3, 0.5, 0.9, 0.3)])
    choice = ModelChoiceSettings(algorithm="kmeans", k=3)

    table, chosen = select_segmentation(kmeans, _empty(), _empty(), choice)

    assert (chosen.algorithm, chosen.k) == ("kmeans", 3)
    assert chosen.clusterer == "fitted kmeans k=3"
    assert (
        table.loc[table["chosen"], "reason"]
        .iloc[0]
        .startswith("pinned algorithm='kmeans', k=3")
    )


def test_pinning_an_unknown_algorithm_is_an_error():
    kmeans = _candidates("kmeans", [(2, 0.9, 0.9, 0.3)])

    with pytest.raises(ValueError, match="algorithm='gmm_full' is not among"):
        select_segmentation(
            kmeans, _empty(), _empty(), ModelChoiceSettings(algorithm="gmm_full")
        )


def test_when_nothing_is_eligible_the_reason_says_so():
    kmeans = _candidates("kmeans", [(2, 0.5, 0.2, 0.3), (3, 0.6, 0.1, 0.3)])

    table, _ = select_segmentation(kmeans, _empty(), _empty(), ModelChoiceSettings())

    assert table["chosen"].sum() == 1
    assert table.loc[table["chosen"], "reason"].iloc[0].startswith("no candidate met")


def test_choice_needs_at_least_one_family():
    with pytest.raises(ValueError, match="no candidates; enable at least one"):
        select_segmentation(_empty(), _empty(), _empty(), ModelChoiceSettings())


def test_candidates_whose_stability_was_skipped_are_not_eligible():
    kmeans = _candidates("kmeans", [(2, 0.5, float("nan"), 0.3), (3, 0.7, 0.9, 0.3)])
    kmeans.candidates["stability_skipped"] = [True, False]

    table, chosen = select_segmentation(
        kmeans, _empty(), _empty(), ModelChoiceSettings()
    )

    assert chosen.k == 3
    assert not table.loc[0, "eligible"]
    assert table.loc[0, "reason"].startswith("cannot win")
