"""Segment rules: one-vs-rest if-then rules on original units, precision, recall, fidelity."""

import pandas as pd
import pytest

from customer_segmentation.pipelines.reporting.rules import derive_segment_rules
from customer_segmentation.pipelines.reporting.settings import RulesSettings

RULES = RulesSettings(max_depth=2, min_leaf_share=0.1)
NAMES = pd.DataFrame({"segment_id": [0, 1], "segment_name": ["Big", "Small"]})


def _customers(n: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    features = pd.DataFrame(
        {
            "customer_id": [f"c{index}" for index in range(n)],
            "frequency": list(range(n)),
            "channel": ["web"] * n,
        }
    )
    segments = pd.DataFrame(
        {
            "customer_id": features["customer_id"],
            "segment_id": [1] * (n // 2) + [0] * (n - n // 2),
        }
    )
    return features, segments


def test_separable_segments_give_full_fidelity():
    features, segments = _customers()

    table, summary = derive_segment_rules(features, segments, NAMES, RULES)

    assert summary["fidelity"] == 1.0
    assert summary["n_rules"] == len(table) == 2


def test_integer_feature_rules_use_whole_number_bounds():
    features, segments = _customers()

    table, _ = derive_segment_rules(features, segments, NAMES, RULES)

    rules = table.set_index("segment_name")["rule"]
    assert rules["Small"] == "frequency <= 4"
    assert rules["Big"] == "frequency >= 5"


def test_rule_reports_precision_and_recall():
    features, segments = _customers()

    table, _ = derive_segment_rules(features, segments, NAMES, RULES)

    assert table["precision"].tolist() == [1.0, 1.0]
    assert table["recall"].tolist() == [1.0, 1.0]
    assert table["n_customers"].sum() == 10


def test_every_segment_gets_a_rule_even_a_small_one_the_overall_tree_ignores():
    features = pd.DataFrame(
        {
            "customer_id": [f"c{index}" for index in range(100)],
            "frequency": list(range(100)),
        }
    )
    segment_ids = [0] * 48 + [2] * 4 + [1] * 48
    segments = pd.DataFrame(
        {"customer_id": features["customer_id"], "segment_id": segment_ids}
    )
    names = pd.DataFrame({"segment_id": [0, 1, 2], "segment_name": list("abc")})
    one_split = RulesSettings(max_depth=1, segment_depth=2, min_leaf_share=0.02)

    table, summary = derive_segment_rules(features, segments, names, one_split)

    assert sorted(table["segment_id"].unique()) == [0, 1, 2]
    small = table[table["segment_id"] == 2].iloc[0]
    assert small["rule"] == "frequency >= 48 and <= 51"
    assert small["precision"] == 1.0
    assert small["recall"] == 1.0
    assert summary["fidelity"] < 1.0


def test_categorical_feature_becomes_an_is_rule():
    features = pd.DataFrame(
        {
            "customer_id": list("abcdef"),
            "channel": ["web", "web", "web", "app", "app", "app"],
        }
    )
    segments = pd.DataFrame(
        {"customer_id": list("abcdef"), "segment_id": [0, 0, 0, 1, 1, 1]}
    )

    table, _ = derive_segment_rules(features, segments, NAMES, RULES)

    assert set(table["rule"]) == {"channel is app", "channel is not app"}


def test_imperfect_tree_reports_fidelity_below_one():
    features, segments = _customers()
    noisy = segments.assign(segment_id=[1, 0, 1, 0, 1, 0, 1, 0, 1, 0])

    _, summary = derive_segment_rules(
        features, noisy, NAMES, RulesSettings(max_depth=1)
    )

    assert 0.5 <= summary["fidelity"] < 1.0


def test_no_usable_feature_is_an_error():
    features = pd.DataFrame({"customer_id": ["a", "b"]})
    segments = pd.DataFrame({"customer_id": ["a", "b"], "segment_id": [0, 1]})

    with pytest.raises(ValueError, match="no numeric or categorical column"):
        derive_segment_rules(features, segments, NAMES, RULES)
