"""Segment names: position in the RFM scheme, traits against the others, unique actions."""

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.pipelines.reporting.naming import name_segments
from customer_segmentation.pipelines.reporting.profiles import profile_segments
from customer_segmentation.pipelines.reporting.rfm import position_segments
from customer_segmentation.pipelines.reporting.settings import (
    NamingSettings,
    RfmRule,
    RfmSettings,
    TraitPattern,
    TraitWords,
)

RFM = RfmSettings(
    segments=[
        RfmRule(name="Champions", recency=(5, 5), frequency_monetary=(4, 5)),
        RfmRule(name="Loyal Customers", recency=(3, 4), frequency_monetary=(4, 5)),
        RfmRule(name="Potential Loyalists", recency=(4, 5), frequency_monetary=(2, 3)),
        RfmRule(name="New Customers", recency=(5, 5), frequency_monetary=(1, 1)),
        RfmRule(name="Can't Lose Them", recency=(1, 2), frequency_monetary=(5, 5)),
        RfmRule(name="At Risk", recency=(1, 2), frequency_monetary=(3, 4)),
        RfmRule(name="Hibernating", recency=(1, 2), frequency_monetary=(1, 2)),
        RfmRule(
            name="Big Spenders",
            recency=(2, 5),
            scores={"average_order_value": (5, 5), "frequency": (1, 3)},
        ),
    ]
)
NAMING = NamingSettings(
    max_traits=1,
    recent_only_names=["Champions", "Loyal Customers", "Potential Loyalists"],
    trait_words={
        "recency_days": TraitWords(high="long since last purchase", low="recent"),
        "gap_days": TraitWords(high="long gaps", low="short gaps"),
    },
    actions={
        "Champions": "Reward",
        "Loyal Customers": "Upsell",
        "Potential Loyalists": "Offer membership",
        "New Customers": "Onboard",
        "Can't Lose Them": "Call them",
        "At Risk": "Reconnect",
        "Hibernating": "Discount",
        "Big Spenders": "Premium offer",
    },
)


def _group(rng, n, recency, frequency, order_value):
    orders = rng.integers(frequency[0], frequency[1] + 1, n)
    value = rng.uniform(*order_value, n)
    return pd.DataFrame(
        {
            "recency_days": rng.integers(recency[0], recency[1] + 1, n),
            "frequency": orders,
            "monetary": orders * value,
            "average_order_value": value,
        }
    )


def _customers(groups: dict[int, tuple]) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(0)
    parts = [
        _group(rng, 30, *ranges).assign(segment_id=segment)
        for segment, ranges in groups.items()
    ]
    frame = pd.concat(parts, ignore_index=True)
    frame["customer_id"] = [f"c{index}" for index in range(len(frame))]
    return (
        frame.drop(columns="segment_id"),
        frame[["customer_id", "segment_id"]],
    )


GROUPS = {
    0: ((1, 5), (20, 30), (80, 120)),  # champions
    1: ((200, 300), (15, 25), (80, 120)),  # many past orders, long ago
    2: ((300, 400), (1, 1), (10, 30)),  # hibernating
    3: ((6, 15), (1, 2), (30, 60)),  # new
}


def _names(
    groups=GROUPS, naming: NamingSettings = NAMING, rfm: RfmSettings = RFM
) -> pd.DataFrame:
    features, segments = _customers(groups)
    profiles = profile_segments(features, segments)
    return name_segments(profiles, segments, features, rfm, naming).set_index(
        "segment_id"
    )


def test_segment_is_named_by_where_it_sits_in_the_scheme():
    names = _names()

    assert names.loc[0, "rfm_segment"] == "Champions"
    assert names.loc[2, "rfm_segment"] == "Hibernating"
    assert names.loc[3, "rfm_segment"] == "Potential Loyalists"
    assert names.loc[0, "segment_name"].startswith("Champions")


def test_value_at_risk_is_never_a_loyalty_name():
    names = _names()

    assert names.loc[1, "rfm_segment"] in {"At Risk", "Can't Lose Them"}
    assert names.loc[1, "recency_position"] < 3


def test_names_and_actions_are_unique_even_when_two_segments_sit_alike():
    twins = {**GROUPS, 4: ((1, 5), (20, 30), (80, 120))}

    names = _names(twins)

    assert names["rfm_segment"].is_unique
    assert names["segment_name"].is_unique
    assert names["recommended_action"].is_unique


def test_action_belongs_to_the_name():
    names = _names()

    assert names.loc[0, "recommended_action"] == "Reward"
    assert names.loc[2, "recommended_action"] == "Discount"


def test_few_large_orders_get_the_extra_scored_rule():
    big = {**GROUPS, 4: ((20, 60), (2, 3), (900, 1500))}

    names = _names(big)

    assert names.loc[4, "rfm_segment"] == "Big Spenders"
    assert names.loc[4, "recommended_action"] == "Premium offer"


def test_segment_position_is_the_median_score_of_its_members():
    features, segments = _customers(GROUPS)

    positions = position_segments(features, segments, RFM).set_index("segment_id")

    assert positions.loc[2, "recency"] < positions.loc[1, "recency"]
    assert positions.loc[0, "frequency"] > 4.5
    assert set(positions.columns) >= {"frequency_monetary", "average_order_value"}


def test_gap_trait_is_not_stated_when_most_members_have_one_order():
    features = pd.DataFrame(
        {
            "customer_id": list("abcdefgh"),
            "gap_days": [2.0, None, None, None, 50.0, 60.0, 70.0, 80.0],
        }
    )
    segments = pd.DataFrame(
        {"customer_id": list("abcdefgh"), "segment_id": [0] * 4 + [1] * 4}
    )
    profiles = profile_segments(features, segments)

    names = name_segments(profiles, segments, features, RFM, NAMING).set_index(
        "segment_id"
    )

    assert "short gaps" not in names.loc[0, "segment_name"]
    assert names.loc[1, "segment_name"] == "Long gaps"


ATTRIBUTES = pd.DataFrame(
    {
        "customer_id": [f"c{index}" for index in range(9)],
        "income": [90, 95, 100, 10, 12, 15, 50, 52, 55],
        "score": [90, 85, 95, 88, 92, 80, 50, 48, 52],
    }
)
ATTRIBUTE_SEGMENTS = pd.DataFrame(
    {
        "customer_id": ATTRIBUTES["customer_id"],
        "segment_id": [0] * 3 + [1] * 3 + [2] * 3,
    }
)
PATTERNS = NAMING.model_copy(
    update={
        "max_traits": 2,
        "trait_patterns": [
            TraitPattern(
                name="Affluent Spenders",
                traits={"income": "high", "score": "high"},
                action="VIP offers",
            )
        ],
    }
)


def _attribute_names(naming: NamingSettings = PATTERNS) -> pd.DataFrame:
    profiles = profile_segments(ATTRIBUTES, ATTRIBUTE_SEGMENTS)
    return name_segments(
        profiles, ATTRIBUTE_SEGMENTS, ATTRIBUTES, RFM, naming
    ).set_index("segment_id")


def test_attribute_only_segment_matching_a_pattern_gets_its_name_and_action():
    names = _attribute_names()

    assert names.loc[0, "segment_name"].startswith("Affluent Spenders")
    assert names.loc[0, "recommended_action"] == "VIP offers"
    assert names["rfm_segment"].isna().all()


def test_attribute_only_segment_without_a_pattern_reads_its_traits():
    names = _attribute_names()

    assert names.loc[1, "segment_name"].startswith("Low income")
    assert names.loc[1, "recommended_action"].startswith(NAMING.default_action)
    assert "low income" in names.loc[1, "recommended_action"]
    assert names["recommended_action"].is_unique


def test_segment_without_any_trait_is_typical():
    names = _attribute_names(PATTERNS.model_copy(update={"min_trait_z": 50.0}))

    assert names.loc[2, "segment_name"].startswith("Typical customers")
    assert names["segment_name"].is_unique


def test_segment_missing_from_profiles_is_an_error():
    profiles = profile_segments(ATTRIBUTES, ATTRIBUTE_SEGMENTS).iloc[:1]

    with pytest.raises(ValueError, match=r"no row for segment id\(s\) \[1, 2\]"):
        name_segments(profiles, ATTRIBUTE_SEGMENTS, ATTRIBUTES, RFM, NAMING)


def test_one_action_for_two_names_is_refused():
    with pytest.raises(ValueError, match="'Reward'.* more than one name"):
        NamingSettings(actions={"Champions": "Reward", "Loyal Customers": "Reward"})
