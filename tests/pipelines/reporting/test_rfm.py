"""RFM scores: quintile rules, ties, edge cases and the named RFM segment."""

import pandas as pd
import pytest

from customer_segmentation.pipelines.reporting.rfm import score_rfm
from customer_segmentation.pipelines.reporting.settings import RfmRule, RfmSettings

RULES = RfmSettings(
    n_bins=5,
    segments=[
        RfmRule(name="Champions", recency=(5, 5), frequency_monetary=(4, 5)),
        RfmRule(name="Hibernating", recency=(1, 2), frequency_monetary=(1, 2)),
    ],
    unmatched_name="Unclassified",
)


def _features(recency, frequency, monetary) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [f"c{index}" for index in range(len(recency))],
            "recency_days": recency,
            "frequency": frequency,
            "monetary": monetary,
        }
    )


def test_five_distinct_values_fill_the_five_scores():
    scores = score_rfm(_features([1] * 5, [1, 2, 3, 4, 5], [50, 40, 30, 20, 10]), RULES)

    assert scores["frequency_score"].tolist() == [1, 2, 3, 4, 5]
    assert scores["monetary_score"].tolist() == [5, 4, 3, 2, 1]


def test_recency_scores_highest_for_the_most_recent_customer():
    scores = score_rfm(_features([1, 10, 100, 200, 400], [1] * 5, [1] * 5), RULES)

    assert scores["recency_score"].tolist() == [5, 4, 3, 2, 1]


def test_tied_values_share_a_score():
    scores = score_rfm(_features([1] * 6, [1, 1, 1, 9, 9, 9], [1] * 6), RULES)

    assert scores["frequency_score"].tolist() == [2, 2, 2, 4, 4, 4]


def test_a_single_customer_gets_the_middle_score():
    scores = score_rfm(_features([3], [2], [99.0]), RULES)

    assert scores.loc[
        0, ["recency_score", "frequency_score", "monetary_score"]
    ].tolist() == [
        3,
        3,
        3,
    ]


def test_all_equal_customers_get_the_middle_score():
    scores = score_rfm(_features([7] * 4, [2] * 4, [10.0] * 4), RULES)

    assert set(scores["recency_score"]) == {3}
    assert set(scores["monetary_score"]) == {3}
    assert scores["rfm_score"].tolist() == ["333"] * 4


def test_frequency_monetary_score_rounds_the_mean_half_up():
    scores = score_rfm(_features([1] * 5, [1, 2, 3, 4, 5], [10, 20, 30, 40, 60]), RULES)

    # F=5 and M=5 -> 5; F=4 and M=4 -> 4; F=1, M=1 -> 1
    assert scores["frequency_monetary_score"].tolist() == [1, 2, 3, 4, 5]
    mixed = score_rfm(_features([1] * 5, [1, 2, 3, 4, 5], [60, 40, 30, 20, 10]), RULES)
    # F=4 and M=2 -> 3; F=5 and M=1 -> 3
    assert mixed["frequency_monetary_score"].tolist()[3:] == [3, 3]


def test_first_matching_rule_names_the_customer():
    scores = score_rfm(
        _features([1, 500, 200, 300, 400], [50, 1, 2, 3, 4], [900, 1, 2, 3, 4]), RULES
    )

    assert scores.loc[0, "rfm_segment"] == "Champions"
    assert scores.loc[1, "rfm_segment"] == "Hibernating"


def test_uncovered_score_pair_gets_the_unmatched_name():
    scores = score_rfm(_features([5], [5], [5.0]), RULES)

    assert scores.loc[0, "rfm_segment"] == "Unclassified"


def test_missing_rfm_columns_leave_scores_empty():
    attributes_only = pd.DataFrame({"customer_id": ["a", "b"], "age": [30, 40]})

    scores = score_rfm(attributes_only, RULES)

    assert scores["customer_id"].tolist() == ["a", "b"]
    assert scores["recency_score"].isna().all()
    assert scores["rfm_segment"].isna().all()


def test_missing_value_is_an_error():
    features = _features([1, None], [1, 2], [1.0, 2.0])

    with pytest.raises(ValueError, match="'recency_days' has 1 missing value"):
        score_rfm(features, RULES)


def test_rule_with_reversed_range_is_rejected():
    with pytest.raises(
        ValueError, match=r"recency range \[4, 2\] should have low <= high"
    ):
        RfmRule(name="Broken", recency=(4, 2), frequency_monetary=(1, 5))
